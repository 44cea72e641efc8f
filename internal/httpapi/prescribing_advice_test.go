package httpapi

import (
	"strings"
	"testing"
)

// Approved wording 4 asks for every collection to be supervised; a pattern
// with a take-home collection contradicts it, and the prescriber is told.
func TestWordingFourWarnsOfTakeHomeCollections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(252, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "stage": "maintenance",
			"pattern": weekendCollectedSaturday, "supervision_relaxed_reason": "Compliance assured: 3 years stable",
			"overrides": []map[string]any{{"rule": "M1", "reason": "transfer at 60 mg"}}})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-23",
			"days": 7, "wording": []int{1, 3, 4}}))
		found := false
		for _, w := range pr["warnings"].([]any) {
			f := w.(map[string]any)
			found = found || (f["rule"] == "L7" && f["severity"] == "warn" && strings.Contains(f["message"].(string), "Sat 28 Nov is take-home only"))
		}
		if !found {
			t.Fatalf("warnings %v lack the L7 conflict", pr["warnings"])
		}
		// Without wording 4 there is nothing to warn of.
		pr = e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-23",
			"days": 7, "wording": []int{1, 3}}))
		for _, w := range pr["warnings"].([]any) {
			if f := w.(map[string]any); f["rule"] == "L7" && f["severity"] == "warn" {
				t.Fatalf("warning without wording 4: %v", f)
			}
		}
	})
}

// S6: in titration, doses sent home on the days the pharmacy is closed are
// named to the prescriber before signing.
func TestTakeHomeDuringTitrationWarns(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-21T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(253, map[string]any{"pharmacy_id": e.demo.Pharmacy2})
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-21"})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-21",
			"days": 14, "wording": []int{1, 3}}))
		found := false
		for _, w := range pr["warnings"].([]any) {
			f := w.(map[string]any)
			found = found || (f["rule"] == "S6" && strings.Contains(f["message"].(string), "Fri 25 Dec, Sun 27 Dec, Mon 28 Dec"))
		}
		if !found {
			t.Fatalf("warnings %v lack S6 naming the closed days", pr["warnings"])
		}
	})
}
