package httpapi

import (
	"testing"
)

// S6 asks the service whether supervision is still needed: only the
// service changes the pickup pattern (SC1), and the practice neither sees
// the alert nor may act on it, so a GP's review under accepted shared care
// leaves it open; the service's review answers it.
func TestGPReviewLeavesTheSupervisionReviewOpen(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(501, nil)
		e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8, "start_date": "2026-02-09",
			"last_short_acting_opioid_at": "2026-02-08T20:00:00Z"})
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.closeAll(c, "2026-02-16")
		open := func() int { return len(e.alertsOf("prescriber", "?kind=supervision_review_due&patient_id="+pid)) }
		if open() != 1 {
			t.Fatalf("S6 alerts = %d, want 1", open())
		}
		e.must(201, e.do("gp", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "Seen at the practice"}))
		if open() != 1 || e.resolvedAlert("prescriber", pid, "supervision_review_due") != nil {
			t.Fatal("the GP's review answered the service's supervision review (S6)")
		}
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "stay supervised"}))
		if open() != 0 || e.resolvedAlert("prescriber", pid, "supervision_review_due") == nil {
			t.Fatal("the service's review did not answer S6")
		}
	})
}
