package httpapi

import "testing"

// A pattern of weekly collections is not directed as daily instalments:
// the direction gives the daily dose, the interval, and each instalment's
// days and amount as the schedule has them (L2, L6).
func TestPrescriptionPDFDirectsWeeklyInstalments(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(182, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 40, "stage": "maintenance",
			"start_date": "2026-12-02", "overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}},
			"pattern": map[string]any{"monday": "supervised", "tuesday": "earlier", "wednesday": "earlier", "thursday": "earlier",
				"friday": "earlier", "saturday": "earlier", "sunday": "earlier"},
			"supervision_relaxed_reason": "Compliance assured: 3 years stable"})
		// Mon 7 to Wed 16 Dec 2026.
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-07",
			"days": 10, "wording": []int{1, 3}, "issue": true}))
		text := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		assertText(t, text, "Instalments Weekly instalments of the daily dose, 40 ml, for each day the instalment covers: "+
			"280 ml, 7 days' doses, collected on Mon 7 Dec; 120 ml, 3 days' doses, collected on Mon 14 Dec. "+
			"Consumption supervised at the pharmacy on Mon; Tue, Wed, Thu, Fri, Sat and Sun doses supplied on Mon to take home.",
			"Mon 7 Dec – Sun 13 Dec", "Mon 14 Dec – Wed 16 Dec")
		assertPDFLacks(t, text, "Daily instalments", "daily instalments")

		// Twice a week, Mon and Thu: no regular interval, each kind of
		// instalment with its dates.
		pid = e.newPatient(183, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 40, "stage": "maintenance",
			"start_date": "2026-12-02", "overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}},
			"pattern": map[string]any{"monday": "supervised", "tuesday": "earlier", "wednesday": "earlier", "thursday": "supervised",
				"friday": "earlier", "saturday": "earlier", "sunday": "earlier"},
			"supervision_relaxed_reason": "Compliance assured: 3 years stable"})
		rx = e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-07",
			"days": 14, "wording": []int{1, 3}, "issue": true}))
		text = pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		assertText(t, text, "Instalments Instalments of the daily dose, 40 ml, for each day the instalment covers: "+
			"120 ml, 3 days' doses, collected on Mon 7 Dec and Mon 14 Dec (2 instalments); "+
			"160 ml, 4 days' doses, collected on Thu 10 Dec and Thu 17 Dec (2 instalments).")
		assertPDFLacks(t, text, "Daily instalments", "daily instalments")
	})
}
