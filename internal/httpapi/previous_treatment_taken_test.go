package httpapi

import (
	"slices"
	"strings"
	"testing"
)

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
