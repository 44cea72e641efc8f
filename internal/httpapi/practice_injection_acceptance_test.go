package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A GP practice acts only under accepted shared care (SC1, ADR 0009): an
// injection dated before it accepted was the service's to give and record.
func TestPracticeInjectionNotBeforeAcceptance(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.buvidalOnTime(c, 1703, "2026-01-05", "2026-04-06", "2026-04-08")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))["id"].(string)
		e.setClock(c, mustTime("2026-04-13T10:00:00Z"))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		body := func(day string) map[string]any {
			return map[string]any{"date": day, "dose": 24, "site": "upper_arm_left", "batch": "GP-1", "batch_expiry": "2027-06-30"}
		}
		p := problemOf(t, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", body("2026-04-12")), 422)
		var msg, rule string
		if errs, _ := p["errors"].([]any); len(errs) == 1 {
			msg, _ = errs[0].(map[string]any)["message"].(string)
			rule, _ = errs[0].(map[string]any)["rule"].(string)
		}
		if !slices.Contains(fieldsOf(p), "date") || rule != "SC1" ||
			!strings.Contains(msg, "2026-04-13") || !strings.Contains(msg, "specialist service, which records it") {
			t.Fatalf("GP injection dated before acceptance: %v", p)
		}
		if n := len(e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid+"/administrations", nil))["items"].([]any)); n != 14 {
			t.Fatalf("%d administrations after the refusal, want 14", n)
		}
		// The acceptance day itself is the practice's; the service may still
		// record the earlier one.
		e.must(201, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", body("2026-04-13")))
	})
}
