package httpapi

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/demo"
)

// Shared helpers for the prescribing tests below.

func findingRules(m map[string]any, key string) []string {
	var out []string
	list, _ := m[key].([]any)
	for _, w := range list {
		out = append(out, w.(map[string]any)["rule"].(string))
	}
	return out
}

func dosesDue(e *env, day, patientID string) []map[string]any {
	e.t.Helper()
	list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses?date="+day, nil))
	var out []map[string]any
	for _, it := range list["items"].([]any) {
		if m := it.(map[string]any); m["patient_id"] == patientID {
			out = append(out, m)
		}
	}
	return out
}

var weekendCollectedSaturday = map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised",
	"thursday": "supervised", "friday": "supervised", "saturday": "take_home", "sunday": "earlier"}

// Two issued prescriptions may not cover one day: the second is refused
// naming the first, drafts may overlap, and issuing one checks again.
func TestOverlappingPrescriptionsRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(101, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		body := map[string]any{"patient_id": pid, "start_date": "2026-11-23", "days": 14, "wording": []int{1, 3}, "issue": true}
		first := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", body))
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", body), 409)
		detail := p["detail"].(string)
		if !strings.Contains(detail, first["serial"].(string)) || !strings.Contains(detail, "cancel it first") {
			t.Fatalf("refusal does not name %s and what to do: %s", first["serial"], detail)
		}
		if p["existing"].(map[string]any)["id"] != first["id"] {
			t.Fatalf("existing = %v", p["existing"])
		}
		if n := len(dosesDue(e, "2026-11-25", pid)); n != 1 {
			t.Fatalf("%d lines on the day list for one patient", n)
		}
		// A draft may overlap; issuing it is refused until the first is cancelled.
		body["issue"], body["start_date"] = false, "2026-12-01"
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", body))
		issue := "/v1/prescriptions/" + draft["id"].(string) + "/issue"
		p = problemOf(t, e.do("prescriber", "POST", issue, nil), 409)
		if !strings.Contains(p["detail"].(string), first["serial"].(string)) {
			t.Fatalf("issue refusal = %v", p["detail"])
		}
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+first["id"].(string)+"/cancel", map[string]any{"reason": "rewritten from 1 December"}))
		e.must(200, e.do("prescriber", "POST", issue, nil))
		// Back to back is not an overlap.
		e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-15",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
	})
}

// A dose change after today's dose was supplied reissues from tomorrow, and
// a take-home collection covers every day it supplies.
func TestReissueStartsAfterSuppliedDays(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-27T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(102, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "pattern": weekendCollectedSaturday,
			"supervision_relaxed_reason": "Stable, known to the service for years"})
		rid := r["id"].(string)
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-27",
			"days": 10, "wording": []int{1, 3}, "issue": true}))
		record := func(day string) {
			entry := dosesDue(e, day, pid)[0]
			e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+entry["instalment_id"].(string)+"/events",
				map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		}
		// Friday: today's dose supervised, then the dose goes up from today.
		record("2026-11-27")
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35, "reason": "cravings"}))
		re := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		if re["start_date"] != "2026-11-28" || re["days"].(float64) != 9 || re["replaces_id"] != pr["id"] {
			t.Fatalf("reissued from %v for %v days", re["start_date"], re["days"])
		}
		if n := len(dosesDue(e, "2026-11-27", pid)); n != 1 {
			t.Fatalf("today has %d lines for the patient after the reissue", n)
		}
		// Saturday: the collection also supplies Sunday; a change then starts Monday.
		c.Set(mustTime("2026-11-28T10:00:00Z"))
		record("2026-11-28")
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 40, "reason": "still withdrawing"}))
		re2 := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		if re2["start_date"] != "2026-11-30" || re2["days"].(float64) != 7 || re2["replaces_id"] != re["id"] {
			t.Fatalf("reissued from %v for %v days", re2["start_date"], re2["days"])
		}
		if n := len(dosesDue(e, "2026-11-29", pid)); n != 0 {
			t.Fatalf("Sunday, supplied on Saturday, is due again: %d lines", n)
		}
	})
}

