package httpapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// Answers name the field and the rule a user can act on.
func TestClearAnswers(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// A cursor this API never returned is refused, not an empty page.
		for _, path := range []string{"/v1/patients?cursor=enp6", "/v1/prescriptions?cursor=enp6", "/v1/alerts?cursor=enp6"} {
			p := problemOf(t, e.do("prescriber", "GET", path, nil), 422)
			if !slices.Equal(fieldsOf(p), []string{"cursor"}) {
				t.Errorf("%s: fields %v", path, fieldsOf(p))
			}
		}
		// Lengths are in characters, not bytes: 100 accented letters fit.
		long := strings.Repeat("ő", 100)
		e.must(201, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": patients.TestNHSNumber(131),
			"given_name": long, "family_name": long, "date_of_birth": "1990-01-01"}))
		p0 := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": patients.TestNHSNumber(132),
			"given_name": long + "x", "family_name": "Long", "date_of_birth": "1990-01-01"}), 422)
		if !slices.Equal(fieldsOf(p0), []string{"given_name"}) {
			t.Fatalf("101 characters: %v", p0)
		}

		// A negative dose is not "a plain decimal": it must be positive.
		pid := e.newPatient(130, nil)
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes",
			map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": -5}), 422)
		if errs := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["rule"] != "positive" ||
			!strings.Contains(errs[0].(map[string]any)["message"].(string), "more than 0 mg") {
			t.Fatalf("negative dose: %v", p["errors"])
		}
		// A second proposal of shared care says "an accepted" or "a proposed".
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		// A prescription dated so long ago that it would be born expired is refused (L3).
		blockedWith(t, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "prescribed_on": "2026-11-01",
			"start_date": "2026-11-20", "days": 7}), "L3", "passed its 28-day validity")
		// The rapid access report names only the date that did not parse.
		if got := fieldsOf(problemOf(t, e.do("prescriber", "GET", "/v1/reports/rapid-access?from=bad", nil), 422)); !slices.Equal(got, []string{"from"}) {
			t.Fatalf("fields %v", got)
		}
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "test"}}}))
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "test"}}}), 409)
		if !strings.Contains(p["detail"].(string), "already has a proposed shared care arrangement") {
			t.Fatalf("detail = %v", p["detail"])
		}
	})
}
