package httpapi

import "testing"

// Under accepted Buvidal shared care the practice gives the injections
// (ADR 0009), so it hears when one is overdue (BV8), as it hears of missed
// doses: alerts raised since it accepted, of its own accepted patients.
// Another practice, a practice that was only proposed to, and an alert
// raised before acceptance stay the service's.
func TestPracticeSeesOverdueInjectionsOfItsBuvidalPatients(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		accepted, _ := e.buvidalOnTime(c, 601, "2026-01-05", "2026-04-06", "2026-04-08")     // next due 13 Apr
		proposed, _ := e.buvidalOnTime(c, 602, "2026-01-05", "2026-04-06", "2026-04-08")     // likewise
		overdueEarly, _ := e.buvidalOnTime(c, 603, "2026-01-05", "2026-03-30", "2026-04-08") // due 6 Apr
		e.closeAll(c, "2026-04-09")
		wantAlerts(t, "before acceptance", e.alertMessages("prescriber", overdueEarly, "injection_overdue"), 1, "Buvidal injection overdue")

		e.setClock(c, mustTime("2026-04-10T10:00:00Z"))
		propose := func(pid string) string {
			t.Helper()
			return e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
				map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))["id"].(string)
		}
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+propose(accepted)+"/accept", nil))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+propose(overdueEarly)+"/accept", nil))
		propose(proposed)
		e.closeAll(c, "2026-04-16")
		for _, pid := range []string{accepted, proposed} {
			wantAlerts(t, "the service", e.alertMessages("prescriber", pid, "injection_overdue"), 1, "Buvidal injection overdue")
		}

		wantAlerts(t, "the practice, accepted", e.alertMessages("gp", accepted, "injection_overdue"), 1, "Buvidal injection overdue")
		if got := e.alertsOf("gp", "?open=false&kind=injection_overdue"); len(got) != 1 {
			t.Fatalf("the practice sees %d overdue alerts, want its accepted patient's raised since: %v", len(got), got)
		}
		otherGP, _ := e.secondPractice()
		if got := e.alertsOf(otherGP, "?open=false"); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}
	})
}