// A dose change slipped in before a later-dated one (the reviewed bypass:
// 30, then 40 from 10 Dec, then 50 from 3 Dec) withdraws it (T1) and is
// judged from the dose in force on its own day, so M2 sees 30 → 50; on the
// same day it supersedes and is judged from the dose before that day.
func TestDoseChangesInDateOrder(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(103, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})["id"].(string)
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-12-10", "reason": "planned step"}))
		p := problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 50, "effective_date": "2026-12-03", "reason": "sooner"}), 422)
		if !slices.Contains(rulesOf(p), "M2") || !strings.Contains(p["detail"].(string), "30 to 50 mg") {
			t.Fatalf("refusal = %v", p)
		}
		if n := len(e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)); n != 2 {
			t.Fatalf("%d dose changes after a refusal", n)
		}
		// Same day: 50 supersedes 40 and steps from 30, which M2 judges.
		p = problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 50, "effective_date": "2026-12-10", "reason": "bigger step"}), 422)
		if !slices.Contains(rulesOf(p), "M2") || !strings.Contains(p["detail"].(string), "30 to 50 mg") {
			t.Fatalf("M2 does not judge 30 → 50: %v", p["detail"])
		}
		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-12-10", "reason": "same step restated",
			"stage": "titration"}))
		if m["dose_change"].(map[string]any)["from"].(float64) != 30 {
			t.Fatalf("from = %v", m["dose_change"])
		}
		// Restating the dose before that day withdraws the planned change.
		if m = e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 30, "effective_date": "2026-12-10", "reason": "step withdrawn"})); m["dose_change"].(map[string]any)["to"].(float64) != 30 {
			t.Fatalf("withdrawal = %v", m["dose_change"])
		}
		if v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil)); v["latest_dose"].(float64) != 30 {
			t.Fatalf("latest dose %v after withdrawing the step", v["latest_dose"])
		}
		// Every failing field in one answer: a day in the past, at the dose
		// in force then.
		c.Set(mustTime("2026-12-11T12:00:00Z"))
		p = problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 30, "effective_date": "2026-12-09", "reason": "x"}), 422)
		for _, f := range []string{"effective_date", "to"} {
			if !slices.Contains(fieldsOf(p), f) {
				t.Errorf("fields %v lack %s", fieldsOf(p), f)
			}
		}
	})
}

func errorsText(p map[string]any) string {
	var b strings.Builder
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		b.WriteString(e.(map[string]any)["message"].(string))
	}
	return b.String()
}

// BV6 holds for regular doses; BV3's flag is the regime's; BV7 and BV8
// follow the patient from a weekly regime to a monthly one.
func TestBuvidalAcrossRegimes(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		inject := func(rid, date string, dose int, extra bool, site string, more map[string]any) response {
			body := map[string]any{"date": date, "dose": dose, "extra": extra, "site": site, "batch": "B123", "batch_expiry": "2027-06-30"}
			for k, v := range more {
				body[k] = v
			}
			return e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", body)
		}
		// BV6: two regular 32 mg weekly doses on one day.
		pid := e.newPatient(104, nil)
		weekly := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 32,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 20}})
		wid := weekly["id"].(string)
		if weekly["buprenorphine_naive"] != false {
			t.Fatalf("regime = %v", weekly)
		}
		e.must(201, inject(wid, "2026-11-02", 32, false, "thigh_left", nil))
		p := problemOf(t, inject(wid, "2026-11-02", 32, false, "thigh_right", nil), 422)
		if !slices.Contains(rulesOf(p), "BV6") {
			t.Fatalf("rules %v lack BV6", rulesOf(p))
		}
		// BV3 is the regime's: claiming naivety on an injection is refused.
		p = problemOf(t, inject(wid, "2026-11-02", 8, true, "thigh_right", map[string]any{"buprenorphine_naive": true}), 422)
		if !slices.Contains(fieldsOf(p), "buprenorphine_naive") {
			t.Fatalf("fields %v", fieldsOf(p))
		}
		// Weekly → monthly: the monthly dose is checked against the weekly one.
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+wid+"/end", map[string]any{"reason": "moving to monthly"}))
		monthly := e.startRegime(pid, map[string]any{"medicine": "buvidal_monthly", "dose": 128,
			"overrides": []map[string]any{{"rule": "BV5", "reason": "stable for months on weekly at another service"}}})
		mid := monthly["id"].(string)
		c.Set(mustTime("2026-11-05T12:00:00Z"))
		p = problemOf(t, inject(mid, "2026-11-05", 128, false, "abdomen_left", nil), 422)
		if !slices.Contains(rulesOf(p), "BV6") {
			t.Fatalf("a monthly dose 3 days after weekly 32 mg: rules %v", rulesOf(p))
		}
		c.Set(mustTime("2026-11-09T12:00:00Z"))
		m := e.must(201, inject(mid, "2026-11-09", 128, false, "thigh_left", nil))
		if w := findingRules(m, "warnings"); !slices.Contains(w, "BV7") || slices.Contains(w, "BV8") {
			t.Fatalf("warnings %v: want BV7 (thigh_left a week ago, other regime) and no BV8 (due a week after weekly)", w)
		}

		// A naive regime records the flag; week 1 allows two extra doses
		// without the request restating it.
		naive := e.newPatient(105, nil)
		nr := e.startRegime(naive, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "buprenorphine_naive": true,
			"test_dose_given": true, "last_short_acting_opioid_at": "2026-11-08T20:00:00Z"})
		nid := nr["id"].(string)
		if nr["buprenorphine_naive"] != true {
			t.Fatalf("regime = %v", nr)
		}
		e.must(201, inject(nid, "2026-11-09", 16, false, "abdomen_left", nil))
		c.Set(mustTime("2026-11-10T12:00:00Z"))
		e.must(201, inject(nid, "2026-11-10", 8, true, "abdomen_right", nil))
		c.Set(mustTime("2026-11-11T12:00:00Z"))
		e.must(201, inject(nid, "2026-11-11", 8, true, "thigh_left", nil))
		p = problemOf(t, inject(nid, "2026-11-11", 8, true, "thigh_right", map[string]any{"buprenorphine_naive": false}), 422)
		if !slices.Contains(fieldsOf(p), "buprenorphine_naive") {
			t.Fatalf("fields %v", fieldsOf(p))
		}
	})
}

