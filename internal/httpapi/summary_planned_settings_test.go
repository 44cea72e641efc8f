package httpapi

import (
	"testing"
)

// A pharmacy move and a pattern change decided for later are planned, not
// in force: the letter names today's pharmacy and supervision, and each
// planned change apart with its date, as it does planned dose changes (SC4).
func TestSummaryPlannedPharmacyMoveAndPatternChange(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(612, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"start_date": "2026-12-03", "overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}}})["id"].(string)
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-12-04", "reason": "Works weekends", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-05", "reason": "Moved to Droitwich"}))
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Pharmacy Castle Street Pharmacy, 4 Castle Street, Worcester WR1 3AD — Tel 01905 555 220",
			"Supervision Consumption supervised at the pharmacy every day when it is open.",
			"Planned pharmacy move From 5 Dec 2026:",
			"Planned supervision change From 4 Dec 2026: consumption supervised at the pharmacy on Mon–Fri when it is open; take-home dose collected on Sat; Sun dose supplied on Sat to take home.",
			"Supervision relaxed by a recorded decision (Compliance assured: 3 years stable).",
			"Planned pharmacy move From 5 Dec 2026: Market Square Pharmacy, 27 Market Square, Droitwich WR9 8DA — Tel 01905 555 330")
		assertNoText(t, text, "Supervision Consumption supervised at the pharmacy on Mon–Fri", "Supervision was relaxed", "Pharmacy Market Square")
	})
}
