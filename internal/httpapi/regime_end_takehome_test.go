package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// takeHomeFrom starts methadone today on pattern, with M6 overridden, and
// issues a 7-day prescription from today; it returns the patient, regime
// and prescription ids.
func (e *env) takeHomeFrom(seq int, today string, pattern map[string]any) (pid, regimeID, rxID string) {
	e.t.Helper()
	pid = e.newPatient(seq, nil)
	regimeID = e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 40, "stage": "maintenance",
		"start_date": today, "pattern": pattern,
		"overrides": []map[string]any{{"rule": "M6", "reason": "Transferred in stable; compliance assured by the previous service"}}})["id"].(string)
	rxID = e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": today,
		"days": 7, "wording": []int{1, 3}, "issue": true}))["id"].(string)
	return pid, regimeID, rxID
}

// A regime ends today even when today's collection carried a later day's
// dose home: the end may be dated on or after the day a dose was last
// handed over, and the answer says which days' doses the patient already
// holds. An end before that day, or in the future, is still refused.
func TestRegimeEndsWhileATakeHomeDoseCoversALaterDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pattern := map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised",
			"thursday": "earlier", "friday": "supervised", "saturday": "supervised", "sunday": "earlier"}
		pid, rid, rx := e.takeHomeFrom(441, "2026-12-01", pattern)
		for _, day := range []string{"2026-12-01", "2026-12-02"} {
			e.setClock(c, mustTime(day+"T10:00:00Z"))
			e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, day)+"/events",
				map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		}
		end := "/v1/regimes/" + rid + "/end"
		for _, tc := range []struct{ on, rule, text string }{
			{"2026-12-03", "not_future", "must not be in the future"},
			{"2026-12-01", "after_last_dose", "2026-12-02"},
		} {
			p := problemOf(t, e.do("prescriber", "POST", end, map[string]any{"ended_on": tc.on, "reason": "discharged"}), 422)
			if !slices.Contains(fieldsOf(p), "ended_on") || !strings.Contains(fmt.Sprint(p["errors"]), tc.rule) ||
				!strings.Contains(fmt.Sprint(p["errors"]), tc.text) {
				t.Fatalf("ended_on %s: %v", tc.on, p)
			}
		}
		m := e.must(200, e.do("prescriber", "POST", end, map[string]any{"reason": "discharged"}))
		if m["status"] != "ended" || m["ended_on"] != "2026-12-02" {
			t.Fatalf("ended = %v", m)
		}
		if got := fmt.Sprint(m["taken_home_after_end"]); got != "[2026-12-03]" {
			t.Fatalf("taken_home_after_end = %s", got)
		}
		warnings := m["warnings"].([]any)
		if len(warnings) != 1 {
			t.Fatalf("warnings = %v", warnings)
		}
		w := warnings[0].(map[string]any)
		if w["rule"] != "MD4" || w["severity"] != "warn" {
			t.Fatalf("warning = %v", w)
		}
		assertText(t, fmt.Sprint(w), "Thu 3 Dec 2026", "to take home", "return")
		// The audit trail keeps it with the end.
		audited := false
		for _, ev := range e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_id="+rid, nil))["items"].([]any) {
			if ev := ev.(map[string]any); ev["action"] == "regime.end" {
				audited = strings.Contains(ev["changes"].(string), `"taken_home_after_end":["2026-12-03"]`)
			}
		}
		if !audited {
			t.Fatal("the audit of the end does not name the day taken home")
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["status"]; got != "cancelled" {
			t.Fatalf("the prescription is %v after the end", got)
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))["active_regime"]; got != nil {
			t.Fatalf("active regime after the end: %v", got)
		}
	})
}

// After a weekly collection the regime can still end at once, for any
// reason; the six days' doses taken home are named.
func TestRegimeEndsTheDayAfterAWeeklyCollection(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pattern := map[string]any{"monday": "earlier", "tuesday": "earlier", "wednesday": "take_home",
			"thursday": "earlier", "friday": "earlier", "saturday": "earlier", "sunday": "earlier"}
		_, rid, rx := e.takeHomeFrom(442, "2026-12-02", pattern)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-12-02")+"/events",
			map[string]any{"outcome": "collected", "identity_confirmed": true}))
		e.setClock(c, mustTime("2026-12-03T16:00:00Z"))
		m := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "remanded in custody"}))
		if m["ended_on"] != "2026-12-03" {
			t.Fatalf("ended = %v", m)
		}
		if got := fmt.Sprint(m["taken_home_after_end"]); got != "[2026-12-04 2026-12-05 2026-12-06 2026-12-07 2026-12-08]" {
			t.Fatalf("taken_home_after_end = %s", got)
		}
		assertText(t, fmt.Sprint(m["warnings"]), "Fri 4 Dec 2026 to Tue 8 Dec 2026")
	})
}

// An end with nothing taken home says so with an empty list and no warning.
func TestRegimeEndWithNothingTakenHome(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(443, "2026-12-02")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-12-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		m := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+e.activeRegimeOf(pid)+"/end", map[string]any{"reason": "discharged"}))
		if got := fmt.Sprint(m["taken_home_after_end"], m["warnings"]); got != "[] []" {
			t.Fatalf("taken home, warnings = %s", got)
		}
	})
}

// A Buvidal regime is not ended before an injection recorded under it
// (BV2): the injection would drop out of what follows.
func TestBuvidalRegimeNotEndedBeforeItsLastInjection(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid := e.buvidalOnTime(c, 444, "2026-11-02", "2026-11-23", "2026-12-02")
		end := "/v1/regimes/" + rid + "/end"
		for _, on := range []string{"2026-11-02", "2026-11-22"} {
			p := problemOf(t, e.do("prescriber", "POST", end, map[string]any{"ended_on": on, "reason": "moved away"}), 422)
			if !slices.Contains(fieldsOf(p), "ended_on") || !strings.Contains(fmt.Sprint(p["errors"]), "after_last_dose") ||
				!strings.Contains(fmt.Sprint(p["errors"]), "2026-11-23") {
				t.Fatalf("ended_on %s: %v", on, p)
			}
		}
		m := e.must(200, e.do("prescriber", "POST", end, map[string]any{"ended_on": "2026-11-23", "reason": "moved away"}))
		if m["ended_on"] != "2026-11-23" || fmt.Sprint(m["taken_home_after_end"]) != "[]" {
			t.Fatalf("ended = %v", m)
		}
	})
}
