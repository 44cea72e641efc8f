package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/demo"
)

// seedDemo adds the demo patients, with months of history, and returns
// their ids by given name.
func (e *env) seedDemo() map[string]string {
	e.t.Helper()
	res, err := demo.Seed(context.Background(), e.db, e.srv.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range res.Patients {
		out[strings.Fields(p.Name)[0]] = p.ID
	}
	return out
}

// auditCount is the length of the audit trail.
func (e *env) auditCount() int64 {
	e.t.Helper()
	v, err := e.db.VerifyAudit(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return v.Count
}

// secondPractice adds another GP practice with a GP and returns the GP's
// token and the practice id.
func (e *env) secondPractice() (token, practiceID string) {
	e.t.Helper()
	o := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice",
		"name": "St John's Medical Centre", "address": "2 Bromyard Road, Worcester WR2 5BS", "phone": "01905 555 660"}))
	u := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": o["id"], "role": "gp",
		"name": "Dr Ana Ferreira", "registration": "GMC 6011223", "issue_token": true}))
	return u["token"].(string), o["id"].(string)
}

func criteriaOf(t *testing.T, m map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, c := range m["criteria"].([]any) {
		cm := c.(map[string]any)
		out[cm["key"].(string)] = cm
	}
	if len(out) != 4 {
		t.Fatalf("criteria = %v", m["criteria"])
	}
	return out
}

func timelineOf(m map[string]any) []string {
	var out []string
	for _, ev := range m["timeline"].([]any) {
		e := ev.(map[string]any)
		out = append(out, e["kind"].(string)+"/"+e["party"].(string))
	}
	return out
}

func alertKinds(e *env, who string) []string {
	var out []string
	for _, a := range e.must(200, e.do(who, "GET", "/v1/alerts", nil))["items"].([]any) {
		out = append(out, a.(map[string]any)["kind"].(string))
	}
	return out
}

