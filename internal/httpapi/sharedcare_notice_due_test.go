package httpapi

import "testing"

// Right after a weekly to monthly switch no injection has been given under
// the monthly regime, but its first is due a week after the last weekly one
// (BV8): the shared-care notices give the due date the regime view gives,
// from the same function (regimes.NextInjection).
func TestSharedCareNoticesGiveTheFirstInjectionAfterASwitch(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-04T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, weekly := e.buvidalOnTime(c, 591, "2026-11-04", "2026-12-02", "2026-12-02")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+weekly+"/end", map[string]any{"reason": "switching to monthly"}))
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_monthly", "dose": 96, "start_date": "2026-12-02"})["id"].(string)
		wantNextInjection(t, "regime view", e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["next_injection"],
			"2026-12-09", "2026-12-07", "2026-12-11")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "Stable on weekly; MDT agreed"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 128,
			"effective_date": "2026-12-09", "reason": "Cravings late in the month",
			"overrides": []map[string]any{{"rule": "BV4", "reason": "MDT agreed"}}}))
		assertContains(t, "the practice's notice of the dose change", onlyAlert(e, "gp", pid, "regime_changed")["message"].(string),
			"Give each injection at the dose in force on the day it is given; the next is due on 2026-12-09.")

		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Nurse on leave"}))
		assertContains(t, "the service's notice of the practice's hand-back", onlyAlert(e, "prescriber", pid, "shared_care")["message"].(string),
			"The service gives the next injection, due on 2026-12-09.")
	})
}
