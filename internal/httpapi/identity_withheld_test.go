package httpapi

import (
	"strings"
	"testing"
)

// A dose withheld because the patient's identity could not be confirmed
// cannot say the identity was confirmed, neither when first recorded nor
// in a correction: 422 naming identity_confirmed (S1), writing nothing.
func TestWithheldForIdentityCannotHaveIdentityConfirmed(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(912, "2026-12-03")
		events := "/v1/instalments/" + e.instalmentOn(prID, "2026-12-03") + "/events"
		contradiction := map[string]any{"outcome": "withheld", "reason": "identity_not_confirmed", "identity_confirmed": true}
		before := e.auditCount()
		f := oneFieldRule(t, problemOf(t, e.do("pharmacist", "POST", events, contradiction), 422), "identity_confirmed S1")
		if msg, _ := f["message"].(string); !strings.Contains(msg, "identity could not be confirmed") {
			t.Fatalf("message = %q", msg)
		}
		if e.auditCount() != before {
			t.Fatal("a refused record was written")
		}

		first := e.must(201, e.do("pharmacist", "POST", events, map[string]any{"outcome": "supervised", "identity_confirmed": true}))["event"].(map[string]any)
		before = e.auditCount()
		correction := map[string]any{"outcome": "withheld", "reason": "identity_not_confirmed", "identity_confirmed": true,
			"corrects_id": first["id"], "correction_reason": "Wrong patient: the ID did not match"}
		oneFieldRule(t, problemOf(t, e.do("pharmacist", "POST", events, correction), 422), "identity_confirmed S1")
		if e.auditCount() != before {
			t.Fatal("a refused correction was written")
		}
		correction["identity_confirmed"] = false
		e.must(201, e.do("pharmacist", "POST", events, correction))
	})
}
