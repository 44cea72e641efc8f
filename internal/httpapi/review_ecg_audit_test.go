package httpapi

import "testing"

// A review recording an ECG moves the regime's ECG date, audited on the
// regime from the date it had to the new one, as a change of dose with an
// ECG is; an older ECG recorded late moves nothing and is audited only in
// the review.
func TestReviewECGAuditsTheRegimesECGDateChange(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-10T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(1798, "2026-03-10")
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))["regime_id"].(string)
		was := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["ecg_date"]
		updates := func() int {
			n := 0
			for _, a := range auditActions(e, rid) {
				if a == "regime.update" {
					n++
				}
			}
			return n
		}
		before := updates()
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "ecg", "ecg_date": "2026-03-09",
			"notes": "QTc 430 ms"}))
		if updates() != before+1 {
			t.Fatalf("regime.update events %d, want %d", updates(), before+1)
		}
		ecg, _ := e.latestChanges(rid, "regime.update")["ecg_date"].(map[string]any)
		if ecg == nil || ecg["from"] != was || ecg["to"] != "2026-03-09" {
			t.Fatalf("ecg_date change %v, want from %v to 2026-03-09", ecg, was)
		}
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "ecg", "ecg_date": "2026-03-01",
			"notes": "an older ECG, recorded late"}))
		if updates() != before+1 {
			t.Fatalf("an older ECG was audited as moving the regime's: %d regime.update events", updates())
		}
	})
}
