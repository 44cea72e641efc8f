package httpapi

import (
	"fmt"
	"slices"
	"testing"
)

// A refused regime start names the rules that stopped it first, then those
// that only warn about it (Problem.rules): a patient on benzodiazepines
// with a QTc risk started on 100 mg methadone meets M1 and M4 at override
// level, and M1's sedative-risk and M4's QTc warnings follow them. An
// override sent for one of the stopping rules is recorded as such and not
// listed as stopping; one for a rule that did not stop it comes last.
func TestRefusedStartListsWarningsAfterTheStoppingRules(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(533, map[string]any{"risk_flags": map[string]any{"benzodiazepines": true, "cardiac_qtc": true}})
		body := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 100, "stage": "titration", "start_date": "2026-12-01"}
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", body), 422)
		rules := p["rules"].([]any)
		var stopping, warning []string
		seenWarning := false
		for _, r := range rules {
			m := r.(map[string]any)
			switch m["severity"] {
			case "block", "override":
				if seenWarning {
					t.Fatalf("stopping rule %v after a warning: %v", m["rule"], rules)
				}
				stopping = append(stopping, m["rule"].(string))
			default:
				seenWarning = true
				warning = append(warning, m["rule"].(string))
			}
		}
		if !slices.Contains(stopping, "M1") || !slices.Contains(stopping, "M4") {
			t.Fatalf("stopping rules %v, want M1 and M4", stopping)
		}
		if !slices.Contains(warning, "M1") || !slices.Contains(warning, "M4") {
			t.Fatalf("warnings %v, want M1's sedative risk and M4's QTc: %v", warning, rules)
		}

		body["overrides"] = []map[string]any{{"rule": "M4", "reason": "ECG booked, cardiology aware"}, {"rule": "B3", "reason": "n/a"}}
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", body), 422)
		got := rulesOf(p)
		if got[0] != "M1" || got[len(got)-1] != "B3" {
			t.Fatalf("rules %v: want M1 first and the unused B3 override last", got)
		}
		for _, r := range p["rules"].([]any) {
			if m := r.(map[string]any); m["rule"] == "M4" && m["severity"] == "override" {
				t.Fatalf("overridden M4 listed as stopping: %v", fmt.Sprint(p["rules"]))
			}
		}
	})
}
