package httpapi

import "testing"

// A patient blocked by MD1 just before moving pharmacy: the new pharmacy,
// where the patient is next due and must be refused, gets an md1_block
// alert of its own, not only the old one where the days were missed; a
// second close raises no more, and the review that lifts the block
// resolves them all.
func TestMD1AlertReachesThePharmacyAPatientMovedTo(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		old, moved := e.demo.PharmacyID, e.demo.Pharmacy2
		pid, prID := e.dispensed(911, "2026-11-30")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-11-30")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+e.activeRegimeOf(pid)+"/pharmacy", map[string]any{
			"pharmacy_id": moved, "effective_date": "2026-12-04", "reason": "moved house"}))

		// No dose 1 to 3 December: the old pharmacy's close of the 3rd
		// marks the days missed and MD1 blocks from the 4th.
		c.Set(mustTime("2026-12-03T23:30:00Z"))
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+old+"/day-close", nil))
		open := "?resolved=false&kind=md1_block&patient_id=" + pid
		for _, who := range []string{"pharmacist", "pharmacist_2"} {
			if got := e.alertsOf(who, open); len(got) != 1 {
				t.Fatalf("%s sees %d open md1_block alerts, want 1: %v", who, len(got), got)
			}
		}
		if got := e.alertsOf("pharmacist_2", open)[0]["pharmacy_id"]; got != moved {
			t.Fatalf("the new pharmacy's alert is addressed to %v", got)
		}
		entry := dayEntry(t, e.must(200, e.do("pharmacist_2", "GET", "/v1/pharmacies/"+moved+"/doses?date=2026-12-04", nil)), pid)
		if entry["state"] != "blocked" {
			t.Fatalf("the new pharmacy's entry for the 4th = %v", entry)
		}

		// Safe to run twice: the new pharmacy's own close and the old one's
		// again raise nothing more.
		e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+moved+"/day-close", nil))
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+old+"/day-close", nil))
		if got := e.alertsOf("prescriber", open); len(got) != 2 {
			t.Fatalf("the prescriber sees %d open md1_block alerts, want one a pharmacy: %v", len(got), got)
		}

		// The review lifts the block: every one of them is resolved.
		c.Set(mustTime("2026-12-04T09:00:00Z"))
		if rv := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen after the move: restart at 15 mg"})); rv["md1_block_lifted"] != true {
			t.Fatalf("review = %v", rv)
		}
		for _, who := range []string{"prescriber", "pharmacist", "pharmacist_2"} {
			if got := e.alertsOf(who, open); len(got) != 0 {
				t.Fatalf("%s still sees open md1_block alerts: %v", who, got)
			}
		}
	})
}
