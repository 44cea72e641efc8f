package httpapi

import "testing"

// The letter names the prescription running on its date, and when none
// runs — the last one finished — says so, in the opening too, with the
// day from which a new one is needed, rather than calling a past end date
// the current prescription's.
func TestLetterSaysWhenNoPrescriptionIsRunning(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _, _, _ := e.underSharedCare(531, "2026-11-16", true) // the GP's prescription runs 16 to 29 Nov
		e.attended(c, "pharmacist", pid, "2026-11-16", "2026-11-20")
		e.setClock(c, mustTime("2026-11-20T12:00:00Z"))
		text := e.summaryText("gp", pid)
		assertText(t, text, "Current prescription ends 29 Nov 2026")
		assertNoText(t, text, "None running", "No prescription is running")

		// Issued ahead: the next one is named, the current still current.
		e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-05", "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}))
		text = e.summaryText("gp", pid)
		assertText(t, text, "Current prescription ends 29 Nov 2026", "Next prescription 5 Dec 2026 to 11 Dec 2026")

		// 2 Dec: the first finished on 29 Nov, the next starts on 5 Dec.
		e.setClock(c, mustTime("2026-12-02T12:00:00Z"))
		text = e.summaryText("gp", pid)
		assertText(t, text,
			"No prescription is running on 2 Dec 2026, so the pharmacy has no supply to dispense (the last prescribed day was 29 Nov 2026): "+
				"a new prescription is needed from 30 Nov 2026 until the next one starts on 5 Dec 2026.",
			"Current prescription None running — last prescribed day 29 Nov 2026; a new prescription is needed from 30 Nov 2026, "+
				"to cover the days before the next prescription starts on 5 Dec 2026.")
		assertNoText(t, text, "Current prescription ends")

		// 14 Dec: nothing running and nothing to come.
		e.setClock(c, mustTime("2026-12-14T12:00:00Z"))
		text = e.summaryText("prescriber", pid)
		assertText(t, text, "the last prescribed day was 11 Dec 2026): a new prescription is needed from 12 Dec 2026.",
			"Current prescription None running — last prescribed day 11 Dec 2026; a new prescription is needed from 12 Dec 2026.")
		assertNoText(t, text, "Current prescription ends", "Next prescription")
	})
}
