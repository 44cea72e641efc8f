package httpapi

import (
	"strings"
	"testing"
)

// A pattern change sending doses home while the stage is induction or
// titration warns as the spec says (S6), with no prescription to reissue;
// at maintenance it does not.
func TestPatternChangeWarnsOfTakeHomeInTitration(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		change := map[string]any{"pattern": weekendCollectedSaturday, "effective_date": "2026-12-05", "reason": "works weekends",
			"supervision_relaxed_reason": "Compliance assured: transferred stable"}
		for i, tc := range []struct {
			stage string
			want  bool
		}{{"titration", true}, {"induction", true}, {"maintenance", false}} {
			pid := e.newPatient(9321+i, nil)
			rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": tc.stage})["id"].(string)
			m := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", change))
			f := findingOf(m, "S6")
			if got := f != nil; got != tc.want {
				t.Fatalf("%s: warnings %v, want S6 %v", tc.stage, m["warnings"], tc.want)
			}
			if f != nil && (f["severity"] != "warn" || !strings.Contains(f["message"].(string), "Saturday, Sunday")) {
				t.Fatalf("%s: S6 = %v", tc.stage, f)
			}
		}
	})
}
