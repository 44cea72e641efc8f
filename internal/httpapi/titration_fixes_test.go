package httpapi

import (
	"fmt"
	"slices"
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

// doseEntries reads a dose history as "to@effective" for the standing
// entries and "to@effective withdrawn" for the withdrawn ones.
func doseEntries(t *testing.T, items []any) []string {
	t.Helper()
	var out []string
	for _, it := range items {
		m := it.(map[string]any)
		s := fmt.Sprintf("%v@%s", m["to"], m["effective_date"])
		if m["withdrawn"] != nil {
			s += " withdrawn"
		}
		out = append(out, s)
	}
	return out
}

// T1, the reviewer's case: on 30 mg with 40, 50 and 60 mg planned for the
// next three days, "30 mg from tomorrow, drowsy" withdraws all three. They
// stay in the history, marked; the answer names them; the prescription is
// reissued at 30 mg; and nothing that reads the dose counts them.
func TestHoldingATitrationWithdrawsThePlannedSteps(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2027-03-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, prID := e.startMethadoneAt(1, 30, "titration", "2027-03-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		for i, to := range []int{40, 50, 60} {
			e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": to, "effective_date": fmt.Sprintf("2027-03-0%d", i+2),
				"reason": "planned titration step"}))
		}
		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 30, "effective_date": "2027-03-02", "reason": "drowsy, hold titration"}))
		hold := m["dose_change"].(map[string]any)
		if hold["from"].(float64) != 30 || hold["to"].(float64) != 30 || hold["withdrawn"] != nil {
			t.Fatalf("dose_change = %v", hold)
		}
		withdrawn := m["withdrawn_changes"].([]any)
		if got := strings.Join(doseEntries(t, withdrawn), " "); got != "40@2027-03-02 withdrawn 50@2027-03-03 withdrawn 60@2027-03-04 withdrawn" {
			t.Fatalf("withdrawn_changes = %s", got)
		}
		for _, w := range withdrawn {
			by := w.(map[string]any)["withdrawn"].(map[string]any)
			if by["dose_change_id"] != hold["id"] || by["prescriber_id"] != hold["prescriber_id"] || by["reason"] != "drowsy, hold titration" ||
				by["at"] != hold["created_at"] {
				t.Fatalf("withdrawn = %v, want the hold %v", by, hold)
			}
		}
		var t1 string
		for _, w := range m["warnings"].([]any) {
			if f := w.(map[string]any); f["rule"] == "T1" {
				t1 = f["message"].(string)
			}
		}
		for _, want := range []string{"40 mg from 2027-03-02", "50 mg from 2027-03-03", "60 mg from 2027-03-04"} {
			if !strings.Contains(t1, want) {
				t.Fatalf("the T1 warning %q does not name %s", t1, want)
			}
		}
		// Each withdrawal is audited with the hold, under the regime.
		withdrawals := 0
		for _, a := range auditActions(e, rid) {
			if a == "dose_change.withdraw" {
				withdrawals++
			}
		}
		if withdrawals != 3 {
			t.Fatalf("%d withdrawals audited, want 3", withdrawals)
		}
		// The live prescription is reissued at 30 mg throughout.
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 {
			t.Fatalf("reissued %d prescriptions", len(re))
		}
		if got := dosePeriodsOf(t, re[0].(map[string]any)); strings.Join(got, " ") != "2027-03-01:30" {
			t.Fatalf("reissued dose periods %v", got)
		}
		if old := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil)); old["status"] != "cancelled" {
			t.Fatalf("the old prescription is %v", old["status"])
		}

		// The letter written today plans no change: the steps are withdrawn
		// and the hold leaves the dose as it is.
		assertNoText(t, e.summaryText("prescriber", pid), "Planned dose changes")

		// The history keeps every entry; the dose is 30 mg.
		want := "30@2027-03-01 40@2027-03-02 withdrawn 30@2027-03-02 50@2027-03-03 withdrawn 60@2027-03-04 withdrawn"
		list := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)
		if got := strings.Join(doseEntries(t, list), " "); got != want {
			t.Fatalf("dose changes = %s, want %s", got, want)
		}
		c.Set(mustTime("2027-03-04T10:00:00Z"))
		v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if got := strings.Join(doseEntries(t, v["dose_history"].([]any)), " "); got != want {
			t.Fatalf("dose_history = %s", got)
		}
		if v["current_dose"].(float64) != 30 || v["latest_dose"].(float64) != 30 {
			t.Fatalf("current %v, latest %v: a withdrawn change set the dose", v["current_dose"], v["latest_dose"])
		}
		// The pharmacy hands over 30 mg and is not told the dose changed.
		for _, entry := range dosesDue(e, "2027-03-04", pid) {
			if entry["supervised"].(float64) != 30 {
				t.Fatalf("day list: %v mg", entry["supervised"])
			}
			for _, w := range entry["warnings"].([]any) {
				if code := w.(map[string]any)["code"]; code == "first_dose_after_change" || code == "dose_changed_since_last_visit" {
					t.Fatalf("day list warns %s after a held titration", code)
				}
			}
		}
		// M2 counts only the steps that stand: 30 → 40 now is one 10 mg
		// step, not a fourth in the week.
		r := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2027-03-05", "reason": "less drowsy, resume"}))
		if r["dose_change"].(map[string]any)["from"].(float64) != 30 || len(r["withdrawn_changes"].([]any)) != 0 {
			t.Fatalf("resume = %v", r)
		}
		for _, w := range r["warnings"].([]any) {
			if f := w.(map[string]any); f["rule"] == "M2" || f["rule"] == "T1" {
				t.Fatalf("resume warned %v", f)
			}
		}
		// The letter's titration history and current dose leave the
		// withdrawn steps out.
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "drowsy, hold titration", "less drowsy, resume", "Planned dose changes 40 mg (40 ml) once daily from 5 Mar 2027 Treatment")
		assertNoText(t, text, "planned titration step", "50 mg", "60 mg")
	})
}

