package httpapi

import "testing"

// A service change reissues the practice's live prescription under the
// service (ADR 0007), and the practice's regime_changed alert tells it to
// prescribe what is now in force. The reissue carries the practice's days,
// so the GP may cancel it, and the next reissue of it too; a prescription
// the service wrote afresh stays the service's (ADR 0008, amended).
func TestGPCancelsTheReissueOfThePracticesPrescription(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, regimeID, _, gpRx := e.underSharedCare(571, "2026-06-10", true) // 10 to 23 Jun
		svcRx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-06-24",
			"days": 7, "wording": []int{1, 2, 3}, "issue": true}))
		reissuedBy := func(m map[string]any, replaces string) map[string]any {
			t.Helper()
			for _, r := range m["reissued_prescriptions"].([]any) {
				if r := r.(map[string]any); r["replaces_id"] == replaces {
					return r
				}
			}
			t.Fatalf("no reissue of %s in %v", replaces, m["reissued_prescriptions"])
			return nil
		}
		ch := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/dose-changes", map[string]any{"to": 40,
			"effective_date": "2026-06-12", "reason": "Cravings in the evenings"}))
		first := reissuedBy(ch, gpRx["id"].(string))
		svcReissue := reissuedBy(ch, svcRx["id"].(string))
		c.Set(mustTime("2026-06-11T12:00:00+01:00"))
		ch = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/dose-changes", map[string]any{"to": 45,
			"effective_date": "2026-06-14", "reason": "Still craving"}))
		second := reissuedBy(ch, first["id"].(string))
		svcReissue = reissuedBy(ch, svcReissue["id"].(string))

		// The service's own, and its reissue, remain the service's.
		p := problemOf(t, e.do("gp", "POST", "/v1/prescriptions/"+svcReissue["id"].(string)+"/cancel", map[string]any{"reason": "Not needed"}), 409)
		assertContains(t, "the refusal", p["detail"].(string), "signed by the specialist service")
		// The reissue of the practice's, twice over, is the practice's to cancel.
		got := e.must(200, e.do("gp", "POST", "/v1/prescriptions/"+second["id"].(string)+"/cancel", map[string]any{"reason": "Rewritten at the practice"}))
		if got["status"] != "cancelled" {
			t.Fatalf("the reissue after the GP's cancellation = %v", got)
		}
		// Another practice holds no shared care for the patient.
		otherGP, _ := e.secondPractice()
		problemOf(t, e.do(otherGP, "POST", "/v1/prescriptions/"+svcReissue["id"].(string)+"/cancel", map[string]any{"reason": "x"}), 404)
	})
}
