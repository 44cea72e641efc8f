package httpapi

import "testing"

// MD3's new induction dose after 5 or more missed methadone days is M1's:
// the top of the usual starting range (30 mg by default), or M1's sedative
// figure (20 mg) once a benzodiazepine or alcohol risk is recorded, not a
// fixed 30 mg.
func TestMD3InductionDoseFollowsM1(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, prID := e.startMethadoneAt(2, 50, "maintenance", "2026-03-26")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-26")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.closeDays(c, "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31")
		c.Set(mustTime("2026-04-01T09:00:00+01:00"))
		if got := retitrationDose(e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))); got != 30 {
			t.Fatalf("after 5 missed days at 50 mg: suggestion %v, want 30", got)
		}
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"risk_flags": map[string]any{"benzodiazepines": true}}))
		if got := retitrationDose(e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))); got != 20 {
			t.Fatalf("after 5 missed days with a benzodiazepine risk: suggestion %v, want 20", got)
		}
	})
}
