package httpapi

import (
	"slices"
	"testing"
)

// A Buvidal injection recorded against the wrong patient is marked entered
// in error: the record stays, marked, but no longer moves the next
// injection or counts toward BV6's week, so the real injection is given.
// A second correction is refused with the one made; a correction without a
// reason, or by another service's prescriber, writes nothing.
func TestAdministrationEnteredInError(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid := e.buvidalOnTime(c, 791, "2026-11-05", "2026-11-26", "2026-12-01")
		path := "/v1/regimes/" + rid + "/administrations"
		before := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["next_injection"].(map[string]any)["due"]
		wrong := e.must(201, e.do("prescriber", "POST", path, map[string]any{"dose": 24, "site": "upper_arm_left",
			"batch": "WRONGPATIENT", "batch_expiry": "2027-01-01"}))
		wid := wrong["administration"].(map[string]any)["id"].(string)
		if due := wrong["next_injection"].(map[string]any)["due"]; due == before {
			t.Fatalf("the wrong injection did not move the next one (%v)", due)
		}
		real := map[string]any{"date": "2026-12-01", "dose": 24, "site": "thigh_right", "batch": "B-24", "batch_expiry": "2027-06-30"}
		blockedWith(t, e.do("prescriber", "POST", path, real), "BV6", "")

		eie := "/v1/administrations/" + wid + "/entered-in-error"
		p := problemOf(t, e.do("prescriber", "POST", eie, map[string]any{"reason": "  "}), 422)
		if !slices.Contains(fieldsOf(p), "reason") {
			t.Fatalf("fields %v lack reason", fieldsOf(p))
		}
		svc := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "treatment_service", "name": "Hillside Recovery", "address": "2 Hill Street, Worcester WR1 4AA"}))
		other := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": svc["id"], "role": "prescriber",
			"name": "Dr Lee", "issue_token": true}))["token"].(string)
		problemOf(t, e.do(other, "POST", eie, map[string]any{"reason": "given to another patient"}), 404)
		problemOf(t, e.do(other, "POST", path, map[string]any{"dose": 24, "site": "thigh_left", "batch": "B", "batch_expiry": "2027-01-01",
			"corrects_id": wid, "correction_reason": "wrong"}), 404)

		m := e.must(201, e.do("prescriber", "POST", eie, map[string]any{"reason": "given to another patient"}))
		if m["correction"].(map[string]any)["replacement_id"] != nil || m["administration"].(map[string]any)["correction"] == nil {
			t.Fatalf("entered in error = %v", m)
		}
		if due := m["next_injection"].(map[string]any)["due"]; due != before {
			t.Fatalf("next injection due %v after the correction, want %v", due, before)
		}
		if due := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["next_injection"].(map[string]any)["due"]; due != before {
			t.Fatalf("regime's next injection due %v, want %v", due, before)
		}
		again := problemOf(t, e.do("prescriber", "POST", eie, map[string]any{"reason": "again"}), 409)
		if ex, _ := again["existing"].(map[string]any); ex == nil || ex["administration_id"] != wid {
			t.Fatalf("second correction: %v", again)
		}
		problemOf(t, e.do("prescriber", "POST", path, map[string]any{"dose": 24, "site": "thigh_left", "batch": "B", "batch_expiry": "2027-01-01",
			"corrects_id": wid, "correction_reason": "wrong"}), 409)

		e.must(201, e.do("prescriber", "POST", path, real))
		items := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)
		marked := 0
		for _, it := range items {
			if it.(map[string]any)["correction"] != nil {
				marked++
			}
		}
		if len(items) != 6 || marked != 1 {
			t.Fatalf("%d administrations listed, %d marked corrected; want 6 and 1", len(items), marked)
		}
		if !slices.Contains(auditActions(e, rid), "administration.entered_in_error") {
			t.Fatalf("no administration.entered_in_error audit entry: %v", auditActions(e, rid))
		}
	})
}

