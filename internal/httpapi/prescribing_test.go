package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/patients"
)

// newPatient registers a patient at the demo service, dispensed at the demo
// pharmacy, and returns its id.
func (e *env) newPatient(seq int, extra map[string]any) string {
	e.t.Helper()
	body := map[string]any{"nhs_number": patients.TestNHSNumber(seq), "given_name": "Zoë", "family_name": fmt.Sprintf("Łukasz-Nguyễn %d", seq),
		"date_of_birth": "1985-04-12", "sex": "female", "address": "1 Canal Row — Worcester", "pharmacy_id": e.demo.PharmacyID,
		"gp_practice_id": e.demo.PracticeID}
	for k, v := range extra {
		body[k] = v
	}
	return e.must(201, e.do("prescriber", "POST", "/v1/patients", body))["id"].(string)
}

func (e *env) startRegime(patientID string, body map[string]any) map[string]any {
	e.t.Helper()
	return e.must(201, e.do("prescriber", "POST", "/v1/patients/"+patientID+"/regimes", body))
}

func auditActions(e *env, entityID string) []string {
	m := e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_id="+entityID, nil))
	var out []string
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any)["action"].(string))
	}
	return out
}

// The "done when", end to end.
func TestPrescribingStory(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2027-05-20T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": "1234567890",
			"given_name": "A", "family_name": "B", "date_of_birth": "1990-01-01"}), 422)
		if !slices.Contains(fieldsOf(p), "nhs_number") {
			t.Fatalf("fields %v lack nhs_number", fieldsOf(p))
		}
		pid := e.newPatient(1, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2027-05-20"})
		rid := r["id"].(string)
		if r["current_dose"].(float64) != 30 || r["review_due"] != "2027-08-20" {
			t.Fatalf("regime = %v", r)
		}
		before := len(auditActions(e, rid))

		// 30 → 70 mg in one step: M2 blocks, nothing written.
		p = problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 70, "effective_date": "2027-05-21", "reason": "still using on top"}), 422)
		if !slices.Contains(rulesOf(p), "M2") || !strings.Contains(p["detail"].(string), "M2") {
			t.Fatalf("problem does not name M2: %v", p)
		}
		if got := len(auditActions(e, rid)); got != before {
			t.Fatalf("blocked change wrote %d audit events", got-before)
		}
		hist := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid+"/dose-changes", nil))
		if n := len(hist["items"].([]any)); n != 1 {
			t.Fatalf("blocked change wrote a dose change: %d", n)
		}
		// With an override reason it is recorded and audited.
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 70,
			"effective_date": "2027-05-21", "reason": "still using on top",
			"overrides": []map[string]any{{"rule": "M2", "reason": "Tolerant: long history at 80 mg, seen in clinic"}}}))
		if ov := m["overrides"].([]any); len(ov) != 1 || ov[0].(map[string]any)["rule"] != "M2" {
			t.Fatalf("override not recorded: %v", m)
		}
		actions := auditActions(e, rid)
		if !slices.Contains(actions, "dose_change.create") {
			t.Fatalf("audit lacks the change: %v", actions)
		}
		ovAudit := e.must(200, e.do("admin", "GET", "/v1/audit?entity_type=dose_change", nil))
		found := false
		for _, it := range ovAudit["items"].([]any) {
			ev := it.(map[string]any)
			found = found || ev["action"] == "rule.override" && strings.Contains(ev["changes"].(string), `"rule":"M2"`)
		}
		if !found {
			t.Fatal("the override is not in the audit trail")
		}
		// The change is filed under its regime with its own id in the body;
		// its override is filed under the change.
		changeID := m["dose_change"].(map[string]any)["id"].(string)
		regimeTrail := e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_type=regime&entity_id="+rid, nil))
		found = false
		for _, it := range regimeTrail["items"].([]any) {
			ev := it.(map[string]any)
			found = found || ev["action"] == "dose_change.create" && strings.Contains(ev["changes"].(string), `"id":"`+changeID+`"`)
		}
		if !found {
			t.Fatal("the regime's trail lacks the change with its id")
		}
		if got := auditActions(e, changeID); !slices.Equal(got, []string{"rule.override"}) {
			t.Fatalf("the change's own trail = %v, want its override", got)
		}

		// A 14-day prescription from Monday 24 May 2027 crosses the closed
		// Sunday 30 May, the spring bank holiday 31 May and Sunday 6 June.
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2027-05-24", "days": 14, "wording": []int{1, 3}, "issue": true}))
		if pr["status"] != "issued" || pr["total_quantity"] != "980 (nine hundred and eighty) millilitres" {
			t.Fatalf("prescription = %v %v", pr["status"], pr["total_quantity"])
		}
		var dates []string
		for _, it := range pr["instalments"].([]any) {
			in := it.(map[string]any)
			dates = append(dates, fmt.Sprintf("%s:%v+%v", in["date"], in["supervised"], in["take_home"]))
		}
		want := []string{"2027-05-24:70+0", "2027-05-25:70+0", "2027-05-26:70+0", "2027-05-27:70+0", "2027-05-28:70+0",
			"2027-05-29:70+140", "2027-06-01:70+0", "2027-06-02:70+0", "2027-06-03:70+0", "2027-06-04:70+0", "2027-06-05:70+70"}
		if !slices.Equal(dates, want) {
			t.Fatalf("schedule\n got %v\nwant %v", dates, want)
		}
		if !strings.HasPrefix(pr["serial"].(string), "RCDS-") {
			t.Fatalf("serial %v", pr["serial"])
		}

		// A dose change while it is live cancels it and reissues the rest.
		c.Set(mustTime("2027-05-26T09:00:00+01:00"))
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 80,
			"effective_date": "2027-05-28", "reason": "withdrawal in the evenings"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 {
			t.Fatalf("reissued = %v", m)
		}
		nr := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+re[0].(map[string]any)["id"].(string), nil))
		old := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+pr["id"].(string), nil))
		if old["status"] != "cancelled" || nr["start_date"] != "2027-05-26" || nr["days"].(float64) != 12 || nr["replaces_id"] != pr["id"] {
			t.Fatalf("old %v / new %v %v %v", old["status"], nr["start_date"], nr["days"], nr["replaces_id"])
		}
		// 2 days at 70, 10 days at 80.
		if nr["total"].(float64) != 2*70+10*80 {
			t.Fatalf("reissued total = %v", nr["total"])
		}
	})
}

