package httpapi

import (
	"strings"
	"testing"
)

// S4: a correction that says a missed day was taken after all takes back
// the intermittent attendance alert that counted it, once the days left
// missed in its window no longer make the pattern, naming the correction
// and who made it; while they still do, the alert stands. A pattern made
// again by later missed days is news, alerted within the fortnight.
func TestCorrectionTakesBackTheAttendanceAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.stableDispensed(580, "2026-02-09")
		attend := func(day string) {
			c.Set(mustTime(day + "T10:00:00Z"))
			e.record(rx, day, supervised)
		}
		open := func() []map[string]any {
			return e.alertsOf("prescriber", "?kind=intermittent_attendance&patient_id="+pid)
		}
		// Missed on the 9th, 11th, 13th and 17th (the pharmacy is closed on
		// Sundays: Saturday's collection carries the 15th): alerted at the
		// third, and only once in the fortnight.
		for _, day := range []string{"2026-02-09", "2026-02-10", "2026-02-11", "2026-02-12", "2026-02-13", "2026-02-14", "2026-02-16", "2026-02-17"} {
			switch day {
			case "2026-02-10", "2026-02-12", "2026-02-14", "2026-02-16":
				attend(day)
			}
			e.closeDays(c, day)
		}
		if got := open(); len(got) != 1 || !strings.Contains(got[0]["message"].(string), "3 dose days missed in the 14 days to 2026-02-13") {
			t.Fatalf("intermittent attendance alerts = %v", got)
		}

		c.Set(mustTime("2026-02-18T09:00:00Z"))
		e.correct(pid, rx, "2026-02-11", givenOn("2026-02-11", "forgot to record: seen to swallow"))
		if got := open(); len(got) != 1 {
			t.Fatalf("the 9th, 13th and 17th are still missed, but the alert is %v", got)
		}
		e.correct(pid, rx, "2026-02-13", givenOn("2026-02-13", "forgot to record."))
		if got := open(); len(got) != 0 {
			t.Fatalf("open intermittent attendance alerts after the 13th was corrected = %v", got)
		}
		for _, who := range []string{"prescriber", "pharmacist"} {
			a := e.resolvedAlert(who, pid, "intermittent_attendance")
			if a == nil {
				t.Fatalf("%s has no resolved intermittent attendance alert", who)
			}
			assertText(t, a["resolution"].(string), "The record of 2026-02-13 was corrected to supervised: forgot to record. Corrected by Tom Hughes at Castle Street Pharmacy.",
				"2 dose day(s) are left missed in the 14 days from 2026-02-09 that the alert counted (Mon 9 Feb, Tue 17 Feb), short of S4's 3.")
		}

		// The 19th missed: the 9th, 17th and 19th are the pattern again.
		attend("2026-02-18")
		e.closeDays(c, "2026-02-18", "2026-02-19")
		got := open()
		if len(got) != 1 || !strings.Contains(got[0]["message"].(string), "3 dose days missed in the 14 days to 2026-02-19 (Mon 9 Feb, Tue 17 Feb, Thu 19 Feb)") {
			t.Fatalf("intermittent attendance alerts after the 19th = %v", got)
		}
	})
}

// A dose withheld in titration raises the withheld alert (S4) and MD2's
// (the first day without the dose). Corrected to a dose given, both are
// taken back, each naming the correction: the day, the outcome, the
// pharmacist's reason and who corrected it. (One withheld because the
// patient was intoxicated keeps its alert: S3, in
// TestIntoxicationWithholdingCorrectedToADoseKeepsTheAlert.)
func TestCorrectedWithheldResolutionsNameWhoCorrected(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(581, "2026-02-09")
		e.record(rx, "2026-02-09", map[string]any{"outcome": "withheld", "reason": "behaviour", "identity_confirmed": true})
		if got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid); len(got) != 1 {
			t.Fatalf("MD2 alerts after the dose was withheld = %v", got)
		}
		c.Set(mustTime("2026-02-09T11:00:00Z"))
		e.correct(pid, rx, "2026-02-09", map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"correction_reason": "recorded against the wrong patient: the dose was given"})
		for _, kind := range []string{"withheld", "missed_dose"} {
			for _, who := range []string{"prescriber", "pharmacist"} {
				if got := e.alertsOf(who, "?kind="+kind+"&patient_id="+pid); len(got) != 0 {
					t.Fatalf("%s: open %s alerts after the correction = %v", who, kind, got)
				}
				a := e.resolvedAlert(who, pid, kind)
				if a == nil {
					t.Fatalf("%s: no resolved %s alert", who, kind)
				}
				assertText(t, a["resolution"].(string), "2026-02-09 was corrected to supervised: recorded against the wrong patient: the dose was given.",
					"Corrected by Tom Hughes at Castle Street Pharmacy.")
			}
		}
	})
}