// The "done when" for shared care, end to end: propose, accept,
// GP access and prescribing, a refused dose change, hand back.
func TestSharedCareStory(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		ids := e.seedDemo()
		zoe := ids["Zoë"]

		// Never proposed: the GP cannot see her.
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+zoe, nil), 404)
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil), 404)

		// The prescriber checks first: every criterion met, nothing written.
		before := e.auditCount()
		el := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+zoe+"/shared-care/eligibility", nil))
		if el["eligible"] != true || el["open_shared_care_id"] != nil {
			t.Fatalf("eligibility = %v", el)
		}
		for key, cr := range criteriaOf(t, el) {
			if cr["met"] != true {
				t.Errorf("criterion %s = %v", key, cr)
			}
		}
		if after := e.auditCount(); after != before {
			t.Fatalf("checking eligibility wrote %d audit events", after-before)
		}
		// Only a prescriber checks.
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+zoe+"/shared-care/eligibility", nil), 403)
		problemOf(t, e.do("pharmacist", "GET", "/v1/patients/"+zoe+"/shared-care/eligibility", nil), 403)

		m := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+zoe+"/shared-care", nil))
		scID := m["id"].(string)
		if el := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+zoe+"/shared-care/eligibility", nil)); el["open_shared_care_id"] != scID {
			t.Fatalf("eligibility after proposing = %v", el)
		}
		if m["status"] != "proposed" || m["practice_id"] != e.demo.PracticeID {
			t.Fatalf("proposal = %v", m)
		}
		for key, cr := range criteriaOf(t, m) {
			if cr["met"] != true || cr["overridden"] != false {
				t.Errorf("criterion %s = %v", key, cr)
			}
		}
		if got := timelineOf(m); !slices.Equal(got, []string{"proposed/specialist_service"}) {
			t.Fatalf("timeline = %v", got)
		}
		// One open arrangement per patient.
		problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+zoe+"/shared-care", map[string]any{}), 409)

		// Proposed: the GP sees the record but may not prescribe yet.
		pt := e.must(200, e.do("gp", "GET", "/v1/patients/"+zoe, nil))
		regimeID := pt["active_regime"].(map[string]any)["id"].(string)
		for _, path := range []string{"/v1/patients/" + zoe + "/regimes", "/v1/patients/" + zoe + "/doses",
			"/v1/patients/" + zoe + "/drug-screens", "/v1/prescriptions?patient_id=" + zoe, "/v1/regimes/" + regimeID,
			"/v1/patients/" + zoe + "/shared-care", "/v1/shared-care/" + scID} {
			e.must(200, e.do("gp", "GET", path, nil))
		}
		gpRx := map[string]any{"patient_id": zoe, "start_date": "2026-06-17", "days": 14, "wording": []int{1, 2, 3}, "issue": true}
		p := problemOf(t, e.do("gp", "POST", "/v1/prescriptions", gpRx), 403)
		if !strings.Contains(p["detail"].(string), "SC1") {
			t.Fatalf("refusal = %v", p)
		}
		// Nothing to hand back yet: the service still decides the dose.
		p = problemOf(t, e.do("gp", "POST", "/v1/regimes/"+regimeID+"/dose-changes", map[string]any{"to": 70, "reason": "cravings"}), 403)
		if d := p["detail"].(string); !strings.Contains(d, "only proposed (GET /v1/shared-care/"+scID+")") || strings.Contains(d, "hand-back") {
			t.Fatalf("GP titration refusal under a proposal = %q", d)
		}

		// Only a GP of that practice answers.
		problemOf(t, e.do("prescriber", "POST", "/v1/shared-care/"+scID+"/accept", nil), 403)
		problemOf(t, e.do("pharmacist", "POST", "/v1/shared-care/"+scID+"/accept", nil), 403)
		otherGP, _ := e.secondPractice()
		problemOf(t, e.do(otherGP, "POST", "/v1/shared-care/"+scID+"/accept", nil), 404)
		problemOf(t, e.do(otherGP, "GET", "/v1/patients/"+zoe, nil), 404)
		problemOf(t, e.do(otherGP, "GET", "/v1/shared-care/"+scID, nil), 404)

		m = e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))
		if m["status"] != "accepted" || m["specialist_review_due"] != "2027-06-10" || m["gp_review_due"] != "2026-09-10" {
			t.Fatalf("accepted = %v", m)
		}
		if got := timelineOf(m); !slices.Equal(got, []string{"proposed/specialist_service", "accepted/gp_practice"}) {
			t.Fatalf("timeline = %v", got)
		}
		// A second answer is refused in plain words, with the arrangement.
		for _, tt := range []struct {
			path string
			body map[string]any
			want string
		}{
			{"accept", nil, "shared care is already accepted"},
			{"decline", map[string]any{"reason": "late"}, "shared care is already accepted, so it can no longer be declined; hand it back to end it"},
		} {
			p := problemOf(t, e.do("gp", "POST", "/v1/shared-care/"+scID+"/"+tt.path, tt.body), 409)
			existing, _ := p["existing"].(map[string]any)
			if p["detail"] != tt.want || existing["id"] != scID || existing["status"] != "accepted" {
				t.Fatalf("%s again: detail %q, existing %v; want %q", tt.path, p["detail"], existing, tt.want)
			}
		}

		// Accepted: the GP prescribes at the current dose, never titrates.
		rx := e.must(201, e.do("gp", "POST", "/v1/prescriptions", gpRx))
		if rx["status"] != "issued" || rx["daily_dose"].(float64) != 60 || rx["total"].(float64) != 60*14 {
			t.Fatalf("GP prescription = %v %v %v", rx["status"], rx["daily_dose"], rx["total"])
		}
		p = problemOf(t, e.do("gp", "POST", "/v1/regimes/"+regimeID+"/dose-changes", map[string]any{"to": 70, "reason": "cravings"}), 403)
		if !strings.Contains(p["detail"].(string), "SC1") || !strings.Contains(p["detail"].(string), "hand") {
			t.Fatalf("GP titration refusal = %v", p["detail"])
		}
		// The rule is named the way every rule is, with what to do instead.
		if rules, _ := p["rules"].([]any); len(rules) != 1 || rules[0].(map[string]any)["rule"] != "SC1" ||
			rules[0].(map[string]any)["severity"] != "block" || !strings.Contains(rules[0].(map[string]any)["action"].(string), "Hand prescribing back") {
			t.Fatalf("GP titration refusal rules = %v", p["rules"])
		}
		// It says where to hand back: this arrangement, not a template.
		handBack := "POST /v1/shared-care/" + scID + "/hand-back"
		for _, refusal := range []map[string]any{p,
			problemOf(t, e.do("gp", "POST", "/v1/regimes/"+regimeID+"/end", map[string]any{"reason": "stopping"}), 403)} {
			action := refusal["rules"].([]any)[0].(map[string]any)["action"].(string)
			if detail := refusal["detail"].(string); !strings.Contains(detail, handBack) || !strings.Contains(action, handBack) ||
				strings.Contains(detail, "{") {
				t.Fatalf("GP refusal does not name the arrangement to hand back: %q (action %q)", detail, action)
			}
		}
		// The GP who wrote it signs it, so the GP prints the original; the
		// service's prescriber, printing first, gets a COPY.
		assertText(t, pdfToText(t, e.must200PDF("prescriber", rx["id"].(string))), "COPY — not for dispensing", "Dr Owen Price")
		text := pdfToText(t, e.must200PDF("gp", rx["id"].(string)))
		assertText(t, text, "Dr Owen Price", "GMC 6098765", rx["serial"].(string))
		// The prescriber's address is the practice's (L1), not the service's.
		assertText(t, text, "Dr Owen Price GP (shared care) — GMC 6098765 Abbey Road Surgery 1 Abbey Road Worcester WR2 5BX Tel 01905 555 440")
		if strings.Contains(text, "Riverside Community Drug Service") || strings.Contains(text, "12 Quay Street") {
			t.Fatalf("the GP's prescription prints the specialist service as the prescriber's address: %s", text)
		}
		if strings.Contains(text, "COPY") {
			t.Fatal("the GP's own first print is stamped COPY")
		}
		assertText(t, pdfToText(t, e.must200PDF("gp", rx["id"].(string))), "COPY — not for dispensing")
		sum := e.do("gp", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil)
		if sum.Status != 200 {
			t.Fatalf("GP summary: %d %s", sum.Status, sum.Body)
		}
		accepted := pdfToText(t, sum.Body)
		assertText(t, accepted, "Status: Accepted", "10 Jun 2027", "10 Sep 2026",
			"Prescribing passed to the practice under shared care on 10 Jun 2026.")
		if strings.Contains(accepted, "propose") {
			t.Fatal("the accepted letter still proposes")
		}

		// Either side hands back, with a reason; the service is alerted.
		problemOf(t, e.do("gp", "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "  "}), 422)
		problemOf(t, e.do("pharmacist", "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "x"}), 403)
		m = e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/hand-back",
			map[string]any{"reason": "Relapse to heroin use reported at review"}))
		tl := m["timeline"].([]any)
		last := tl[len(tl)-1].(map[string]any)
		if m["status"] != "handed_back" || last["party"] != "gp_practice" || last["reason"] != "Relapse to heroin use reported at review" ||
			last["user_name"] != "Dr Owen Price" || last["occurred_at"] == "" {
			t.Fatalf("handed back = %v", m)
		}
		if !slices.Contains(alertKinds(e, "prescriber"), "shared_care") {
			t.Fatal("no shared_care alert for the service")
		}
		// The service's letter now says shared care has ended.
		sum = e.do("prescriber", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil)
		if sum.Status != 200 {
			t.Fatalf("summary after hand-back: %d %s", sum.Status, sum.Body)
		}
		ended := pdfToText(t, sum.Body)
		assertText(t, ended, "Status: Handed back", "Shared care ended on 10 Jun 2026: the practice handed prescribing back to the "+
			"specialist service (reason given: Relapse to heroin use reported at review).")
		if strings.Contains(ended, "Prescribing passed") || strings.Contains(ended, "dated when the practice accepts") ||
			strings.Contains(ended, "Prescribes at the current dose") || strings.Contains(ended, "Handing prescribing back") {
			t.Fatal("the letter after hand-back reads as if shared care went on")
		}
		assertText(t, ended, "Prescribes, and decides the dose and supervision", "does not prescribe the opioid substitution treatment")
		// Handed back: the GP no longer sees her, nor prescribes.
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+zoe, nil), 404)
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil), 404)
		problemOf(t, e.do("gp", "POST", "/v1/prescriptions", gpRx), 404)
		// The practice still sees the prescription its GP signed, though not
		// the patient, and may no longer print or cancel it.
		rxPath := "/v1/prescriptions/" + rx["id"].(string)
		e.must(200, e.do("gp", "GET", rxPath, nil))
		if items := e.must(200, e.do("gp", "GET", "/v1/prescriptions", nil))["items"].([]any); len(items) != 1 ||
			items[0].(map[string]any)["id"] != rx["id"] {
			t.Fatalf("the practice's prescriptions after hand-back: %v", items)
		}
		problemOf(t, e.do("gp", "GET", rxPath+"/pdf", nil), 403)
		problemOf(t, e.do("gp", "POST", rxPath+"/cancel", map[string]any{"reason": "tidy"}), 403)
		// The service still sees the whole timeline.
		list := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+zoe+"/shared-care", nil))["items"].([]any)
		if len(list) != 1 || len(timelineOf(list[0].(map[string]any))) != 3 {
			t.Fatalf("list = %v", list)
		}
		actions := auditActions(e, scID)
		for _, a := range []string{"shared_care.propose", "shared_care.accept", "shared_care.hand_back"} {
			if !slices.Contains(actions, a) {
				t.Errorf("audit %v lacks %s", actions, a)
			}
		}
		// A new proposal is possible once the last is closed.
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+zoe+"/shared-care", nil))
	})
}

