package httpapi

import "testing"

// A move planned for a later day leaves the old pharmacy dispensing until
// then: the patient's pharmacy cannot be set to the new one early (the old
// pharmacy would lose the patient from its list while it still supplies
// them), and setting it to the one dispensing today changes nothing.
func TestPlannedMoveKeepsThePatientsPharmacyUntilItsDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(483, "2026-03-26")
		rid := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))["items"].([]any)[0].(map[string]any)["id"].(string)
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-04-01", "reason": "Moving house"}))
		path := "/v1/patients/" + pid
		oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", path, map[string]any{"pharmacy_id": e.demo.Pharmacy2}), 422), "pharmacy_id regime_pharmacy")
		if got := e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"pharmacy_id": e.demo.PharmacyID}))["pharmacy_id"]; got != e.demo.PharmacyID {
			t.Fatalf("the patient's pharmacy is %v", got)
		}
		if !onDayList(e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid) {
			t.Fatal("the pharmacy dispensing today lost the patient from its list")
		}
	})
}