// B4: Espranor regimes are not offered the sublingual conversion to Buvidal.
func TestNoBuvidalConversionForEspranor(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		esp := e.startRegime(e.newPatient(106, nil), map[string]any{"medicine": "espranor_oral_lyophilisate", "dose": 8})
		if _, ok := esp["buvidal_conversion"]; ok {
			t.Fatalf("Espranor regime offers %v", esp["buvidal_conversion"])
		}
		sl := e.startRegime(e.newPatient(107, nil), map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8})
		if sl["buvidal_conversion"].(map[string]any)["weekly"].(float64) != 16 {
			t.Fatalf("sublingual conversion = %v", sl["buvidal_conversion"])
		}
	})
}

// L8: a schedule supplying a closed day in advance gets approved wording 1,
// and the response says so; issuing a draft returns the findings again.
func TestAdvanceSupplyGetsWordingOne(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(108, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-23",
			"days": 7, "wording": []int{3}}))
		if w := pr["wording"].([]any); len(w) != 2 || w[0].(float64) != 1 {
			t.Fatalf("wording = %v", w)
		}
		if !slices.Contains(findingRules(pr, "warnings"), "L8") {
			t.Fatalf("warnings %v lack L8", pr["warnings"])
		}
		issued := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+pr["id"].(string)+"/issue", nil))
		if issued["status"] != "issued" || issued["wording_text"].([]any)[0].(map[string]any)["id"].(float64) != 1 {
			t.Fatalf("issued = %v %v", issued["status"], issued["wording_text"])
		}
		// A draft without wording 3: issuing reports L7 rather than nothing.
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-30",
			"days": 5, "wording": []int{1}}))
		issued = e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil))
		if !slices.Contains(findingRules(issued, "warnings"), "L7") {
			t.Fatalf("issue warnings = %v", issued["warnings"])
		}
		// L2: the total in words and figures names its rule.
		if issued["total_quantity_rule"] != "L2" || issued["total_quantity"] != "150 (one hundred and fifty) millilitres" {
			t.Fatalf("total = %v (%v)", issued["total_quantity"], issued["total_quantity_rule"])
		}
		// Every bad field of a prescription request in one answer.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-13-01",
			"days": 0, "wording": []int{9}}), 422)
		for _, f := range []string{"start_date", "days", "wording"} {
			if !slices.Contains(fieldsOf(p), f) {
				t.Errorf("fields %v lack %s", fieldsOf(p), f)
			}
		}
	})
}

