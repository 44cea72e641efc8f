package httpapi

import (
	"testing"
)

// An ended regime has no review to come (M5): ending it resolves its
// review_due alerts, and the view no longer gives a date.
func TestEndedRegimeHasNoReviewDue(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(1702, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 8, "start_date": "2026-01-05",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4}})["id"].(string)
		if v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil)); v["review_due"] == nil {
			t.Fatalf("active regime without review_due: %v", v)
		}
		e.setClock(c, mustTime("2026-01-06T10:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "stopped"}))
		v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if _, ok := v["review_due"]; ok || v["status"] != "ended" {
			t.Fatalf("ended regime: status %v, review_due %v", v["status"], v["review_due"])
		}
	})
}
