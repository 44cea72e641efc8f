package httpapi

import (
	"strings"
	"testing"
)

// An override cannot get past a block, and the answer says so rather than
// ignoring it: a finding at block severity whose rule was overridden says
// it cannot be overridden, an override naming a rule that did not stop the
// action says it does not apply, and one naming a rule that only ever
// blocks is refused with the other fields.
func TestOverrideOfABlockIsAnsweredClearly(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(461, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4, "stage": "titration",
			"last_short_acting_opioid_at": "2026-03-08T09:00:00Z"})["id"].(string)
		change := "/v1/regimes/" + rid + "/dose-changes"
		r := e.do("prescriber", "POST", change, map[string]any{"to": 32.4, "reason": "still using", "effective_date": "2026-03-10",
			"overrides": []map[string]any{{"rule": "B3", "reason": "MDT agreed"}, {"rule": "M2", "reason": "MDT agreed"}}})
		blockedWith(t, r, "B3", "B3 blocks here and cannot be overridden")
		if body := string(r.Body); !strings.Contains(body, "The override sent for M2 does not apply") {
			t.Fatalf("the answer does not say M2's override does not apply: %s", body)
		}

		fieldRule(t, e.do("prescriber", "POST", change, map[string]any{"to": 8, "reason": "still using", "effective_date": "2026-03-10",
			"overrides": []map[string]any{{"rule": "BV1", "reason": "MDT agreed"}}}), "overrides[0].rule", "not_overridable")
		// Nothing was written.
		if h := e.must(200, e.do("prescriber", "GET", change, nil))["items"].([]any); len(h) != 1 {
			t.Fatalf("dose history %v", h)
		}
	})
}
