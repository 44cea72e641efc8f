package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// A move to a pharmacy that has closed today's list does not take effect
// today: the reissue's dose for today would sit on the closed list, missed
// at once, while the first pharmacy's, whose list is still open, was
// cancelled. The 422 names the day to move from, and the move from that
// day reissues from it, leaving today's dose where it was.
func TestNoMoveOntoAClosedList(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(860, "2026-03-26")
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["regime_id"].(string)

		c.Set(mustTime("2026-03-26T18:00:00Z"))
		e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+e.demo.Pharmacy2+"/day-close", map[string]any{"confirm_early": true}))
		r := e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-03-26", "reason": "moved house"})
		fieldRule(t, r, "effective_date", "day_closed")
		assertText(t, string(r.Body), "closed its day list for 2026-03-26", "move from 2026-03-27")
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["status"]; got != "issued" {
			t.Fatalf("the prescription at the first pharmacy is %v", got)
		}
		if e.instalmentOn(rx, "2026-03-26") == "" {
			t.Fatal("today's instalment at the first pharmacy is gone")
		}

		mv := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-03-27", "reason": "moved house"}))
		var atNew map[string]any
		for _, re := range mv["reissued_prescriptions"].([]any) {
			if re := re.(map[string]any); re["pharmacy_id"] == e.demo.Pharmacy2 {
				atNew = re
			}
		}
		if atNew == nil || atNew["start_date"] != "2026-03-27" {
			t.Fatalf("reissued = %v", mv["reissued_prescriptions"])
		}
		// Today's dose is still on the first pharmacy's open list.
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+todayInstalment(e, "pharmacist", e.demo.PharmacyID, pid)+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
	})
}

// A dose or pattern change effective today, made after today's list was
// closed, reissues from tomorrow: the close settled today's instalment as
// missed, so the reissue puts nothing on the closed list.
func TestChangeAfterTheCloseReissuesFromTomorrow(t *testing.T) {
	t.Parallel()
	for i, change := range []struct {
		path   string
		status int
		body   map[string]any
	}{
		{"dose-changes", 201, map[string]any{"to": 35, "effective_date": "2026-03-26", "reason": "withdrawal symptoms"}},
		{"pattern", 200, map[string]any{"pattern": weekendCollectedSaturday, "effective_date": "2026-03-26", "reason": "Works weekends",
			"supervision_relaxed_reason": "Compliance assured: 3 years stable"}},
	} {
		t.Run(change.path, func(t *testing.T) {
			t.Parallel()
			eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
				pid, rx := e.dispensed(862+i, "2026-03-26")
				rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["regime_id"].(string)
				c.Set(mustTime("2026-03-26T18:00:00Z"))
				if cl := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true})); cl["missed"].(float64) < 1 {
					t.Fatalf("close = %v", cl)
				}
				m := e.must(change.status, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/"+change.path, change.body))
				re := m["reissued_prescriptions"].([]any)
				if len(re) != 1 || re[0].(map[string]any)["start_date"] != "2026-03-27" {
					t.Fatalf("%s: reissued = %v", change.path, re)
				}
				for _, in := range e.instalmentsOf(re[0].(map[string]any)["id"].(string)) {
					if strings.HasPrefix(in, "2026-03-26") {
						t.Fatalf("%s: the reissue has an instalment on the closed day: %s", change.path, in)
					}
				}
				h := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-03-26&to=2026-03-26", nil))
				if ad := h["adherence"].(map[string]any); ad["missed"].(float64) != 1 {
					t.Fatalf("%s: adherence %v", change.path, ad)
				}
			})
		})
	}
}

// Saturday's list closed at pharmacy 2, which is shut on Sunday: Sunday's
// dose would be collected on Saturday, so neither Saturday nor Sunday can
// start a prescription. Both refusals say so and name Monday, which works;
// a draft for Saturday is told the same.
func TestClosedDayAdviceSkipsAClosedNextDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-28T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.Pharmacy2
		e.must(200, e.do("pharmacist_2", "PUT", "/v1/pharmacies/"+ph+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{}, "bank_holidays_closed": true}))
		pid := e.newPatient(864, map[string]any{"pharmacy_id": ph})
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-03-28"})
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-28",
			"days": 7, "wording": []int{1, 3}}))["id"].(string)

		c.Set(mustTime("2026-03-28T18:00:00Z"))
		e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+ph+"/day-close", map[string]any{"confirm_early": true}))

		for _, tc := range []struct{ start, cannot string }{
			{"2026-03-28", "the doses for 2026-03-28 to 2026-03-29 can no longer be prescribed"},
			{"2026-03-29", "the dose for 2026-03-29 can no longer be prescribed"},
		} {
			r := e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": tc.start,
				"days": 7, "wording": []int{1, 3}, "issue": true})
			fieldRule(t, r, "start_date", "day_closed")
			assertText(t, string(r.Body), "closed its day list for 2026-03-28", tc.cannot, "start the prescription on 2026-03-30 (Monday)")
		}
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft+"/issue", nil), 409)
		assertText(t, p["detail"].(string), "the doses for 2026-03-28 to 2026-03-29 can no longer be prescribed",
			"cancel it and write a new one starting on 2026-03-30")

		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-30",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		if pr["status"] != "issued" {
			t.Fatalf("prescription from Monday: %v", pr["status"])
		}
	})
}

// A move's day_closed advice names a day the patient collects on: with
// Friday's dose collected on Thursday ("earlier"), a move from Friday would
// find no collection at the new pharmacy to reissue, so the advice skips
// to Saturday, and the move from there reissues with nothing left over.
func TestMoveAdviceSkipsADayCollectedEarlier(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pattern := map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised",
			"thursday": "supervised", "friday": "earlier", "saturday": "supervised", "sunday": "supervised"}
		_, rid, _ := e.takeHomeFrom(866, "2026-03-26", pattern)

		c.Set(mustTime("2026-03-26T18:00:00Z"))
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true}))
		e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+e.demo.Pharmacy2+"/day-close", map[string]any{"confirm_early": true}))
		r := e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-03-26", "reason": "moved house"})
		fieldRule(t, r, "effective_date", "day_closed")
		assertText(t, string(r.Body), "closed its day list for 2026-03-26", "move from 2026-03-28")
		if strings.Contains(string(r.Body), "move from 2026-03-27") {
			t.Fatalf("the advice names Friday, collected on Thursday: %s", r.Body)
		}

		mv := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-03-28", "reason": "moved house"}))
		if w := fmt.Sprint(mv["warnings"]); strings.Contains(w, "L8") {
			t.Fatalf("following the advice: %s", w)
		}
	})
}
