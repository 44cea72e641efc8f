package httpapi

import (
	"strings"
	"testing"
)

// takeHomeSaturdays sets up a stable methadone patient whose Saturday
// collection is taken home with Sunday's dose, every other day supervised,
// with an issued 14-day prescription from start.
func (e *env) takeHomeSaturdays(seq int, start string) (patientID, prescriptionID string) {
	e.t.Helper()
	pid := e.newPatient(seq, nil)
	e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "stage": "maintenance",
		"start_date": start, "pattern": weekendCollectedSaturday, "supervision_relaxed_reason": "Compliance assured: 3 years stable",
		"overrides": []map[string]any{{"rule": "M1", "reason": "transferred on 60 mg"}}})
	pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
		"days": 14, "wording": []int{1, 3}, "issue": true}))
	return pid, pr["id"].(string)
}

// eventsOf is the number of records an instalment has in the patient's
// history of that day.
func (e *env) eventsOf(patientID, day string) int {
	e.t.Helper()
	hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+patientID+"/doses?from="+day+"&to="+day, nil))
	n := 0
	for _, in := range hist["instalments"].([]any) {
		n += len(in.(map[string]any)["events"].([]any))
	}
	return n
}

// S7: the recorded outcome fits the instalment. A supervised dose is
// recorded supervised, never collected, for first records and corrections
// alike; a take-home instalment may be collected, or supervised, since a
// pharmacist may always watch a dose being taken.
func TestOutcomeFitsTheInstalment(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-04T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		titrating, titratingRx := e.dispensed(130, "2026-12-04")
		stable, stableRx := e.takeHomeSaturdays(131, "2026-12-04")
		watched, watchedRx := e.takeHomeSaturdays(132, "2026-12-04")
		collected := map[string]any{"outcome": "collected", "identity_confirmed": true}
		supervised := map[string]any{"outcome": "supervised", "identity_confirmed": true}

		// Friday: a supervised-only dose (take_home 0) in titration.
		fri := "/v1/instalments/" + e.instalmentOn(titratingRx, "2026-12-04") + "/events"
		blockedWith(t, e.do("pharmacist", "POST", fri, collected), "S7", "cannot be recorded as collected")
		p := problemOf(t, e.do("pharmacist", "POST", fri, collected), 422)
		if rules := rulesOf(p); len(rules) != 1 {
			t.Fatalf("rules = %v, want S7 alone", rules)
		}
		action := p["rules"].([]any)[0].(map[string]any)["action"].(string)
		for _, want := range []string{"record supervised", "withheld or refused", "ask the prescriber to change the pickup pattern"} {
			if !strings.Contains(action, want) {
				t.Errorf("action %q does not say %q", action, want)
			}
		}
		if n := e.eventsOf(titrating, "2026-12-04"); n != 0 {
			t.Fatalf("a refused record wrote %d events", n)
		}
		if st := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), titrating)["state"]; st != "due" {
			t.Fatalf("state after a refused record = %v", st)
		}
		first := e.must(201, e.do("pharmacist", "POST", fri, supervised))["event"].(map[string]any)
		// Corrections obey the same rule.
		blockedWith(t, e.do("pharmacist", "POST", fri, map[string]any{"outcome": "collected", "identity_confirmed": true,
			"corrects_id": first["id"], "correction_reason": "took it away"}), "S7", "supervised dose")
		if n := e.eventsOf(titrating, "2026-12-04"); n != 1 {
			t.Fatalf("%d events after a refused correction, want 1", n)
		}
		// The stable patients' Fridays are supervised too.
		blockedWith(t, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(stableRx, "2026-12-04")+"/events", collected), "S7", "")

		// Saturday: the titrating patient's instalment is supervised with
		// Sunday's dose to take home (the pharmacy is closed on Sundays).
		c.Set(mustTime("2026-12-05T09:00:00Z"))
		sat := "/v1/instalments/" + e.instalmentOn(titratingRx, "2026-12-05") + "/events"
		blockedWith(t, e.do("pharmacist", "POST", sat, collected), "S7", "take-home part")
		e.must(201, e.do("pharmacist", "POST", sat, supervised))

		// A take-home instalment (supervised 0) is collected.
		stableSat := "/v1/instalments/" + e.instalmentOn(stableRx, "2026-12-05") + "/events"
		ev := e.must(201, e.do("pharmacist", "POST", stableSat, collected))["event"].(map[string]any)
		// A correction between the two fitting outcomes moves no dose.
		ev = e.must(201, e.do("pharmacist", "POST", stableSat, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": ev["id"], "correction_reason": "took the first dose in front of me"}))["event"].(map[string]any)
		e.must(201, e.do("pharmacist", "POST", stableSat, map[string]any{"outcome": "collected", "identity_confirmed": true,
			"corrects_id": ev["id"], "correction_reason": "took both doses away after all"}))
		if n := e.eventsOf(stable, "2026-12-05"); n != 3 {
			t.Fatalf("%d events, want 3", n)
		}
		// And may be supervised as a first record.
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(watchedRx, "2026-12-05")+"/events", supervised))
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+watched+"/doses?from=2026-12-05&to=2026-12-05", nil))
		if got := hist["instalments"].([]any)[0].(map[string]any)["current_outcome"]; got != "supervised" {
			t.Fatalf("current outcome %v", got)
		}
	})
}
