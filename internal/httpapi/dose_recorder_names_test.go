package httpapi

import "testing"

// assertNamed checks a dose event names who recorded it and the pharmacy
// (S1): a pharmacist may not list users, so an id alone names no one.
func assertNamed(t *testing.T, where string, ev map[string]any, who any) {
	t.Helper()
	if ev["recorded_by_name"] != who || ev["pharmacy_name"] != "Castle Street Pharmacy" {
		t.Errorf("%s: recorded_by_name %v, pharmacy_name %v; want %v at Castle Street Pharmacy", where, ev["recorded_by_name"], ev["pharmacy_name"], who)
	}
}

// S1: each dose record names the pharmacist and the pharmacy wherever it is
// returned: the 201 of a record and of a correction, the record a 409
// carries (the locum meeting the patient back for a second dose), the day
// list and the dose history (the prescriber's too). Day close's mark names
// no one.
func TestDoseEventsNameThePharmacist(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.stableDispensed(9101, "2026-02-09")
		assertNamed(t, "201", e.record(rx, "2026-02-09", supervised), "Tom Hughes")

		c.Set(mustTime("2026-02-09T14:00:00Z"))
		again := problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-02-09")+"/events", supervised), 409)
		assertNamed(t, "409 existing", again["existing"].(map[string]any), "Tom Hughes")

		line := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)
		assertNamed(t, "day list", line["outcome"].(map[string]any), "Tom Hughes")

		fixed := e.correct(pid, rx, "2026-02-09", map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"occurred_at": "2026-02-09T10:05:00Z", "correction_reason": "time was wrong"})
		assertNamed(t, "correction 201", fixed, "Tom Hughes")

		// The 10th goes unrecorded: day close marks it missed.
		e.closeDays(c, "2026-02-09", "2026-02-10")
		for _, who := range []string{"prescriber", "pharmacist"} {
			hist := e.must(200, e.do(who, "GET", "/v1/patients/"+pid+"/doses?from=2026-02-09&to=2026-02-10", nil))
			n := 0
			for _, in := range hist["instalments"].([]any) {
				m := in.(map[string]any)
				for _, ev := range m["events"].([]any) {
					n++
					if m["date"] == "2026-02-10" {
						assertNamed(t, who+" history, day close", ev.(map[string]any), nil)
					} else {
						assertNamed(t, who+" history", ev.(map[string]any), "Tom Hughes")
					}
				}
			}
			if n != 3 {
				t.Fatalf("%s: %d events in the history, want 3: %v", who, n, hist)
			}
		}
	})
}
