package httpapi

import (
	"strings"
	"testing"
)

// A GP signs prescriptions dated from the day the practice accepted shared
// care (SC1, L1): not one written with an earlier date, nor a draft written
// before then, which would carry the GP's signature under that date.
func TestGPPrescriptionsAreNotDatedBeforeSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _, scID, _ := e.underSharedCare(481, "2026-03-02", false)
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-09",
			"days": 7, "wording": []int{1, 3}}))
		c.Set(mustTime("2026-03-05T10:00:00Z"))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))

		before := tableCounts(t, e.db)
		p := problemOf(t, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "prescribed_on": "2026-03-04",
			"start_date": "2026-03-09", "days": 7, "wording": []int{1, 3}, "issue": true}), 422)
		if got := ruleList(p); len(got) != 1 || got[0] != "prescribed_on/after_shared_care" {
			t.Fatalf("GP prescription dated before acceptance: errors %v", got)
		}
		p = problemOf(t, e.do("gp", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil), 409)
		if d := p["detail"].(string); !strings.Contains(d, "before the practice accepted shared care on 2026-03-05") {
			t.Fatalf("GP issuing a draft written before acceptance: %s", d)
		}
		if after := tableCounts(t, e.db); len(after) != len(before) {
			t.Fatalf("tables changed")
		} else {
			for k, v := range before {
				if after[k] != v {
					t.Fatalf("refused requests wrote to %s: %d → %d", k, v, after[k])
				}
			}
		}
		e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "prescribed_on": "2026-03-05",
			"start_date": "2026-03-09", "days": 7, "wording": []int{1, 3}, "issue": true}))
	})
}
