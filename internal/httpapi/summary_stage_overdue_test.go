package httpapi

import (
	"testing"
)

// The letter's dose changes show the stage each entry set, so the GP sees
// when the patient was in titration or maintenance; a stage changed alone
// reads as such, the dose unchanged, not as a dose change from a dose to
// itself. A review date the letter's date has passed is marked overdue.
func TestSummaryDoseChangesShowTheStage(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-01T10:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(541, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration",
			"start_date": "2026-06-01"})["id"].(string)
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-06-08", "reason": "Withdrawal in the evening"}))
		e.setClock(c, mustTime("2026-07-07T10:00:00+01:00"))
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "stage": "maintenance", "reason": "stable"}))
		e.setClock(c, mustTime("2026-07-16T10:00:00+01:00"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "stable"}))

		e.setClock(c, mustTime("2026-11-18T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "stage": "reduction", "effective_date": "2026-11-25",
			"reason": "Wants to start reducing"}))
		text := e.summaryText("prescriber", pid)
		assertText(t, text,
			"Date From To Stage Reason Prescriber Override",
			"1 Jun 2026 — 30 mg Titration Starting dose",
			"8 Jun 2026 30 mg 40 mg Titration Withdrawal in the evening",
			"7 Jul 2026 40 mg 40 mg Titration → maintenance stable",
			"25 Nov 2026 (planned) 40 mg 40 mg Maintenance → reduction Wants to start reducing",
			// The service's review of the treatment, due three months after
			// the last one, has passed.
			"counted from the last review on 16 Jul 2026 16 Oct 2026 — overdue",
			// The stage changed alone is no dose change, nor a planned one.
			"Date of last dose change 8 Jun 2026")
		assertNoText(t, text, "Planned dose changes", "Maintenance Wants to start reducing")
	})
}

// Under shared care, the practice's review and the service's are each
// marked overdue once past on the letter's date, and only then.
func TestSummaryMarksOverdueSharedCareReviews(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(542, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance"})
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "GP agreed to take over early"}}}))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		text := e.summaryText("gp", pid)
		assertText(t, text, "while the practice prescribes 2 Jun 2026", "at least every 12 months 2 Mar 2027")
		assertNoText(t, text, "overdue")

		// On the GP review's due date it is not yet overdue; the day after it is.
		e.setClock(c, mustTime("2026-06-02T09:00:00+01:00"))
		assertNoText(t, e.summaryText("gp", pid), "overdue")
		e.setClock(c, mustTime("2026-06-03T09:00:00+01:00"))
		text = e.summaryText("gp", pid)
		assertText(t, text, "while the practice prescribes 2 Jun 2026 — overdue", "at least every 12 months 2 Mar 2027")
		assertNoText(t, text, "2 Mar 2027 — overdue")
	})
}
