package httpapi

import (
	"testing"
)

// BV8: the answer to an extra dose gives the next injection from the last
// regular dose, as the regime view does; the extra dose moves nothing.
func TestExtraDoseDoesNotMoveTheNextInjection(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(1, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		rid := r["id"].(string)
		inject := func(date string, dose int, extra bool, site string) map[string]any {
			return e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": date, "dose": dose,
				"extra": extra, "site": site, "batch": "B123", "batch_expiry": "2027-06-30"}))
		}
		want := map[string]any{"rule": "BV8", "due": "2026-11-09", "earliest": "2026-11-07", "latest": "2026-11-11"}
		sameWindow := func(what string, got any) {
			t.Helper()
			m, _ := got.(map[string]any)
			for k, v := range want {
				if m[k] != v {
					t.Fatalf("%s: next_injection = %v, want %v", what, got, want)
				}
			}
		}
		sameWindow("regular dose", inject("2026-11-02", 16, false, "abdomen_left")["next_injection"])
		c.Set(mustTime("2026-11-05T12:00:00Z"))
		sameWindow("extra dose", inject("2026-11-05", 8, true, "thigh_left")["next_injection"])
		sameWindow("regime view", e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["next_injection"])
	})
}
