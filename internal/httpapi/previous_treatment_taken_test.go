package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// fieldErrorOf is the problem's error about field, nil when none.
func fieldErrorOf(p map[string]any, field string) map[string]any {
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		if m := e.(map[string]any); m["field"] == field {
			return m
		}
	}
	return nil
}

// takeDose has the pharmacy record a supervised dose of the patient's
// current regime today: a one-day prescription issued and its dose taken.
func (e *env) takeDose(patientID, day string) {
	e.t.Helper()
	rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": patientID, "start_date": day,
		"days": 1, "wording": []int{1, 3}, "issue": true}))["id"].(string)
	e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, day)+"/events",
		map[string]any{"outcome": "supervised", "identity_confirmed": true}))
}

// A buprenorphine regime ended before any dose of it was taken (entered in
// error) left no buprenorphine in the patient: the next regime is an
// induction again, under B1, B2 and BV3, not a switch between products.
func TestRegimeNeverTakenIsNoPreviousTreatment(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		const heroin, firstDose = "2026-03-02T10:00:00Z", "2026-03-02T12:30:00Z"
		inError := func(patientID, medicine string) {
			r := e.startRegime(patientID, map[string]any{"medicine": medicine, "dose": 4,
				"last_short_acting_opioid_at": heroin, "first_dose_at": firstDose})
			if !slices.Contains(warningRules(r), "B1") {
				t.Fatalf("%s two hours after heroin: warnings %v, want B1", medicine, warningRules(r))
			}
			e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/end", map[string]any{"reason": "entered in error"}))
		}

		// Sublingual, then weekly Buvidal: B1 needs an override for the
		// injection, and BV4 has no sublingual dose to convert.
		pid := e.newPatient(501, nil)
		inError(pid, "buprenorphine_sublingual_tablets")
		buvidal := map[string]any{"medicine": "buvidal_weekly", "dose": 16, "buprenorphine_naive": true, "test_dose_given": true,
			"last_short_acting_opioid_at": heroin, "first_dose_at": firstDose}
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", buvidal), 422)
		if got := rulesOf(p); !slices.Contains(got, "B1") || slices.Contains(got, "BV4") {
			t.Fatalf("Buvidal after a regime never taken: rules %v, want B1 and no BV4", got)
		}
		buvidal["overrides"] = []map[string]any{{"rule": "B1", "reason": "withdrawal scored, patient consents"}}
		r := e.startRegime(pid, buvidal)
		if got := warningRules(r); slices.Contains(got, "BV4") {
			t.Fatalf("warnings %v: BV4 converts no buprenorphine the patient never took", got)
		}
		if r["buprenorphine_naive"] != true {
			t.Fatalf("buprenorphine_naive = %v", r["buprenorphine_naive"])
		}

		// Buprenorphine/naloxone, then plain sublingual: B1 and B2 warn.
		pid = e.newPatient(502, nil)
		inError(pid, "buprenorphine_naloxone_sublingual_tablets")
		r = e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12,
			"last_short_acting_opioid_at": heroin, "first_dose_at": firstDose})
		if got := warningRules(r); !slices.Contains(got, "B1") || !slices.Contains(got, "B2") {
			t.Fatalf("sublingual after buprenorphine/naloxone never taken: warnings %v, want B1 and B2", got)
		}

		// Weekly Buvidal withdrawn before its first injection: the next
		// start is a naive induction (BV3 asks for the test dose).
		pid = e.newPatient(503, nil)
		r = e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/end", map[string]any{"reason": "entered in error"}))
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"last_short_acting_opioid_at": "2026-03-02T00:00:00Z", "first_dose_at": firstDose}), 422)
		if got := rulesOf(p); !slices.Contains(got, "BV3") || !strings.Contains(string(p["detail"].(string)), "test dose") {
			t.Fatalf("Buvidal after Buvidal never given: rules %v (%v), want BV3's test dose", got, p["detail"])
		}
	})
}

// A regime never taken does not hide the treatment before it: methadone
// taken this morning still times the first buprenorphine dose (B1), with
// a buprenorphine regime entered in error between them.
func TestRegimeNeverTakenLeavesTheOneBefore(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(504, nil)
		m := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		e.takeDose(pid, "2026-03-02")
		c.Set(mustTime("2026-03-02T11:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+m["id"].(string)+"/end", map[string]any{"reason": "switching to buprenorphine"}))
		b := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4, "first_dose_at": "2026-03-02T14:00:00Z"})
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+b["id"].(string)+"/end", map[string]any{"reason": "entered in error"}))

		r := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4, "first_dose_at": "2026-03-02T14:00:00Z"})
		found := false
		for _, w := range r["warnings"].([]any) {
			if w := w.(map[string]any); w["rule"] == "B1" && strings.Contains(w["message"].(string), "methadone dose") {
				found = true
			}
		}
		if !found {
			t.Fatalf("warnings %v, want B1 on the methadone taken at 10:00", r["warnings"])
		}
	})
}

