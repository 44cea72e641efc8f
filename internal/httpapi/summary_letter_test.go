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
