package httpapi

import (
	"fmt"
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

// A take-home instalment withheld on Monday covered Monday to Wednesday;
// the prescriber cancels its prescription and prescribes Tuesday and
// Wednesday again, supervised. Monday was refused; Tuesday and Wednesday
// are judged by their new instalments: not missed before they happen, no
// block on them, the MD1 alert resolved by the new prescription, and the
// adherence counting Monday alone.
func TestDaysPrescribedAgainAfterAWithheldTakeHomeAreJudgedByTheNewInstalments(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, rx := e.takeHomeFrom(9402, "2026-11-30", mondayTakeHome)
		e.record(rx, "2026-11-30", map[string]any{"outcome": "withheld", "reason": "behaviour", "identity_confirmed": true,
			"notes": "abusive to staff"})
		wantAlerts(t, "withheld", e.alertMessages("prescriber", pid, "md1_block"), 1, "3 consecutive days missed since 2026-11-30")

		c.Set(mustTime("2026-11-30T14:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+rx+"/cancel", map[string]any{"reason": "to be supervised daily"}))
		daily := map[string]any{}
		for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
			daily[d] = "supervised"
		}
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": daily,
			"effective_date": "2026-12-01", "reason": "supervised daily after Monday"}))
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 1 {
			t.Fatalf("the cancellation alone changed the MD1 alert: %v", got)
		}
		next := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-01",
			"days": 6, "wording": []int{3}, "issue": true}))["id"].(string)
		for _, who := range []string{"prescriber", "pharmacist"} {
			if got := e.alertsOf(who, "?kind=md1_block&patient_id="+pid); len(got) != 0 {
				t.Fatalf("%s: the MD1 alert is open after Tuesday and Wednesday were prescribed again: %v", who, got)
			}
		}
		if a := e.resolvedAlert("prescriber", pid, "md1_block"); a == nil || !strings.Contains(a["resolution"].(string), "prescribed again") {
			t.Fatalf("resolved MD1 alert = %v", a)
		}
		doses := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-11-30&to=2026-12-02", nil))
		if a := doses["adherence"].(map[string]any); a["due"].(float64) != 1 || a["withheld"].(float64) != 1 {
			t.Fatalf("adherence on Monday = %v, want Monday alone due, withheld", a)
		}
		if r := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil)); r["retitration"] != nil &&
			!strings.Contains(fmt.Sprint(r["retitration"]), "1 missed day") {
			t.Fatalf("retitration = %v, want none beyond Monday", r["retitration"])
		}

		// Monday's close looks ahead to Tuesday's line and finds no block.
		e.closeAll(c, "2026-11-30")
		e.setClock(c, mustTime("2026-12-01T09:00:00Z"))
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("Monday's close raised the MD1 alert again: %v", got)
		}
		entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)
		if entry["state"] != "due" || entry["block"] != nil || len(withCode(e.warningsOn(pid), "md1_do_not_dispense")) != 0 {
			t.Fatalf("Tuesday's line = %v", entry)
		}
		if got := withCode(e.warningsOn(pid), "missed_yesterday"); len(got) != 1 {
			t.Fatalf("Tuesday's warnings %q, want Monday's dose not taken", e.warningsOn(pid))
		}
		doses = e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-11-30&to=2026-12-02", nil))
		if a := doses["adherence"].(map[string]any); a["due"].(float64) != 1 || a["withheld"].(float64) != 1 {
			t.Fatalf("adherence on Tuesday = %v, want Monday alone due, withheld", a)
		}
		// Tuesday not collected: two days without the dose, short of MD1.
		e.closeAll(c, "2026-12-01")
		e.setClock(c, mustTime("2026-12-02T09:00:00Z"))
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("two days without the dose raised the MD1 alert: %v", got)
		}
		entry = dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)
		if entry["instalment_id"] != e.instalmentOn(next, "2026-12-02") || entry["state"] != "due" || entry["block"] != nil {
			t.Fatalf("Wednesday's line = %v", entry)
		}
		doses = e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-11-30&to=2026-12-02", nil))
		if a := doses["adherence"].(map[string]any); a["due"].(float64) != 2 || a["withheld"].(float64) != 1 || a["missed"].(float64) != 1 {
			t.Fatalf("adherence on Wednesday = %v, want Monday withheld and Tuesday missed", a)
		}
		e.record(next, "2026-12-02", supervised)
	})
}
