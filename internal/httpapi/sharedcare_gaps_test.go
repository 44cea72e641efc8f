package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// The registered practice cannot move away from the practice holding
// shared care, nor be cleared: that practice would go on prescribing (or
// could accept) unknown to anyone (SC1). Once the arrangement is handed
// back, it can.
func TestRegisteredPracticeHeldByOpenSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, other := e.secondPractice()
		for _, accept := range []bool{false, true} {
			seq := 601
			if accept {
				seq = 602
			}
			pid, _, sc, _ := e.underSharedCare(seq, "2026-11-16", accept)
			for _, to := range []string{other, ""} {
				p := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"gp_practice_id": to}), 409)
				detail := p["detail"].(string)
				if !strings.Contains(detail, "gp_practice_id") || !strings.Contains(detail, "/v1/shared-care/"+sc+"/hand-back") {
					t.Fatalf("accepted=%v to=%q: detail = %s", accept, to, detail)
				}
				if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "gp_practice_id" {
					t.Fatalf("errors = %v", p["errors"])
				}
			}
			if got := e.patientOf(pid)["gp_practice_id"]; got != e.demo.PracticeID {
				t.Fatalf("gp_practice_id = %v", got)
			}
			// Another field changes as before.
			e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"phone": "01905 000 111"}))
			e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Moving practice"}))
			e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"gp_practice_id": other}))
		}
	})
}

// A proposal to a practice the patient is not registered with is made,
// with an SC1 warning saying so; the registered practice may then be set
// to it, and to no other.
func TestProposalToAnotherPracticeWarns(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, other := e.secondPractice()
		pid := e.newPatient(611, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-11-16"})
		rec := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{"practice_id": other,
			"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))
		ws := rec["warnings"].([]any)
		if len(ws) != 1 || ws[0].(map[string]any)["rule"] != "SC1" ||
			!strings.Contains(ws[0].(map[string]any)["message"].(string), "the practice the patient is registered with") {
			t.Fatalf("warnings = %v", ws)
		}
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"gp_practice_id": other}))
		problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"gp_practice_id": e.demo.PracticeID}), 409)

		// The registered practice: no warning.
		pid2 := e.newPatient(612, nil)
		e.startRegime(pid2, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-11-16"})
		rec = e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid2+"/shared-care", map[string]any{
			"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))
		if ws := rec["warnings"].([]any); len(ws) != 0 {
			t.Fatalf("warnings = %v", ws)
		}
	})
}

// A criterion met at the proposal and not when the practice accepts: the
// acceptance goes ahead (SC3 advises, the practice decides) with an SC3
// warning, the service is alerted, and the arrangement and the letter say
// what held at acceptance beside what held at the proposal.
func TestAcceptanceJudgesTheCriteriaAgain(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.buvidalOnTime(c, 621, "2026-01-05", "2026-04-06", "2026-04-08")
		m := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))
		sc := m["id"].(string)
		for key, cr := range criteriaOf(t, m) {
			if cr["met"] != true || cr["at_proposal"] != nil {
				t.Fatalf("criterion %s at proposal = %v", key, cr)
			}
		}
		e.setClock(c, mustTime("2026-04-09T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{"sample_type": "urine", "witnessed": true,
			"results": map[string]any{"opiates": "positive", "buprenorphine": "positive"}}))
		acc := e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		if acc["status"] != "accepted" {
			t.Fatalf("status = %v", acc["status"])
		}
		ws := acc["warnings"].([]any)
		if len(ws) != 1 {
			t.Fatalf("warnings = %v", ws)
		}
		w := ws[0].(map[string]any)
		if w["rule"] != "SC3" || w["severity"] != "warn" || !strings.Contains(w["message"].(string), "negative_screen") ||
			!strings.Contains(w["message"].(string), "Met when shared care was proposed on 2026-04-08") {
			t.Fatalf("warning = %v", w)
		}
		for key, cr := range criteriaOf(t, e.must(200, e.do("gp", "GET", "/v1/shared-care/"+sc, nil))) {
			then := cr["at_proposal"].(map[string]any)
			if then["met"] != true || (cr["met"] == true) == (key == "negative_screen") {
				t.Fatalf("criterion %s = %v", key, cr)
			}
		}
		var lapsed []string
		for _, a := range patientAlerts(e, "prescriber", pid) {
			if a["kind"] == "shared_care" && a["rule"] == "SC3" {
				lapsed = append(lapsed, a["message"].(string))
			}
		}
		if len(lapsed) != 1 || !strings.Contains(lapsed[0], "accepted shared care on 2026-04-09") || !strings.Contains(lapsed[0], "negative_screen") {
			t.Fatalf("service's SC3 alerts = %v", lapsed)
		}
		text := e.summaryText("gp", pid)
		assertText(t, text, "as judged when the practice accepted it on 9 Apr 2026", "When proposed on 8 Apr 2026: met",
			"The practice accepted after it no longer held")
	})
}

