package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// The reviewer's case: methadone 20 mg, the prescription issued at
// 08:00:46 for today; the pharmacist supervised 20 mg at 08:00:55 and had
// not entered it when a dose change to 25 mg at 08:01:07 reissued today's
// instalment. The reissue's instalment does not take the dose at 08:00:55
// (the patient never had 25 mg): occurred_at is refused, naming the 20 mg
// in force then and the prescription to record it on. The cancelled
// prescription takes it at its real time, since it was in force then, but
// not at a time after its cancellation; and the reissue's instalment is
// then refused a second supply of the day.
func TestDoseGivenBeforeASameDayDoseChange(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T08:00:46Z", func(t *testing.T, e *env, c *clock) {
		_, rid, oldID := e.startMethadoneAt(571, 20, "titration", "2026-12-03")
		old := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldID, nil))
		oldInst := e.instalmentOn(oldID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:01:07Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-12-03", "reason": "withdrawal symptoms"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 || re[0].(map[string]any)["replaces_id"] != oldID {
			t.Fatalf("reissued = %v", re)
		}
		newInst := e.instalmentOn(re[0].(map[string]any)["id"].(string), "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:05:00Z"))

		given := map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:00:55Z"}
		p := problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+newInst+"/events", given), 422)
		errs, _ := p["errors"].([]any)
		if len(errs) != 1 {
			t.Fatalf("problem = %v", p)
		}
		f := errs[0].(map[string]any)
		msg := fmt.Sprint(f["message"])
		for _, want := range []string{"before this prescription was issued, at 2026-12-03T08:01:07Z",
			fmt.Sprintf("the prescription in force then was %s", old["serial"]), "with 20 mg supervised for 2026-12-03, not this instalment's 25 mg supervised",
			"Record the dose actually given on prescription " + fmt.Sprint(old["serial"]) + "'s instalment for 2026-12-03 (instalment " + oldInst + ")"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("occurred_at message %q lacks %q", msg, want)
			}
		}
		if f["field"] != "occurred_at" || f["rule"] != "L3" {
			t.Fatalf("problem = %v", p)
		}

		// The cancelled prescription: not at a time after its cancellation
		// (nor now), at the time it was given.
		oldEvents := "/v1/instalments/" + oldInst + "/events"
		late := map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:02:00Z"}
		if p := problemOf(t, e.do("pharmacist", "POST", oldEvents, late), 422); !strings.Contains(fmt.Sprint(p), "cancelled at 2026-12-03T08:01:07Z") {
			t.Fatalf("record after the cancellation = %v", p)
		}
		problemOf(t, e.do("pharmacist", "POST", oldEvents, map[string]any{"outcome": "supervised", "identity_confirmed": true}), 422)
		ev := e.must(201, e.do("pharmacist", "POST", oldEvents, given))["event"].(map[string]any)
		if ev["occurred_at"] != "2026-12-03T08:00:55Z" || ev["instalment_id"] != oldInst {
			t.Fatalf("event = %v", ev)
		}
		// The day's dose was given: the reissue's instalment is not a
		// second supply of it.
		problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+newInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}), 409)

		// A correction keeping the dose given says when it was handed
		// over: not after the cancellation, when 25 mg was in force, as a
		// first record at that time is refused; a time still before it
		// is taken.
		moved := map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:02:00Z",
			"corrects_id": ev["id"], "correction_reason": "wrong time"}
		if p := problemOf(t, e.do("pharmacist", "POST", oldEvents, moved), 422); !strings.Contains(fmt.Sprint(p), "cancelled at 2026-12-03T08:01:07Z") {
			t.Fatalf("correction moved past the cancellation = %v", p)
		}
		moved["occurred_at"] = "2026-12-03T08:00:50Z"
		ev = e.must(201, e.do("pharmacist", "POST", oldEvents, moved))["event"].(map[string]any)
		if ev["occurred_at"] != "2026-12-03T08:00:50Z" {
			t.Fatalf("correction = %v", ev)
		}
		// A note added later, with no time, keeps the time the dose was
		// given: "now" is after the cancellation.
		noted := e.must(201, e.do("pharmacist", "POST", oldEvents, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": ev["id"], "correction_reason": "note added", "notes": "tolerated well"}))["event"].(map[string]any)
		if noted["occurred_at"] != "2026-12-03T08:00:50Z" {
			t.Fatalf("the noted correction = %v", noted)
		}
	})
}

// The other way round: given at 08:02 on the reissue before the dose
// change reached the pharmacy's screen, then the pharmacist tries the
// cancelled one: a second supply of the day is refused.
func TestDoseOnTheReissueThenThePredecessor(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T08:00:46Z", func(t *testing.T, e *env, c *clock) {
		_, rid, oldID := e.startMethadoneAt(572, 20, "titration", "2026-12-03")
		oldInst := e.instalmentOn(oldID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:01:07Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-12-03", "reason": "withdrawal symptoms"}))
		newInst := e.instalmentOn(m["reissued_prescriptions"].([]any)[0].(map[string]any)["id"].(string), "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:05:00Z"))
		ev := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+newInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:02:00Z"}))["event"].(map[string]any)
		problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+oldInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:00:55Z"}), 409)

		// Nor may a correction keeping the dose given move it to a time
		// before the reissue, when 20 mg was in force.
		p := problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+newInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:00:55Z",
				"corrects_id": ev["id"], "correction_reason": "wrong time"}), 422)
		errs, _ := p["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != "occurred_at" || errs[0].(map[string]any)["rule"] != "L3" ||
			!strings.Contains(fmt.Sprint(errs[0].(map[string]any)["message"]), "with 20 mg supervised for 2026-12-03") {
			t.Fatalf("correction moved before the reissue = %v", p)
		}
	})
}
