package httpapi

import (
	"slices"
	"testing"
)

// A window that starts on a day an earlier instalment carried (Sunday,
// collected with Saturday's) counts that day once and lists the
// instalment that carried it: the default window starts on a Sunday
// whenever today is a Saturday.
func TestDoseHistoryCountsADayCarriedFromBeforeTheWindow(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-28T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(310, "2026-03-28")
		e.record(rx, "2026-03-28", supervised)
		c.Set(mustTime("2026-03-30T10:00:00+01:00"))
		e.record(rx, "2026-03-30", supervised)
		e.closeDays(c, "2026-03-30")
		for _, tt := range []struct {
			who, from, to  string
			due, collected float64
			instalments    []string
		}{
			{"prescriber", "2026-03-29", "2026-03-29", 1, 1, []string{"2026-03-28"}},
			{"pharmacist", "2026-03-29", "2026-03-29", 1, 1, []string{"2026-03-28"}},
			{"prescriber", "2026-03-29", "2026-03-30", 2, 1, []string{"2026-03-28", "2026-03-30"}},
			{"prescriber", "2026-03-28", "2026-03-30", 3, 1, []string{"2026-03-28", "2026-03-30"}},
			{"prescriber", "2026-03-30", "2026-03-30", 1, 0, []string{"2026-03-30"}},
		} {
			h := e.must(200, e.do(tt.who, "GET", "/v1/patients/"+pid+"/doses?from="+tt.from+"&to="+tt.to, nil))
			a := h["adherence"].(map[string]any)
			var dates []string
			for _, in := range h["instalments"].([]any) {
				dates = append(dates, in.(map[string]any)["date"].(string))
			}
			if a["due"] != tt.due || a["taken"] != tt.due || a["collected"] != tt.collected || !slices.Equal(dates, tt.instalments) {
				t.Errorf("%s %s..%s: adherence %v, instalments %v; want due %v (%v collected), instalments %v",
					tt.who, tt.from, tt.to, a, dates, tt.due, tt.collected, tt.instalments)
			}
		}
	})
}
