package httpapi

import (
	"strings"
	"testing"
)

// sharedCareNotices are the shared_care alerts `who` sees about a patient,
// resolved or not, without asking for the patient (a practice whose shared
// care ended no longer sees the record).
func sharedCareNotices(e *env, who, patientID string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, a := range e.alertsOf(who, "?open=false&kind=shared_care") {
		if a["patient_id"] == patientID {
			out = append(out, a)
		}
	}
	return out
}

// noticeWith is the one notice whose message holds every part.
func noticeWith(e *env, notices []map[string]any, parts ...string) map[string]any {
	e.t.Helper()
	var found []map[string]any
	for _, a := range notices {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(a["message"].(string), p)
		}
		if ok {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("%d notices hold %q, want 1: %v", len(found), parts, notices)
	}
	return found[0]
}

func resolved(a map[string]any) bool { return a["resolved_at"] != nil }

// alertByID is the alert id as who sees it now.
func alertByID(e *env, who, id string) map[string]any {
	e.t.Helper()
	for _, a := range e.alertsOf(who, "?open=false") {
		if a["id"] == id {
			return a
		}
	}
	e.t.Fatalf("%s does not see alert %s", who, id)
	return nil
}

// After the service took prescribing back, a change of dose cancels the
// GP's prescription still running and reissues its days under the service:
// the practice is told, naming the reissue, and the hand-back notices that
// called the prescription still valid (the practice's) and asked the
// service to decide about it (the service's) are resolved. Another
// practice is told nothing.
func TestReissueAfterHandBackTellsThePractice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		otherGP, _ := e.secondPractice()
		pid, regimeID, sc, gpRx := e.underSharedCare(661, "2026-06-10", true) // 10 to 23 Jun
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Back to the clinic"}))
		stillValid := noticeWith(e, sharedCareNotices(e, "gp", pid), "Still valid at the pharmacy: "+gpRx["serial"].(string))
		decide := noticeWith(e, sharedCareNotices(e, "prescriber", pid), "Decide for each")
		if resolved(stillValid) || resolved(decide) {
			t.Fatalf("resolved before anything was decided: %v %v", stillValid, decide)
		}

		ch := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/dose-changes", map[string]any{"to": 40,
			"effective_date": "2026-06-12", "reason": "Cravings in the evenings"}))
		var reissue map[string]any
		for _, r := range ch["reissued_prescriptions"].([]any) {
			if r := r.(map[string]any); r["replaces_id"] == gpRx["id"] {
				reissue = r
			}
		}
		if reissue == nil {
			t.Fatalf("the GP's prescription was not reissued: %v", ch["reissued_prescriptions"])
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+gpRx["id"].(string), nil)); got["status"] != "cancelled" {
			t.Fatalf("GP's prescription status = %v", got["status"])
		}
		told := noticeWith(e, sharedCareNotices(e, "gp", pid), "cancelled prescription "+gpRx["serial"].(string))
		assertContains(t, "practice's notice", told["message"].(string), "Cravings in the evenings",
			"Its remaining days are reissued as "+reissue["serial"].(string))
		if told["practice_id"] != e.demo.PracticeID || told["rule"] != "SC1" {
			t.Fatalf("notice = %v", told)
		}
		for who, id := range map[string]string{"gp": stillValid["id"].(string), "prescriber": decide["id"].(string)} {
			a := alertByID(e, who, id)
			if !resolved(a) || !strings.Contains(a["resolution"].(string), "Prescription "+gpRx["serial"].(string)+" cancelled") {
				t.Fatalf("%s's hand-back notice stays open: %v", who, a)
			}
		}
		// The service does not get the practice's notice, nor another
		// practice any of them.
		for _, a := range sharedCareNotices(e, "prescriber", pid) {
			if strings.Contains(a["message"].(string), "cancelled prescription") {
				t.Fatalf("service sees %v", a)
			}
		}
		if got := sharedCareNotices(e, otherGP, pid); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}
	})
}

// Ending the regime after a hand-back cancels the GP's prescription still
// running: the practice is told with the end's reason. A notice listing
// two of the practice's prescriptions stays open while one still runs,
// and is resolved once neither does. The practice acknowledges its notice
// for itself (ADR 0006); another practice cannot.
func TestRegimeEndAfterHandBackTellsThePractice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		otherGP, _ := e.secondPractice()
		pid, regimeID, sc, gpRx := e.underSharedCare(662, "2026-06-10", true) // 10 to 23 Jun
		second := e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-06-24", "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}))
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Back to the clinic"}))
		stillValid := noticeWith(e, sharedCareNotices(e, "gp", pid), "Still valid at the pharmacy", gpRx["serial"].(string), second["serial"].(string))
		decide := noticeWith(e, sharedCareNotices(e, "prescriber", pid), "Decide for each")

		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+second["id"].(string)+"/cancel", map[string]any{"reason": "Rewritten by the service"}))
		noticeWith(e, sharedCareNotices(e, "gp", pid), "cancelled prescription "+second["serial"].(string), "Rewritten by the service")
		if resolved(alertByID(e, "gp", stillValid["id"].(string))) || resolved(alertByID(e, "prescriber", decide["id"].(string))) {
			t.Fatal("hand-back notices resolved while the GP's first prescription still runs")
		}

		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/end", map[string]any{"reason": "Moved out of the area"}))
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+gpRx["id"].(string), nil)); got["status"] != "cancelled" {
			t.Fatalf("GP's prescription status = %v", got["status"])
		}
		told := noticeWith(e, sharedCareNotices(e, "gp", pid), "cancelled prescription "+gpRx["serial"].(string))
		assertContains(t, "practice's notice", told["message"].(string), "Regime ended on 2026-06-10: Moved out of the area")
		if !resolved(alertByID(e, "gp", stillValid["id"].(string))) || !resolved(alertByID(e, "prescriber", decide["id"].(string))) {
			t.Fatal("hand-back notices stay open with nothing left to decide")
		}
		if got := sharedCareNotices(e, otherGP, pid); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}
		problemOf(t, e.do(otherGP, "POST", "/v1/alerts/"+told["id"].(string)+"/acknowledge", nil), 404)
		if a := e.must(200, e.do("gp", "POST", "/v1/alerts/"+told["id"].(string)+"/acknowledge", nil)); a["acknowledged_at"] == nil {
			t.Fatalf("acknowledged = %v", a)
		}
	})
}

