package httpapi

import (
	"strings"
	"testing"
)

// S6 asks the service whether supervision is still needed: only the
// service changes the pickup pattern (SC1), and the practice neither sees
// the alert nor may act on it, so a GP's review under accepted shared care
// leaves it open; the service's review answers it.
func TestGPReviewLeavesTheSupervisionReviewOpen(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(501, nil)
		e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8, "start_date": "2026-02-09",
			"last_short_acting_opioid_at": "2026-02-08T20:00:00Z"})
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.closeAll(c, "2026-02-16")
		open := func() int { return len(e.alertsOf("prescriber", "?kind=supervision_review_due&patient_id="+pid)) }
		if open() != 1 {
			t.Fatalf("S6 alerts = %d, want 1", open())
		}
		e.must(201, e.do("gp", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "Seen at the practice"}))
		if open() != 1 || e.resolvedAlert("prescriber", pid, "supervision_review_due") != nil {
			t.Fatal("the GP's review answered the service's supervision review (S6)")
		}
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "stay supervised"}))
		if open() != 0 || e.resolvedAlert("prescriber", pid, "supervision_review_due") == nil {
			t.Fatal("the service's review did not answer S6")
		}
	})
}

// After the service ends the regime under accepted shared care, the
// letter says the treatment ended, when and why, and that nobody gives or
// prescribes it now: no "from now on", no change planned after the end,
// and nobody's duty to give the injections.
func TestLetterAfterTheBuvidalRegimeEnded(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-10-07T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.buvidalOnTime(c, 511, "2026-10-07", "2026-11-25", "2026-11-25")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.setClock(c, mustTime("2026-12-02T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 32,
			"effective_date": "2026-12-09", "reason": "Cravings late in the week"}))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "Moved out of the area"}))
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Status: Handed back",
			"the specialist service ended the treatment on 2 Dec 2026 (reason given: Moved out of the area)",
			"Nobody gives the injections now")
		assertNoText(t, text, "from now on", "Planned dose changes", "(planned)", "32 mg", "Gives each injection", "gives each injection",
			"takes the injections back", "Next injection")
	})
}

// The same for methadone, where the end cancelled the prescription that
// covered the day it ended: the letter gives the last day prescribed, the
// end, not the end of the last prescription left uncancelled.
func TestLetterAfterTheMethadoneRegimeEnded(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-16T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, _, _ := e.underSharedCare(512, "2026-11-16", true) // the GP's prescription runs 16 to 29 Nov
		e.attended(c, "pharmacist", pid, "2026-11-16", "2026-11-27")
		e.setClock(c, mustTime("2026-11-27T12:00:00Z"))
		e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-30", "days": 10,
			"wording": []int{1, 2, 3}, "issue": true}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35,
			"effective_date": "2026-12-10", "reason": "Cravings"}))
		e.attended(c, "pharmacist", pid, "2026-11-27", "2026-12-02")
		e.setClock(c, mustTime("2026-12-02T12:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "Transferred to HMP Hewell"}))
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "the specialist service ended the treatment on 2 Dec 2026 (reason given: Transferred to HMP Hewell)",
			"Nobody prescribes it now", "Last day prescribed", "2 Dec 2026")
		assertNoText(t, text, "from now on", "Planned dose changes", "(planned)", "35 mg", "Current prescription ends", "29 Nov 2026",
			"Prescribes at the current dose", "Prescribes, and decides", "Dispenses the instalments")
	})
}

// Under shared care the practice gives Buvidal and writes no prescription
// for it (ADR 0009): the notices of a hand-back, either way, and of the
// service's dose change speak of giving the injections, with the next one's
// due date, never of prescriptions.
func TestBuvidalSharedCareNoticesSpeakOfInjections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		message := func(who, pid, kind string) string {
			t.Helper()
			return onlyAlert(e, who, pid, kind)["message"].(string)
		}
		// Injections every Monday to 6 Apr: the next is due on 13 Apr.
		pid, rid := e.buvidalOnTime(c, 521, "2026-01-05", "2026-04-06", "2026-04-08")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 32,
			"effective_date": "2026-04-13", "reason": "Cravings late in the week"}))
		msg := message("gp", pid, "regime_changed")
		assertContains(t, "the practice's notice of the dose change", msg, "changed the dose to 32 mg from 2026-04-13",
			"Give each injection at the dose in force on the day it is given; the next is due on 2026-04-13.")
		assertNoText(t, msg, "rescri")

		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Nurse on leave"}))
		msg = message("prescriber", pid, "shared_care")
		assertContains(t, "the service's notice of the practice's hand-back", msg,
			"The GP practice handed the injections back to the service (Nurse on leave). The service gives the next injection, due on 2026-04-13.")
		assertNoText(t, msg, "rescri")

		other, _ := e.buvidalOnTime(c, 522, "2026-01-05", "2026-04-06", "2026-04-08")
		sc = e.must(201, e.do("prescriber", "POST", "/v1/patients/"+other+"/shared-care", nil))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "Pregnancy"}))
		msg = message("gp", other, "shared_care")
		assertContains(t, "the practice's notice of the service's hand-back", msg,
			"took the injections back from the practice (reason given: Pregnancy)",
			"The practice stops giving the injections; the service gives the next one, due on 2026-04-13.")
		assertNoText(t, msg, "rescri")
	})
}

