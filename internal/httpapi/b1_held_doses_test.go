package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// Methadone doses taken home for days after the regime ended are still
// the patient's to take, so they count when buprenorphine or Buvidal
// starts (B1): the last dose is judged to be at the end of the last held
// day, not at the collection the prescriber gave as the last dose, and
// B1 names the held days.
func TestB1CountsMethadoneHeldAfterTheEnd(t *testing.T) {
	t.Parallel()
	weekly := map[string]any{"monday": "earlier", "tuesday": "take_home", "wednesday": "earlier", "thursday": "earlier",
		"friday": "earlier", "saturday": "earlier", "sunday": "earlier"}
	for i, tc := range []struct {
		medicine string
		dose     int
	}{
		{"buprenorphine_sublingual_tablets", 8},
		{"buvidal_weekly", 16},
	} {
		t.Run(tc.medicine, func(t *testing.T) {
			t.Parallel()
			eachEnvAt(t, "2026-12-01T09:00:00Z", func(t *testing.T, e *env, c *clock) {
				pid, rid, rx := e.takeHomeFrom(451+i, "2026-12-01", weekly)
				e.setClock(c, mustTime("2026-12-01T10:00:00Z"))
				e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-12-01")+"/events",
					map[string]any{"outcome": "collected", "identity_confirmed": true}))
				e.setClock(c, mustTime("2026-12-02T10:00:00Z"))
				end := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "switching to buprenorphine"}))
				if got := fmt.Sprint(end["taken_home_after_end"]); got != "[2026-12-03 2026-12-04 2026-12-05 2026-12-06 2026-12-07]" {
					t.Fatalf("taken_home_after_end = %s", got)
				}
				e.setClock(c, mustTime("2026-12-03T08:00:00Z"))
				body := map[string]any{"medicine": tc.medicine, "dose": tc.dose, "start_date": "2026-12-03",
					"last_dose_at": "2026-12-01T10:00:00Z", "first_dose_at": "2026-12-03T12:00:00Z"}
				if tc.medicine == "buvidal_weekly" {
					body["test_dose_given"] = true
				}
				r := e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", body)
				text := string(r.Body)
				if !strings.Contains(text, "would be before the last methadone dose at 2026-12-07 23:59") ||
					!strings.Contains(text, "the patient holds the methadone doses for Thu 3 Dec 2026 to Mon 7 Dec 2026") {
					t.Fatalf("start with methadone held to 7 Dec: %d %s", r.Status, text)
				}
			})
		})
	}
}