// SC1: a GP issues and cancels prescriptions only once the practice has
// accepted shared care, and then cancels only the practice's own.
func TestGPNeedsAcceptedSharedCareToIssueOrCancel(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(109, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		live := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2026-06-10", "days": 7, "wording": []int{1, 3}, "issue": true}))
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2026-06-17", "days": 7, "wording": []int{1, 3}}))
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{
			"overrides": []map[string]any{{"rule": "SC3", "reason": "test"}}}))
		// Proposed only: the GP can read but not act.
		e.must(200, e.do("gp", "GET", "/v1/prescriptions/"+live["id"].(string), nil))
		cancel := "/v1/prescriptions/" + live["id"].(string) + "/cancel"
		issue := "/v1/prescriptions/" + draft["id"].(string) + "/issue"
		for _, r := range []response{e.do("gp", "POST", cancel, map[string]any{"reason": "GP tidy-up"}), e.do("gp", "POST", issue, nil)} {
			if p := problemOf(t, r, 403); !strings.Contains(p["detail"].(string), "SC1") {
				t.Fatalf("refusal = %v", p["detail"])
			}
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+live["id"].(string), nil)); got["status"] != "issued" {
			t.Fatalf("status = %v", got["status"])
		}
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		e.must(200, e.do("gp", "POST", issue, nil))
		// Accepted, the GP still cancels only what the practice signed
		// (ADR 0008, amended 2026-12-02): the service's is the service's.
		if p := problemOf(t, e.do("gp", "POST", cancel, map[string]any{"reason": "replaced at the practice"}), 409); !strings.Contains(p["detail"].(string), "signed by the specialist service") {
			t.Fatalf("refusal = %v", p["detail"])
		}
	})
}

// Pattern changes are appended and audited, and a live prescription is
// reissued with the new pattern from its effective date.
func TestPatternChangeIsAppendedAndReissues(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(110, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}}})
		rid := r["id"].(string)
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-23",
			"days": 14, "wording": []int{1, 3}, "issue": true}))
		m := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-11-26", "reason": "Works weekends", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
		if m["pattern_change"].(map[string]any)["reason"] != "Works weekends" || m["regime"].(map[string]any)["pattern"].(map[string]any)["sunday"] != "earlier" {
			t.Fatalf("change = %v", m)
		}
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 || re[0].(map[string]any)["replaces_id"] != pr["id"] || re[0].(map[string]any)["start_date"] != "2026-11-23" {
			t.Fatalf("reissued = %v", re)
		}
		nr := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+re[0].(map[string]any)["id"].(string), nil))
		var sat map[string]any
		for _, it := range nr["instalments"].([]any) {
			if in := it.(map[string]any); in["date"] == "2026-11-28" {
				sat = in
			}
		}
		// From 26 Nov Saturday's collection is taken home with Sunday's.
		if sat == nil || len(sat["covers"].([]any)) != 2 || sat["supervised"].(float64) != 0 || sat["take_home"].(float64) != 60 {
			t.Fatalf("Saturday instalment = %v", sat)
		}
		if old := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+pr["id"].(string), nil)); old["status"] != "cancelled" {
			t.Fatalf("old status %v", old["status"])
		}
		// The printed form does not describe the reissue by its first day's
		// pattern alone: the schedule says which instalments are supervised.
		form := e.do("prescriber", "GET", "/v1/prescriptions/"+re[0].(map[string]any)["id"].(string)+"/pdf", nil)
		if form.Status != 200 {
			t.Fatalf("pdf: %d %s", form.Status, form.Body)
		}
		assertText(t, pdfToText(t, form.Body), "The pickup pattern changes during this prescription",
			"Replaces "+pr["serial"].(string)+", cancelled: its days from Mon 23 Nov 2026 to Sun 6 Dec 2026 are dispensed from this prescription only.")
		v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		hist := v["pattern_history"].([]any)
		if len(hist) != 2 || hist[0].(map[string]any)["pattern"].(map[string]any)["sunday"] != "supervised" {
			t.Fatalf("history = %v", hist)
		}
		if !slices.Contains(auditActions(e, rid), "regime.settings") {
			t.Fatalf("audit lacks regime.settings: %v", auditActions(e, rid))
		}
		// Not in the past, not before a recorded change.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-11-25", "supervision_relaxed_reason": "x"}), 422)
		if !slices.Contains(fieldsOf(p), "effective_date") {
			t.Fatalf("fields %v", fieldsOf(p))
		}
		p = problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-11-26", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}), 422)
		if !slices.Contains(fieldsOf(p), "pattern") {
			t.Fatalf("an unchanged pattern: fields %v", fieldsOf(p))
		}
		// A stage change with a dose change is an entry too.
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 25, "effective_date": "2026-11-30",
			"reason": "patient asks to reduce", "stage": "reduction"}))
		v = e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if hist = v["pattern_history"].([]any); len(hist) != 3 || v["stage"] != "reduction" ||
			hist[2].(map[string]any)["pattern"].(map[string]any)["sunday"] != "earlier" {
			t.Fatalf("stage %v, history %v", v["stage"], hist)
		}
	})
}

