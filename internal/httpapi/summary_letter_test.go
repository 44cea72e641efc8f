package httpapi

import (
	"testing"
)

// The letter's supervision follows the pharmacy's opening, as the
// prescription's does: a pharmacy closed on Sundays and bank holidays
// hands those days' doses over to take home the day before, which the
// letter's chart counts as collections (SC4).
func TestSummarySupervisionNamesClosedDays(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(270, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-02"})
		assertText(t, e.summaryText("prescriber", pid), "Supervision Consumption supervised at the pharmacy every day when it is open. "+
			"The pharmacy is closed on Sundays and bank holidays: those days' doses are supplied to take home with the instalment before.")

		// A pharmacy open every day but one date supervises every day but that one.
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{}, "closed_dates": []string{"2026-12-29", "2026-11-30"}, "bank_holidays_closed": false}))
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Supervision Consumption supervised at the pharmacy every day when it is open. "+
			"The pharmacy is closed on 29 Dec 2026: those days' doses are supplied to take home with the instalment before.")
		assertNoText(t, text, "30 Nov 2026")
	})
}

// Dose changes decided for later are said once, as planned: beside the
// current dose, not within it; the stage does not call the dose stable;
// and the dose-change table marks them (SC4).
func TestSummaryPlannedDoseChanges(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-07-31T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(271, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"start_date": "2026-07-31"})["id"].(string)
		e.setClock(c, mustTime("2026-12-02T10:00:00Z"))
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Treatment stage Maintenance since 31 Jul 2026: a stable dose.")
		assertNoText(t, text, "Planned dose changes", "(planned)")

		for _, ch := range []map[string]any{{"to": 25, "effective_date": "2026-12-14", "reason": "Asked to reduce"},
			{"to": 35, "effective_date": "2026-12-24", "reason": "Cover over Christmas"}} {
			e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", ch))
		}
		text = e.summaryText("prescriber", pid)
		assertText(t, text,
			"Current dose 30 mg (30 ml) once daily Planned dose changes 25 mg (25 ml) once daily from 14 Dec 2026; then 35 mg (35 ml) once daily from 24 Dec 2026 Treatment stage",
			"Treatment stage Maintenance since 31 Jul 2026: a change of dose is planned from 14 Dec 2026.",
			"Date of last dose change 31 Jul 2026",
			"14 Dec 2026 (planned) 30 mg 25 mg Maintenance Asked to reduce", "24 Dec 2026 (planned) 25 mg 35 mg Maintenance Cover over Christmas")
		assertNoText(t, text, "a stable dose", "changing to", "31 Jul 2026 (planned)")
	})
}

// SC4 asks for recent drug screens: a patient with none has the heading
// and says so, rather than a letter silent about screening.
func TestSummaryWithoutDrugScreens(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(272, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-02"})
		assertText(t, e.summaryText("prescriber", pid), "Drug screens None recorded in the last 6 months. Risks and naloxone")
	})
}

// The letter states the buprenorphine and naloxone dose as the
// prescription does, with both strengths, in the current dose, a planned
// change and the dose-change table.
func TestSummaryNaloxoneCombinationDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(273, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_naloxone_sublingual_tablets", "dose": 12, "stage": "maintenance",
			"start_date": "2026-12-02", "overrides": []map[string]any{{"rule": "B2", "reason": "transferred on 12 mg"}}})["id"].(string)
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 16, "effective_date": "2026-12-09",
			"reason": "Cravings in the evening"}))
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-02",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		assertText(t, pdfToText(t, e.must200PDF("prescriber", rx["id"].(string))), "12 mg/3 mg (buprenorphine/naloxone) once daily")
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Current dose 12 mg/3 mg (buprenorphine/naloxone) once daily",
			"Planned dose changes 16 mg/4 mg (buprenorphine/naloxone) once daily from 9 Dec 2026", "16 mg/4 mg Maintenance Cravings in the evening")
		assertNoText(t, text, "12 mg once daily", "16 mg once daily")
	})
}

// A day the pharmacy opens on that it is usually closed (open_dates) is
// named with the closed days it is an exception to: the letter does not
// say every Friday's dose is taken home when Fri 4 Dec is open (SC4).
func TestSummarySupervisionNamesAReopenedDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{"friday", "sunday"}, "closed_dates": []string{}, "open_dates": []string{"2026-12-04", "2026-11-27", "2026-12-28"},
				"bank_holidays_closed": true}))
		pid := e.newPatient(272, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-02"})
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Supervision Consumption supervised at the pharmacy every day when it is open. "+
			"The pharmacy is closed on Fridays (open on 4 Dec 2026), Sundays and bank holidays (open on 28 Dec 2026): "+
			"those days' doses are supplied to take home with the instalment before.")
		assertNoText(t, text, "27 Nov 2026")
	})
}
