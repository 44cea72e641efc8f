package httpapi

import "testing"

// The pharmacy's controlled-drug balance splits what was handed over as
// prescribed on the instalments, not by the outcome recorded: a take-home
// instalment the pharmacist watched being taken (recorded supervised)
// still counts as take_home, and the total is all handed over.
func TestPharmacyBalanceSplitsAsPrescribed(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rx := e.takeHomeSaturdays(914, "2026-12-05")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-12-05")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		bal := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/balance?from=2026-12-05&to=2026-12-05", nil))
		items := bal["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("balance = %v", bal)
		}
		d := items[0].(map[string]any)
		if d["supervised"].(float64) != 0 || d["take_home"].(float64) == 0 || d["take_home"] != d["total"] {
			t.Fatalf("a take-home instalment recorded supervised: %v", d)
		}
	})
}
