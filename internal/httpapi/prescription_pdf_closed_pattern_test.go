package httpapi

import (
	"strings"
	"testing"
)

// The form's "Instalments" sentence says what its schedule does: at a
// pharmacy closed on Sundays, a pattern taking Sunday's dose home and
// supplying Monday's with it is collected on Saturday, and the sentence
// names Saturday, as the table does, never a collection on a Sunday.
func TestPrescriptionPDFFoldsClosedDaysIntoThePattern(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{}, "bank_holidays_closed": false}))
		pid := e.newPatient(181, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"start_date": "2026-12-02", "overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}},
			"pattern": map[string]any{"monday": "earlier", "tuesday": "supervised", "wednesday": "take_home", "thursday": "supervised",
				"friday": "supervised", "saturday": "supervised", "sunday": "take_home"},
			"supervision_relaxed_reason": "Compliance assured: 3 years stable"})
		// Tue 8 to Mon 21 Dec 2026.
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-08",
			"days": 14, "wording": []int{1, 3}, "issue": true}))
		text := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		assertText(t, text, "Daily instalments of 30 ml. Consumption supervised at the pharmacy on Tue, Thu–Sat; take-home dose collected on Wed; "+
			"Sun and Mon doses supplied on Sat to take home.",
			"Sat 12 Dec – Mon 14 Dec", "Sat 19 Dec – Mon 21 Dec")
		text = strings.ReplaceAll(text, "Please dispense instalments due on pharmacy closed days on a prior suitable day.", "")
		assertPDFLacks(t, text, "collected on Wed, Sun", "supplied on Sun", "except as scheduled", "with an earlier collection")
	})
}
