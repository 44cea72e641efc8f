package httpapi

import (
	"strings"
	"testing"
)

// A withheld record corrected to withheld for the same reason (its notes
// fixed, say) is the event the prescriber was told of: no second alert,
// and the first is not resolved. Corrected later to a dose given, the
// first alert is resolved. The MD2 alert of a first dose withheld says
// the day was without the dose, not that the patient missed it.
func TestWithheldRestatedKeepsItsAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(232, "2026-02-03")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-02-03") + "/events"
		first := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"identity_confirmed": true, "notes": "Shouting at staff"}))["event"].(map[string]any)
		alerts := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid)
		if len(alerts) != 1 {
			t.Fatalf("withheld alerts = %v", alerts)
		}
		md2 := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid)
		if len(md2) != 1 || !strings.Contains(md2[0]["message"].(string), "1 consecutive day(s) without the dose (missed, withheld or refused)") {
			t.Fatalf("MD2 alerts of a dose withheld = %v", md2)
		}

		restated := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"identity_confirmed": true, "notes": "Shouting at staff and threatening", "corrects_id": first["id"],
			"correction_reason": "notes completed"}))["event"].(map[string]any)
		if open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(open) != 1 || open[0]["id"] != alerts[0]["id"] {
			t.Fatalf("open withheld alerts after restating = %v, want the first only", open)
		}
		if a := e.resolvedAlert("prescriber", pid, "withheld"); a != nil {
			t.Fatalf("restating resolved %v", a)
		}
		if got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid); len(got) != 1 {
			t.Fatalf("MD2 alerts after restating = %v", got)
		}

		e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": restated["id"], "correction_reason": "recorded against the wrong patient: the dose was given"}))
		if open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(open) != 0 {
			t.Fatalf("open withheld alerts after the dose was given = %v", open)
		}
		if a := e.resolvedAlert("prescriber", pid, "withheld"); a == nil || a["id"] != alerts[0]["id"] ||
			!strings.Contains(a["resolution"].(string), "corrected to supervised") {
			t.Fatalf("resolved withheld alert = %v", a)
		}
	})
}
