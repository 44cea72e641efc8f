package httpapi

import (
	"strings"
	"testing"
)

// A signed prescription never changes (L1): its explanation of the days
// taken home describes the schedule as laid out, not the pharmacy's opening
// today. Laid out while Fri 4 to Mon 7 Dec were closed, Thu 3 Dec's
// instalment supplies them; the pharmacy then reopens on the 4th, and the
// reprint still says what the schedule does, word for word but the COPY
// stamp.
func TestPrescriptionPDFExplainsTheScheduleAsLaidOut(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		opening := func(dates ...string) {
			e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
				map[string]any{"closed_weekdays": []string{"saturday", "sunday"}, "closed_dates": dates, "bank_holidays_closed": false}))
		}
		opening("2026-12-04", "2026-12-07")
		pid := e.newPatient(611, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance", "start_date": "2026-12-02",
			"overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}}})
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-03",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		first := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		want := []string{"Consumption supervised at the pharmacy every day, except as scheduled below.",
			"Supplied to take home with an earlier collection: the doses for Fri 4 Dec, Sat 5 Dec, Sun 6 Dec and Mon 7 Dec with the collection on Thu 3 Dec.",
			"Thu 3 Dec – Mon 7 Dec"}
		assertText(t, first, want...)
		assertPDFLacks(t, strings.ReplaceAll(first, "Please dispense instalments due on pharmacy closed days on a prior suitable day.", ""),
			"closed", "when it is open", "Each instalment is supervised or taken home")

		opening("2026-12-07")
		again := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		assertText(t, again, want...)
		explanation := func(text string) string {
			from, to := strings.Index(text, "Daily instalments of"), strings.Index(text, "Treatment period")
			if from < 0 || to < from {
				t.Fatalf("no explanation in %s", text)
			}
			return text[from:to]
		}
		if got, first := explanation(again), explanation(first); got != first {
			t.Errorf("the reprint explains the schedule differently:\nfirst: %s\nagain: %s", first, got)
		}
	})
}
