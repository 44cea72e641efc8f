package httpapi

import "testing"

// Buvidal is given by a healthcare professional and never dispensed (BV2),
// so a Buvidal regime needs no dispensing pharmacy; a medicine dispensed
// by instalment still does.
func TestBuvidalNeedsNoPharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(471, map[string]any{"pharmacy_id": nil})
		fieldRule(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml",
			"dose": 30}), "pharmacy_id", "required")

		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})
		rid := r["id"].(string)
		if _, ok := r["pharmacy_id"]; ok {
			t.Fatalf("a Buvidal regime without a pharmacy shows one: %v", r["pharmacy_id"])
		}
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"dose": 24, "site": "thigh_left",
			"batch": "B-24", "batch_expiry": "2027-06-30"}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 32, "effective_date": "2026-11-09",
			"stage": "maintenance", "reason": "cravings"}))
		if h := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["pattern_history"].([]any); len(h) != 2 {
			t.Fatalf("pattern history %v", h)
		}
		// Nothing is collected, so there is no pickup pattern to change,
		// and the refusal writes nothing.
		fieldRule(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": map[string]any{"mon": "take_home"},
			"reason": "holiday"}), "pattern", "not_dispensed")
		if h := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["pattern_history"].([]any); len(h) != 2 {
			t.Fatalf("a refused pattern change was recorded: %v", h)
		}
		// Nothing is dispensed, so the patient's pharmacy may change freely.
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"pharmacy_id": e.demo.PharmacyID}))
		assertText(t, e.summaryText("prescriber", pid), "weekly Buvidal")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "moving to monthly"}))
	})
}
