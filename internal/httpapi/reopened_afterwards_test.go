package httpapi

import (
	"strings"
	"testing"
)

// openAndResolved counts a patient's alerts of kind, open and resolved.
func (e *env) openAndResolved(patientID, kind string) (open, resolved []map[string]any) {
	e.t.Helper()
	return e.patientAlerts(patientID, kind, ""), e.patientAlerts(patientID, kind, "resolved=true")
}

// A day recorded closed afterwards and opened again loses the closure's
// words (ADR 0016): the MD2 alert saying the pharmacy was closed is
// answered naming the reopening and the run is alerted again plainly, so
// the alert and the opening never disagree. Closing and opening the day
// again and again leaves one open alert each time, and every earlier one
// answered.
func TestReopeningADayClosedAfterwardsRewordsMD2(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-14T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid, prID := e.dispensed(153, "2026-12-14")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-12-14")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		c.Set(mustTime("2026-12-15T12:00:00Z"))
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", map[string]any{"confirm_early": true}))
		if open, _ := e.openAndResolved(pid, "missed_dose"); len(open) != 1 {
			t.Fatalf("MD2 alerts after day close: %v", open)
		}
		closed := map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-15"}, "bank_holidays_closed": true}
		reopened := map[string]any{"closed_weekdays": []string{"sunday"}, "bank_holidays_closed": true}
		for cycle := 1; cycle <= 2; cycle++ {
			e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening", closed))
			open, _ := e.openAndResolved(pid, "missed_dose")
			if len(open) != 1 || !strings.Contains(open[0]["message"].(string), "recorded Tue 15 Dec as closed") {
				t.Fatalf("cycle %d: MD2 alerts after the closure: %v", cycle, open)
			}
			worded := open[0]["id"]

			e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening", reopened))
			open, resolved := e.openAndResolved(pid, "missed_dose")
			if len(open) != 1 || strings.Contains(open[0]["message"].(string), "closed") {
				t.Fatalf("cycle %d: MD2 alerts after the reopening: %v", cycle, open)
			}
			if len(resolved) != 2*cycle {
				t.Fatalf("cycle %d: %d MD2 alerts answered, want %d", cycle, len(resolved), 2*cycle)
			}
			var answered bool
			for _, a := range resolved {
				answered = answered || (a["id"] == worded && strings.Contains(a["resolution"].(string), "opened 2026-12-15 again (opening changed by"))
			}
			if !answered {
				t.Fatalf("cycle %d: the closure's MD2 alert is not answered with the reopening: %v", cycle, resolved)
			}
			if l8, _ := e.openAndResolved(pid, "pharmacy_closed"); len(l8) != 0 {
				t.Fatalf("cycle %d: pharmacy_closed alerts left open: %v", cycle, l8)
			}
			line := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses?date=2026-12-15", nil)), pid)
			if line["pharmacy_closed"] == true || line["state"] != "missed" {
				t.Fatalf("cycle %d: reopened day's line: %v", cycle, line)
			}
		}
		if _, l8 := e.openAndResolved(pid, "pharmacy_closed"); len(l8) != 2 {
			t.Fatalf("pharmacy_closed alerts answered: %v", l8)
		}
	})
}

// Intermittent attendance (S4) that a closure recorded afterwards answered
// is raised again when the day is opened again and the pattern holds once
// more; closing and opening again answers and raises it again, one open
// at a time.
func TestReopeningADayClosedAfterwardsRaisesIntermittentAttendanceAgain(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-14T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid, prID := e.dispensed(154, "2026-12-14")
		for _, day := range []string{"2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17", "2026-12-18"} {
			if day == "2026-12-15" || day == "2026-12-17" {
				c.Set(mustTime(day + "T10:00:00Z"))
				e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, day)+"/events",
					map[string]any{"outcome": "supervised", "identity_confirmed": true}))
			}
			e.closeDays(c, day)
		}
		if open, _ := e.openAndResolved(pid, "intermittent_attendance"); len(open) != 1 {
			t.Fatalf("intermittent attendance alerts: %v", open)
		}
		closed := map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-16"}, "bank_holidays_closed": true}
		reopened := map[string]any{"closed_weekdays": []string{"sunday"}, "bank_holidays_closed": true}
		for cycle := 1; cycle <= 2; cycle++ {
			e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening", closed))
			if open, resolved := e.openAndResolved(pid, "intermittent_attendance"); len(open) != 0 || len(resolved) != cycle {
				t.Fatalf("cycle %d: after the closure: open %v, resolved %v", cycle, open, resolved)
			}
			e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening", reopened))
			open, resolved := e.openAndResolved(pid, "intermittent_attendance")
			if len(open) != 1 || !strings.Contains(open[0]["message"].(string), "Wed 16 Dec") || len(resolved) != cycle {
				t.Fatalf("cycle %d: after the reopening: open %v, resolved %v", cycle, open, resolved)
			}
			if md2, _ := e.openAndResolved(pid, "missed_dose"); len(md2) != 3 || slicesAny(md2, func(a map[string]any) bool {
				return strings.Contains(a["message"].(string), "closed")
			}) {
				t.Fatalf("cycle %d: MD2 alerts after the reopening: %v", cycle, md2)
			}
		}
	})
}

// A dose refused on a day closed by its weekday is opened through
// open_dates: the refusal says so (a day in closed_dates is taken out of
// them instead: TestClosureRecordedAfterwards).
func TestRecordOnAClosedWeekdaySaysToAddAnOpenDate(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-14T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		_, prID := e.dispensed(155, "2026-12-14")
		c.Set(mustTime("2026-12-16T10:00:00Z"))
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday", "wednesday"}, "bank_holidays_closed": true}))
		msg := fieldMessage(t, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-12-16")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}), "outcome", "pharmacy_closed")
		if !strings.Contains(msg, "add 2026-12-16 to open_dates") || strings.Contains(msg, "closed_dates") {
			t.Fatalf("refusal says %q", msg)
		}
	})
}

func slicesAny(as []map[string]any, f func(map[string]any) bool) bool {
	for _, a := range as {
		if f(a) {
			return true
		}
	}
	return false
}
