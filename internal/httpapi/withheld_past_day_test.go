package httpapi

import (
	"strings"
	"testing"
)

// A correction made days later to withheld for intoxication speaks of the
// instalment's day, not today: neither the answer nor the alert tells the
// pharmacy "do not dispense today".
func TestWithheldForIntoxicationOnADayGoneBy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-28T12:30:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(913, "2026-11-28")
		first := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-11-28")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))["event"].(map[string]any)
		c.Set(mustTime("2026-12-03T10:00:00Z"))
		r := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-11-28")+"/events", map[string]any{
			"outcome": "withheld", "reason": "intoxicated", "occurred_at": "2026-11-28T12:00:00Z", "corrects_id": first["id"],
			"correction_reason": "Recorded on the wrong patient: this patient was turned away intoxicated"}))
		var said []string
		for _, n := range r["notes"].([]any) {
			m := n.(map[string]any)
			said = append(said, m["message"].(string), m["action"].(string))
		}
		alerts := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid)
		if len(alerts) != 1 {
			t.Fatalf("withheld alerts = %v", alerts)
		}
		said = append(said, alerts[0]["message"].(string))
		all := strings.Join(said, " | ")
		if strings.Contains(all, "today") || !strings.Contains(all, "was not to be dispensed on Sat 28 Nov 2026") {
			t.Fatalf("said: %s", all)
		}
	})
}
