package httpapi

import "testing"

// Saturday's list closed at pharmacy 2, which is shut on Sunday: Sunday's
// dose would be collected on Saturday, so neither Saturday nor Sunday can
// start a prescription. Both refusals say so and name Monday, which works;
// a draft for Saturday is told the same.
func TestClosedDayAdviceSkipsAClosedNextDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-28T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.Pharmacy2
		e.must(200, e.do("pharmacist_2", "PUT", "/v1/pharmacies/"+ph+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{}, "bank_holidays_closed": true}))
		pid := e.newPatient(863, map[string]any{"pharmacy_id": ph})
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-03-28"})
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-28",
			"days": 7, "wording": []int{1, 3}}))["id"].(string)

		c.Set(mustTime("2026-03-28T18:00:00Z"))
		e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+ph+"/day-close", nil))

		for _, tc := range []struct{ start, cannot string }{
			{"2026-03-28", "the doses for 2026-03-28 to 2026-03-29 can no longer be prescribed"},
			{"2026-03-29", "the dose for 2026-03-29 can no longer be prescribed"},
		} {
			r := e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": tc.start,
				"days": 7, "wording": []int{1, 3}, "issue": true})
			fieldRule(t, r, "start_date", "day_closed")
			assertText(t, string(r.Body), "closed its day list for 2026-03-28", tc.cannot, "start the prescription on 2026-03-30 (Monday)")
		}
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft+"/issue", nil), 409)
		assertText(t, p["detail"].(string), "the doses for 2026-03-28 to 2026-03-29 can no longer be prescribed",
			"cancel it and write a new one starting on 2026-03-30")

		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-30",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		if pr["status"] != "issued" {
			t.Fatalf("prescription from Monday: %v", pr["status"])
		}
	})
}
