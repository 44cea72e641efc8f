package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A previous treatment's last dose falls on a day of the service's time
// zone (Europe/London here), not UTC's: 00:30 BST on 1 June is 23:30 UTC on
// 31 May. A methadone start on 4 June at 60 mg continues it (within MD1's 3
// days, no first day's 40 mg limit); read in UTC it was a new induction
// (M1 override). On 5 June it is one, and the message names 1 June.
func TestLastDoseDayInServiceZone(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-03T11:00:00Z", func(t *testing.T, e *env, c *clock) {
		start := func(seq int, day, lastDose string) response {
			pid := e.newPatient(seq, nil)
			return e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml",
				"dose": 60, "start_date": day, "last_dose_at": lastDose,
				"previous": map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60}})
		}
		for i, at := range []string{"2026-06-01T00:30:00+01:00", "2026-05-31T23:30:00Z"} {
			r := e.must(201, start(9401+i, "2026-06-04", at))
			if got := warningRules(r); slices.Contains(got, "M1") || len(r["overrides"].([]any)) != 0 {
				t.Fatalf("last dose %s, start 4 June: warnings %v, overrides %v", at, got, r["overrides"])
			}
		}
		r := start(9403, "2026-06-05", "2026-06-01T00:30:00+01:00")
		if p := problemOf(t, r, 422); !slices.Contains(rulesOf(p), "M1") || !strings.Contains(string(r.Body), "taken on 2026-06-01, more than 3 days") {
			t.Fatalf("start 5 June: %s", r.Body)
		}
	})
}
