package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A regime planned for a later start can be withdrawn before it starts:
// ended today (the default), before its start date, it never takes
// effect. Its issued prescription is cancelled, as an end cancels one, so
// nothing of it falls due; its draft can no longer be issued; the next
// regime starts without taking the withdrawn one for the treatment before
// it. A regime that has started cannot be ended before its start.
func TestPlannedRegimeIsWithdrawnBeforeItStarts(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(431, nil)
		planned := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-03-27"}
		rid := e.startRegime(pid, planned)["id"].(string)
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-27",
			"days": 7, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-04-03",
			"days": 7, "wording": []int{1, 3}}))["id"].(string)

		// The 409 says how to get the planned regime out of the way.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", planned), 409)
		assertText(t, p["detail"].(string), "/v1/regimes/"+rid+"/end", "not yet started", "withdrawn")

		end := "/v1/regimes/" + rid + "/end"
		// Only today: the day the plan is withdrawn.
		p = problemOf(t, e.do("prescriber", "POST", end, map[string]any{"ended_on": "2026-03-08", "reason": "plan changed"}), 422)
		if !slices.Contains(fieldsOf(p), "ended_on") || !strings.Contains(string(e.do("prescriber", "GET", "/v1/regimes/"+rid, nil).Body), `"status":"active"`) {
			t.Fatalf("a withdrawal dated before today: %v", p)
		}
		got := e.must(200, e.do("prescriber", "POST", end, map[string]any{"reason": "plan changed"}))
		if got["status"] != "ended" || got["ended_on"] != "2026-03-09" || got["start_date"] != "2026-03-27" {
			t.Fatalf("withdrawn regime = %v", got)
		}
		if s := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["status"]; s != "cancelled" {
			t.Fatalf("the planned regime's prescription is %v, want cancelled", s)
		}
		if d := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft+"/issue", nil), 409)["detail"].(string); !strings.Contains(d, "was withdrawn on") {
			t.Fatalf("issuing a withdrawn regime's draft: %s", d)
		}
		if !slices.Contains(auditActions(e, rid), "regime.end") {
			t.Fatalf("the withdrawal is not audited: %v", auditActions(e, rid))
		}

		// The withdrawn methadone regime is not the treatment before the
		// next one, started the same day: buprenorphine starts as a new
		// induction, B1 not timing it from methadone never given.
		next := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4, "stage": "induction",
			"last_short_acting_opioid_at": "2026-03-08T09:00:00Z"})
		if strings.Contains(fmt.Sprint(next["warnings"]), "methadone") {
			t.Fatalf("the next regime follows the withdrawn one: %v", next["warnings"])
		}
		c.Set(mustTime("2026-03-27T09:00:00Z"))
		if onDayList(e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid) {
			t.Fatal("a dose of the withdrawn regime is due on its start date")
		}
		// A regime that has started is ended on or after its start.
		fieldRule(t, e.do("prescriber", "POST", "/v1/regimes/"+next["id"].(string)+"/end", map[string]any{"ended_on": "2026-03-08", "reason": "x"}),
			"ended_on", "after_start")
	})
}
