package httpapi

import "testing"

// Once a pharmacy has closed a day's list, a dose due on that day could
// not be collected and would be recorded missed at once: a prescription,
// written or issued after the close, does not start on it.
func TestNoPrescriptionStartsOnAClosedDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(481, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-03-26"})
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-26",
			"days": 7, "wording": []int{1, 3}}))["id"].(string)

		// The pharmacy closes its list early, at 18:00, and says so.
		c.Set(mustTime("2026-03-26T18:00:00Z"))
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true}))

		r := e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-26",
			"days": 7, "wording": []int{1, 3}, "issue": true})
		fieldRule(t, r, "start_date", "day_closed")
		assertText(t, string(r.Body), "2026-03-27")
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft+"/issue", nil), 409)
		assertText(t, p["detail"].(string), "cancel it and write a new one starting on 2026-03-27")
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+draft, nil))["status"]; got != "draft" {
			t.Fatalf("the refused draft is %v", got)
		}

		// From the next day it is written and issued, and nothing was missed.
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-27",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		if pr["status"] != "issued" {
			t.Fatalf("prescription from the next day: %v", pr["status"])
		}
		h := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-03-26&to=2026-03-27", nil))
		if ad := h["adherence"].(map[string]any); ad["missed"].(float64) != 0 {
			t.Fatalf("adherence %v", ad)
		}
	})
}
