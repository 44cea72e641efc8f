package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A pattern change that makes every collection take-home reissues the
// live prescription without approved wording 4 ("Supervise consumption on
// collection days."), keeping the rest of its wording, and says so in the
// change's warnings and the reissue's audited issue. While some
// collections are still supervised wording 4 stays, with the L7 warning
// naming the take-home only ones.
func TestReissueLeavesOffSuperviseWordingWhenNothingIsSupervised(t *testing.T) {
	t.Parallel()
	daily := map[string]any{}
	weekends := map[string]any{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		daily[d] = "take_home"
		weekends[d] = "supervised"
	}
	weekends["saturday"], weekends["sunday"] = "take_home", "take_home"
	wordingOf := func(e *env, id string) []int {
		var out []int
		for _, w := range e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+id, nil))["wording"].([]any) {
			switch w := w.(type) {
			case float64:
				out = append(out, int(w))
			case map[string]any:
				out = append(out, int(w["id"].(float64)))
			}
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		pattern map[string]any
		want    []int
		finding string
	}{
		{"daily take-home", daily, []int{1, 2, 3, 5}, "every collection of this reissue is take-home only, so Dosebook left it off"},
		{"weekends take-home", weekends, []int{1, 2, 3, 4, 5}, "take-home only: the pharmacist is told to supervise doses prescribed to take away"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eachEnvAt(t, "2026-03-09T12:00:00Z", func(t *testing.T, e *env, c *clock) {
				pid := e.newPatient(1, nil)
				rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-03-09"})["id"].(string)
				old := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-09",
					"days": 14, "wording": []int{1, 2, 3, 4, 5}, "issue": true}))
				if got := wordingOf(e, old["id"].(string)); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
					t.Fatalf("old wording = %v", got)
				}
				m := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": tt.pattern,
					"effective_date": "2026-03-09", "reason": "Works away", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
				re := m["reissued_prescriptions"].([]any)
				if len(re) != 1 {
					t.Fatalf("reissued = %v", re)
				}
				id := re[0].(map[string]any)["id"].(string)
				serial := re[0].(map[string]any)["serial"].(string)
				if got := wordingOf(e, id); !slices.Equal(got, tt.want) {
					t.Fatalf("reissued wording = %v, want %v", got, tt.want)
				}
				var l7 []string
				for _, w := range m["warnings"].([]any) {
					if w := w.(map[string]any); w["rule"] == "L7" && strings.Contains(w["message"].(string), "wording 4") {
						l7 = append(l7, w["message"].(string))
					}
				}
				if len(l7) != 1 || !strings.HasPrefix(l7[0], "Reissued as "+serial+": ") || !strings.Contains(l7[0], tt.finding) {
					t.Fatalf("L7 warnings = %v, want one saying %q", l7, tt.finding)
				}
				if tt.want[3] != 4 && !strings.Contains(l7[0], "was on "+old["serial"].(string)) {
					t.Fatalf("the warning does not name the prescription replaced: %s", l7[0])
				}
				if ch := e.latestChanges(id, "prescription.issue"); !strings.Contains(fmt.Sprint(ch["findings"]), tt.finding) {
					t.Fatalf("the reissue's audited findings = %v", ch["findings"])
				}
			})
		})
	}
}