func TestBuvidalStrengthIsBV1(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		pid := e.newPatient(2, nil)
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{
			"medicine": "buvidal_weekly", "dose": 20, "previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}}), 422)
		if !slices.Contains(rulesOf(p), "BV1") {
			t.Fatalf("rules %v lack BV1", rulesOf(p))
		}
		// Buvidal is never dispensed by instalment (BV2).
		e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})
		p = problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": e.srv.today().String(), "days": 7}), 422)
		if !slices.Contains(rulesOf(p), "BV2") {
			t.Fatalf("rules %v lack BV2", rulesOf(p))
		}
	})
}

// Each rule blocks (or needs an override) end to end, and an override
// lets the action through where the rule allows it.
func TestRulesEndToEnd(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		seq := 10
		fresh := func(extra map[string]any) string { seq++; return e.newPatient(seq, extra) }
		start := func(pid string, body map[string]any) response {
			return e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", body)
		}
		type tc struct {
			rule     string
			override bool // an override reason lets it through
			run      func(overrides []map[string]any) response
		}
		methadone := func(dose int, extra map[string]any) func([]map[string]any) response {
			return func(ov []map[string]any) response {
				body := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": dose, "overrides": ov}
				for k, v := range extra {
					body[k] = v
				}
				return start(fresh(nil), body)
			}
		}
		cases := []tc{
			{"M1", true, methadone(45, nil)},
			{"M6", true, methadone(20, map[string]any{"pattern": map[string]any{"monday": "supervised", "tuesday": "supervised",
				"wednesday": "supervised", "thursday": "supervised", "friday": "supervised", "saturday": "supervised", "sunday": "take_home"}})},
			{"B3", false, func(ov []map[string]any) response {
				return start(fresh(nil), map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 34, "overrides": ov})
			}},
			{"BV2", false, func(ov []map[string]any) response {
				pid := fresh(map[string]any{"date_of_birth": "2012-01-01"})
				return start(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "buprenorphine_naive": true,
					"test_dose_given": true, "overrides": ov})
			}},
			{"BV3", true, func(ov []map[string]any) response {
				return start(fresh(nil), map[string]any{"medicine": "buvidal_weekly", "dose": 24, "buprenorphine_naive": true,
					"test_dose_given": true, "overrides": ov})
			}},
			{"BV5", false, func(ov []map[string]any) response {
				return start(fresh(nil), map[string]any{"medicine": "buvidal_monthly", "dose": 96, "buprenorphine_naive": true, "overrides": ov})
			}},
			{"B4", true, func(ov []map[string]any) response {
				return start(fresh(nil), map[string]any{"medicine": "espranor_oral_lyophilisate", "dose": 8,
					"previous":     map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8},
					"last_dose_at": "2026-11-22T09:00:00Z", "overrides": ov})
			}},
			{"M4", true, func(ov []map[string]any) response {
				pid := fresh(nil)
				r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 95, "stage": "maintenance",
					"overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 95 mg"}}})
				// The day after the start: a day-one change would meet M1 as well.
				next := calendar.MustParse(r["start_date"].(string)).AddDays(1).String()
				return e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/dose-changes",
					map[string]any{"to": 100, "effective_date": next, "reason": "cravings", "overrides": ov})
			}},
			{"L6", false, func(ov []map[string]any) response {
				pid := fresh(nil)
				e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20})
				return e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-24", "days": 15})
			}},
			// B1 for Buvidal: 2 h after heroin, 6 h needed.
			{"B1", true, func(ov []map[string]any) response {
				return start(fresh(nil), map[string]any{"medicine": "buvidal_weekly", "dose": 16, "buprenorphine_naive": true, "test_dose_given": true,
					"last_short_acting_opioid_at": "2026-11-23T07:00:00Z", "first_dose_at": "2026-11-23T09:00:00Z", "overrides": ov})
			}},
			// M2's rolling week: 10 + 10 + 10 + 5 mg in 7 days of titration.
			{"M2", true, func(ov []map[string]any) response {
				rid := e.startRegime(fresh(nil), map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20})["id"].(string)
				for i, to := range []int{30, 40, 50} {
					e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": to,
						"effective_date": fmt.Sprintf("2026-11-%d", 24+i), "reason": "titration"})
				}
				return e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 55,
					"effective_date": "2026-11-29", "reason": "titration", "overrides": ov})
			}},
			{"L3", false, func(ov []map[string]any) response {
				pid := fresh(nil)
				e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20})
				return e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-23", "days": 7})
			}},
		}
		for _, tt := range cases {
			t.Run(tt.rule, func(t *testing.T) {
				p := problemOf(t, tt.run(nil), 422)
				if !slices.Contains(rulesOf(p), tt.rule) {
					t.Fatalf("rules %v lack %s: %v", rulesOf(p), tt.rule, p["detail"])
				}
				r := tt.run([]map[string]any{{"rule": tt.rule, "reason": "clinical reason recorded in the notes"}})
				if tt.override && r.Status != 201 {
					t.Fatalf("override not accepted: %s", r.Body)
				}
				if !tt.override && r.Status != 422 {
					t.Fatalf("%s must not be overridable: %d %s", tt.rule, r.Status, r.Body)
				}
			})
		}
	})
}

