package httpapi

import (
	"strings"
	"testing"
)

// A dose given before a same-day reissue that keeps the day's dose is
// recorded at its real time: the pharmacist supervised at 07:31 and had
// not entered it when a pattern change at 07:32:20 (take-home at weekends,
// Thursday still supervised at 30 mg) reissued the prescription. The
// reissue carries on its predecessor's authority for the days that one
// covered with the same amounts, so the record on the reissue's instalment
// at 07:31 is accepted; a time before the first prescription was issued is
// still refused (L3), naming that issue; and the cancelled prescription's
// instalment is then refused a second supply of the day. (A dose change is
// another dose: TestDoseGivenBeforeASameDayDoseChange.)
func TestSupplyBeforeASameDayReissue(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T07:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, oldID := e.dispensed(561, "2026-12-03")
		oldEvents := "/v1/instalments/" + e.instalmentOn(oldID, "2026-12-03") + "/events"
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldID, nil))["regime_id"].(string)
		e.setClock(c, mustTime("2026-12-03T07:32:20Z"))
		m := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern",
			map[string]any{"pattern": weekendCollectedSaturday, "effective_date": "2026-12-03", "reason": "Works weekends",
				"supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 || re[0].(map[string]any)["replaces_id"] != oldID {
			t.Fatalf("reissued = %v", re)
		}
		events := "/v1/instalments/" + e.instalmentOn(re[0].(map[string]any)["id"].(string), "2026-12-03") + "/events"
		e.setClock(c, mustTime("2026-12-03T07:40:00Z"))

		dose := map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T07:31:00Z"}
		early := map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T06:59:00Z"}
		pr := problemOf(t, e.do("pharmacist", "POST", events, early), 422)
		errs, _ := pr["errors"].([]any)
		if len(errs) != 1 {
			t.Fatalf("problem = %v", pr)
		}
		if f := errs[0].(map[string]any); f["field"] != "occurred_at" || f["rule"] != "L3" ||
			!strings.Contains(f["message"].(string), "the prescription this one reissues was issued, at 2026-12-03T07:00:00Z") {
			t.Fatalf("problem = %v", pr)
		}
		ev := e.must(201, e.do("pharmacist", "POST", events, dose))["event"].(map[string]any)
		if ev["occurred_at"] != "2026-12-03T07:31:00Z" {
			t.Fatalf("event = %v", ev)
		}
		problemOf(t, e.do("pharmacist", "POST", oldEvents, dose), 409)
	})
}
