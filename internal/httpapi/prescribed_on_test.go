package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// L1, L3: a prescription is dated the day it is signed, so it is not dated
// before the patient was registered or the regime it prescribes was
// recorded, as the service's time zone dates them (422 on prescribed_on
// naming the rule); within those records the bounds that were there stay:
// not in the future, and not so far back that L3 has already lapsed.
func TestPrescribedOnIsNotBeforeTheRecords(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(701, nil) // registered 1 Jun
		older := e.newPatient(702, nil)
		e.startRegime(older, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-06-01"})
		// Recorded at 00:30 on 10 Jun in London, still 9 Jun in UTC.
		c.Set(mustTime("2026-06-09T23:30:00Z"))
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-06-10"})
		c.Set(mustTime("2026-06-12T10:00:00Z"))
		writeFor := func(patientID, prescribedOn, start string) response {
			return e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": patientID, "prescribed_on": prescribedOn,
				"start_date": start, "days": 3, "issue": true, "wording": []int{3}})
		}
		write := func(prescribedOn string) response { return writeFor(pid, prescribedOn, "2026-06-13") }
		for _, tt := range []struct {
			prescribedOn, rule, says string
		}{
			{"2026-06-09", "after_regime_recorded", "before the regime it prescribes was recorded on 2026-06-10"},
			{"2026-05-17", "after_registration", "before the patient was registered on 2026-06-01"},
			{"2026-06-13", "not_future", "must not be in the future"},
		} {
			p := problemOf(t, write(tt.prescribedOn), 422)
			errs := p["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("%s: errors %v", tt.prescribedOn, errs)
			}
			got := errs[0].(map[string]any)
			if got["field"] != "prescribed_on" || got["rule"] != tt.rule || !strings.Contains(got["message"].(string), tt.says) {
				t.Errorf("%s: %v, want prescribed_on/%s saying %q", tt.prescribedOn, got, tt.rule, tt.says)
			}
		}
		if rx := e.must(201, write("2026-06-10")); rx["prescribed_on"] != "2026-06-10" || rx["status"] != "issued" {
			t.Fatalf("dated the day the regime was recorded: %v %v", rx["prescribed_on"], rx["status"])
		}
		// More than 28 days back is still L3's, records or not.
		c.Set(mustTime("2026-06-30T09:00:00Z"))
		if p := problemOf(t, writeFor(older, "2026-06-01", "2026-06-30"), 422); !slices.Equal(rulesOf(p), []string{"L3"}) {
			t.Errorf("rules %v, want L3", rulesOf(p))
		}
	})
}

// L6: days is a whole number of days from 1 to L6's 14; a value outside
// says so and names L6, a fraction asks for a whole number, and only a
// missing one is "required".
func TestPrescriptionDaysMessages(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(711, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-06-01"})
		for _, tt := range []struct {
			days       any
			rule, says string
		}{
			{0, "range", "days must be a whole number from 1 to 14 (L6"},
			{-3, "range", "days must be a whole number from 1 to 14 (L6"},
			{1.5, "type", "must be a whole number"},
			{"7", "type", "must be a whole number"},
			{nil, "required", "days is required: a whole number from 1 to 14 (L6"},
		} {
			body := map[string]any{"patient_id": pid, "start_date": "2026-06-01", "wording": []int{3}}
			if tt.days != nil {
				body["days"] = tt.days
			}
			errs := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", body), 422)["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("days %v: errors %v", tt.days, errs)
			}
			got := errs[0].(map[string]any)
			if got["field"] != "days" || got["rule"] != tt.rule || !strings.Contains(got["message"].(string), tt.says) {
				t.Errorf("days %v: %v, want days/%s saying %q", tt.days, got, tt.rule, tt.says)
			}
		}
	})
}
