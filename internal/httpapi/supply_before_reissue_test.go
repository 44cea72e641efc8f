package httpapi

import (
	"strings"
	"testing"
)

// A dose given before a same-day reissue is recorded at its real time: the
// pharmacist supervised at 07:31 and had not entered it when a dose change
// at 07:32:20 reissued the prescription. The reissue carries on its
// predecessor's authority for the days that one covered, so the record on
// the reissue's instalment at 07:31 is accepted; a time before the first
// prescription was issued is still refused (L3), naming that issue; and
// the cancelled prescription still takes no new record.
func TestSupplyBeforeASameDayReissue(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T07:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, oldID := e.dispensed(561, "2026-12-03")
		oldEvents := "/v1/instalments/" + e.instalmentOn(oldID, "2026-12-03") + "/events"
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldID, nil))["regime_id"].(string)
		e.setClock(c, mustTime("2026-12-03T07:32:20Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-12-03", "reason": "drowsy in the mornings, reduce"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 || re[0].(map[string]any)["replaces_id"] != oldID {
			t.Fatalf("reissued = %v", re)
		}
		events := "/v1/instalments/" + e.instalmentOn(re[0].(map[string]any)["id"].(string), "2026-12-03") + "/events"
		e.setClock(c, mustTime("2026-12-03T07:40:00Z"))

		dose := map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T07:31:00Z"}
		if p := problemOf(t, e.do("pharmacist", "POST", oldEvents, dose), 422); !strings.Contains(p["detail"].(string), "cancelled") {
			t.Fatalf("record on the cancelled prescription = %v", p)
		}
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
	})
}
