package httpapi

import (
	"fmt"
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
			"start_date": "2026-12-04", "ecg_date": "2026-12-01"}),
			"M2", "increase of 40 mg on the previous treatment")
		// Restarted at the dose the patient takes: a continuation, not an
		// induction, so M1's first-day limit asks for no override.
		r = e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "start_date": "2026-12-04"})
		if got := warningRules(r); slices.Contains(got, "M1") || slices.Contains(got, "M2") || len(r["overrides"].([]any)) != 0 {
			t.Fatalf("methadone restarted at 60 mg: warnings %v, overrides %v", got, r["overrides"])
		}
	})
}

// A methadone patient who continues at the same dose — a transfer in, a
// release from prison with a confirmed recent dose — is not inducted again:
// M1's first-day limit does not apply, and M2 judges the step from the
// previous dose. Without the time of the last dose, or with one more than
// MD1's 3 days back, nothing shows the patient kept their tolerance, and M1
// judges the start as a first dose.
func TestMethadoneContinuedAtTheSameDoseIsNoInduction(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		start := func(seq int, body map[string]any) response {
			pid := e.newPatient(seq, nil)
			body["medicine"] = "methadone_oral_solution_1mg_ml"
			return e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", body)
		}
		transfer := func(dose int, lastDose string) map[string]any {
			b := map[string]any{"dose": dose, "previous": map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60}}
			if lastDose != "" {
				b["last_dose_at"] = lastDose
			}
			return b
		}
		r := e.must(201, start(9321, transfer(60, "2026-12-02T10:00:00Z")))
		if got := warningRules(r); slices.Contains(got, "M1") || len(r["overrides"].([]any)) != 0 {
			t.Fatalf("transfer at 60 mg: warnings %v, overrides %v", got, r["overrides"])
		}
		e.must(201, start(9322, transfer(70, "2026-11-30T10:00:00Z")))
		wantM := func(r response, rule, text string) {
			t.Helper()
			if p := problemOf(t, r, 422); !slices.Contains(rulesOf(p), rule) || !strings.Contains(string(r.Body), text) {
				t.Fatalf("want 422 %s mentioning %q: %s", rule, text, r.Body)
			}
		}
		wantM(start(9323, transfer(80, "2026-12-02T10:00:00Z")), "M2", "increase of 20 mg")
		wantM(start(9324, transfer(60, "")), "M1", "last_dose_at")
		wantM(start(9325, transfer(60, "2026-11-25T10:00:00Z")), "M1", "new induction (MD3)")
		wantM(start(9326, map[string]any{"dose": 60, "last_dose_at": "2026-12-02T10:00:00Z",
			"previous": map[string]any{"medicine": "methadone_oral_solution_1mg_ml"}}), "M1", "previous.dose")

		// A last dose after the start day is a mistyped date (a year, a
		// month): refused, and not read as a recent dose that lets a 90 mg
		// first day through. One later on the start day (a prison release
		// written ahead) stands.
		before := e.auditCount()
		for seq, at := range map[int]string{9327: "2027-11-20T09:00:00Z", 9328: "2026-12-20T09:00:00Z"} {
			p := problemOf(t, start(seq, map[string]any{"dose": 90, "start_date": "2026-12-04", "last_dose_at": at, "ecg_date": "2026-12-01",
				"previous": map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 90}}), 422)
			if !slices.Contains(fieldsOf(p), "last_dose_at") || !strings.Contains(fmt.Sprint(p["errors"]), "before_start") {
				t.Fatalf("last_dose_at %s: %v", at, p)
			}
		}
		if n := e.auditCount() - before; n != 2 { // the two patients, nothing else
			t.Fatalf("%d audit events for two refused starts and their patients, want 2", n)
		}
		e.must(201, start(9329, map[string]any{"dose": 60, "start_date": "2026-12-04", "last_dose_at": "2026-12-04T08:00:00Z",
			"previous": map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60}}))
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
