package httpapi

import (
	"strings"
	"testing"
)

// A GP printing their prescription that the service's dose change
// cancelled and reissued is not told to print the reissue — the service's
// prescriber signed it, so the GP's print would be a COPY — but which
// prescription the pharmacy dispenses from and who prints its original.
func TestCancelledPrintTellsTheGPTheReplacementIsNotTheirs(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _, rx := e.underSharedCare(541, "2026-11-16", true)
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35, "reason": "cravings"}))
		re := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		d := problemOf(t, e.do("gp", "GET", "/v1/prescriptions/"+rx["id"].(string)+"/pdf", nil), 409)["detail"].(string)
		if strings.Contains(d, "print that one") || !strings.Contains(d, "replaced by "+re["serial"].(string)) ||
			!strings.Contains(d, "who prints its original: a print by you is a COPY, not for dispensing): that prescription is the one to dispense from, not this one") {
			t.Fatalf("GP's print of the cancelled prescription: %s", d)
		}
	})
}
