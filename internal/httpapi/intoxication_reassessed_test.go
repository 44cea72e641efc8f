package httpapi

import (
	"strings"
	"testing"
)

// S3, S4: a dose withheld because the patient was intoxicated, corrected
// the same day to one handed over ("turned away at 10:00, dosed at 14:00
// after reassessment"), is accepted with an S3 warning to reassess, and
// the prescriber's alert of the intoxication stays open: a correction
// carries no kind telling a reassessment from a withholding recorded in
// error, and the prescriber is to hear of the intoxication either way.
// Withheld again, the alert it raises replaces the one kept open.
func TestIntoxicationWithholdingCorrectedToADoseKeepsTheAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.stableDispensed(9102, "2026-02-09")
		alert := e.withheldToday(rx, "2026-02-09", pid)

		c.Set(mustTime("2026-02-09T14:00:00Z"))
		body := map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": e.currentEventOn(pid, "2026-02-09")["id"], "correction_reason": "reassessed at 14:00: no longer intoxicated"}
		got := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-02-09")+"/events", body))
		var warned bool
		for _, n := range got["notes"].([]any) {
			f := n.(map[string]any)
			if f["rule"] == "S3" && f["severity"] == "warn" {
				warned = true
				assertText(t, f["message"].(string), "withheld at 10:00 because the patient was intoxicated", "recorded supervised at 14:00",
					"alert of the intoxication stays open")
				assertText(t, f["action"].(string), "reassessing")
			}
		}
		if !warned {
			t.Fatalf("no S3 warning in the correction's notes: %v", got["notes"])
		}
		for _, who := range []string{"prescriber", "pharmacist"} {
			open := e.alertsOf(who, "?kind=withheld&patient_id="+pid)
			if len(open) != 1 || open[0]["id"] != alert["id"] {
				t.Fatalf("%s: open withheld alerts after the dose was given on reassessment = %v", who, open)
			}
		}

		// Corrected back to withheld (the dose was not given after all):
		// its alert is the one open, not two about the same morning.
		c.Set(mustTime("2026-02-09T15:00:00Z"))
		e.correct(pid, rx, "2026-02-09", map[string]any{"outcome": "withheld", "reason": "intoxicated", "identity_confirmed": true,
			"notes": "still unsteady", "correction_reason": "the dose was not given: recorded on the wrong instalment"})
		open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid)
		if len(open) != 1 || open[0]["id"] == alert["id"] || !strings.Contains(open[0]["message"].(string), "still unsteady") {
			t.Fatalf("open withheld alerts after withholding again = %v", open)
		}
		if a := e.resolvedAlert("prescriber", pid, "withheld"); a == nil || a["id"] != alert["id"] {
			t.Fatalf("the first intoxication alert was not resolved by the new one: %v", a)
		}
	})
}

// A withholding for another reason corrected to a dose given is taken
// back as before, with no S3 warning: only intoxication keeps its alert.
func TestOtherWithholdingCorrectedToADoseResolves(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.stableDispensed(9103, "2026-02-09")
		e.record(rx, "2026-02-09", map[string]any{"outcome": "withheld", "reason": "behaviour", "identity_confirmed": true})
		c.Set(mustTime("2026-02-09T14:00:00Z"))
		body := map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": e.currentEventOn(pid, "2026-02-09")["id"], "correction_reason": "calmed down"}
		got := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-02-09")+"/events", body))
		if notes := got["notes"].([]any); len(notes) != 0 {
			t.Fatalf("notes = %v", notes)
		}
		if open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(open) != 0 {
			t.Fatalf("open withheld alerts = %v", open)
		}
	})
}
