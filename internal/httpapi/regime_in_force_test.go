package httpapi

import (
	"testing"
	"time"
)

// A prescriber reading a regime with a planned pattern change, pharmacy
// move and stage sees what is in force today apart from what is planned,
// as current_dose and latest_dose are for the dose; on the day the plans
// take effect, in_force follows them.
func TestRegimeViewShowsSettingsInForceApartFromPlanned(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(613, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"start_date": "2026-12-03", "overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}}})["id"].(string)
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-12-04", "reason": "Works weekends", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-05", "reason": "Moved to Droitwich"}))

		v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		now := v["in_force"].(map[string]any)
		if now["since"] != "2026-12-03" || now["pharmacy_id"] != e.demo.PharmacyID || now["stage"] != "maintenance" ||
			now["supervision_relaxed_reason"] != "" || now["pattern"].(map[string]any)["saturday"] != "supervised" {
			t.Fatalf("in force today: %v", now)
		}
		if v["pharmacy_id"] != e.demo.Pharmacy2 || v["pattern"].(map[string]any)["saturday"] != "take_home" {
			t.Fatalf("the regime's own fields are its latest entry: pharmacy %v pattern %v", v["pharmacy_id"], v["pattern"])
		}

		c.Set(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
		now = e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["in_force"].(map[string]any)
		if now["since"] != "2026-12-04" || now["pharmacy_id"] != e.demo.PharmacyID || now["pattern"].(map[string]any)["saturday"] != "take_home" ||
			now["supervision_relaxed_reason"] != "Compliance assured: 3 years stable" {
			t.Fatalf("in force on the 4th: %v", now)
		}
		c.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC))
		now = e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["in_force"].(map[string]any)
		if now["since"] != "2026-12-05" || now["pharmacy_id"] != e.demo.Pharmacy2 || now["pattern"].(map[string]any)["saturday"] != "take_home" {
			t.Fatalf("in force on the 5th: %v", now)
		}
	})
}
