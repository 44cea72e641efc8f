package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// With the first dose assumed at 09:00 and the last heroin use at 20:00
// that day, B1 says the dose would come before the use, not "0 h" after it.
func TestB1SaysTheAssumedFirstDoseIsBeforeTheLastUse(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(471, nil)
		m := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4, "start_date": "2026-12-03",
			"last_short_acting_opioid_at": "2026-12-03T20:00:00Z"})
		w := fmt.Sprint(m["warnings"])
		assertText(t, w, "The first buprenorphine dose at 2026-12-03 09:00 would be before the last short-acting opioid use at 2026-12-03 20:00",
			"first dose assumed at 2026-12-03 09:00")
		if strings.Contains(w, "Only 0 h") {
			t.Fatalf("warnings still say 0 h: %s", w)
		}
	})
}