// An MD1 block already standing when the practice accepts shared care is
// the practice's to lift from then on (it may review): its alert reaches
// the practice, which otherwise never hears of it, since day close raises
// none while one is open. Other alerts raised before acceptance stay the
// service's, as does an MD1 alert resolved before it; another practice
// sees nothing.
func TestMD1BlockStandingAtAcceptanceReachesThePractice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(531, "2026-03-02")
		e.closeDays(c, "2026-03-02", "2026-03-03", "2026-03-04")
		c.Set(mustTime("2026-03-05T09:00:00Z"))
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 1 {
			t.Fatalf("MD1 alerts before acceptance = %v", got)
		}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "GP agreed"}}}))["id"].(string)
		if got := withoutAnswerNotices(e.alertsOf("gp", "?open=false")); len(got) != 0 {
			t.Fatalf("the practice sees alerts of a proposal beside its notice: %v", got)
		}
		c.Set(mustTime("2026-03-05T10:00:00Z"))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		if got := alertKindsOf(e.alertsOf("gp", "")); len(got) != 1 || got[0] != "md1_block" {
			t.Fatalf("the practice's alerts after accepting with a block standing = %v, want the MD1 block only", got)
		}
		otherGP, _ := e.secondPractice()
		if got := e.alertsOf(otherGP, "?open=false"); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}
		// The practice lifts the block; the alert stays in its list, resolved.
		e.must(201, e.do("gp", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses", "notes": "Seen: resume"}))
		if a := e.resolvedAlert("gp", pid, "md1_block"); a == nil {
			t.Fatal("the practice lost sight of the MD1 alert it resolved")
		}

		// A block lifted before acceptance stays the service's.
		other, _ := e.dispensed(532, "2026-03-05")
		e.closeDays(c, "2026-03-05", "2026-03-06", "2026-03-07")
		c.Set(mustTime("2026-03-08T09:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+other+"/reviews", map[string]any{"kind": "missed_doses", "notes": "resume"}))
		sc = e.must(201, e.do("prescriber", "POST", "/v1/patients/"+other+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "GP agreed"}}}))["id"].(string)
		c.Set(mustTime("2026-03-08T10:00:00Z"))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		if got := withoutAnswerNotices(e.alertsOf("gp", "?open=false&patient_id="+other)); len(got) != 0 {
			t.Fatalf("the practice sees alerts settled before it accepted: %v", got)
		}
	})
}

// Under accepted shared care a GP cancels only what the practice signed: a
// live prescription the service signed is the service's, and cancelling it
// would leave its days without a valid prescription and the service
// unaware. The refusal (409: the GP may cancel, but not this one) names SC1
// and says what to do, and writes nothing.
func TestGPCancelsOnlyThePracticesPrescriptions(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid, _, _, gpRx := e.underSharedCare(541, "2026-06-10", true) // the GP's runs 10 to 23 Jun
		svcRx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-06-24",
			"days": 14, "wording": []int{1, 2, 3}, "issue": true}))
		before := e.auditCount()
		p := problemOf(t, e.do("gp", "POST", "/v1/prescriptions/"+svcRx["id"].(string)+"/cancel", map[string]any{"reason": "Not needed"}), 409)
		if rules := rulesOf(p); len(rules) != 1 || rules[0] != "SC1" {
			t.Fatalf("rules = %v: %v", rules, p)
		}
		assertContains(t, "the refusal", p["detail"].(string), svcRx["serial"].(string), "signed by the specialist service",
			"Ask the service to cancel it")
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+svcRx["id"].(string), nil))["status"]; got != "issued" {
			t.Fatalf("the service's prescription after the refusal = %v", got)
		}
		if after := e.auditCount(); after != before {
			t.Fatalf("a refused cancellation wrote %d audit events", after-before)
		}
		// The practice's own it may cancel, and the service may cancel either.
		e.must(200, e.do("gp", "POST", "/v1/prescriptions/"+gpRx["id"].(string)+"/cancel", map[string]any{"reason": "Written in error"}))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+svcRx["id"].(string)+"/cancel", map[string]any{"reason": "Replaced"}))
	})
}

