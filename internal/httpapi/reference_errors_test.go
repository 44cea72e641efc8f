package httpapi

import (
	"slices"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// One answer names every field to fix, references naming nothing among
// them: a client that fixes what the first 422 named does not meet a
// second about a field it sent alongside.
func TestEveryFailingFieldIsNamedWithReferences(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		const nowhere = "01a23c6a-0000-7000-8000-000000000000"
		patient := func(extra map[string]any) map[string]any {
			b := map[string]any{"nhs_number": patients.TestNHSNumber(501), "given_name": "Zoë", "family_name": "Łukasz-Nguyễn",
				"date_of_birth": "1985-04-12", "pharmacy_id": e.demo.PharmacyID, "gp_practice_id": e.demo.PracticeID}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		pid := e.newPatient(502, nil)
		tests := []struct {
			name, who, method, path string
			body                    map[string]any
			want                    []string
		}{
			{"create: empty name and no such practice", "prescriber", "POST", "/v1/patients",
				patient(map[string]any{"given_name": "", "gp_practice_id": nowhere}), []string{"given_name", "gp_practice_id"}},
			{"create: no such practice nor pharmacy", "prescriber", "POST", "/v1/patients",
				patient(map[string]any{"gp_practice_id": nowhere, "pharmacy_id": nowhere}), []string{"gp_practice_id", "pharmacy_id"}},
			{"create: practice given as pharmacy, bad date", "prescriber", "POST", "/v1/patients",
				patient(map[string]any{"pharmacy_id": e.demo.PracticeID, "date_of_birth": "12/04/1985"}), []string{"date_of_birth", "pharmacy_id"}},
			{"create: not a UUID is named once", "prescriber", "POST", "/v1/patients",
				patient(map[string]any{"given_name": "", "pharmacy_id": "x"}), []string{"given_name", "pharmacy_id"}},
			{"patch: empty family name and no such pharmacy", "prescriber", "PATCH", "/v1/patients/" + pid,
				map[string]any{"family_name": "", "pharmacy_id": nowhere}, []string{"family_name", "pharmacy_id"}},
			{"patch: no such practice nor pharmacy", "prescriber", "PATCH", "/v1/patients/" + pid,
				map[string]any{"gp_practice_id": nowhere, "pharmacy_id": nowhere}, []string{"gp_practice_id", "pharmacy_id"}},
			{"user: empty name and no such organisation", "admin", "POST", "/v1/users",
				map[string]any{"organisation_id": nowhere, "role": "pharmacist", "name": ""}, []string{"name", "organisation_id"}},
			{"user: empty name and a role the organisation has not", "admin", "POST", "/v1/users",
				map[string]any{"organisation_id": e.demo.PracticeID, "role": "pharmacist", "name": ""}, []string{"name", "role"}},
		}
		for _, tt := range tests {
			p := problemOf(t, e.do(tt.who, tt.method, tt.path, tt.body), 422)
			got := fieldsOf(p)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: fields %v, want %v", tt.name, got, tt.want)
			}
		}
		// Nothing was written.
		if m := e.must(200, e.do("prescriber", "GET", "/v1/patients?nhs_number="+patients.TestNHSNumber(501), nil)); len(m["items"].([]any)) != 0 {
			t.Fatalf("a refused patient was registered: %v", m["items"])
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil)); got["pharmacy_id"] != e.demo.PharmacyID {
			t.Fatalf("a refused patch changed the pharmacy: %v", got["pharmacy_id"])
		}
	})
}
