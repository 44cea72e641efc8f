package httpapi

import (
	"slices"
	"testing"
)

// A query parameter that is not text is a 422 naming it, on either
// database: PostgreSQL would otherwise refuse the bytes with a 500.
func TestQueryParametersMustBeText(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		for who, path := range map[string]string{
			"prescriber": "/v1/patients?name=%00",
			"admin":      "/v1/audit?entity_type=%FF",
		} {
			p := problemOf(t, e.do(who, "GET", path, nil), 422)
			if f := fieldsOf(p); len(f) != 1 || !slices.Contains([]string{"name", "entity_type"}, f[0]) {
				t.Errorf("%s: fields %v", path, f)
			}
		}
		for _, path := range []string{"/v1/audit?entity_id=%C0%80", "/v1/audit?actor_id=a%00b", "/v1/audit?%FF=1"} {
			problemOf(t, e.do("admin", "GET", path, nil), 422)
		}
		// Names with bidirectional overrides would display as something else.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": "9990000018",
			"given_name": "Zo\u202eë", "family_name": "Łukasz-Nguyễn", "date_of_birth": "1986-02-14"}), 422)
		if !slices.Contains(fieldsOf(p), "given_name") {
			t.Errorf("bidi override: fields %v", fieldsOf(p))
		}
	})
}