// Unmet SC3 criteria stop a proposal unless each has an override reason;
// overrides are recorded and audited; a GP declines with a reason.
func TestSharedCareCriteriaAndDecline(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-11T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		ids := e.seedDemo()
		// Kerry missed Monday to Wednesday (MD1) and screens positive for opiates.
		kerry := ids["Kerry"]
		path := "/v1/patients/" + kerry + "/shared-care"

		p := problemOf(t, e.do("prescriber", "POST", path, nil), 422)
		if !slices.Contains(rulesOf(p), "SC3") || !strings.Contains(p["detail"].(string), "SC3") {
			t.Fatalf("problem does not name SC3: %v", p)
		}
		var failed []string
		for _, r := range p["rules"].([]any) {
			msg := r.(map[string]any)["message"].(string)
			failed = append(failed, msg[:strings.Index(msg, ":")])
		}
		for _, key := range []string{"stable_dose", "no_missed_dose_block", "negative_screen"} {
			if !slices.Contains(failed, key) {
				t.Errorf("failed criteria %v lack %s", failed, key)
			}
		}
		// The answer lists every criterion, met or failed, not only those
		// that stopped it; the eligibility check, which writes nothing,
		// gives the same judgement.
		crit := criteriaOf(t, p)
		el := e.must(200, e.do("prescriber", "GET", path+"/eligibility", nil))
		elCrit := criteriaOf(t, el)
		if el["eligible"] != false || el["patient_id"] != kerry || el["date"] != "2026-06-11" || el["open_shared_care_id"] != nil {
			t.Fatalf("eligibility = %v", el)
		}
		for key, cr := range crit {
			wantMet := !slices.Contains(failed, key)
			if cr["met"] != wantMet || cr["overridden"] != false || cr["detail"] == "" || cr["description"] == "" || cr["rule"] != "SC3" {
				t.Errorf("problem criterion %s = %v", key, cr)
			}
			if elCrit[key]["met"] != cr["met"] || elCrit[key]["detail"] != cr["detail"] {
				t.Errorf("eligibility criterion %s = %v, problem's = %v", key, elCrit[key], cr)
			}
		}
		// Overriding one criterion is not enough.
		p = problemOf(t, e.do("prescriber", "POST", path, map[string]any{"overrides": []map[string]any{
			{"rule": "negative_screen", "reason": "Lapse discussed; agreed plan"}}}), 422)
		if len(p["rules"].([]any)) != len(failed)-1 {
			t.Fatalf("rules after one override = %v", rulesOf(p))
		}
		if cr := criteriaOf(t, p)["negative_screen"]; cr["met"] != false || cr["overridden"] != true ||
			cr["override_reason"] != "Lapse discussed; agreed plan" {
			t.Fatalf("overridden criterion in the problem = %v", cr)
		}
		p = problemOf(t, e.do("prescriber", "POST", path, map[string]any{"overrides": []map[string]any{
			{"rule": "M2", "reason": "x"}, {"rule": "SC3", "reason": ""}}}), 422)
		if f := fieldsOf(p); !slices.Contains(f, "overrides[0].rule") || !slices.Contains(f, "overrides[1].reason") {
			t.Fatalf("fields = %v", f)
		}
		problemOf(t, e.do("prescriber", "POST", path, map[string]any{"practice_id": e.demo.PharmacyID,
			"overrides": []map[string]any{{"rule": "SC3", "reason": "x"}}}), 422)
		if n := len(e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)); n != 0 {
			t.Fatalf("a refused proposal wrote %d arrangements", n)
		}

		// SC3 overrides every unmet criterion, so it does not go with a
		// criterion's own key (each criterion takes one reason): a reason
		// of its own for one criterion means a key for each.
		overrides := []map[string]any{{"rule": "negative_screen", "reason": "Lapse discussed; agreed plan"}}
		for _, key := range failed {
			if key != "negative_screen" {
				overrides = append(overrides, map[string]any{"rule": key, "reason": "GP knows her well and asked to take over; MDT agreed"})
			}
		}
		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"overrides": overrides}))
		crit = criteriaOf(t, m)
		if crit["negative_screen"]["override_reason"] != "Lapse discussed; agreed plan" ||
			crit["stable_dose"]["override_reason"] != "GP knows her well and asked to take over; MDT agreed" {
			t.Fatalf("criteria = %v", crit)
		}
		if ov := m["overrides"].([]any); len(ov) != len(failed) || ov[0].(map[string]any)["rule"] != "SC3" ||
			ov[0].(map[string]any)["entity_type"] != "shared_care" {
			t.Fatalf("overrides = %v", m["overrides"])
		}
		scID := m["id"].(string)
		if actions := auditActions(e, scID); !slices.Contains(actions, "rule.override") || !slices.Contains(actions, "shared_care.propose") {
			t.Fatalf("audit = %v", actions)
		}

		// The GP declines, with a reason; the service is alerted.
		problemOf(t, e.do("gp", "POST", "/v1/shared-care/"+scID+"/decline", map[string]any{}), 422)
		if p := problemOf(t, e.do("gp", "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "not ours yet"}), 409); p["detail"] !=
			"shared care is only proposed; the practice declines a proposal rather than handing it back" {
			t.Fatalf("GP hand-back of a proposal: %v", p["detail"])
		}
		m = e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/decline",
			map[string]any{"reason": "Not stable enough: missed doses this week"}))
		if m["status"] != "declined" || !slices.Equal(timelineOf(m), []string{"proposed/specialist_service", "declined/gp_practice"}) {
			t.Fatalf("declined = %v", m)
		}
		if !slices.Contains(alertKinds(e, "prescriber"), "shared_care") {
			t.Fatal("no shared_care alert for the service")
		}
		if !slices.Contains(auditActions(e, scID), "shared_care.decline") {
			t.Fatal("decline not audited")
		}
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+kerry, nil), 404)
		letter := func() string {
			r := e.do("prescriber", "GET", "/v1/patients/"+kerry+"/shared-care-summary.pdf", nil)
			if r.Status != 200 {
				t.Fatalf("summary: %d %s", r.Status, r.Body)
			}
			return pdfToText(t, r.Body)
		}
		declined := letter()
		assertText(t, declined, "Status: Declined", "The practice declined shared care on 11 Jun 2026 "+
			"(reason given: Not stable enough: missed doses this week). Prescribing stays with the specialist service",
			"does not prescribe the opioid substitution treatment")
		if strings.Contains(declined, "Prescribes at the current dose") {
			t.Fatal("the declined letter has the GP prescribing")
		}

		// The service withdraws a proposal by handing it back.
		m = e.must(201, e.do("prescriber", "POST", path, map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))
		m = e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+m["id"].(string)+"/hand-back", map[string]any{"reason": "Withdrawn after MDT"}))
		if tl := timelineOf(m); m["status"] != "handed_back" || tl[len(tl)-1] != "handed_back/specialist_service" {
			t.Fatalf("withdrawn = %v", m)
		}
		assertText(t, letter(), "Status: Withdrawn", "The specialist service withdrew its proposal of shared care on 11 Jun 2026 "+
			"(reason given: Withdrawn after MDT).")
	})
}

