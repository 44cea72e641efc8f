package httpapi

import "testing"

// BV2's age applies to every injection, not only the regime's start: a
// date of birth corrected after the start to make the patient 14 stops the
// next injection, regular or extra, as it would have stopped the start.
func TestBuvidalAgeIsCheckedAtEachInjection(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.buvidalOnTime(c, 451, "2026-11-02", "2026-11-02", "2026-11-04")
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"date_of_birth": "2012-06-01"}))
		for _, body := range []map[string]any{
			{"dose": 8, "extra": true, "site": "thigh_right", "batch": "B-8", "batch_expiry": "2027-06-30"},
			{"dose": 24, "site": "thigh_right", "batch": "B-24", "batch_expiry": "2027-06-30", "date": "2026-11-04"},
		} {
			blockedWith(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", body), "BV2", "Patient is 14")
		}
		// Corrected back, the injection is recorded.
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"date_of_birth": "1985-04-12"}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"dose": 8, "extra": true,
			"site": "thigh_right", "batch": "B-8", "batch_expiry": "2027-06-30"}))
	})
}
