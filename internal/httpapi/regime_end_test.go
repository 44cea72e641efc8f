package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// activeRegimeOf is the id of the patient's active regime.
func (e *env) activeRegimeOf(patientID string) string {
	e.t.Helper()
	for _, it := range e.must(200, e.do("prescriber", "GET", "/v1/patients/"+patientID+"/regimes", nil))["items"].([]any) {
		if r := it.(map[string]any); r["status"] == "active" {
			return r["id"].(string)
		}
	}
	e.t.Fatalf("patient %s has no active regime", patientID)
	return ""
}

// Ending a regime stops dispensing at once, so it cannot be dated ahead
// (the days until then would have no dose), nor before a dose the pharmacy
// recorded as taken (that dose would drop out of what follows, B1). A
// refused end changes nothing.
func TestRegimeEndIsDatedBetweenTheLastDoseAndToday(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(421, "2026-03-09")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-09")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.setClock(c, mustTime("2026-03-10T09:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-10")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		end := "/v1/regimes/" + e.activeRegimeOf(pid) + "/end"
		for _, tc := range []struct{ on, rule string }{{"2026-03-14", "not_future"}, {"2026-03-09", "after_last_dose"}} {
			p := problemOf(t, e.do("prescriber", "POST", end, map[string]any{"ended_on": tc.on, "reason": "detox completes"}), 422)
			if !slices.Contains(fieldsOf(p), "ended_on") || !strings.Contains(fmt.Sprint(p["errors"]), tc.rule) {
				t.Fatalf("ended_on %s: %v", tc.on, p)
			}
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["status"]; got != "issued" {
			t.Fatalf("a refused end touched the prescription: %v", got)
		}
		e.must(200, e.do("prescriber", "POST", end, map[string]any{"ended_on": "2026-03-10", "reason": "detox completed"}))
	})
}

// B1 counts from the last methadone dose the pharmacy watched being
// taken, even when the prescriber gives no time or an earlier one.
func TestInductionTimingCountsFromTheSupervisedMethadoneDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-10T16:30:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(422, "2026-03-10")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-10")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-03-10T16:20:00Z"}))
		c.Set(mustTime("2026-03-10T17:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+e.activeRegimeOf(pid)+"/end", map[string]any{"reason": "switching to Buvidal"}))
		start := map[string]any{"medicine": "buvidal_weekly", "dose": 16, "start_date": "2026-03-10",
			"first_dose_at": "2026-03-10T18:00:00Z", "last_dose_at": "2026-03-09T09:00:00Z"}
		blockedWith(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", start), "B1", "Only 1 h 40 min")
	})
}
