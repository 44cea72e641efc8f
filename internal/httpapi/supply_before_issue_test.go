package httpapi

import (
	"strings"
	"testing"
)

// A dose given is not recorded at a time before its prescription was
// issued (L3): the CD record would show a supply with no prescription
// behind it. Corrections are held to it too.
func TestNoSupplyBeforeTheIssue(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(53, "2026-03-02")
		events := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-02") + "/events"
		c.Set(mustTime("2026-03-02T11:00:00Z"))
		refused := func(body map[string]any) {
			t.Helper()
			pr := problemOf(t, e.do("pharmacist", "POST", events, body), 422)
			errs, _ := pr["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("problem = %v", pr)
			}
			f := errs[0].(map[string]any)
			if f["field"] != "occurred_at" || f["rule"] != "L3" || !strings.Contains(f["message"].(string), "issued, at 2026-03-02T09:00:00Z") {
				t.Fatalf("problem = %v", pr)
			}
		}
		refused(map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-03-02T00:05:00Z"})
		first := e.must(201, e.do("pharmacist", "POST", events, map[string]any{"outcome": "withheld", "reason": "intoxicated",
			"identity_confirmed": true, "occurred_at": "2026-03-02T10:00:00Z"}))["event"].(map[string]any)
		refused(map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-03-02T08:59:59Z",
			"corrects_id": first["id"], "correction_reason": "Patient was sober after all"})
		e.must(201, e.do("pharmacist", "POST", events, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"occurred_at": "2026-03-02T09:00:00Z", "corrects_id": first["id"], "correction_reason": "Patient was sober after all"}))
	})
}