// B1 times the first dose in the service's clock: the morning after a
// methadone dose taken at 08:00 is past 24 hours without an override.
func TestInductionTimeIsLocal(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-07-14T10:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		from := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30}
		m := e.startRegime(e.newPatient(111, nil), map[string]any{"medicine": "buvidal_weekly", "dose": 16, "start_date": "2026-07-15",
			"previous": from, "last_dose_at": "2026-07-14T08:00:00+01:00", "test_dose_given": true})
		if w := findingRules(m, "warnings"); slices.Contains(w, "B1") {
			t.Fatalf("warnings %v: 09:00 the next day is 25 h after the last methadone", m["warnings"])
		}
		// A first dose planned for 07:00 is 23 h: B1 needs an override for Buvidal.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+e.newPatient(112, nil)+"/regimes", map[string]any{
			"medicine": "buvidal_weekly", "dose": 16, "previous": from, "last_dose_at": "2026-07-14T08:00:00+01:00",
			"first_dose_at": "2026-07-15T07:00:00+01:00"}), 422)
		if !slices.Contains(rulesOf(p), "B1") {
			t.Fatalf("rules %v", rulesOf(p))
		}
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+e.newPatient(113, nil)+"/regimes", map[string]any{
			"medicine": "buvidal_weekly", "dose": 16, "start_date": "2026-07-16", "previous": from, "first_dose_at": "2026-07-15T09:00:00+01:00"}), 422)
		if !slices.Contains(fieldsOf(p), "first_dose_at") {
			t.Fatalf("fields %v", fieldsOf(p))
		}
	})
}

// Rules that inform or warn rather than stop, end to end (M3, M5, B2), and
// the policy table's severities as enforced.
func TestAdvisoryRulesEndToEnd(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		// M3: a maintenance dose outside 60–120 mg is noted, not stopped.
		rid := e.startRegime(e.newPatient(114, nil), map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})["id"].(string)
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 40, "reason": "settled",
			"stage": "maintenance"}))
		if !slices.Contains(findingRules(m, "warnings"), "M3") {
			t.Fatalf("warnings %v lack M3", m["warnings"])
		}
		// M5: past the review date the regime warns (a service tuned to a
		// monthly review; the 30-day demo tokens are issued again).
		e.srv.cfg.Policy.M5ReviewMonths = 1
		c.Set(mustTime("2026-12-24T12:00:00Z"))
		res, err := demo.SeedPeople(context.Background(), e.db)
		if err != nil {
			t.Fatal(err)
		}
		e.demo = res
		v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if v["review_due"] != "2026-12-23" || !slices.Contains(findingRules(v, "warnings"), "M5") {
			t.Fatalf("review %v, warnings %v", v["review_due"], v["warnings"])
		}
		// B2: a buprenorphine start above 8 mg warns.
		b := e.startRegime(e.newPatient(115, nil), map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12,
			"last_short_acting_opioid_at": "2026-12-23T20:00:00Z"})
		if !slices.Contains(findingRules(b, "warnings"), "B2") {
			t.Fatalf("warnings %v lack B2", b["warnings"])
		}
		pol := e.must(200, e.do("prescriber", "GET", "/v1/policy", nil))
		sev := map[string]string{}
		for _, it := range pol["items"].([]any) {
			r := it.(map[string]any)
			sev[r["id"].(string)] = r["severity"].(string)
		}
		for id, want := range map[string]string{"BV5": "block", "SC3": "override", "L8": "info", "B1": "override", "M3": "info", "M5": "warn", "B2": "warn"} {
			if sev[id] != want {
				t.Errorf("policy %s = %s, want %s", id, sev[id], want)
			}
		}
	})
}

// Every bad field of a regime start is named in one answer, with its own field.
func TestStartRegimeListsEveryField(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+e.newPatient(116, nil)+"/regimes", map[string]any{
			"medicine": "laudanum", "dose": 0, "stage": "stable", "first_dose_at": "tomorrow",
			"pattern": map[string]any{"monday": "never"}}), 422)
		for _, f := range []string{"medicine", "dose", "stage", "first_dose_at", "pattern"} {
			if !slices.Contains(fieldsOf(p), f) {
				t.Errorf("fields %v lack %s", fieldsOf(p), f)
			}
		}
	})
}

