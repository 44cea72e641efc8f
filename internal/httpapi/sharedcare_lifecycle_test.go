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

// answerNotice tells the practice's notice of a proposal and the service's
// notice of its acceptance (TestProposalAndAcceptanceAreNotified) from the
// notices a test is about.
func answerNotice(a map[string]any) bool {
	m, _ := a["message"].(string)
	return a["kind"] == "shared_care" && (strings.Contains(m, "proposed shared care of this patient to the practice") ||
		a["rule"] == "SC1" && strings.Contains(m, " accepted shared care on "))
}

// withoutAnswerNotices is alerts less the answer notices.
func withoutAnswerNotices(alerts []map[string]any) []map[string]any {
	var out []map[string]any
	for _, a := range alerts {
		if !answerNotice(a) {
			out = append(out, a)
		}
	}
	return out
}

// patientAlerts lists the alerts `who` sees about a patient.
func patientAlerts(e *env, who, patientID string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, a := range e.must(200, e.do(who, "GET", "/v1/alerts?open=false&patient_id="+patientID, nil))["items"].([]any) {
		out = append(out, a.(map[string]any))
	}
	return out
}

// onlyAlert is the one alert of a kind `who` sees about a patient, beside
// the notices of a proposal and of its acceptance (answerNotice).
func onlyAlert(e *env, who, patientID, kind string) map[string]any {
	e.t.Helper()
	var found []map[string]any
	for _, a := range patientAlerts(e, who, patientID) {
		if a["kind"] == kind && !answerNotice(a) {
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
		if n := len(patientAlerts(e, otherGP, pid)); n != 0 {
			t.Fatalf("another practice sees %d alerts about the patient", n)
		}
		for _, a := range append(patientAlerts(e, "pharmacist", pid), patientAlerts(e, "prescriber", pid)...) {
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
		for _, a := range patientAlerts(e, "prescriber", pid) {
			if a["kind"] == "shared_care" {
				t.Fatalf("the service was alerted about its own withdrawal: %v", a)
			}
		}
	})
}

// Shared care continues a treatment (SC1): ending the regime ends an open
// arrangement, as the service's hand-back with the end's reason, on the
// timeline and in the audit trail; the practice is told, with the
// prescriptions of its GPs that the end cancelled; the practice can no
// longer accept it, the letter no longer passes prescribing to it, and its
// reviews stop falling due.
func TestEndingTheRegimeEndsSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, regimeID, scID, _ := e.underSharedCare(63, "2026-06-10", true)
		// The GP's review falls due three months on (M5).
		e.closeAll(c, "2026-09-10")
		wantAlerts(t, "GP review due", e.alertMessages("prescriber", pid, "gp_review_due"), 1, "due on 2026-09-10")
		c.Set(mustTime("2026-09-11T12:00:00+01:00"))
		rx := e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-09-11", "days": 14,
			"wording": []int{1, 2, 3}, "issue": true}))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/end", map[string]any{"reason": "Transferred to HMP Hewell"}))
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx["id"].(string), nil)); got["status"] != "cancelled" {
			t.Fatalf("the GP's prescription after the regime ended = %v", got["status"])
		}

		m := e.must(200, e.do("prescriber", "GET", "/v1/shared-care/"+scID, nil))
		tl := m["timeline"].([]any)
		last := tl[len(tl)-1].(map[string]any)
		if m["status"] != "handed_back" || last["kind"] != "handed_back" || last["party"] != "specialist_service" ||
			last["reason"] != "Regime ended on 2026-09-11: Transferred to HMP Hewell" {
			t.Fatalf("the arrangement after the regime ended = %v", m)
		}
		if !slices.Contains(auditActions(e, scID), "shared_care.hand_back") {
			t.Fatalf("the closing is not audited: %v", auditActions(e, scID))
		}
		// The practice is told, and which of its prescriptions was cancelled.
		if p := problemOf(t, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil), 409); p["detail"] !=
			"shared care was handed back, so there is nothing to accept; the service may propose it again" {
			t.Errorf("accepting the closed arrangement: %v", p["detail"])
		}
		a := onlyAlert(e, "gp", pid, "shared_care")
		assertContains(t, "the practice's alert", a["message"].(string), "ended the patient's treatment regime on 2026-09-11",
			"Transferred to HMP Hewell", "Cancelled by the service: "+rx["serial"].(string))
		// The letter says shared care ended, not that prescribing passed.
		sum := e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care-summary.pdf", nil)
		if sum.Status != 200 {
			t.Fatalf("summary: %d %s", sum.Status, sum.Body)
		}
		if text := pdfToText(t, sum.Body); strings.Contains(text, "Prescribing passed") || !strings.Contains(text, "Status: Handed back") {
			t.Fatalf("the letter after the regime ended: %s", text)
		}
		// The reviews shared care asked for stop: the open one is resolved,
		// and no new one falls due.
		resolved := e.alertsOf("prescriber", "?resolved=true&kind=gp_review_due&patient_id="+pid)
		if len(resolved) != 1 || !strings.Contains(resolved[0]["resolution"].(string), "Shared care ended") {
			t.Fatalf("resolved GP review alerts = %v", resolved)
		}
		e.closeAll(c, "2026-12-11")
		wantAlerts(t, "after the regime ended", e.alertMessages("prescriber", pid, "gp_review_due"), 1, "due on 2026-09-10")
	})
}