func TestBuvidalAdministrations(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(3, nil)
		// Offered the BV4 conversion while on sublingual buprenorphine.
		sl := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4})
		conv := sl["buvidal_conversion"].(map[string]any)
		if conv["rule"] != "BV4" || conv["weekly"].(float64) != 8 {
			t.Fatalf("conversion = %v", conv)
		}
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+sl["id"].(string)+"/end", map[string]any{"reason": "switching to Buvidal"}))
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 8, "last_dose_at": "2026-11-01T09:00:00Z",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4}})
		rid := r["id"].(string)
		inject := func(date string, dose int, extra bool, site string) response {
			return e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": date, "dose": dose,
				"extra": extra, "site": site, "batch": "B123", "batch_expiry": "2027-06-30"})
		}
		m := e.must(201, inject("2026-11-02", 8, false, "abdomen_left"))
		if m["next_injection"].(map[string]any)["due"] != "2026-11-09" {
			t.Fatalf("next due = %v", m["next_injection"])
		}
		p := problemOf(t, inject("2026-11-02", 20, false, "thigh_left"), 422)
		if !slices.Contains(rulesOf(p), "BV1") {
			t.Fatalf("rules %v", rulesOf(p))
		}
		problemOf(t, inject("2026-11-02", 8, false, "forehead"), 422)
		c.Set(mustTime("2026-11-04T12:00:00Z"))
		e.must(201, inject("2026-11-04", 8, true, "thigh_left"))
		c.Set(mustTime("2026-11-06T12:00:00Z"))
		p = problemOf(t, inject("2026-11-06", 8, true, "thigh_right"), 422) // BV6: one extra between regular doses
		if !slices.Contains(rulesOf(p), "BV6") {
			t.Fatalf("rules %v", rulesOf(p))
		}
		c.Set(mustTime("2026-11-13T12:00:00Z"))
		m = e.must(201, inject("2026-11-13", 8, false, "abdomen_left")) // BV7 same site, BV8 outside window: warnings
		var warned []string
		for _, w := range m["warnings"].([]any) {
			warned = append(warned, w.(map[string]any)["rule"].(string))
		}
		if !slices.Contains(warned, "BV7") || !slices.Contains(warned, "BV8") {
			t.Fatalf("warnings %v", warned)
		}
	})
}