// The list's status filter is the state a reader sees: a draft past its L3
// window is expired, not a draft, and an issued prescription whose last day
// has passed is completed (one never supplied from has expired); paging through a filtered list misses nothing.
func TestPrescriptionStatusFilterIsTheSeenState(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(111, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-03-02"})
		rx := func(start string, days int, issue bool) string {
			return e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
				"start_date": start, "days": days, "wording": []int{1, 3}, "issue": issue}))["id"].(string)
		}
		done := rx("2026-03-02", 3, true)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(done, "2026-03-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		stale := rx("2026-03-20", 7, false)
		c.Set(mustTime("2026-04-01T10:00:00+01:00")) // day 30: the March draft has lapsed
		fresh := rx("2026-04-01", 7, false)
		ids := func(query string) []string {
			var out []string
			path := "/v1/prescriptions?patient_id=" + pid + "&limit=1&" + query
			for {
				page := e.must(200, e.do("prescriber", "GET", path, nil))
				for _, it := range page["items"].([]any) {
					out = append(out, it.(map[string]any)["id"].(string))
				}
				next, _ := page["next_cursor"].(string)
				if next == "" {
					return out
				}
				path = "/v1/prescriptions?patient_id=" + pid + "&limit=1&" + query + "&cursor=" + next
			}
		}
		for status, want := range map[string][]string{
			"draft": {fresh}, "expired": {stale}, "completed": {done}, "issued": nil,
		} {
			if got := ids("status=" + status); !slices.Equal(got, want) {
				t.Errorf("status=%s: %v, want %v", status, got, want)
			}
		}
		all := ids("")
		slices.Sort(all)
		want := []string{done, stale, fresh}
		slices.Sort(want)
		if !slices.Equal(all, want) {
			t.Errorf("unfiltered: %v, want %v", all, want)
		}
	})
}

// A dose change on a closed day (Sunday) whose collection day (Saturday)
// has passed unrecorded: Sunday's dose was handed out on Saturday or not at
// all, so the reissue starts on Monday, and Saturday's record stays with the
// cancelled prescription it was live on.
func TestDoseChangeOnAClosedDayReissuesFromTheNextOpenDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-27T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(112, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-27",
			"days": 10, "wording": []int{1, 3}, "issue": true}))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(pr["id"].(string), "2026-11-27")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		c.Set(mustTime("2026-11-29T10:00:00Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/dose-changes", map[string]any{"to": 35, "reason": "cravings"}))
		re := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		if re["start_date"] != "2026-11-30" || re["days"].(float64) != 7 || re["total"].(float64) != 245 {
			t.Fatalf("reissued from %v for %v days, total %v", re["start_date"], re["days"], re["total"])
		}
		// Saturday, closed late, is missed on the prescription it was live on;
		// the dose in fact collected is put right by a correction.
		closed := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"date": "2026-11-28"}))
		if closed["missed"].(float64) != 1 {
			t.Fatalf("closing Saturday late: %v", closed)
		}
		sat := "/v1/instalments/" + e.instalmentOn(pr["id"].(string), "2026-11-28") + "/events"
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-11-28&to=2026-11-28", nil))
		missed := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
		// Saturday's instalment is supervised with Sunday's dose to take
		// home, so it is recorded as supervised (S7).
		e.must(201, e.do("pharmacist", "POST", sat, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": missed["id"], "correction_reason": "given on Saturday, not recorded", "occurred_at": "2026-11-28T10:00:00Z"}))
	})
}

