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

// Needs notes and other substances' names are text like every other field.
func TestEveryStoredTextIsChecked(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		pid := e.newPatient(263, nil)
		p := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{
			"needs": map[string]any{"housing": map[string]any{"level": "some", "notes": "a\u0000b"}}}), 422)
		if !slices.Contains(fieldsOf(p), "needs.housing.notes") {
			t.Errorf("needs notes: fields %v", fieldsOf(p))
		}
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{"date": "2026-01-05",
			"sample_type": "urine", "other_substances": []map[string]any{{"name": "a\u0007\u202eb", "result": "negative"}}}), 422)
		if !slices.Contains(fieldsOf(p), "other_substances[0].name") {
			t.Errorf("other substance: fields %v", fieldsOf(p))
		}
	})
}
