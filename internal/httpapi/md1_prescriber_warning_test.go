package httpapi

import (
	"strings"
	"testing"
)

// findingOf is the warning of rule in a write's answer, nil when none.
func findingOf(m map[string]any, rule string) map[string]any {
	ws, _ := m["warnings"].([]any)
	for _, w := range ws {
		if f := w.(map[string]any); f["rule"] == rule {
			return f
		}
	}
	return nil
}

// A prescriber writing for a patient under an MD1 block is told at once,
// as a warning: the pharmacy will refuse every supply until a review is
// recorded. The regime start, a draft, its issue and a prescription
// issued at once all say so; after the review none does.
func TestMD1BlockWarnsThePrescriber(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(9311, "2026-11-30")
		// The day closes mark the days missed: they stay the patient's
		// missed days when the regime ends (Kerry Walsh in the demo).
		e.closeDays(c, "2026-11-30", "2026-12-01", "2026-12-02")
		c.Set(mustTime("2026-12-03T10:00:00Z"))
		wantMD1 := func(what string, m map[string]any, md3 bool) {
			t.Helper()
			f := findingOf(m, "MD1")
			if f == nil || f["severity"] != "warn" || !strings.Contains(f["message"].(string), "3 consecutive days missed since 2026-11-30") ||
				!strings.Contains(f["action"].(string), "/v1/patients/"+pid+"/reviews") {
				t.Fatalf("%s: warnings %v, want MD1 naming the review", what, m["warnings"])
			}
			if got := strings.Contains(f["action"].(string), "MD3: 3 missed days: give half the dose, 15 mg"); got != md3 {
				t.Fatalf("%s: MD3 advice %v, want %v: %v", what, got, md3, f["action"])
			}
		}
		rx := map[string]any{"patient_id": pid, "start_date": "2026-12-14", "days": 7, "wording": []int{1, 3}}
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", rx))
		wantMD1("draft", draft, true)
		wantMD1("issue", e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil)), true)
		rx["start_date"], rx["issue"] = "2026-12-21", true
		wantMD1("issued at once", e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", rx)), true)

		rid := e.activeRegimeOf(pid)
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "restart after missed days"}))
		wantMD1("regime start", e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 15}), false)

		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses", "notes": "Seen: restart at 15 mg"}))
		rx["start_date"], rx["issue"] = "2026-12-03", false
		if m := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", rx)); findingOf(m, "MD1") != nil {
			t.Fatalf("after the review: warnings %v", m["warnings"])
		}
	})
}
