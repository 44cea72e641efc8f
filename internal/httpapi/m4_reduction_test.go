package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// M4 asks for a valid ECG/QTc check, or an override reason, when a start or
// an increase reaches the high dose. A reduction, or a change of stage
// alone, at a high dose no longer needs the override (it would keep the
// patient on the higher dose for want of an ECG): it goes ahead with an M4
// warning that the check is due. An increase still needs it.
func TestM4ReductionAtHighDoseWarns(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(442, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration",
			"ecg_date": "2026-03-09"})["id"].(string)
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.setClock(c, mustTime("2026-04-20T12:00:00Z"))
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 110, "effective_date": "2026-04-21",
			"reason": "still using", "overrides": []map[string]any{{"rule": "M2", "reason": "MDT agreed"}}}))

		// Ten months on the ECG of 9 March no longer counts.
		e.setClock(c, mustTime("2027-01-11T12:00:00Z"))
		m4 := func(ch map[string]any) []string {
			var out []string
			for _, w := range ch["warnings"].([]any) {
				if f := w.(map[string]any); f["rule"] == "M4" {
					out = append(out, fmt.Sprint(f["severity"], ": ", f["message"]))
				}
			}
			return out
		}
		ch := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 100, "effective_date": "2027-01-12", "reason": "reducing"}))
		if ws := m4(ch); !slices.ContainsFunc(ws, func(s string) bool {
			return hasAll(s, "warn: ", "more than 6 months old", "does not raise the dose")
		}) {
			t.Fatalf("reduction at a high dose: M4 findings %v", ws)
		}
		ch = e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 100, "effective_date": "2027-01-13", "stage": "maintenance",
			"reason": "stable"}))
		if ws := m4(ch); !slices.ContainsFunc(ws, func(s string) bool { return hasAll(s, "warn: ", "the check is due") }) {
			t.Fatalf("stage-only change at a high dose: M4 findings %v", ws)
		}
		p := problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 105, "effective_date": "2027-01-14", "reason": "cravings"}), 422)
		if rules := rulesOf(p); !slices.Contains(rules, "M4") {
			t.Fatalf("increase at a high dose without a valid ECG: rules %v", rules)
		}
	})
}

func hasAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