// An injection recorded with the wrong date is replaced by one with the
// date corrected, judged by the rules with the old one left out: the
// replacement a day later is not a second dose in the week. The list shows
// both, the old one with its correction and the new one naming it.
func TestAdministrationReplacedWithCorrectedDate(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid := e.buvidalOnTime(c, 792, "2026-11-05", "2026-11-26", "2026-12-04")
		path := "/v1/regimes/" + rid + "/administrations"
		wrong := e.must(201, e.do("prescriber", "POST", path, map[string]any{"date": "2026-12-02", "dose": 24, "site": "upper_arm_left",
			"batch": "B-24", "batch_expiry": "2027-06-30"}))
		wid := wrong["administration"].(map[string]any)["id"].(string)
		body := map[string]any{"date": "2026-12-03", "dose": 24, "site": "upper_arm_left", "batch": "B-24", "batch_expiry": "2027-06-30",
			"corrects_id": wid}
		p := problemOf(t, e.do("prescriber", "POST", path, body), 422)
		if !slices.Contains(fieldsOf(p), "correction_reason") {
			t.Fatalf("fields %v lack correction_reason", fieldsOf(p))
		}
		body["correction_reason"] = "given on the 3rd, entered with the wrong date"
		m := e.must(201, e.do("prescriber", "POST", path, body))
		a := m["administration"].(map[string]any)
		if a["date"] != "2026-12-03" || a["corrects_id"] != wid || m["correction"].(map[string]any)["replacement_id"] != a["id"] {
			t.Fatalf("replacement = %v", m)
		}
		if due := m["next_injection"].(map[string]any)["due"]; due != "2026-12-10" {
			t.Fatalf("next injection due %v, want 2026-12-10", due)
		}
		body["date"], body["correction_reason"] = "2026-12-04", "again"
		problemOf(t, e.do("prescriber", "POST", path, body), 409)
		items := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)
		var old, repl map[string]any
		for _, it := range items {
			switch x := it.(map[string]any); x["id"] {
			case wid:
				old = x
			case a["id"]:
				repl = x
			}
		}
		if old == nil || old["correction"] == nil || repl == nil || repl["correction"] != nil || repl["corrects_id"] != wid {
			t.Fatalf("list: old %v, replacement %v", old, repl)
		}
		acts := auditActions(e, rid)
		if !slices.Contains(acts, "administration.correct") {
			t.Fatalf("no administration.correct audit entry: %v", acts)
		}
	})
}

// A practice under accepted shared care withdraws an injection its own
// clinician recorded in error, not one the service recorded (SC1); the
// next injection is due again.
func TestPracticeCorrectsOnlyItsOwnInjections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.buvidalOnTime(c, 793, "2026-01-05", "2026-04-06", "2026-04-08")
		scID := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))
		e.setClock(c, mustTime("2026-04-13T10:00:00Z"))
		path := "/v1/regimes/" + rid + "/administrations"
		items := e.must(200, e.do("gp", "GET", path, nil))["items"].([]any)
		service := items[len(items)-1].(map[string]any)["id"].(string)
		p := problemOf(t, e.do("gp", "POST", "/v1/administrations/"+service+"/entered-in-error", map[string]any{"reason": "not ours"}), 422)
		if !slices.Contains(rulesOfFields(p), "SC1") {
			t.Fatalf("practice correcting the service's injection: %v", p)
		}
		own := e.must(201, e.do("gp", "POST", path, map[string]any{"dose": 24, "site": "upper_arm_left", "batch": "GP-7",
			"batch_expiry": "2027-06-30"}))["administration"].(map[string]any)["id"].(string)
		m := e.must(201, e.do("gp", "POST", "/v1/administrations/"+own+"/entered-in-error", map[string]any{"reason": "given to another patient"}))
		if m["next_injection"].(map[string]any)["due"] != "2026-04-13" {
			t.Fatalf("next injection after the practice's correction = %v", m["next_injection"])
		}
	})
}

func rulesOfFields(m map[string]any) []string {
	var out []string
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["rule"].(string))
	}
	return out
}