// The practice is told of a proposal, and the notice is resolved when the
// practice accepts or declines, or the service withdraws it; the service
// is told of the acceptance. The notice is addressed to the practice
// proposed to alone: not the service, nor another practice.
func TestProposalAndAcceptanceAreNotified(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		otherGP, other := e.secondPractice()
		proposal := func(pid, sc string) map[string]any {
			t.Helper()
			return noticeWith(e, sharedCareNotices(e, "gp", pid), "proposed shared care of this patient to the practice on 2026-06-10",
				"POST /v1/shared-care/"+sc+"/accept")
		}

		pid, _, sc, _ := e.underSharedCare(671, "2026-06-10", false)
		p := proposal(pid, sc)
		assertContains(t, "proposal notice", p["message"].(string), "take over prescribing",
			"GP knows the patient well; MDT agreed")
		if p["practice_id"] != e.demo.PracticeID || resolved(p) {
			t.Fatalf("proposal notice = %v", p)
		}
		if got := sharedCareNotices(e, "prescriber", pid); len(got) != 0 {
			t.Fatalf("service sees %v", got)
		}
		if got := sharedCareNotices(e, otherGP, pid); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}
		if a := e.must(200, e.do("gp", "POST", "/v1/alerts/"+p["id"].(string)+"/acknowledge", nil)); a["acknowledged_at"] == nil {
			t.Fatalf("acknowledged = %v", a)
		}
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		if !resolved(alertByID(e, "gp", p["id"].(string))) {
			t.Fatal("proposal notice open after acceptance")
		}
		acc := noticeWith(e, sharedCareNotices(e, "prescriber", pid), "accepted shared care on 2026-06-10")
		if acc["practice_id"] != nil || acc["rule"] != "SC1" {
			t.Fatalf("acceptance notice = %v", acc)
		}
		// The service's notice is not the practice's.
		for _, a := range sharedCareNotices(e, "gp", pid) {
			if a["id"] == acc["id"] {
				t.Fatalf("practice sees the service's notice %v", a)
			}
		}

		// Declined.
		pid, _, sc, _ = e.underSharedCare(672, "2026-06-10", false)
		p = proposal(pid, sc)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/decline", map[string]any{"reason": "No capacity"}))
		if a := alertByID(e, "gp", p["id"].(string)); !resolved(a) || !strings.Contains(a["resolution"].(string), "declined") {
			t.Fatalf("proposal notice after decline = %v", a)
		}
		for _, a := range sharedCareNotices(e, "prescriber", pid) {
			if strings.Contains(a["message"].(string), "accepted") {
				t.Fatalf("service told of an acceptance: %v", a)
			}
		}

		// Withdrawn.
		pid, _, sc, _ = e.underSharedCare(673, "2026-06-10", false)
		p = proposal(pid, sc)
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Not yet stable"}))
		if a := alertByID(e, "gp", p["id"].(string)); !resolved(a) || !strings.Contains(a["resolution"].(string), "withdrawn") {
			t.Fatalf("proposal notice after withdrawal = %v", a)
		}

		// To another practice: only that practice is told.
		pid = e.newPatient(674, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-06-10"})
		sc = e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{"practice_id": other,
			"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))["id"].(string)
		if got := sharedCareNotices(e, "gp", pid); len(got) != 0 {
			t.Fatalf("the demo practice sees %v", got)
		}
		if a := noticeWith(e, sharedCareNotices(e, otherGP, pid), "POST /v1/shared-care/"+sc+"/accept"); a["practice_id"] != other {
			t.Fatalf("notice = %v", a)
		}
	})
}

// The letter prints the eligibility details' dates as it prints every
// other date ("10 Jun 2026"); the API keeps them ISO.
func TestLetterPrintsEligibilityDatesLikeTheRest(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, _, sc, _ := e.underSharedCare(681, "2026-06-10", false)
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Dose last changed on 10 Jun 2026")
		assertNoText(t, text, "2026-06-10")
		if got := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/shared-care/"+sc, nil)))["stable_dose"]["detail"].(string); !strings.Contains(got, "2026-06-10") {
			t.Fatalf("API detail = %q", got)
		}
	})
}