// Changes already in force are history: a hold recorded the day a step
// took effect withdraws only the steps still planned, and one for today
// supersedes today's step without rewriting it.
func TestAHoldLeavesChangesInForce(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2027-03-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _ := e.startMethadoneAt(1, 30, "titration", "2027-03-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2027-03-02", "reason": "step"}))
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 50, "effective_date": "2027-03-04", "reason": "step"}))
		c.Set(mustTime("2027-03-02T10:00:00Z"))
		// Before a change in force: refused, naming it.
		p := problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 35, "effective_date": "2027-03-01", "reason": "x"}), 422)
		if !slices.Contains(fieldsOf(p), "effective_date") || !strings.Contains(errorsText(p), "a dose change effective 2027-03-02 is already in force") {
			t.Fatalf("refusal = %v", p)
		}
		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2027-03-03", "reason": "hold at 40"}))
		if got := strings.Join(doseEntries(t, m["withdrawn_changes"].([]any)), " "); got != "50@2027-03-04 withdrawn" {
			t.Fatalf("withdrawn_changes = %s", got)
		}
		m = e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 30, "effective_date": "2027-03-02", "reason": "too drowsy today"}))
		if got := strings.Join(doseEntries(t, m["withdrawn_changes"].([]any)), " "); got != "40@2027-03-03 withdrawn" {
			t.Fatalf("withdrawn_changes = %s", got)
		}
		list := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)
		want := "30@2027-03-01 40@2027-03-02 30@2027-03-02 40@2027-03-03 withdrawn 50@2027-03-04 withdrawn"
		if got := strings.Join(doseEntries(t, list), " "); got != want {
			t.Fatalf("dose changes = %s, want %s", got, want)
		}
		if v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil)); v["current_dose"].(float64) != 30 || v["latest_dose"].(float64) != 30 {
			t.Fatalf("current %v, latest %v", v["current_dose"], v["latest_dose"])
		}
	})
}

// overrideRules reads an entry's overrides as "RULE:reason", checking each
// says who and when.
func overrideRules(t *testing.T, entry any, who string) []string {
	t.Helper()
	ovs, ok := entry.(map[string]any)["overrides"].([]any)
	if !ok {
		t.Fatalf("entry without overrides: %v", entry)
	}
	var out []string
	for _, o := range ovs {
		m := o.(map[string]any)
		if m["user_id"] != who || m["created_at"] == nil {
			t.Fatalf("override %v is not by %s, or undated", m, who)
		}
		out = append(out, fmt.Sprintf("%s:%s", m["rule"], m["reason"]))
	}
	return out
}

// A prescriber sees who overrode which rule, when and why, on each dose
// change (the starting dose too) and each injection, not only in the audit.
func TestOverridesShownOnDoseChangesAndInjections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2027-03-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, _ := e.startMethadoneAt(1, 50, "titration", "2027-03-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		// A pattern change's override is the regime's, not the starting dose's.
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2027-03-01", "overrides": []map[string]any{{"rule": "M6", "reason": "works weekends, stable"}}}))
		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 65, "effective_date": "2027-03-03", "reason": "withdrawal symptoms",
			"overrides": []map[string]any{{"rule": "M2", "reason": "using on top, seen daily"}}}))
		me := m["dose_change"].(map[string]any)["prescriber_id"].(string)
		if got := overrideRules(t, m["dose_change"], me); strings.Join(got, " ") != "M2:using on top, seen daily" {
			t.Fatalf("the answer's dose_change overrides = %v", got)
		}
		want := [][]string{{"M1:transfer from another service at this dose"}, {"M2:using on top, seen daily"}}
		check := func(where string, entries []any) {
			t.Helper()
			if len(entries) != len(want) {
				t.Fatalf("%s: %d entries", where, len(entries))
			}
			for i, entry := range entries {
				if got := overrideRules(t, entry, me); !slices.Equal(got, want[i]) {
					t.Fatalf("%s[%d] overrides = %v, want %v", where, i, got, want[i])
				}
			}
		}
		check("dose_history", e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["dose_history"].([]any))
		check("dose-changes", e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any))
		// A withdrawn change keeps its overrides.
		m = e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 55, "effective_date": "2027-03-02", "reason": "too big a step"}))
		if got := overrideRules(t, m["withdrawn_changes"].([]any)[0], me); strings.Join(got, " ") != "M2:using on top, seen daily" {
			t.Fatalf("withdrawn change's overrides = %v", got)
		}

		// Buvidal: a regular dose other than prescribed needs BV9's reason.
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "switching to Buvidal"}))
		bv := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8},
			"overrides": []map[string]any{{"rule": "B1", "reason": "reduced to 30 mg, last dose 36 h ago"}, {"rule": "BV4", "reason": "as planned"}}})
		inj := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+bv["id"].(string)+"/administrations", map[string]any{"date": "2027-03-01",
			"dose": 24, "site": "abdomen_left", "batch": "B123", "batch_expiry": "2027-06-30",
			"overrides": []map[string]any{{"rule": "BV9", "reason": "week 2 dose before the change is recorded"}}}))
		if got := overrideRules(t, inj["administration"], me); strings.Join(got, " ") != "BV9:week 2 dose before the change is recorded" {
			t.Fatalf("the answer's administration overrides = %v", got)
		}
		items := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+bv["id"].(string)+"/administrations", nil))["items"].([]any)
		if got := overrideRules(t, items[0], me); strings.Join(got, " ") != "BV9:week 2 dose before the change is recorded" {
			t.Fatalf("listed administration overrides = %v", got)
		}
	})
}