// A dose change planned for later makes the dose not stable (SC3), and the
// eligibility says so in words, not as a change "-10 days ago".
func TestEligibilityWithAPlannedDoseChange(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(551, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-12-02"})["id"].(string)
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35,
			"effective_date": "2026-12-12", "reason": "Cravings"}))
		st := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))["stable_dose"]
		if st["met"] != false || st["detail"] != "A dose change is planned for 2026-12-12 (in 10 days): the dose is stable once it has held for 12 weeks, on 2027-03-06." {
			t.Fatalf("stable_dose = %v", st)
		}
	})
}

// A closed arrangement has no review falling due: its review dates are
// null, as before acceptance, whoever handed back.
func TestClosedArrangementHasNoReviewDates(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		for i, who := range []string{"prescriber", "gp"} {
			_, _, scID, _ := e.underSharedCare(561+i, "2026-06-10", true)
			open := e.must(200, e.do(who, "GET", "/v1/shared-care/"+scID, nil))
			if open["specialist_review_due"] == nil || open["gp_review_due"] == nil {
				t.Fatalf("accepted arrangement without review dates: %v", open)
			}
			back := e.must(200, e.do(who, "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "Relapse"}))
			got := e.must(200, e.do("prescriber", "GET", "/v1/shared-care/"+scID, nil))
			for _, m := range []map[string]any{back, got} {
				if m["specialist_review_due"] != nil || m["gp_review_due"] != nil {
					t.Errorf("handed back by %s: review dates %v, %v, want null", who, m["specialist_review_due"], m["gp_review_due"])
				}
			}
		}
	})
}

// An override names each criterion once: two reasons for one criterion,
// by its key twice or by SC3 (every unmet criterion) and its key, would
// leave one of them silently unrecorded.
func TestProposalRefusesAnOverrideGivenTwice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(571, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-06-10"})
		for _, tt := range []struct {
			name       string
			rules      []string
			field, say string
		}{
			{"one key twice", []string{"stable_dose", "stable_dose"}, "overrides[1].rule", "stable_dose is already overridden at overrides[0]"},
			{"SC3, then a key", []string{"SC3", "stable_dose"}, "overrides[1].rule", "stable_dose is already overridden by SC3 at overrides[0]"},
			{"a key, then SC3", []string{"negative_screen", "stable_dose", "SC3"}, "overrides[2].rule",
				"SC3 overrides every unmet criterion, and negative_screen is already overridden at overrides[0]"},
		} {
			before := e.auditCount()
			var overrides []map[string]any
			for _, r := range tt.rules {
				overrides = append(overrides, map[string]any{"rule": r, "reason": "MDT agreed"})
			}
			p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{"overrides": overrides}), 422)
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != tt.field || errs[0].(map[string]any)["rule"] != "unique" ||
				!strings.Contains(errs[0].(map[string]any)["message"].(string), tt.say) {
				t.Fatalf("%s: errors = %v", tt.name, errs)
			}
			if after := e.auditCount(); after != before {
				t.Fatalf("%s: a refused proposal wrote %d audit events", tt.name, after-before)
			}
		}
	})
}

// An override of a criterion that is met is not recorded, as for any rule
// that did not fire, and the answer says so rather than dropping it
// silently.
func TestProposalSaysAnOverrideWasNotNeeded(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		for i, tt := range []struct {
			rule, say string
		}{
			{"SC3", "Every shared care criterion is met: the SC3 override was not needed and is not recorded."},
			{"adherence", "adherence: "},
		} {
			pid, _ := e.buvidalOnTime(c, 573+i, "2026-01-05", "2026-04-06", "2026-04-08")
			sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{"overrides": []map[string]any{
				{"rule": tt.rule, "reason": "MDT agreed"}}}))
			ws, _ := sc["warnings"].([]any)
			if len(ws) != 1 {
				t.Fatalf("%s: warnings = %v", tt.rule, sc["warnings"])
			}
			w := ws[0].(map[string]any)
			if w["rule"] != "SC3" || w["severity"] != "info" || !strings.HasPrefix(w["message"].(string), tt.say) ||
				!strings.HasSuffix(w["message"].(string), "not needed and is not recorded.") {
				t.Fatalf("%s: warning = %v", tt.rule, w)
			}
			if ovs := sc["overrides"].([]any); len(ovs) != 0 {
				t.Fatalf("%s: overrides recorded %v", tt.rule, ovs)
			}
			e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc["id"].(string)+"/hand-back", map[string]any{"reason": "test done"}))
		}
	})
}