// A GP sees only patients whose shared care was proposed to or accepted by
// their practice, and a pharmacist only patients dispensed at their
// pharmacy: every read of anyone else is not found (or forbidden by role).
func TestSharedCareAccessDenied(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(40, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2026-06-10", "days": 7, "wording": []int{1, 3}, "issue": true}))
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{
			"overrides": []map[string]any{{"rule": "SC3", "reason": "test"}}}))
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc["id"].(string)+"/hand-back", map[string]any{"reason": "withdrawn"}))
		otherGP, _ := e.secondPractice()
		rid, rxID, scID := r["id"].(string), rx["id"].(string), sc["id"].(string)

		reads := []struct {
			path string
			perm auth.Permission
		}{
			{"/v1/patients/" + pid, auth.PermPatientsRead},
			{"/v1/patients/" + pid + "/regimes", auth.PermPatientsRead},
			{"/v1/patients/" + pid + "/drug-screens", auth.PermPatientsRead},
			{"/v1/patients/" + pid + "/doses", auth.PermDosesRead},
			{"/v1/patients/" + pid + "/shared-care", auth.PermSharedRead},
			{"/v1/patients/" + pid + "/shared-care-summary.pdf", auth.PermSharedRead},
			{"/v1/shared-care/" + scID, auth.PermSharedRead},
			{"/v1/regimes/" + rid, auth.PermPatientsRead},
			{"/v1/regimes/" + rid + "/dose-changes", auth.PermPatientsRead},
			{"/v1/regimes/" + rid + "/administrations", auth.PermPatientsRead},
			{"/v1/prescriptions/" + rxID, auth.PermPrescRead},
			{"/v1/prescriptions/" + rxID + "/pdf", auth.PermPrescRead},
			{"/v1/prescriptions/" + rxID + "/balance", auth.PermPrescRead},
		}
		users := []struct {
			who  string
			role auth.Role
		}{{"gp", auth.GP}, {otherGP, auth.GP}, {"pharmacist_2", auth.Pharmacist}}
		for _, u := range users {
			for _, rd := range reads {
				want := http.StatusNotFound
				if !u.role.Can(rd.perm) {
					want = http.StatusForbidden
				}
				got := e.do(u.who, "GET", rd.path, nil)
				if got.Status != want {
					t.Errorf("%s GET %s: %d, want %d: %s", u.role, rd.path, got.Status, want, got.Body)
				}
			}
			for _, path := range []string{"/v1/patients", "/v1/prescriptions", "/v1/prescriptions?patient_id=" + pid} {
				if n := len(e.must(200, e.do(u.who, "GET", path, nil))["items"].([]any)); n != 0 {
					t.Errorf("%s lists %d items at %s", u.role, n, path)
				}
			}
		}
		// Writes on someone else's arrangement are not found either; the
		// practice that was party to the withdrawn one is told it is closed.
		if p := problemOf(t, e.do("gp", "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "x"}), 409); p["detail"] !=
			"shared care is already handed back" || p["existing"] != nil {
			t.Errorf("the practice's hand-back of a withdrawn proposal: %v", p)
		}
		problemOf(t, e.do(otherGP, "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "x"}), 404)
		problemOf(t, e.do("gp", "POST", "/v1/shared-care/00000000-0000-7000-8000-000000000000/accept", nil), 404)
		problemOf(t, e.do("gp", "POST", "/v1/patients/"+pid+"/shared-care", nil), 403)
	})
}
