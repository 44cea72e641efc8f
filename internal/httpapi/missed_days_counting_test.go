package httpapi

import (
	"strings"
	"testing"
)

// mondayTakeHome is Monday's instalment carrying Tuesday's and
// Wednesday's doses home (M6 overridden); every other day supervised.
var mondayTakeHome = map[string]any{"monday": "take_home", "tuesday": "earlier", "wednesday": "earlier",
	"thursday": "supervised", "friday": "supervised", "saturday": "supervised", "sunday": "supervised"}

// A take-home instalment withheld takes every day it covers with it: MD1
// blocks for the three days, and the review that lifts the block is
// answered with MD3's advice for the same three days, not for Monday
// alone.
func TestReviewAfterAWithheldTakeHomeSuggestsForEveryDayItCovered(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, rx := e.takeHomeFrom(9401, "2026-11-30", mondayTakeHome)
		e.record(rx, "2026-11-30", map[string]any{"outcome": "withheld", "reason": "behaviour", "identity_confirmed": true,
			"notes": "abusive to staff"})
		wantAlerts(t, "withheld", e.alertMessages("prescriber", pid, "md1_block"), 1,
			"3 consecutive days missed since 2026-11-30 (the last on 2026-12-02)")

		c.Set(mustTime("2026-11-30T15:00:00Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen: settled, to restart on Thursday at half dose"}))
		sg, _ := m["retitration"].(map[string]any)
		if sg == nil || sg["rule"] != "MD3" || sg["dose"].(float64) != 20 || !strings.Contains(sg["text"].(string), "3 missed days") {
			t.Fatalf("retitration = %v, want MD3's half dose after 3 days", m["retitration"])
		}
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("the review left the MD1 alert open: %v", got)
		}
		// The regime's view gives the same advice, from the same count.
		r := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if sg, _ := r["retitration"].(map[string]any); sg == nil || !strings.Contains(sg["text"].(string), "3 missed days") {
			t.Fatalf("the regime's retitration = %v", r["retitration"])
		}
	})
}
