package httpapi

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/regimes"
)

// buvidalOnTime starts weekly Buvidal 24 mg on start and records an
// injection every 7 days up to last, rotating the sites (BV7), with the
// clock left at today; then a negative screen today.
func (e *env) buvidalOnTime(c *clock, seq int, start, last, today string) (patientID, regimeID string) {
	e.t.Helper()
	e.setClock(c, mustTime(start+"T10:00:00Z"))
	pid := e.newPatient(seq, nil)
	rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24, "start_date": start,
		"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})["id"].(string)
	e.setClock(c, mustTime(today+"T10:00:00Z"))
	sites := regimes.Sites()
	for i, d := 0, calendar.MustParse(start); !d.After(calendar.MustParse(last)); i, d = i+1, d.AddDays(7) {
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": d.String(), "dose": 24,
			"site": sites[i%len(sites)], "batch": "B-24", "batch_expiry": "2027-06-30"}))
	}
	e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{"sample_type": "urine", "witnessed": true,
		"results": map[string]any{"opiates": "negative", "buprenorphine": "positive"}}))
	return pid, rid
}

// SC3 adherence for Buvidal counts injections given within their window,
// so a patient given every one on time is proposed without overrides.
func TestBuvidalSharedCareEligibility(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Injections every Monday from 5 Jan to 6 Apr; today 8 Apr. The
		// SC3 window, 14 Jan to 7 Apr, holds the 12 due from 19 Jan.
		pid, _ := e.buvidalOnTime(c, 301, "2026-01-05", "2026-04-06", "2026-04-08")
		el := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))
		if a := el["adherence"]; a["met"] != true || a["detail"] != "12 of 12 due injections given within their window (BV8) (100.0 %)." ||
			!strings.Contains(a["description"].(string), "due injections given within their window (BV8)") {
			t.Fatalf("adherence = %v", a)
		}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))
		for _, cr := range sc["criteria"].([]any) {
			if m := cr.(map[string]any); m["met"] != true {
				t.Fatalf("criterion not met without overrides: %v", m)
			}
		}
		assertText(t, e.summaryText("prescriber", pid), "12 of 12 due injections given within their window (BV8)")

		// Missed weeks: two windows closed with nothing given (due 23 and 30 Mar).
		pid, _ = e.buvidalOnTime(c, 302, "2026-01-05", "2026-03-16", "2026-04-08")
		a := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))["adherence"]
		if a["met"] != false || a["detail"] != "9 of 11 due injections given within their window (BV8) (81.8 %)." {
			t.Fatalf("adherence with two missed = %v", a)
		}
	})
}
