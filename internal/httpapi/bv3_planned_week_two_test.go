package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// BV3: the week 2 dose of a patient new to buprenorphine is the week 1
// total. A dose change planning another week 2 dose is recorded with a BV3
// warning, so the prescriber sees it before the nurse is stopped at the
// injection (where it needs an override reason).
func TestBV3PlannedWeekTwoDoseWarns(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(765, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "test_dose_given": true})["id"].(string)
		path := "/v1/regimes/" + rid + "/administrations"
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"dose": 16, "site": "thigh_left", "batch": "B1", "batch_expiry": "2027-06-01"}))
		e.setClock(c, mustTime("2026-12-03T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"dose": 8, "extra": true, "site": "thigh_right", "batch": "B1", "batch_expiry": "2027-06-01"}))
		ch := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 32, "effective_date": "2026-12-06",
			"reason": "still using on top"}))
		ws := fmt.Sprint(ch["warnings"])
		if !strings.Contains(ws, "BV3") || !strings.Contains(ws, "week 1 so far totals 24 mg") {
			t.Fatalf("planned week 2 dose of 32 mg after 24 mg in week 1: warnings %v", ch["warnings"])
		}
		ch = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 24, "effective_date": "2026-12-06",
			"reason": "week 1 total"}))
		if ws := fmt.Sprint(ch["warnings"]); strings.Contains(ws, "BV3") {
			t.Fatalf("planned week 2 dose of the week 1 total: warnings %v", ch["warnings"])
		}
	})
}