// M1 judges a dose change on the regime's first day as the starting dose it
// replaces: overriding M2 alone does not make 70 mg a day-one dose.
func TestDayOneDoseChangeMeetsM1(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(113, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-12-03"})
		path := "/v1/regimes/" + r["id"].(string) + "/dose-changes"
		body := map[string]any{"to": 70, "effective_date": "2026-12-03", "reason": "tolerance",
			"overrides": []map[string]any{{"rule": "M2", "reason": "known high tolerance"}}}
		before := e.auditCount()
		blockedWith(t, e.do("prescriber", "POST", path, body), "M1", "above 40 mg on day 1")
		// Without any override the detail names both rules that stop it.
		p := problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 70, "effective_date": "2026-12-03", "reason": "tolerance"}), 422)
		if !strings.Contains(p["detail"].(string), "Also stopped by M2") {
			t.Fatalf("detail = %v", p["detail"])
		}
		if e.auditCount() != before {
			t.Fatal("a refused day-one change was written")
		}
		body["overrides"] = []map[string]any{{"rule": "M2", "reason": "known high tolerance"}, {"rule": "M1", "reason": "confirmed 70 mg at the prison"}}
		e.must(201, e.do("prescriber", "POST", path, body))

		// 30 to 40 on day one is allowed, with M1's warning.
		pid2 := e.newPatient(114, nil)
		r2 := e.startRegime(pid2, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-12-03"})
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r2["id"].(string)+"/dose-changes",
			map[string]any{"to": 40, "effective_date": "2026-12-03", "reason": "withdrawing at assessment"}))
		warnings := m["dose_change"].(map[string]any)["warnings"].([]any)
		if len(warnings) != 1 || warnings[0].(map[string]any)["rule"] != "M1" {
			t.Fatalf("warnings = %v", warnings)
		}
	})
}

// A dose change from a day whose dose was already taken home says so: the
// new dose starts with the next supply (MD4).
func TestDoseChangeOnADayAlreadySuppliedWarns(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-28T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(115, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-11-28"})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-28",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		// Saturday's instalment: supervised, with Sunday's dose to take home.
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(pr["id"].(string), "2026-11-28")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/dose-changes",
			map[string]any{"to": 35, "effective_date": "2026-11-29", "reason": "cravings"}))
		var found bool
		for _, w := range m["warnings"].([]any) {
			w := w.(map[string]any)
			found = found || w["rule"] == "MD4" && strings.Contains(w["message"].(string), "2026-11-29 were already handed over")
		}
		if !found {
			t.Fatalf("warnings = %v", m["warnings"])
		}
		if re := m["reissued_prescriptions"].([]any); len(re) != 1 || re[0].(map[string]any)["start_date"] != "2026-11-30" {
			t.Fatalf("reissued = %v", re)
		}
	})
}

// MD5: a prescription starting days after the regime's last prescribed day
// warns that no prescription covers the days between; back to back it
// does not, nor does the reissue that follows a dose change.
func TestDaysWithoutAPrescriptionWarn(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(295, "2026-03-02") // 2 to 15 Mar
		md5 := func(m map[string]any) []string {
			var out []string
			for _, w := range m["warnings"].([]any) {
				if f := w.(map[string]any); f["rule"] == "MD5" {
					out = append(out, f["message"].(string)+" "+f["action"].(string))
				}
			}
			return out
		}
		gap := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-18",
			"days": 7, "wording": []int{1, 3}}))
		if got := md5(gap); len(got) != 1 || !strings.Contains(got[0], "No prescription covers Mon 16 Mar 2026 to Tue 17 Mar 2026") ||
			!strings.Contains(got[0], "Start this prescription on 2026-03-16") {
			t.Fatalf("gap: MD5 = %v", got)
		}
		next := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-16",
			"days": 7, "wording": []int{1, 3}}))
		if got := md5(next); len(got) != 0 {
			t.Fatalf("back to back: MD5 = %v", got)
		}
		// A dose change on the 5th reissues the 5th to the 15th: no gap.
		rid := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))["items"].([]any)[0].(map[string]any)["id"].(string)
		c.Set(mustTime("2026-03-05T09:00:00Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35, "reason": "withdrawal"}))
		if len(m["reissued_prescriptions"].([]any)) != 1 {
			t.Fatalf("reissued = %v", m["reissued_prescriptions"])
		}
		if got := md5(m); len(got) != 0 {
			t.Fatalf("reissue: MD5 = %v", got)
		}
		// A second change the same day reissues the reissue from the 5th:
		// the 2nd to the 4th were still the first prescription's, though
		// no day close has marked them yet.
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 40, "reason": "still withdrawing",
			"overrides": []map[string]any{{"rule": "M2", "reason": "seen in clinic, withdrawing"}}}))
		if re := m["reissued_prescriptions"].([]any); len(re) != 1 || re[0].(map[string]any)["start_date"] != "2026-03-05" {
			t.Fatalf("reissued = %v", re)
		}
		if got := md5(m); len(got) != 0 {
			t.Fatalf("reissue of a reissue: MD5 = %v", got)
		}
	})
}
