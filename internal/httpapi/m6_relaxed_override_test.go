package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A supervision_relaxed_reason is the recorded decision M6 asks for to allow
// take-home doses in the first 3 months: it is M6's override, recorded and
// audited as one sent in overrides is (who, when, rule, reason), and the
// answer names M6. Sent with an M6 override too, the decision is recorded
// once, with the override's reason.
func TestSupervisionRelaxedReasonIsTheM6Override(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		const decision = "Compliance assured: 3 years stable elsewhere"
		m6Overrides := func(m map[string]any) []string {
			t.Helper()
			var out []string
			for _, o := range m["overrides"].([]any) {
				o := o.(map[string]any)
				if o["rule"] == "M6" {
					out = append(out, o["reason"].(string))
					if o["user_id"] == nil || o["user_id"] == "" || o["created_at"] == nil {
						t.Errorf("override lacks who or when: %v", o)
					}
				}
			}
			return out
		}
		overrideAudits := func(rid string) []string {
			t.Helper()
			var out []string
			trail := e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_type=regime&entity_id="+rid, nil))
			for _, it := range trail["items"].([]any) {
				ev := it.(map[string]any)
				if ev["action"] == "rule.override" && strings.Contains(ev["changes"].(string), `"rule":"M6"`) {
					out = append(out, ev["changes"].(string))
				}
			}
			return out
		}

		// At the start.
		pid := e.newPatient(9331, nil)
		r := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{
			"medicine": "methadone_oral_solution_1mg_ml", "dose": 20, "pattern": weekendCollectedSaturday,
			"supervision_relaxed_reason": decision}))
		rid := r["id"].(string)
		if !slices.Contains(warningRules(r), "M6") {
			t.Fatalf("start: warnings %v lack M6", warningRules(r))
		}
		if got := m6Overrides(r); !slices.Equal(got, []string{decision}) {
			t.Fatalf("start: M6 overrides %v, want the relaxed reason", got)
		}
		if got := overrideAudits(rid); len(got) != 1 || !strings.Contains(got[0], decision) {
			t.Fatalf("start: rule.override audits %v", got)
		}

		// On a pattern change, with an M6 override sent as well: one record.
		r = e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{
			"pattern": map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised", "thursday": "supervised",
				"friday": "supervised", "saturday": "take_home", "sunday": "take_home"},
			"effective_date": "2026-12-04", "supervision_relaxed_reason": decision,
			"overrides": []map[string]any{{"rule": "M6", "reason": "MDT agreed"}}}))
		if got := m6Overrides(r); !slices.Equal(got, []string{"MDT agreed"}) {
			t.Fatalf("pattern with both: M6 overrides %v, want the one sent", got)
		}
		if !slices.Contains(warningRules(r), "M6") {
			t.Fatalf("pattern: warnings %v lack M6", warningRules(r))
		}
		// And with the relaxed reason alone.
		r = e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{
			"pattern": weekendCollectedSaturday, "effective_date": "2026-12-05", "supervision_relaxed_reason": "Reviewed: still stable"}))
		if got := m6Overrides(r); !slices.Equal(got, []string{"Reviewed: still stable"}) {
			t.Fatalf("pattern: M6 overrides %v, want the relaxed reason", got)
		}
		if got := overrideAudits(rid); len(got) != 3 {
			t.Fatalf("rule.override audits for M6 %d, want 3 (start, two pattern changes): %v", len(got), got)
		}

		// All supervised: M6 does not fire, so the reason records no override.
		r = e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{
			"pattern": map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised", "thursday": "supervised",
				"friday": "supervised", "saturday": "supervised", "sunday": "supervised"},
			"effective_date": "2026-12-06", "supervision_relaxed_reason": decision}))
		if got := m6Overrides(r); len(got) != 0 || slices.Contains(warningRules(r), "M6") {
			t.Fatalf("all supervised: M6 overrides %v, warnings %v", got, warningRules(r))
		}

		// A refusal for another rule does not report an M6 override as unused.
		pid = e.newPatient(9332, nil)
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{
			"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "pattern": weekendCollectedSaturday,
			"supervision_relaxed_reason": decision}), 422)
		if got := rulesOf(p); !slices.Equal(got, []string{"M1"}) {
			t.Fatalf("refusal names %v, want M1 alone", got)
		}
	})
}