func TestPatientsAreScoped(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		pid := e.newPatient(4, nil)
		e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))
		e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid, nil))
		for _, who := range []string{"pharmacist_2", "gp"} {
			problemOf(t, e.do(who, "GET", "/v1/patients/"+pid, nil), 404)
			m := e.must(200, e.do(who, "GET", "/v1/patients", nil))
			if n := len(m["items"].([]any)); n != 0 {
				t.Fatalf("%s lists %d patients", who, n)
			}
		}
		problemOf(t, e.do("pharmacist", "POST", "/v1/patients", map[string]any{}), 403)
		problemOf(t, e.do("admin", "GET", "/v1/patients/"+pid, nil), 403)
		problemOf(t, e.do("prescriber", "GET", "/v1/patients/not-a-uuid", nil), 404)
		// Search by NHS number (any spacing) and by name.
		nhs := patients.TestNHSNumber(4)
		spaced := nhs[:3] + " " + nhs[3:6] + " " + nhs[6:]
		m := e.must(200, e.do("prescriber", "GET", "/v1/patients?nhs_number="+strings.ReplaceAll(spaced, " ", "%20"), nil))
		if len(m["items"].([]any)) != 1 {
			t.Fatalf("nhs search = %v", m)
		}
		m = e.must(200, e.do("prescriber", "GET", "/v1/patients?name=%C5%82ukasz", nil))
		if len(m["items"].([]any)) != 1 {
			t.Fatalf("name search = %v", m)
		}
		// Duplicate NHS number at the same service.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": nhs, "given_name": "X",
			"family_name": "Y", "date_of_birth": "1980-01-01"}), 409)
		if !slices.Contains(fieldsOf(p), "nhs_number") {
			t.Fatalf("conflict = %v", p)
		}
		// Every invalid field at once, nothing written.
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": "943 476 5918",
			"given_name": "", "date_of_birth": "1980-13-01", "sex": "x", "needs": map[string]any{"housing": map[string]any{"level": "dire"}}}), 422)
		for _, f := range []string{"nhs_number", "given_name", "family_name", "date_of_birth", "sex", "needs.housing.level"} {
			if !slices.Contains(fieldsOf(p), f) {
				t.Errorf("fields %v lack %s", fieldsOf(p), f)
			}
		}
	})
}

func TestGPCannotTitrate(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		pid := e.newPatient(5, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20})
		p := problemOf(t, e.do("gp", "POST", "/v1/regimes/"+r["id"].(string)+"/dose-changes", map[string]any{"to": 30, "reason": "x"}), 403)
		if !strings.Contains(p["detail"].(string), "SC1") || !strings.Contains(p["detail"].(string), "hand") {
			t.Fatalf("GP refusal does not point to handing back: %v", p["detail"])
		}
	})
}

func TestPolicyAndFormulary(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.must(200, e.do("prescriber", "GET", "/v1/policy", nil))
		ids := map[string]bool{}
		for _, it := range m["items"].([]any) {
			r := it.(map[string]any)
			ids[r["id"].(string)] = true
			if r["source"] == "" || r["severity"] == "" {
				t.Errorf("rule %v lacks source or severity", r)
			}
		}
		for _, id := range []string{"M1", "M2", "M6", "B1", "B4", "BV1", "BV8", "MD1", "MD3", "L3", "L6", "L7", "ID1", "SC3"} {
			if !ids[id] {
				t.Errorf("policy lacks %s", id)
			}
		}
		// The law's figures, which a service may only tighten, are named.
		limits := m["limits"].(map[string]any)
		if l6 := limits["L6.max_days"].(map[string]any); l6["bound"] != "at_most" || l6["value"] != "14" || l6["kind"] != "legal" {
			t.Errorf("L6 limit = %v", l6)
		}
		if bv3 := limits["BV3.first_dose_mg"].(map[string]any); bv3["bound"] != "exactly" || bv3["value"] != "16" {
			t.Errorf("BV3 first dose limit = %v", bv3)
		}
		if _, ok := limits["M2.max_step_mg"]; ok {
			t.Errorf("M2's step, a figure of guidance, has a limit: %v", limits["M2.max_step_mg"])
		}
		f := e.must(200, e.do("pharmacist", "GET", "/v1/formulary", nil))
		if len(f["items"].([]any)) != 6 {
			t.Fatalf("formulary = %v", f)
		}
	})
}
