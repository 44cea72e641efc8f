package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// Ending a regime and starting another is no way round the titration
// steps: the new starting dose is judged as a step from the dose the
// patient was on (B3 for buprenorphine, M2 for methadone), needing an
// override reason as the dose-change route does; a transfer at the same
// dose passes.
func TestRestartIsJudgedAsAStepFromThePreviousDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		const heroin = "2026-12-02T22:00:00Z"
		regimes := func(pid string) string { return "/v1/patients/" + pid + "/regimes" }
		onEightMg := func(seq int, medicine string) (pid, rid string) {
			pid = e.newPatient(seq, nil)
			rid = e.startRegime(pid, map[string]any{"medicine": medicine, "dose": 8, "start_date": "2026-12-03",
				"last_short_acting_opioid_at": heroin})["id"].(string)
			e.takeDose(pid, "2026-12-03")
			return pid, rid
		}
		wantRule := func(r response, rule, text string) {
			t.Helper()
			p := problemOf(t, r, 422)
			if !slices.Contains(rulesOf(p), rule) || !strings.Contains(string(r.Body), text) {
				t.Fatalf("want 422 %s mentioning %q: %s", rule, text, r.Body)
			}
		}

		pid, rid := onEightMg(9301, "buprenorphine_sublingual_tablets")
		wantRule(e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 24, "effective_date": "2026-12-04", "reason": "cravings"}), "B3", "8 to 24 mg")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "restart"}))
		for _, medicine := range []string{"buprenorphine_sublingual_tablets", "buprenorphine_naloxone_sublingual_tablets"} {
			body := map[string]any{"medicine": medicine, "dose": 32, "start_date": "2026-12-04"}
			wantRule(e.do("prescriber", "POST", regimes(pid), body), "B3", "previous treatment, Buprenorphine sublingual tablets 8 mg a day")
		}
		body := map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 32, "start_date": "2026-12-04",
			"overrides": []map[string]any{{"rule": "B3", "reason": "MDT agreed rapid titration"}}}
		r := e.startRegime(pid, body)
		if !slices.ContainsFunc(r["overrides"].([]any), func(o any) bool { return o.(map[string]any)["rule"] == "B3" }) {
			t.Fatalf("overrides = %v, want B3", r["overrides"])
		}

		// Told the previous dose, for a patient new to the service.
		pid = e.newPatient(9302, nil)
		wantRule(e.do("prescriber", "POST", regimes(pid), map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 32,
			"start_date": "2026-12-04", "previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 2}}),
			"B3", "increase of 30 mg")

		// A transfer at the same dose (prison release on 16 mg) passes.
		pid = e.newPatient(9303, nil)
		r = e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 16, "start_date": "2026-12-04",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 16}})
		if got := warningRules(r); slices.Contains(got, "B3") || slices.Contains(got, "B2") {
			t.Fatalf("same-dose transfer: warnings %v", got)
		}
		pid, rid = onEightMg(9304, "buprenorphine_sublingual_tablets")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "moving area"}))
		e.startRegime(pid, map[string]any{"medicine": "buprenorphine_naloxone_sublingual_tablets", "dose": 8, "start_date": "2026-12-04"})

		// Methadone: ended at 60 mg, restarted at 100 mg: M2's step too.
		pid = e.newPatient(9305, nil)
		rid = e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "start_date": "2026-12-03",
			"overrides": []map[string]any{{"rule": "M1", "reason": "transfer on 60 mg"}}})["id"].(string)
		e.takeDose(pid, "2026-12-03")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "restart"}))
		wantRule(e.do("prescriber", "POST", regimes(pid), map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 100,
			"start_date": "2026-12-04", "ecg_date": "2026-12-01", "overrides": []map[string]any{{"rule": "M1", "reason": "continuing"}}}),
			"M2", "increase of 40 mg on the previous treatment")
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "start_date": "2026-12-04",
			"overrides": []map[string]any{{"rule": "M1", "reason": "continuing on 60 mg"}}})
	})
}

// A previous treatment last taken weeks ago says nothing of today's
// tolerance: the start is a new induction (MD3), judged as a first start
// by M1 or B2, not refused as a step from the old dose.
func TestStartAfterWeeksOffIsANewInduction(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(9311, nil)
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{
			"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-12-03",
			"last_dose_at": "2026-10-15T09:00:00Z",
			"previous":     map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 5}}))

		pid = e.newPatient(9312, nil)
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", map[string]any{
			"medicine": "buprenorphine_sublingual_tablets", "dose": 8, "start_date": "2026-12-03",
			"last_dose_at": "2026-10-15T09:00:00Z",
			"previous":     map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 2}}))
	})
}
