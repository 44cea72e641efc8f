package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// administrationOn is the id of the regime's injection recorded on day.
func (e *env) administrationOn(regimeID, day string) string {
	e.t.Helper()
	for _, it := range e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+regimeID+"/administrations", nil))["items"].([]any) {
		if a := it.(map[string]any); a["date"] == day && a["correction"] == nil {
			return a["id"].(string)
		}
	}
	e.t.Fatalf("regime %s has no standing injection on %s", regimeID, day)
	return ""
}

// A Buvidal regime's end reads only standing injections (ADR 0014): one
// entered in error was not given, so the regime may end before it; one
// replaced by a correction with an earlier date counts on the corrected
// date. The end is still refused before the last standing injection.
func TestRegimeEndReadsOnlyStandingInjections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		refused := func(end, on, last string) {
			t.Helper()
			p := problemOf(t, e.do("prescriber", "POST", end, map[string]any{"ended_on": on, "reason": "patient transferred out"}), 422)
			if errs := fmt.Sprint(p["errors"]); !strings.Contains(errs, "after_last_dose") || !strings.Contains(errs, last) {
				t.Fatalf("ended_on %s: %v, want after_last_dose naming %s", on, p, last)
			}
		}

		// Entered in error: the injection of 26 Nov was another patient's.
		_, rid := e.buvidalOnTime(c, 1795, "2026-11-05", "2026-11-26", "2026-12-01")
		e.must(201, e.do("prescriber", "POST", "/v1/administrations/"+e.administrationOn(rid, "2026-11-26")+"/entered-in-error",
			map[string]any{"reason": "recorded against the wrong patient"}))
		end := "/v1/regimes/" + rid + "/end"
		refused(end, "2026-11-18", "2026-11-19")
		e.must(200, e.do("prescriber", "POST", end, map[string]any{"ended_on": "2026-11-25", "reason": "patient transferred out"}))

		// Replaced: the injection entered on 26 Nov was given on the 25th.
		_, rid = e.buvidalOnTime(c, 1796, "2026-11-05", "2026-11-26", "2026-12-01")
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": "2026-11-25", "dose": 24,
			"site": "thigh_right", "batch": "B-24", "batch_expiry": "2027-06-30", "corrects_id": e.administrationOn(rid, "2026-11-26"),
			"correction_reason": "given on the 25th, entered with the wrong date"}))
		end = "/v1/regimes/" + rid + "/end"
		refused(end, "2026-11-24", "2026-11-25")
		e.must(200, e.do("prescriber", "POST", end, map[string]any{"ended_on": "2026-11-25", "reason": "patient transferred out"}))
	})
}
