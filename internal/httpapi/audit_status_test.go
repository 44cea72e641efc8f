package httpapi

import (
	"reflect"
	"testing"
	"time"
)

// Every write that moves a status is audited with it from and to, in the
// shape other from-and-to changes are audited in ({"from": …, "to": …}),
// under "status", beside the event's other keys: a token revoked, a
// prescription written, issued and cancelled, a regime ended, shared care
// accepted, declined and handed back.
func TestStatusChangesAreAuditedFromAndTo(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		status := func(entityID, action string, from any, to string, keep ...string) {
			t.Helper()
			ch := e.latestChanges(entityID, action)
			if want := map[string]any{"from": from, "to": to}; !reflect.DeepEqual(ch["status"], want) {
				t.Fatalf("%s status = %v, want %v (changes %v)", action, ch["status"], want, ch)
			}
			for _, k := range keep {
				if _, ok := ch[k]; !ok {
					t.Fatalf("%s lost %q: %v", action, k, ch)
				}
			}
		}

		var gpID string
		for _, u := range e.demo.Users {
			if u.Key == "gp" {
				gpID = u.ID
			}
		}
		live := e.must(201, e.do("admin", "POST", "/v1/users/"+gpID+"/tokens", map[string]any{"label": "laptop"}))["id"].(string)
		e.must(200, e.do("admin", "POST", "/v1/tokens/"+live+"/revoke", nil))
		status(live, "token.revoke", "active", "revoked", "user_id")
		short := e.must(201, e.do("admin", "POST", "/v1/users/"+gpID+"/tokens", map[string]any{"label": "kiosk", "ttl_hours": 1}))["id"].(string)
		c.Set(c.Now().Add(2 * time.Hour))
		e.must(200, e.do("admin", "POST", "/v1/tokens/"+short+"/revoke", nil))
		status(short, "token.revoke", "expired", "revoked", "user_id")

		pid := e.newPatient(1, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-03-09"})["id"].(string)
		issued := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-09",
			"days": 7, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		status(issued, "prescription.issue", nil, "issued", "prescription", "findings")
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-16",
			"days": 7, "wording": []int{1, 3}}))["id"].(string)
		status(draft, "prescription.create", nil, "draft", "prescription")
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft+"/issue", nil))
		status(draft, "prescription.issue", "draft", "issued", "serial", "wording", "drafted_by")
		later := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-23",
			"days": 7, "wording": []int{1, 3}}))["id"].(string)
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+later+"/cancel", map[string]any{"reason": "written twice"}))
		status(later, "prescription.cancel", "draft", "cancelled", "reason")
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft+"/cancel", map[string]any{"reason": "moving away"}))
		status(draft, "prescription.cancel", "issued", "cancelled", "reason")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "moved away"}))
		status(rid, "regime.end", "active", "ended", "ended_on", "reason", "cancelled_prescriptions")
		// The regime's end cancelled its issued prescription as it was.
		status(issued, "prescription.cancel", "issued", "cancelled", "reason")

		_, _, declined, _ := e.underSharedCare(2, "2026-03-09", false)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+declined+"/decline", map[string]any{"reason": "not stable yet"}))
		status(declined, "shared_care.decline", "proposed", "declined", "reason")
		_, _, withdrawn, _ := e.underSharedCare(3, "2026-03-09", false)
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+withdrawn+"/hand-back", map[string]any{"reason": "proposed too soon"}))
		status(withdrawn, "shared_care.hand_back", "proposed", "handed_back", "party", "reason")
		_, _, accepted, _ := e.underSharedCare(4, "2026-03-09", true)
		status(accepted, "shared_care.accept", "proposed", "accepted", "specialist_review_due", "criteria")
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+accepted+"/hand-back", map[string]any{"reason": "moving practice"}))
		status(accepted, "shared_care.hand_back", "accepted", "handed_back", "party", "reason", "live_practice_prescriptions")
	})
}