// Nothing changed since the proposal: no warning, and only the notice
// that the practice accepted.
func TestAcceptanceWithTheCriteriaStillMet(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.buvidalOnTime(c, 622, "2026-01-05", "2026-04-06", "2026-04-08")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))["id"].(string)
		acc := e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		if ws := acc["warnings"].([]any); len(ws) != 0 {
			t.Fatalf("warnings = %v", ws)
		}
		for _, a := range patientAlerts(e, "prescriber", pid) {
			if a["kind"] == "shared_care" && !answerNotice(a) {
				t.Fatalf("alert = %v", a)
			}
		}
		assertText(t, e.summaryText("gp", pid), "as judged when the practice accepted it on 8 Apr 2026")
	})
}

// The service may still prescribe under accepted shared care, but it is
// told prescribing sits with the practice (SC1), and the practice is told
// of each prescription the service issues, its own GP's draft included.
func TestServicePrescribingUnderAcceptedSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _, _, _ := e.underSharedCare(631, "2026-11-16", true) // the GP's prescription runs 16 to 29 Nov
		sc1 := func(m map[string]any) bool {
			for _, w := range m["warnings"].([]any) {
				if w.(map[string]any)["rule"] == "SC1" && strings.Contains(w.(map[string]any)["message"].(string), "sits with") {
					return true
				}
			}
			return false
		}
		gpNotices := func() []string {
			var out []string
			for _, a := range e.alertsOf("gp", "?kind=shared_care&patient_id="+pid) {
				out = append(out, a["message"].(string))
			}
			return out
		}
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-30", "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}))
		if rx["status"] != "issued" || !sc1(rx) {
			t.Fatalf("service's prescription = %v %v", rx["status"], rx["warnings"])
		}
		if got := gpNotices(); len(got) != 1 || !strings.Contains(got[0], "The specialist service issued prescription "+rx["serial"].(string)) ||
			!strings.Contains(got[0], "2026-12-06") {
			t.Fatalf("practice's notices = %v", got)
		}
		// The practice's own draft, signed by the service.
		draft := e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-07", "days": 7,
			"wording": []int{1, 2, 3}}))
		if sc1(draft) {
			t.Fatalf("the GP's draft warns SC1: %v", draft["warnings"])
		}
		issued := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil))
		if !sc1(issued) {
			t.Fatalf("issuing the GP's draft: warnings = %v", issued["warnings"])
		}
		if got := gpNotices(); len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "signed and issued prescription "+draft["serial"].(string)) ||
			!strings.Contains(strings.Join(got, "\n"), "drafted by ") {
			t.Fatalf("practice's notices = %v", got)
		}
		// The service does not see the practice's notices.
		for _, a := range withoutAnswerNotices(e.alertsOf("prescriber", "?kind=shared_care&patient_id="+pid)) {
			t.Fatalf("service sees %v", a)
		}
	})
}

// A service draft warns too, and tells the practice nothing until issued.
func TestServiceDraftUnderAcceptedSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _, _, _ := e.underSharedCare(632, "2026-11-16", true)
		d := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-30", "days": 7,
			"wording": []int{1, 2, 3}}))
		if !strings.Contains(string(mustJSONText(t, d["warnings"])), `"rule":"SC1"`) {
			t.Fatalf("warnings = %v", d["warnings"])
		}
		if got := e.alertsOf("gp", "?kind=shared_care&patient_id="+pid); len(got) != 0 {
			t.Fatalf("practice's notices = %v", got)
		}
	})
}

