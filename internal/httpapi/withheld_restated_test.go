package httpapi

import (
	"strings"
	"testing"
)

// resolvedAlertByID finds a resolved alert of the patient's by its id.
func (e *env) resolvedAlertByID(who, patientID, kind string, id any) map[string]any {
	e.t.Helper()
	for _, a := range e.alertsOf(who, "?resolved=true&kind="+kind+"&patient_id="+patientID) {
		if a["id"] == id {
			return a
		}
	}
	return nil
}

// A withheld record corrected to withheld as it was (its time fixed, say)
// is the event the prescriber was told of: no second alert, and the first
// is not resolved; so is one leaving its notes out, which keeps them.
// Corrected with new notes, the prescriber is told them:
// a new alert quotes them and the first, quoting the old notes, is
// resolved. Corrected later to a dose given, the alert standing is
// resolved. The MD2 alert of a first dose withheld says the day was
// without the dose, not that the patient missed it.
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

		// The time fixed, the reason and notes as they were.
		retimed := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"identity_confirmed": true, "notes": "Shouting at staff", "occurred_at": "2026-02-03T09:50:00Z", "corrects_id": first["id"],
			"correction_reason": "time was 09:50"}))["event"].(map[string]any)
		if open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(open) != 1 || open[0]["id"] != alerts[0]["id"] {
			t.Fatalf("open withheld alerts after restating = %v, want the first only", open)
		}
		if a := e.resolvedAlert("prescriber", pid, "withheld"); a != nil {
			t.Fatalf("restating resolved %v", a)
		}

		// The time fixed again, the notes left out: they are not taken
		// back, so the alert quoting them stands and none is raised.
		untold := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"identity_confirmed": true, "occurred_at": "2026-02-03T09:45:00Z", "corrects_id": retimed["id"],
			"correction_reason": "Wrong time"}))["event"].(map[string]any)
		if open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(open) != 1 || open[0]["id"] != alerts[0]["id"] {
			t.Fatalf("open withheld alerts after a correction leaving the notes out = %v, want the first only", open)
		}
		if a := e.resolvedAlert("prescriber", pid, "withheld"); a != nil {
			t.Fatalf("a correction leaving the notes out resolved %v", a)
		}

		// New notes: the prescriber reads them in a new alert, and the
		// first, quoting the old notes, is resolved, the resolution quoting
		// the new notes as notes and the correction's reason as its reason.
		renoted := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"identity_confirmed": true, "notes": "Shouting at staff and threatening", "occurred_at": "2026-02-03T09:50:00Z",
			"corrects_id": untold["id"], "correction_reason": "notes completed"}))["event"].(map[string]any)
		open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid)
		if len(open) != 1 || open[0]["id"] == alerts[0]["id"] || !strings.Contains(open[0]["message"].(string), "Shouting at staff and threatening") {
			t.Fatalf("open withheld alerts after new notes = %v, want a new one quoting them", open)
		}
		if a := e.resolvedAlertByID("prescriber", pid, "withheld", alerts[0]["id"]); a == nil ||
			!strings.Contains(a["resolution"].(string), "corrected to withheld because of the patient's behaviour, with new notes “Shouting at staff and threatening”. Reason for the correction: notes completed. ") {
			t.Fatalf("first withheld alert after new notes = %v", a)
		}
		if got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid); len(got) != 1 {
			t.Fatalf("MD2 alerts after restating = %v", got)
		}

		e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"occurred_at": "2026-02-03T10:00:00Z", "corrects_id": renoted["id"],
			"correction_reason": "recorded against the wrong patient: the dose was given"}))
		if got := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(got) != 0 {
			t.Fatalf("open withheld alerts after the dose was given = %v", got)
		}
		if a := e.resolvedAlertByID("prescriber", pid, "withheld", open[0]["id"]); a == nil ||
			!strings.Contains(a["resolution"].(string), "corrected to supervised") {
			t.Fatalf("resolved withheld alert = %v", a)
		}
	})
}

// The reviewer's case: a dose withheld for reason other, its notes saying
// why, corrected for its time with the same reason and the notes left
// out. The correction keeps the corrected record's notes, so "other"
// still has its reason (S3): it is recorded carrying them, and the alert
// quoting them stands. A correction to reason other from another reason
// has no notes to keep and needs its own; so does one from a dose given.
func TestWithheldOtherCorrectionKeepsItsNotes(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(233, "2026-02-03")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-02-03") + "/events"
		first := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
			"identity_confirmed": true, "notes": "Smelled of alcohol, breath test 0.4"}))["event"].(map[string]any)
		alerts := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid)
		if len(alerts) != 1 {
			t.Fatalf("withheld alerts = %v", alerts)
		}
		retimed := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
			"occurred_at": "2026-02-03T09:50:00Z", "corrects_id": first["id"], "correction_reason": "time"}))["event"].(map[string]any)
		if retimed["notes"] != "Smelled of alcohol, breath test 0.4" || retimed["occurred_at"] != "2026-02-03T09:50:00Z" {
			t.Fatalf("correction leaving the notes out = %v", retimed)
		}
		if open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(open) != 1 || open[0]["id"] != alerts[0]["id"] {
			t.Fatalf("open withheld alerts after the correction = %v, want the first only", open)
		}

		// Behaviour, then back to other without notes: nothing to keep.
		behaviour := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"occurred_at": "2026-02-03T09:50:00Z", "corrects_id": retimed["id"], "correction_reason": "it was behaviour"}))["event"].(map[string]any)
		fieldRule(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
			"occurred_at": "2026-02-03T09:50:00Z", "corrects_id": behaviour["id"], "correction_reason": "other after all"}), "notes", "required")
	})
}
