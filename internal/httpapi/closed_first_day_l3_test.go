package httpapi

import (
	"strings"
	"testing"
)

// throughNewYearsEve starts a methadone patient on 85 mg at Market Square,
// closed on Sundays and bank holidays (New Year's Day among them), with a
// prescription for 18–31 Dec 2026 issued on 2 Dec; prescribe writes and
// issues another from start.
func (e *env) throughNewYearsEve(seq int) (patientID string, prescribe func(start string, days int) response) {
	e.t.Helper()
	pid := e.newPatient(seq, map[string]any{"pharmacy_id": e.demo.Pharmacy2})
	e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 85, "stage": "maintenance",
		"start_date": "2026-12-03", "overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 85 mg"}}})
	e.must(200, e.do("pharmacist_2", "PUT", "/v1/pharmacies/"+e.demo.Pharmacy2+"/opening",
		map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{}, "bank_holidays_closed": true}))
	prescribe = func(start string, days int) response {
		return e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
			"days": days, "wording": []int{1, 3}, "issue": true})
	}
	if first := e.must(201, prescribe("2026-12-18", 14)); first["end_date"] != "2026-12-31" {
		e.t.Fatalf("first prescription = %v", first)
	}
	return pid, prescribe
}

// L3 is judged on a prescription's first instalment, which for a closed
// first day is the collection day before it (ADR 0011), and the refusals
// name that day. Market Square is closed on Sundays and bank holidays; a
// prescription for 18–31 Dec 2026 is issued on 2 Dec, and the next starts
// on the closed New Year's Day, its first dose collected on 31 Dec with
// the first's.
//
// Written on 2 Dec, that collection is 29 days after the prescription
// date, and L3 refuses naming it. Written on 3 Dec, it is 28 days after:
// within the validity though the start is 29 days after, as the
// regulation counts the first instalment. Asked for from 31 Dec, the
// overlap refusal's advice names 1 Jan and the collection on 31 Dec that
// would be its first instalment, and following it works.
func TestClosedFirstDayL3JudgesTheFirstCollection(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prescribe := e.throughNewYearsEve(9461)

		p := problemOf(t, prescribe("2027-01-01", 14), 422)
		want := "L3: The first instalment (2026-12-31, collected before the prescription's first day, 2027-01-01, for its dose) is 29 days after the prescription date (2026-12-02); it must be within 28 days."
		if !strings.Contains(p["detail"].(string), want) {
			t.Fatalf("refusal = %v, want it to say %q", p["detail"], want)
		}

		e.setClock(c, mustTime("2026-12-03T10:00:00Z"))
		p = problemOf(t, prescribe("2026-12-31", 14), 409)
		for _, want := range []string{
			"already supplies 2026-12-31 to 2026-12-31",
			"or start this one on 2027-01-01 (its dose for 2027-01-01 is then collected on 2026-12-31 (Thursday), the collection day before, under approved wording 1: that is its first instalment, which must fall within L3's validity of its date",
		} {
			if !strings.Contains(p["detail"].(string), want) {
				t.Fatalf("overlap refusal = %v, want it to say %q", p["detail"], want)
			}
		}
		rx := e.must(201, prescribe("2027-01-01", 14))
		if ins := e.instalmentsOf(rx["id"].(string)); len(ins) < 2 || ins[0] != "2026-12-31 [2027-01-01] 0+85" {
			t.Fatalf("instalments = %v, want 1 Jan's dose collected on 31 Dec", ins)
		}
		if rx["prescribed_on"] != "2026-12-03" || rx["valid_until"] != "2026-12-31" {
			t.Fatalf("prescription = %v, want it dated 3 Dec, its first instalment due by 31 Dec", rx)
		}
	})
}

// The overlap refusal's advice to start after the other prescription does
// not send the prescriber to a start that would itself be refused: once
// the patient has collected on 31 Dec, the closed 1 Jan's dose can no
// longer be collected before it, and the refusal says so and names 2 Jan.
// A prescription asked for from 1 Jan is refused the same way, not with
// the schedule's advice to start on 31 Dec, which the overlap refuses.
func TestOverlapAdviceWhenTheDayAfterCannotBeCollected(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prescribe := e.throughNewYearsEve(9462)
		e.attended(c, "pharmacist_2", pid, "2026-12-18", "2027-01-01")
		p := problemOf(t, prescribe("2026-12-31", 7), 409)
		want := "or start this one on 2027-01-01 (but 2027-01-01's dose cannot be prescribed: the pharmacy is closed that day, and the patient's collection on 2026-12-31, the last collection day before it, is already recorded; start it on 2027-01-02 (Saturday), the first day after it whose dose is collected on a list still open instead"
		if !strings.Contains(p["detail"].(string), want) {
			t.Fatalf("overlap refusal = %v, want it to say %q", p["detail"], want)
		}
		// Starting on 1 Jan is refused saying why, not with advice to start
		// on 31 Dec, which the overlap refuses; 2 Jan, as advised, works.
		p = problemOf(t, prescribe("2027-01-01", 7), 422)
		if f := fieldsOf(p); len(f) != 1 || f[0] != "start_date" {
			t.Fatalf("refusal fields = %v: %v", f, p)
		}
		want = "the dose for 2027-01-01 (Friday) cannot be supplied: the pharmacy is closed that day, and the patient's collection on 2026-12-31, the last collection day before it, is already recorded, and a dose is never supplied after its day (MD4); start the prescription on 2027-01-02 (Saturday)"
		if msg := p["errors"].([]any)[0].(map[string]any)["message"].(string); !strings.Contains(msg, want) {
			t.Fatalf("refusal = %v, want it to say %q", msg, want)
		}
		e.must(201, prescribe("2027-01-02", 7))
	})
}
