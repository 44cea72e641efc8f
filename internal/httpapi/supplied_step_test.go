package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// M2: a dose change made after the day's dose was handed over starts with
// the next supply (MD4), so a second change is judged from the dose the
// patient was last actually supplied. 20 mg given today, 30 mg recorded
// from today, then 40 mg from tomorrow: the patient goes from 20 to 40 mg,
// a 20 mg step that needs the M2 override.
func TestTitrationStepIsJudgedFromTheDoseSupplied(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, prID := e.startMethadoneAt(521, 20, "titration", "2026-12-02")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-12-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		c.Set(mustTime("2026-12-02T12:00:00Z"))
		path := "/v1/regimes/" + rid + "/dose-changes"
		first := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 30, "effective_date": "2026-12-02", "reason": "withdrawal symptoms"}))
		if !strings.Contains(fmt.Sprint(first["warnings"]), "the new dose starts with the next supply") {
			t.Fatalf("warnings = %v, want MD4's note", first["warnings"])
		}
		body := map[string]any{"to": 40, "effective_date": "2026-12-03", "reason": "still withdrawing"}
		blockedWith(t, e.do("prescriber", "POST", path, body), "M2", "Increase of 20 mg (20 to 40 mg)")
		body["overrides"] = []map[string]any{{"rule": "M2", "reason": "seen in clinic, in marked withdrawal"}}
		got := e.must(201, e.do("prescriber", "POST", path, body))
		if rx := got["reissued_prescriptions"].([]any); len(rx) != 1 {
			t.Fatalf("reissued = %v", rx)
		}
	})
}
