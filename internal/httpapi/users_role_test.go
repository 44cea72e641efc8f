package httpapi

import "testing"

// A user put in an organisation of the wrong kind is told, in words, where
// the role belongs.
func TestUserInTheWrongOrganisation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		tests := []struct {
			role, org, want string
		}{
			{"admin", e.demo.PharmacyID, "an admin belongs to a treatment service, not a pharmacy"},
			{"pharmacist", e.demo.PracticeID, "a pharmacist belongs to a pharmacy, not a GP practice"},
			{"gp", e.demo.ServiceID, "a GP belongs to a GP practice, not a treatment service"},
		}
		for _, tt := range tests {
			p := problemOf(t, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": tt.org, "role": tt.role, "name": "Alex Doe"}), 422)
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != "role" || errs[0].(map[string]any)["message"] != tt.want {
				t.Errorf("%s: errors = %v, want %q", tt.role, errs, tt.want)
			}
		}
	})
}
