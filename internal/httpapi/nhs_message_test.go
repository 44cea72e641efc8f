package httpapi

import (
	"testing"
)

// A bad NHS number is refused with one sentence naming it (ID1), when a
// patient is registered and when one is searched for.
func TestNHSNumberMessage(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		const want = `NHS number "943 476 5918" is not valid: its last digit does not match the first nine (Modulus 11 check); check it was typed correctly`
		for _, r := range []response{
			e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": "943 476 5918",
				"given_name": "Zoë", "family_name": "Łukasz-Nguyễn", "date_of_birth": "1990-01-01"}),
			e.do("prescriber", "GET", "/v1/patients?nhs_number=943+476+5918", nil),
		} {
			p := problemOf(t, r, 422)
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("errors %v", p["errors"])
			}
			got := errs[0].(map[string]any)
			if got["field"] != "nhs_number" || got["rule"] != "ID1" || got["message"] != want {
				t.Errorf("error %v, want nhs_number ID1 %q", got, want)
			}
		}
	})
}