// Ending the regime while shared care is only proposed withdraws the
// proposal and tells the practice, which can no longer accept it.
func TestEndingTheRegimeWithdrawsAProposal(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, regimeID, scID, _ := e.underSharedCare(64, "2026-06-10", false)
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/end", map[string]any{"reason": "Moved out of the area"}))
		if p := problemOf(t, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil), 409); p["detail"] !=
			"shared care was handed back, so there is nothing to accept; the service may propose it again" {
			t.Errorf("accepting the withdrawn proposal: %v", p["detail"])
		}
		m := e.must(200, e.do("prescriber", "GET", "/v1/shared-care/"+scID, nil))
		if tl := timelineOf(m); m["status"] != "handed_back" || tl[len(tl)-1] != "handed_back/specialist_service" {
			t.Fatalf("the proposal after the regime ended = %v", m)
		}
		a := onlyAlert(e, "gp", pid, "shared_care")
		assertContains(t, "the practice's alert", a["message"].(string), "ended the patient's treatment regime on 2026-06-10",
			"Moved out of the area", "proposal of shared care is withdrawn")
		// The service may propose again once a new regime is stable.
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-06-10",
			"overrides": []map[string]any{{"rule": "B1", "reason": "restart"}}})
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{
			"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))
	})
}

// Under accepted shared care the practice prescribes what the service
// decides (SC1). A dose change, pickup pattern change or pharmacy move by
// the service, which cancels the GP's live prescription and reissues its
// remaining days under the service, tells the practice what changed and
// which prescription replaced which, and goes on the arrangement's
// timeline.
func TestServiceChangesUnderSharedCareAlertThePractice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, regimeID, scID, rx := e.underSharedCare(65, "2026-06-10", true)
		ch := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/dose-changes", map[string]any{"to": 40,
			"effective_date": "2026-06-12", "reason": "Cravings in the evenings"}))
		reissued := ch["reissued_prescriptions"].([]any)
		if len(reissued) != 1 || reissued[0].(map[string]any)["replaces_id"] != rx["id"] {
			t.Fatalf("reissued = %v", reissued)
		}
		newSerial := reissued[0].(map[string]any)["serial"].(string)
		a := onlyAlert(e, "gp", pid, "regime_changed")
		assertContains(t, "the practice's alert", a["message"].(string), "changed the dose to 40 mg from 2026-06-12",
			"Cravings in the evenings", rx["serial"].(string), newSerial)
		if a["rule"] != "SC1" || a["practice_id"] != e.demo.PracticeID {
			t.Fatalf("the practice's alert = %v", a)
		}
		for _, a := range patientAlerts(e, "prescriber", pid) {
			if a["kind"] == "regime_changed" {
				t.Fatalf("the service is alerted about its own change: %v", a)
			}
		}
		sc := e.must(200, e.do("gp", "GET", "/v1/shared-care/"+scID, nil))
		tl := sc["timeline"].([]any)
		last := tl[len(tl)-1].(map[string]any)
		if last["kind"] != "regime_changed" || last["party"] != "specialist_service" ||
			last["reason"] != "Changed the dose to 40 mg from 2026-06-12: Cravings in the evenings" {
			t.Fatalf("timeline = %v", tl)
		}
		if !slices.Contains(auditActions(e, scID), "shared_care.regime_changed") {
			t.Fatalf("audit = %v", auditActions(e, scID))
		}
		// A pickup pattern change and a pharmacy move say so too.
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/pattern", map[string]any{"effective_date": "2026-06-15",
			"reason": "Weekend take-home agreed", "pattern": map[string]any{"monday": "supervised", "tuesday": "supervised",
				"wednesday": "supervised", "thursday": "supervised", "friday": "supervised", "saturday": "take_home", "sunday": "take_home"},
			"supervision_relaxed_reason": "Stable, compliance assured", "overrides": []map[string]any{{"rule": "M6", "reason": "MDT agreed"}}}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-06-17", "reason": "Moved house"}))
		var msgs []string
		for _, a := range patientAlerts(e, "gp", pid) {
			if a["kind"] == "regime_changed" {
				msgs = append(msgs, a["message"].(string))
			}
		}
		if len(msgs) != 3 || !strings.Contains(msgs[0], "moved dispensing to") || !strings.Contains(msgs[0], "Moved house") ||
			!strings.Contains(msgs[1], "changed the pickup pattern from 2026-06-15 to: supervised Mon–Fri; Sat and Sun take-home (reason given: Weekend take-home agreed).") {
			t.Fatalf("the practice's regime_changed alerts = %q", msgs)
		}
	})
}
