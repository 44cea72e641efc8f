package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// BV8: the answer to an extra dose gives the next injection from the last
// regular dose, as the regime view does; the extra dose moves nothing.
func TestExtraDoseDoesNotMoveTheNextInjection(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(1, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		rid := r["id"].(string)
		inject := func(date string, dose int, extra bool, site string) map[string]any {
			return e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": date, "dose": dose,
				"extra": extra, "site": site, "batch": "B123", "batch_expiry": "2027-06-30"}))
		}
		want := map[string]any{"rule": "BV8", "due": "2026-11-09", "earliest": "2026-11-07", "latest": "2026-11-11"}
		sameWindow := func(what string, got any) {
			t.Helper()
			m, _ := got.(map[string]any)
			for k, v := range want {
				if m[k] != v {
					t.Fatalf("%s: next_injection = %v, want %v", what, got, want)
				}
			}
		}
		sameWindow("regular dose", inject("2026-11-02", 16, false, "abdomen_left")["next_injection"])
		c.Set(mustTime("2026-11-05T12:00:00Z"))
		sameWindow("extra dose", inject("2026-11-05", 8, true, "thigh_left")["next_injection"])
		sameWindow("regime view", e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["next_injection"])
	})
}

// startMethadoneAt starts a methadone patient on dose from start, with an
// issued 14-day all-supervised prescription from then.
func (e *env) startMethadoneAt(seq int, dose int, stage, start string) (patientID, regimeID, prescriptionID string) {
	e.t.Helper()
	pid := e.newPatient(seq, nil)
	body := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": dose, "stage": stage, "start_date": start}
	if dose > 40 {
		body["overrides"] = []map[string]any{{"rule": "M1", "reason": "transfer from another service at this dose"}}
	}
	r := e.startRegime(pid, body)
	pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
		"days": 14, "wording": []int{1, 3}, "issue": true}))
	return pid, r["id"].(string), pr["id"].(string)
}

// retitrationDose is MD3's suggested dose on a regime view or review
// answer, 0 when there is none.
func retitrationDose(m map[string]any) float64 {
	sg, ok := m["retitration"].(map[string]any)
	if !ok {
		return 0
	}
	return sg["dose"].(float64)
}

// MD3: once the prescriber records the halved dose after three missed days,
// neither the regime nor the review suggests halving it again; a day
// missed after that asks again.
func TestRetitrationWithdrawnByADoseChangeAfterTheMissedDays(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, prID := e.startMethadoneAt(1, 50, "maintenance", "2026-03-26")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-26")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.closeDays(c, "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29")
		c.Set(mustTime("2026-03-30T09:00:00+01:00"))
		if got := retitrationDose(e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))); got != 25 {
			t.Fatalf("after 3 missed days at 50 mg: suggestion %v, want 25", got)
		}
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-03-30", "reason": "3 missed days: half the dose (MD3)"}))
		if got := retitrationDose(e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))); got != 0 {
			t.Fatalf("after the change to 25 mg the regime still suggests %v mg", got)
		}
		rv := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen; restarted at 25 mg"}))
		if got := retitrationDose(rv); got != 0 {
			t.Fatalf("the review still suggests %v mg", got)
		}

		// Another day without the dose is new: MD3 asks again, from 25 mg.
		e.closeDays(c, "2026-03-30")
		c.Set(mustTime("2026-03-31T09:00:00+01:00"))
		if got := retitrationDose(e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))); got != 12 {
			t.Fatalf("after a 4th missed day: suggestion %v, want 12", got)
		}
	})
}

// M2: eight weeks into treatment, a patient re-inducted after missed days
// (the stage set back to induction with the reduced dose) meets the
// rolling 7-day cap again, counted from the re-induction.
func TestReinductionRestartsTheM2Window(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(1, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration",
			"start_date": "2026-01-05"})["id"].(string)
		e.setClock(c, mustTime("2026-03-02T12:00:00Z"))
		change := func(to int, on string, extra map[string]any) response {
			body := map[string]any{"to": to, "effective_date": on, "reason": "re-titration after missed days"}
			for k, v := range extra {
				body[k] = v
			}
			return e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", body)
		}
		e.must(201, change(20, "2026-03-02", map[string]any{"stage": "induction", "reason": "5 days missed: treat as a new induction (MD3)"}))
		e.must(201, change(30, "2026-03-04", nil))
		e.must(201, change(40, "2026-03-06", nil))
		e.must(201, change(50, "2026-03-08", nil))
		// 10 + 10 + 10 + 10 in the 7 days to 9 March.
		p := problemOf(t, change(60, "2026-03-09", nil), 422)
		if rules := rulesOf(p); len(rules) != 1 || rules[0] != "M2" {
			t.Fatalf("rules %v, want M2", rules)
		}
		if !strings.Contains(p["detail"].(string)+fmt.Sprint(p["rules"]), "restarted on 2026-03-02") {
			t.Fatalf("the refusal does not say when titration restarted: %v", p)
		}
		e.must(201, change(60, "2026-03-09", map[string]any{"overrides": []map[string]any{{"rule": "M2", "reason": "seen daily, no sedation"}}}))
	})
}
