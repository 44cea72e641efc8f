package httpapi

import (
	"testing"
)

// Closing today before the scheduled close time (DOSEBOOK_DAY_CLOSE_AT,
// 23:00 by default) marks every dose not yet recorded today missed before
// the patients could come: a late-shift pharmacist at 00:30 on Tuesday who
// meant Monday, or a mis-tap at 06:47, must say so (confirm_early), and is
// told what it would do and how to close yesterday instead. Earlier days,
// and today from the close time on, need no confirmation.
func TestEarlyDayCloseNeedsConfirmation(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		dayClose := "/v1/pharmacies/" + ph + "/day-close"
		pid, _ := e.dispensed(901, "2026-11-30")
		outcome := func(day string) any {
			hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from="+day+"&to="+day, nil))
			return hist["instalments"].([]any)[0].(map[string]any)["current_outcome"]
		}
		early := func(r response, now string) {
			t.Helper()
			fieldRule(t, r, "confirm_early", "early_close")
			p := r.JSON(t)
			assertText(t, p["errors"].([]any)[0].(map[string]any)["message"].(string),
				"today (2026-12-01) is closed at 23:00", "now, at "+now, "marks every dose not yet recorded today missed",
				"confirm_early: true", "to close yesterday, send date 2026-11-30")
		}

		// 00:30 on Tuesday 1 December (GMT): today is Tuesday.
		c.Set(mustTime("2026-12-01T00:30:00Z"))
		before := e.auditCount()
		early(e.do("pharmacist", "POST", dayClose, nil), "00:30")
		early(e.do("pharmacist", "POST", dayClose, map[string]any{"date": "2026-12-01"}), "00:30")
		early(e.do("pharmacist", "POST", dayClose, map[string]any{"confirm_early": false}), "00:30")
		if e.auditCount() != before {
			t.Fatal("a refused close wrote something")
		}
		if got := outcome("2026-12-01"); got != nil && got != "" {
			t.Fatalf("Tuesday's dose is %v before the pharmacy opened", got)
		}
		// What was meant: Monday, the day just ended.
		r := e.must(200, e.do("pharmacist", "POST", dayClose, map[string]any{"date": "2026-11-30"}))
		if r["date"] != "2026-11-30" || r["missed"].(float64) != 1 {
			t.Fatalf("closing Monday: %v", r)
		}

		// A mis-tap at 06:47 closes nothing either.
		c.Set(mustTime("2026-12-01T06:47:00Z"))
		early(e.do("pharmacist", "POST", dayClose, map[string]any{}), "06:47")
		if got := outcome("2026-12-01"); got != nil && got != "" {
			t.Fatalf("Tuesday's dose is %v at 06:47", got)
		}

		// Closing early on purpose, confirmed.
		c.Set(mustTime("2026-12-01T18:00:00Z"))
		r = e.must(200, e.do("pharmacist", "POST", dayClose, map[string]any{"confirm_early": true}))
		if r["date"] != "2026-12-01" || r["missed"].(float64) != 1 {
			t.Fatalf("closing Tuesday early: %v", r)
		}
		// Asked again without confirm_early, the day is closed already:
		// 200 already_closed, writing nothing.
		c.Set(mustTime("2026-12-01T18:05:00Z"))
		before = e.auditCount()
		for _, body := range []map[string]any{nil, {}, {"date": "2026-12-01"}} {
			r = e.must(200, e.do("pharmacist", "POST", dayClose, body))
			if r["date"] != "2026-12-01" || r["already_closed"] != true || r["missed"].(float64) != 0 {
				t.Fatalf("closing Tuesday again with %v: %v", body, r)
			}
		}
		if e.auditCount() != before {
			t.Fatal("closing a closed day again wrote something")
		}
		// Another pharmacy's early close does not close this one's day.
		early2 := e.do("pharmacist_2", "POST", "/v1/pharmacies/"+e.demo.Pharmacy2+"/day-close", map[string]any{})
		fieldRule(t, early2, "confirm_early", "early_close")

		// From the close time on, today closes as the schedule would.
		c.Set(mustTime("2026-12-02T23:00:00Z"))
		r = e.must(200, e.do("pharmacist", "POST", dayClose, nil))
		if r["date"] != "2026-12-02" || r["missed"].(float64) != 1 {
			t.Fatalf("closing Wednesday at 23:00: %v", r)
		}
	})
}

// In summer the close time is local (BST): 22:30 UTC on 1 July is 23:30 in
// London, past the close; 21:30 UTC is 22:30, before it.
func TestEarlyDayCloseIsJudgedInLocalTime(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-07-01T21:30:00Z", func(t *testing.T, e *env, c *clock) {
		dayClose := "/v1/pharmacies/" + e.demo.PharmacyID + "/day-close"
		r := e.do("pharmacist", "POST", dayClose, nil)
		fieldRule(t, r, "confirm_early", "early_close")
		assertText(t, r.JSON(t)["errors"].([]any)[0].(map[string]any)["message"].(string), "now, at 22:30")
		c.Set(mustTime("2026-07-01T22:30:00Z"))
		if got := e.must(200, e.do("pharmacist", "POST", dayClose, nil))["date"]; got != "2026-07-01" {
			t.Fatalf("closed %v", got)
		}
	})
}