// A refusal lists an override sent for a criterion that is met as an info
// finding beside the unmet criteria, as a dose change's refusal does for
// any override that does not apply, so the prescriber is not left to think
// a reason was filed.
func TestRefusedProposalSaysAnOverrideWasNotNeeded(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-11T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		kerry := e.seedDemo()["Kerry"]
		path := "/v1/patients/" + kerry + "/shared-care"
		met := ""
		for key, cr := range criteriaOf(t, problemOf(t, e.do("prescriber", "POST", path, nil), 422)) {
			if cr["met"] == true {
				met = key
			}
		}
		if met == "" {
			t.Fatal("Kerry meets no criterion to override needlessly")
		}
		p := problemOf(t, e.do("prescriber", "POST", path, map[string]any{"overrides": []map[string]any{
			{"rule": met, "reason": "MDT agreed"}}}), 422)
		var said bool
		for _, r := range p["rules"].([]any) {
			f := r.(map[string]any)
			if f["severity"] == "info" {
				said = f["rule"] == "SC3" && strings.HasPrefix(f["message"].(string), met+": ") &&
					strings.HasSuffix(f["message"].(string), "not needed and is not recorded.")
			}
		}
		if !said {
			t.Fatalf("the refusal does not say the %s override was not needed: %v", met, p["rules"])
		}
	})
}

// A change for today replaces one already in force today (it steps from
// the dose before today): the history marks the replaced entry with the
// entry that superseded it, who, when and why, as T1 marks a withdrawn one;
// the letter leaves it out of its dose changes, and does not call the
// maintenance dose stable on the day it changed.
func TestSameDayDoseChangesMarkTheSupersededOne(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-07-30T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(581, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "stage": "maintenance",
			"start_date": "2026-07-30", "overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at this dose"}}})["id"].(string)
		e.setClock(c, mustTime("2026-12-02T12:00:00Z"))
		first := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 55.5,
			"effective_date": "2026-12-02", "reason": "Drowsy in the mornings"}))["dose_change"].(map[string]any)
		second := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 55,
			"effective_date": "2026-12-02", "reason": "Round to whole ml"}))["dose_change"].(map[string]any)
		if second["from"] != float64(60) {
			t.Fatalf("the superseding change steps from %v, want 60", second["from"])
		}
		items := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid+"/dose-changes", nil))["items"].([]any)
		byID := map[string]map[string]any{}
		for _, it := range items {
			byID[it.(map[string]any)["id"].(string)] = it.(map[string]any)
		}
		by, _ := byID[first["id"].(string)]["superseded_by"].(map[string]any)
		if by == nil || by["dose_change_id"] != second["id"] || by["reason"] != "Round to whole ml" || by["prescriber_id"] != second["prescriber_id"] {
			t.Fatalf("the replaced entry = %v", byID[first["id"].(string)])
		}
		if byID[second["id"].(string)]["superseded_by"] != nil || byID[first["id"].(string)]["withdrawn"] != nil {
			t.Fatalf("entries = %v", items)
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil)); got["current_dose"] != float64(55) {
			t.Fatalf("current dose = %v", got["current_dose"])
		}
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Round to whole ml", "Maintenance since 30 Jul 2026: the dose was last adjusted on 2 Dec 2026.")
		assertNoText(t, text, "55.5", "Drowsy in the mornings", "a stable dose")
	})
}

// A GP's review before the supervision review falls due does not stop S6
// being raised: only the service decides whether supervision goes on (SC1).
func TestGPReviewDoesNotForestallTheSupervisionReview(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(502, nil)
		e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8, "start_date": "2026-02-09",
			"last_short_acting_opioid_at": "2026-02-08T20:00:00Z"})
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "MDT agreed"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.setClock(c, mustTime("2026-02-16T10:00:00Z"))
		e.must(201, e.do("gp", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "Seen at the practice"}))
		e.closeAll(c, "2026-02-16")
		if n := len(e.alertsOf("prescriber", "?kind=supervision_review_due&patient_id="+pid)); n != 1 {
			t.Fatalf("S6 alerts = %d, want 1: the GP's review stopped the service's supervision review", n)
		}
	})
}

// Any list of overrides takes one reason per rule: a dose change giving two
// for M2 is refused, not saved with the last one only.
func TestDoseChangeRefusesAnOverrideGivenTwice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(572, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-06-10"})["id"].(string)
		before := e.auditCount()
		p := problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 50, "reason": "cravings",
			"overrides": []map[string]any{{"rule": "M2", "reason": "a"}, {"rule": "M2", "reason": "b"}}}), 422)
		errs, _ := p["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != "overrides[1].rule" || errs[0].(map[string]any)["rule"] != "unique" {
			t.Fatalf("errors = %v", errs)
		}
		if after := e.auditCount(); after != before {
			t.Fatalf("a refused dose change wrote %d audit events", after-before)
		}
	})
}
