package httpapi

import (
	"strings"
	"testing"
)

// A pharmacy move in the middle of a prescription splits its remaining
// days between two reissues; each printed form says which of the cancelled
// prescription's days it takes over, so neither claims all of them.
func TestReissuesAfterAPharmacyMoveNameTheirOwnDays(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(461, "2026-12-02")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-12-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		old := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+old["regime_id"].(string)+"/pharmacy", map[string]any{
			"pharmacy_id": e.demo.Pharmacy2, "effective_date": "2026-12-07", "reason": "Moved to Droitwich"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 2 {
			t.Fatalf("reissued %v", re)
		}
		serial := old["serial"].(string)
		for i, want := range []string{
			"Replaces " + serial + ", cancelled: its days from Thu 3 Dec 2026 to Sun 6 Dec 2026 are dispensed from this prescription only.",
			"Replaces " + serial + ", cancelled: its days from Mon 7 Dec 2026 to Tue 15 Dec 2026 are dispensed from this prescription only.",
		} {
			body := e.must200PDF("prescriber", re[i].(map[string]any)["id"].(string))
			text := strings.Join(strings.Fields(pdfToText(t, body)), " ")
			assertText(t, text, want)
			if strings.Contains(text, "its remaining days") {
				t.Errorf("reissue %d still claims all the remaining days: %s", i, text)
			}
		}
	})
}
