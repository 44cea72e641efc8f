package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// underSharedCare starts a patient on methadone today, proposes shared care
// with the demo practice (SC3 overridden) and, when accept is true, has the
// practice accept it and its GP write and issue a 14-day prescription from
// today. It returns the patient, regime and arrangement ids and the GP's
// prescription (nil when not accepted).
func (e *env) underSharedCare(seq int, today string, accept bool) (pid, regimeID, scID string, rx map[string]any) {
	e.t.Helper()
	pid = e.newPatient(seq, nil)
	regimeID = e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": today})["id"].(string)
	scID = e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{
		"overrides": []map[string]any{{"rule": "SC3", "reason": "GP knows the patient well; MDT agreed"}}}))["id"].(string)
	if !accept {
		return pid, regimeID, scID, nil
	}
	e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))
	rx = e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": today, "days": 14,
		"wording": []int{1, 2, 3}, "issue": true}))
	return pid, regimeID, scID, rx
}

// alertsOf lists the alerts `who` sees about a patient.
func alertsOf(e *env, who, patientID string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, a := range e.must(200, e.do(who, "GET", "/v1/alerts?patient_id="+patientID, nil))["items"].([]any) {
		out = append(out, a.(map[string]any))
	}
	return out
}

// onlyAlert is the one alert of a kind `who` sees about a patient.
func onlyAlert(e *env, who, patientID, kind string) map[string]any {
	e.t.Helper()
	var found []map[string]any
	for _, a := range alertsOf(e, who, patientID) {
		if a["kind"] == kind {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("%s sees %d %s alerts about the patient, want 1: %v", who, len(found), kind, found)
	}
	return found[0]
}

func assertContains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q: %s", what, w, text)
		}
	}
}

// The service taking prescribing back (SC1: "either party may hand back;
// the other is alerted") tells the practice, although the practice no
// longer sees the patient's record; the GP's prescription still live is
// listed for the service, which decides whether to cancel it, and may.
func TestServiceHandBackAlertsThePractice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, _, scID, rx := e.underSharedCare(61, "2026-06-10", true)
		rxID, serial := rx["id"].(string), rx["serial"].(string)
		const reason = "Pregnancy: the specialist service prescribes until after the birth"

		m := e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": reason}))
		if tl := timelineOf(m); m["status"] != "handed_back" || tl[len(tl)-1] != "handed_back/specialist_service" {
			t.Fatalf("handed back = %v", m)
		}
		// The answer lists what the practice signed that is still live.
		live, _ := m["live_practice_prescriptions"].([]any)
		if len(live) != 1 || live[0].(map[string]any)["id"] != rxID || live[0].(map[string]any)["status"] != "issued" {
			t.Fatalf("live practice prescriptions = %v", m["live_practice_prescriptions"])
		}

		// The practice no longer sees the record, but is told.
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+pid, nil), 404)
		gpAlert := onlyAlert(e, "gp", pid, "shared_care")
		assertContains(t, "the practice's alert", gpAlert["message"].(string), "took prescribing back", reason, serial,
			"The practice no longer prescribes")
		if gpAlert["patient_name"] != "Zoë Łukasz-Nguyễn 61" || gpAlert["rule"] != "SC1" {
			t.Fatalf("the practice's alert = %v", gpAlert)
		}
		e.must(200, e.do("gp", "POST", "/v1/alerts/"+gpAlert["id"].(string)+"/acknowledge", nil))
		// Nobody else gets the practice's letter: another practice, the
		// pharmacy, nor the service, which made the change.
		otherGP, _ := e.secondPractice()
		if n := len(alertsOf(e, otherGP, pid)); n != 0 {
			t.Fatalf("another practice sees %d alerts about the patient", n)
		}
		for _, a := range append(alertsOf(e, "pharmacist", pid), alertsOf(e, "prescriber", pid)...) {
			if a["id"] == gpAlert["id"] {
				t.Fatalf("the practice's alert reached %v", a)
			}
		}
		// The service is asked to decide about the practice's prescription.
		svcAlert := onlyAlert(e, "prescriber", pid, "shared_care")
		assertContains(t, "the service's alert", svcAlert["message"].(string), serial, "still valid at the pharmacy", "cancelled and replaced")
		if !slices.Contains(auditActions(e, pid), "alert.raise") {
			t.Fatal("the alerts were not audited")
		}

		// The GP may neither print nor cancel it any more; the service may
		// cancel the GP's prescription of its patient.
		problemOf(t, e.do("gp", "POST", "/v1/prescriptions/"+rxID+"/cancel", map[string]any{"reason": "x"}), 403)
		cancelled := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+rxID+"/cancel",
			map[string]any{"reason": "Replaced by the service's prescription"}))
		if cancelled["status"] != "cancelled" {
			t.Fatalf("the service's cancellation = %v", cancelled)
		}
		// The practice still sees the prescription its GP signed, cancelled.
		if got := e.must(200, e.do("gp", "GET", "/v1/prescriptions/"+rxID, nil)); got["status"] != "cancelled" {
			t.Fatalf("the practice's view of its prescription = %v", got["status"])
		}
	})
}

// A proposal the service withdraws tells the practice it was withdrawn.
func TestServiceWithdrawalAlertsThePractice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, _, scID, _ := e.underSharedCare(62, "2026-06-10", false)
		m := e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "MDT: not yet"}))
		if live := m["live_practice_prescriptions"].([]any); len(live) != 0 {
			t.Fatalf("live practice prescriptions of a proposal = %v", live)
		}
		a := onlyAlert(e, "gp", pid, "shared_care")
		assertContains(t, "the practice's alert", a["message"].(string), "withdrew its proposal", "MDT: not yet")
		// Nothing was live to decide about: the service is not alerted.
		for _, a := range alertsOf(e, "prescriber", pid) {
			if a["kind"] == "shared_care" {
				t.Fatalf("the service was alerted about its own withdrawal: %v", a)
			}
		}
	})
}
