package httpapi

import (
	"fmt"
	"slices"
	"testing"
)

// BV5's "ideally at least 4 weeks" of weekly Buvidal counts weeks, not
// injections: four weekly doses given five days apart (each on its window's
// first day) are two whole weeks of treatment by the monthly start, and
// monthly Buvidal then needs an override reason.
func TestBV5CountsWeeksNotInjections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(451, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})["id"].(string)
		sites := []string{"abdomen_left", "abdomen_right", "thigh_left", "thigh_right"}
		for i, day := range []string{"2026-11-02", "2026-11-07", "2026-11-12", "2026-11-17"} {
			c.Set(mustTime(day + "T10:00:00Z"))
			e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": day, "dose": 16,
				"site": sites[i], "batch": "B1", "batch_expiry": "2027-06-30"}))
		}
		c.Set(mustTime("2026-11-20T10:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "moving to monthly"}))
		monthly := map[string]any{"medicine": "buvidal_monthly", "dose": 64, "start_date": "2026-11-20"}
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", monthly), 422)
		if !slices.Contains(rulesOf(p), "BV5") {
			t.Fatalf("four injections over two weeks: rules %v lack BV5", rulesOf(p))
		}
		assertText(t, fmt.Sprint(p["rules"]), "Only 2 whole weeks of weekly Buvidal",
			"first weekly injection on Mon 2 Nov 2026", "regular injection given (4)")
		monthly["overrides"] = []map[string]any{{"rule": "BV5", "reason": "stable; patient cannot attend weekly"}}
		e.startRegime(pid, monthly)
	})
}
