package httpapi

import (
	"strings"
	"testing"
)

// Closing a day with doses recorded names how many patients were seen,
// not how many records (corrections included) were made.
func TestClosingARecordedDayCountsPatients(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-14T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(145, "2026-12-14")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-12-14") + "/events"
		c.Set(mustTime("2026-12-14T11:00:00Z"))
		first := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "intoxicated",
			"identity_confirmed": true}))["event"].(map[string]any)
		second := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "refused", "corrects_id": first["id"],
			"correction_reason": "the patient refused it"}))["event"].(map[string]any)
		e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": second["id"], "correction_reason": "the patient took it after all"}))
		msg := fieldMessage(t, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-14"}}), "closed_dates", "doses_recorded")
		if !strings.Contains(msg, "for 1 patient(s)") || strings.Contains(msg, "record(s)") {
			t.Fatalf("closing the day says %q", msg)
		}
	})
}
