package httpapi

import "testing"

// SC3's "no MD1 block" looks at the weeks up to yesterday; a block that
// stands today (here reached at today's close) fails it all the same: the
// pharmacy may not dispense, so the patient is not stable for shared care.
func TestEligibilitySeesABlockStandingToday(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-24T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(482, "2026-03-24")
		e.closeDays(c, "2026-03-24", "2026-03-25", "2026-03-26")
		crit := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))["no_missed_dose_block"]
		if crit["met"] != false {
			t.Fatalf("no_missed_dose_block = %v", crit)
		}
		assertText(t, crit["detail"].(string), "An MD1 block stands today (days missed since 2026-03-24)")
	})
}
