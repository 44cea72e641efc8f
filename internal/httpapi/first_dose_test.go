package httpapi

import (
	"encoding/json"
	"testing"
)

// firstDoseOf is the patient's first_dose_date and days from referral to it.
func (e *env) firstDoseOf(patientID string) (date, days any) {
	e.t.Helper()
	pt := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+patientID, nil))
	return pt["first_dose_date"], pt["rapid_access"].(map[string]any)["days_referral_to_first_dose"]
}

// firstDoseAudit lists the changes of the patient's first_dose_date the
// audit trail records, oldest first.
func (e *env) firstDoseAudit(patientID string) []map[string]any {
	e.t.Helper()
	m := e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_id="+patientID, nil))
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		ev := it.(map[string]any)
		if ev["action"] != "patient.first_dose" {
			continue
		}
		var ch map[string]any
		if err := json.Unmarshal([]byte(ev["changes"].(string)), &ch); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, ch)
	}
	return out
}

// The first dose (rapid access, waiting times) is the earliest day a dose
// was actually taken, corrections included: a day 1 that day close marked
// missed and the pharmacist corrected to supervised is the first dose, and
// a supervised record corrected to missed (the wrong patient) is none.
// Each change is audited.
func TestFirstDoseFollowsCorrections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		referred := map[string]any{"referral_date": "2026-02-02"}
		forgot, frx := e.dispensed(320, "2026-02-09")
		wrong, wrx := e.dispensed(321, "2026-02-09")
		late, lrx := e.dispensed(322, "2026-02-09")
		for _, pid := range []string{forgot, wrong, late} {
			e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, referred))
		}

		// Day 1 not recorded, marked missed, corrected the next morning.
		e.record(wrx, "2026-02-09", supervised)
		e.closeDays(c, "2026-02-09")
		c.Set(mustTime("2026-02-10T09:00:00Z"))
		e.correct(forgot, frx, "2026-02-09", givenOn("2026-02-09", "forgot to record: seen to swallow"))
		if date, days := e.firstDoseOf(forgot); date != "2026-02-09" || days != float64(7) {
			t.Fatalf("first dose after day 1 corrected to supervised = %v (%v days)", date, days)
		}
		e.record(frx, "2026-02-10", supervised)
		if date, _ := e.firstDoseOf(forgot); date != "2026-02-09" {
			t.Fatalf("first dose after day 2 = %v", date)
		}

		// Day 2 recorded before day 1 is corrected: day 1 it is.
		e.record(lrx, "2026-02-10", supervised)
		if date, _ := e.firstDoseOf(late); date != "2026-02-10" {
			t.Fatalf("first dose after day 2 = %v", date)
		}
		e.correct(late, lrx, "2026-02-09", givenOn("2026-02-09", "forgot to record"))
		if date, days := e.firstDoseOf(late); date != "2026-02-09" || days != float64(7) {
			t.Fatalf("first dose after day 1 corrected = %v (%v days)", date, days)
		}

		// Day 1 recorded against the wrong patient: no first dose, until day 2's.
		if date, _ := e.firstDoseOf(wrong); date != "2026-02-09" {
			t.Fatalf("first dose after the record = %v", date)
		}
		e.correct(wrong, wrx, "2026-02-09", map[string]any{"outcome": "missed", "correction_reason": "recorded against the wrong patient"})
		if date, days := e.firstDoseOf(wrong); date != nil || days != nil {
			t.Fatalf("first dose after the correction to missed = %v (%v days)", date, days)
		}
		e.record(wrx, "2026-02-10", supervised)
		if date, _ := e.firstDoseOf(wrong); date != "2026-02-10" {
			t.Fatalf("first dose after day 2 = %v", date)
		}

		for pid, want := range map[string][][2]any{
			forgot: {{nil, "2026-02-09"}},
			late:   {{nil, "2026-02-10"}, {"2026-02-10", "2026-02-09"}},
			wrong:  {{nil, "2026-02-09"}, {"2026-02-09", nil}, {nil, "2026-02-10"}},
		} {
			got := e.firstDoseAudit(pid)
			if len(got) != len(want) {
				t.Fatalf("first dose audit of %s = %v, want %v", pid, got, want)
			}
			for i, w := range want {
				if got[i]["previous"] != w[0] || got[i]["first_dose_date"] != w[1] || got[i]["dose_event_id"] == nil {
					t.Fatalf("first dose audit of %s = %v, want %v", pid, got, want)
				}
			}
		}
	})
}

// A regime starting on the pharmacy's closed Sunday has its first dose
// collected on the Saturday to take home: the first dose is the Sunday's,
// not a day before the regime began.
func TestFirstDoseIsTheFirstDayCovered(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-04T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(323, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20, "start_date": "2026-12-06"})
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-06",
			"days": 7, "wording": []int{1}, "issue": true}))
		c.Set(mustTime("2026-12-05T10:00:00Z"))
		in := e.instalmentOn(rx["id"].(string), "2026-12-05")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+in+"/events", map[string]any{"outcome": "collected", "identity_confirmed": true}))
		if date, _ := e.firstDoseOf(pid); date != "2026-12-06" {
			t.Fatalf("first dose = %v, want the regime's first day 2026-12-06", date)
		}
	})
}
