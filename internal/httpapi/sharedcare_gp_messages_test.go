package httpapi

import (
	"strings"
	"testing"
)

// What a GP is told when refused names what a GP can do: a GP cancels no
// prescription of the service (SC1) and does not edit the patient record,
// so the specialist service is asked; and once shared care has ended the
// answer says so, not that the practice has yet to accept.
func TestGPRefusalsNameWhatAGPCanDo(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		// A GP's prescription over days a service prescription supplies.
		pid, _, sc, _ := e.underSharedCare(600, "2026-06-10", false)
		e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-06-10", "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		p := problemOf(t, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-06-12", "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}), 409)
		if d := p["detail"].(string); !strings.Contains(d, "a GP cancels only prescriptions the practice signed, and asks the specialist service to cancel one of the service's") {
			t.Errorf("overlap: %s", d)
		}

		// A patient without an address: the GP cannot record it.
		pid, _, sc, _ = e.underSharedCare(601, "2026-06-10", false)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": ""}))
		problemOf(t, e.do("gp", "PATCH", "/v1/patients/"+pid, map[string]any{"address": "1 Canal Row"}), 403)
		p = problemOf(t, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-06-10", "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}), 422)
		if a := l2Finding(t, p["rules"])["action"].(string); !strings.Contains(a, "a GP asks the specialist service to record it") {
			t.Errorf("L2 action: %s", a)
		}

		// After the practice handed back, its GP's cancel.
		_, _, sc, rx := e.underSharedCare(602, "2026-06-10", true)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Moving practice"}))
		p = problemOf(t, e.do("gp", "POST", "/v1/prescriptions/"+rx["id"].(string)+"/cancel", map[string]any{"reason": "Handed back"}), 403)
		if d := p["detail"].(string); !strings.Contains(d, "it has ended (declined or handed back)") ||
			!strings.Contains(d, "decides about the practice's prescriptions still running; ask it") {
			t.Errorf("cancel after the hand-back: %s", d)
		}
	})
}
