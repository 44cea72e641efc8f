package httpapi

import "testing"

// A prescription from which nothing was supplied within L3's 28 days is
// void for its remaining days: a dose change does not reissue them on a new
// prescription dated today, which would bring it back to life.
func TestDoseChangeDoesNotReissueALapsedPrescription(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(471, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"start_date": "2026-03-02"})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-28",
			"days": 14, "wording": []int{1, 3}, "issue": true}))
		c.Set(mustTime("2026-03-31T10:00:00Z"))
		if s := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+pr["id"].(string), nil))["status"]; s != "expired" {
			t.Fatalf("prescription nothing was supplied from in 28 days is %v, want expired", s)
		}
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid["id"].(string)+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-04-01", "reason": "drowsy"}))
		if re := m["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("a lapsed prescription was reissued: %v", re)
		}
		list := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?patient_id="+pid, nil))["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["status"] != "expired" {
			t.Fatalf("prescriptions after the change = %v", list)
		}
	})
}