// BV3 applies to a patient new to buprenorphine whether or not the client
// says so: unsent, buprenorphine_naive is inferred from the previous
// treatment, recorded and taken or told; false stays the prescriber's
// word; true contradicting buprenorphine before is refused.
func TestBuprenorphineNaiveInferred(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		start := func(patientID string, body map[string]any) response {
			body["medicine"], body["first_dose_at"] = "buvidal_weekly", "2026-03-02T14:00:00Z"
			if _, ok := body["previous"]; !ok {
				body["last_short_acting_opioid_at"] = "2026-03-02T06:00:00Z"
			}
			return e.do("prescriber", "POST", "/v1/patients/"+patientID+"/regimes", body)
		}
		methadone := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30}
		sublingual := map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}

		// From street opioids or methadone: BV3's 16 mg and test dose.
		for i, previous := range []map[string]any{nil, methadone} {
			pid := e.newPatient(510+i, nil)
			body := map[string]any{"dose": 24}
			if previous != nil {
				body["previous"], body["last_dose_at"] = previous, "2026-03-01T08:00:00Z"
			}
			p := problemOf(t, start(pid, body), 422)
			if n := strings.Count(strings.Join(rulesOf(p), " "), "BV3"); n != 2 {
				t.Fatalf("previous %v: rules %v, want BV3 for the dose and the test dose", previous, rulesOf(p))
			}
			body["dose"], body["test_dose_given"] = 16, true
			r := e.must(201, start(pid, body))
			if r["buprenorphine_naive"] != true || slices.Contains(warningRules(r), "BV4") {
				t.Fatalf("previous %v: buprenorphine_naive %v, warnings %v", previous, r["buprenorphine_naive"], warningRules(r))
			}
		}

		// An explicit false is the prescriber's statement.
		r := e.must(201, start(e.newPatient(512, nil), map[string]any{"dose": 24, "buprenorphine_naive": false}))
		if r["buprenorphine_naive"] != false || slices.Contains(warningRules(r), "BV3") {
			t.Fatalf("stated not naive: buprenorphine_naive %v, warnings %v", r["buprenorphine_naive"], warningRules(r))
		}

		// Told sublingual buprenorphine: not naive, BV4 converts; true is refused.
		pid := e.newPatient(513, nil)
		p := problemOf(t, start(pid, map[string]any{"dose": 16, "previous": sublingual, "buprenorphine_naive": true, "test_dose_given": true}), 422)
		if fe := fieldErrorOf(p, "buprenorphine_naive"); fe == nil || fe["rule"] != "previous_buprenorphine" {
			t.Fatalf("naive with sublingual told: errors %v", p["errors"])
		}
		r = e.must(201, start(pid, map[string]any{"dose": 16, "previous": sublingual}))
		if r["buprenorphine_naive"] != false || len(warningRules(r)) != 0 {
			t.Fatalf("from 8 mg sublingual told: buprenorphine_naive %v, warnings %v", r["buprenorphine_naive"], warningRules(r))
		}

		// Recorded sublingual buprenorphine, taken today: the same, from the record.
		pid = e.newPatient(514, nil)
		sl := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8,
			"last_short_acting_opioid_at": "2026-03-01T20:00:00Z"})
		e.takeDose(pid, "2026-03-02")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+sl["id"].(string)+"/end", map[string]any{"reason": "switching to Buvidal"}))
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"buprenorphine_naive": true, "test_dose_given": true}), 422)
		if fe := fieldErrorOf(p, "buprenorphine_naive"); fe == nil || fe["rule"] != "previous_buprenorphine" ||
			!strings.Contains(fe["message"].(string), "recorded here") {
			t.Fatalf("naive with sublingual recorded: errors %v", p["errors"])
		}
		r = e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16})
		if r["buprenorphine_naive"] != false || len(warningRules(r)) != 0 {
			t.Fatalf("from 8 mg sublingual recorded: buprenorphine_naive %v, warnings %v", r["buprenorphine_naive"], warningRules(r))
		}
	})
}
