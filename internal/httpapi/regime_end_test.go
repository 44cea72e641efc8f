package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// activeRegimeOf is the id of the patient's active regime.
func (e *env) activeRegimeOf(patientID string) string {
	e.t.Helper()
	for _, it := range e.must(200, e.do("prescriber", "GET", "/v1/patients/"+patientID+"/regimes", nil))["items"].([]any) {
		if r := it.(map[string]any); r["status"] == "active" {
			return r["id"].(string)
		}
	}
	e.t.Fatalf("patient %s has no active regime", patientID)
	return ""
}

// Ending a regime stops dispensing at once, so it cannot be dated ahead
// (the days until then would have no dose), nor before a dose the pharmacy
// recorded as taken (that dose would drop out of what follows, B1). A
// refused end changes nothing.
func TestRegimeEndIsDatedBetweenTheLastDoseAndToday(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(421, "2026-03-09")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-09")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.setClock(c, mustTime("2026-03-10T09:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-10")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		end := "/v1/regimes/" + e.activeRegimeOf(pid) + "/end"
		for _, tc := range []struct{ on, rule string }{{"2026-03-14", "not_future"}, {"2026-03-09", "after_last_dose"}} {
			p := problemOf(t, e.do("prescriber", "POST", end, map[string]any{"ended_on": tc.on, "reason": "detox completes"}), 422)
			if !slices.Contains(fieldsOf(p), "ended_on") || !strings.Contains(fmt.Sprint(p["errors"]), tc.rule) {
				t.Fatalf("ended_on %s: %v", tc.on, p)
			}
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["status"]; got != "issued" {
			t.Fatalf("a refused end touched the prescription: %v", got)
		}
		e.must(200, e.do("prescriber", "POST", end, map[string]any{"ended_on": "2026-03-10", "reason": "detox completed"}))
	})
}

// B1 counts from the last methadone dose the pharmacy watched being
// taken, even when the prescriber gives no time or an earlier one.
func TestInductionTimingCountsFromTheSupervisedMethadoneDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-10T16:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(422, "2026-03-10")
		c.Set(mustTime("2026-03-10T16:30:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-10")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-03-10T16:20:00Z"}))
		c.Set(mustTime("2026-03-10T17:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+e.activeRegimeOf(pid)+"/end", map[string]any{"reason": "switching to Buvidal"}))
		start := map[string]any{"medicine": "buvidal_weekly", "dose": 16, "start_date": "2026-03-10",
			"first_dose_at": "2026-03-10T18:00:00Z", "last_dose_at": "2026-03-09T09:00:00Z"}
		blockedWith(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes", start), "B1", "Only 1 h 40 min")
	})
}

// A regime's first prescription that starts after the regime, at a dose
// titrated since, warns: the days before it have no dose (MD5) and the
// patient's first supply skips the titration steps (M2).
func TestFirstPrescriptionAfterUnsuppliedTitrationWarns(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(423, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-03-09"})
		for i, to := range []int{40, 50, 60} {
			e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/dose-changes", map[string]any{"to": to,
				"effective_date": fmt.Sprintf("2026-03-%02d", 10+i), "reason": "titration"}))
		}
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-16",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		got := findingRules(rx, "warnings")
		if !slices.Contains(got, "M2") || !slices.Contains(got, "MD5") {
			t.Fatalf("warnings %v, want M2 and MD5: %v", got, rx["warnings"])
		}
		assertText(t, fmt.Sprint(rx["warnings"]), "first supply is 60 mg, not the starting dose of 30 mg", "Mon 9 Mar 2026 to Sun 15 Mar 2026")
		// Prescribed from the start, nothing is skipped.
		other := e.newPatient(424, nil)
		e.startRegime(other, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-03-09"})
		ok := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": other, "start_date": "2026-03-09",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		if got := findingRules(ok, "warnings"); slices.Contains(got, "M2") || slices.Contains(got, "MD5") {
			t.Fatalf("a prescription from the regime's start warns %v", ok["warnings"])
		}
	})
}

// A QTc/cardiac risk flag asks for an ECG before methadone starts (M4).
func TestCardiacRiskFlagAsksForAnECGBeforeMethadone(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(425, map[string]any{"risk_flags": map[string]any{"cardiac_qtc": true}})
		start := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20, "stage": "titration"}
		if got := warningRules(e.startRegime(pid, start)); !slices.Contains(got, "M4") {
			t.Fatalf("warnings %v lack M4", got)
		}
		other := e.newPatient(426, map[string]any{"risk_flags": map[string]any{"cardiac_qtc": true}})
		start["ecg_date"] = "2026-03-02"
		if got := warningRules(e.startRegime(other, start)); slices.Contains(got, "M4") {
			t.Fatalf("a recent ECG still warns: %v", got)
		}
	})
}
