package httpapi

import (
	"strings"
	"testing"
)

// A review dated before the run's last missed day was about fewer days and
// does not lift the MD1 block: its answer says so and why, gives no MD3
// advice for a supply that may not resume, and a GP's such review tells the
// service nothing was lifted. One dated on the last missed day lifts it.
func TestReviewLiftsMD1OnlyWhenItDoes(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(52, "2026-03-02")
		reviews := "/v1/patients/" + pid + "/reviews"
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "GP agreed to take over early"}}}))
		c.Set(mustTime("2026-03-02T10:00:00Z"))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))

		// No block: nothing to lift, nothing to warn of.
		r := e.must(201, e.do("prescriber", "POST", reviews, map[string]any{"notes": "Routine review"}))
		if r["md1_block_lifted"] != false || len(r["warnings"].([]any)) != 0 {
			t.Fatalf("a review without a block = %v", r)
		}

		c.Set(mustTime("2026-03-03T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-03")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.closeDays(c, "2026-03-04", "2026-03-05", "2026-03-06")
		c.Set(mustTime("2026-03-07T09:00:00Z"))
		saturday := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-07") + "/events"
		dose := map[string]any{"outcome": "supervised", "identity_confirmed": true}

		for _, who := range []string{"gp", "prescriber"} {
			r := e.must(201, e.do(who, "POST", reviews, map[string]any{"notes": "Saw the patient", "date": "2026-03-05"}))
			if r["md1_block_lifted"] != false || r["retitration"] != nil {
				t.Fatalf("%s's back-dated review = %v", who, r)
			}
			w, _ := r["warnings"].([]any)
			if len(w) != 1 {
				t.Fatalf("%s's back-dated review warns %v", who, r["warnings"])
			}
			msg := w[0].(map[string]any)["message"].(string)
			if w[0].(map[string]any)["rule"] != "MD1" || !strings.Contains(msg, "dated 2026-03-05, before the last missed day, 2026-03-06") ||
				!strings.Contains(msg, "on or after 2026-03-06") {
				t.Fatalf("%s's back-dated review warns %v", who, w)
			}
			blockedWith(t, e.do("pharmacist", "POST", saturday, dose), "MD1", "")
		}
		for _, a := range e.alertsOf("prescriber", "?kind=shared_care&patient_id="+pid) {
			if strings.Contains(a["message"].(string), "lifted the MD1 block") {
				t.Fatalf("the service was told a back-dated review lifted the block: %v", a)
			}
		}
		if a := e.resolvedAlert("prescriber", pid, "md1_block"); a != nil {
			t.Fatalf("a back-dated review resolved the MD1 alert: %v", a)
		}

		r = e.must(201, e.do("gp", "POST", reviews, map[string]any{"notes": "Saw the patient", "date": "2026-03-06"}))
		if r["md1_block_lifted"] != true || len(r["warnings"].([]any)) != 0 || r["retitration"] == nil {
			t.Fatalf("the GP's review on the last missed day = %v", r)
		}
		var told int
		for _, a := range e.alertsOf("prescriber", "?kind=shared_care&patient_id="+pid) {
			if strings.Contains(a["message"].(string), "lifted the MD1 block") {
				told++
			}
		}
		if told != 1 {
			t.Fatalf("the service was told %d times the practice lifted the block", told)
		}
		e.must(201, e.do("pharmacist", "POST", saturday, dose))
	})
}