func mustJSONText(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A GP cancelling the service's reissue of the practice's prescription:
// the answer names the days left without a prescription (MD5), and the
// service, whose prescriber signed it, is alerted. The service cancelling
// a GP's prescription tells the practice the same way; cancelling one's
// own organisation's tells no one.
func TestCancelByAnotherOrganisationTellsTheSigner(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, regimeID, _, gpRx := e.underSharedCare(641, "2026-06-10", true) // 10 to 23 Jun
		ch := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/dose-changes", map[string]any{"to": 40,
			"effective_date": "2026-06-12", "reason": "Cravings in the evenings"}))
		var reissues []map[string]any
		for _, r := range ch["reissued_prescriptions"].([]any) {
			if r := r.(map[string]any); r["replaces_id"] == gpRx["id"] {
				reissues = append(reissues, r)
			}
		}
		if len(reissues) == 0 {
			t.Fatalf("no reissue: %v", ch["reissued_prescriptions"])
		}
		last := reissues[len(reissues)-1]
		got := e.must(200, e.do("gp", "POST", "/v1/prescriptions/"+last["id"].(string)+"/cancel", map[string]any{"reason": "Rewritten at the practice"}))
		var md5 string
		for _, w := range got["warnings"].([]any) {
			if w := w.(map[string]any); w["rule"] == "MD5" {
				md5 = w["message"].(string)
			}
		}
		if !strings.Contains(md5, "Cancelling prescription "+last["serial"].(string)+" leaves") || !strings.Contains(md5, "Tue 23 Jun 2026") {
			t.Fatalf("MD5 finding = %q in %v", md5, got["warnings"])
		}
		var told []string
		for _, a := range withoutAnswerNotices(e.alertsOf("prescriber", "?kind=shared_care&patient_id="+pid)) {
			told = append(told, a["message"].(string))
		}
		if len(told) != 1 || !strings.Contains(told[0], "cancelled prescription "+last["serial"].(string)) ||
			!strings.Contains(told[0], "Rewritten at the practice") || !strings.Contains(told[0], "Days it leaves without a prescription") {
			t.Fatalf("service told = %v", told)
		}
		// The GP writes its own for those days, and the service cancels it.
		own := e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": last["start_date"], "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+own["id"].(string)+"/cancel", map[string]any{"reason": "Dose to be reviewed"}))
		var practiceTold []string
		for _, a := range e.alertsOf("gp", "?kind=shared_care&patient_id="+pid) {
			if strings.Contains(a["message"].(string), "cancelled prescription") {
				practiceTold = append(practiceTold, a["message"].(string))
			}
		}
		if len(practiceTold) != 1 || !strings.Contains(practiceTold[0], own["serial"].(string)) {
			t.Fatalf("practice told = %v", practiceTold)
		}
		// The service's own, cancelled by the service: nobody else is told.
		svc := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": last["start_date"], "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+svc["id"].(string)+"/cancel", map[string]any{"reason": "Wrong start"}))
		if n := len(withoutAnswerNotices(e.alertsOf("prescriber", "?kind=shared_care&patient_id="+pid))); n != 1 {
			t.Fatalf("service alerts = %d", n)
		}
	})
}

// After a hand-back the practice's prescription still running stays valid
// at the pharmacy, so the GP who signed it may print its original if it
// was never printed: once, and nothing else.
func TestGPPrintsTheOriginalAfterHandBack(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _, sc, rx := e.underSharedCare(651, "2026-11-16", true) // the GP's prescription runs 16 to 29 Nov
		id := rx["id"].(string)
		if rx["original_printed"] != false {
			t.Fatalf("original_printed = %v", rx["original_printed"])
		}
		// The service's print is a copy.
		assertText(t, pdfToText(t, e.must200PDF("prescriber", id)), "COPY — not for dispensing")
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Back to the clinic"}))
		if got := e.must(200, e.do("gp", "GET", "/v1/prescriptions/"+id, nil)); got["original_printed"] != false || got["printed_count"] != 1.0 {
			t.Fatalf("before the GP's print: %v %v", got["original_printed"], got["printed_count"])
		}
		text := pdfToText(t, e.must200PDF("gp", id))
		if strings.Contains(text, "COPY") {
			t.Fatal("the signing GP's first print is stamped COPY")
		}
		if got := e.must(200, e.do("gp", "GET", "/v1/prescriptions/"+id, nil)); got["original_printed"] != true {
			t.Fatalf("original_printed = %v", got["original_printed"])
		}
		// Once only: a second print would be a copy, which the practice no
		// longer prints.
		problemOf(t, e.do("gp", "GET", "/v1/prescriptions/"+id+"/pdf", nil), 403)
		// Nor the service's prescriptions.
		svc := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-30", "days": 7,
			"wording": []int{1, 2, 3}, "issue": true}))
		if r := e.do("gp", "GET", "/v1/prescriptions/"+svc["id"].(string)+"/pdf", nil); r.Status != 404 && r.Status != 403 {
			t.Fatalf("GP prints the service's prescription: %d", r.Status)
		}
	})
}

// A prescription of the practice's that has run out, or whose original
// was printed, is not printed by the GP after a hand-back.
func TestGPPrintsNoFinishedPrescriptionAfterHandBack(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, _, sc, rx := e.underSharedCare(652, "2026-11-16", true)
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Back to the clinic"}))
		e.setClock(c, mustTime("2026-12-01T12:00:00Z"))
		problemOf(t, e.do("gp", "GET", "/v1/prescriptions/"+rx["id"].(string)+"/pdf", nil), 403)
	})
}
