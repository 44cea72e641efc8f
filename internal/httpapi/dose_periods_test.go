package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// dosePeriodsOf reads a prescription's dose_periods as "from:dose" pairs.
func dosePeriodsOf(t *testing.T, rx map[string]any) []string {
	t.Helper()
	ps, ok := rx["dose_periods"].([]any)
	if !ok {
		t.Fatalf("prescription without dose_periods: %v", rx)
	}
	var out []string
	for _, p := range ps {
		p := p.(map[string]any)
		out = append(out, fmt.Sprintf("%s:%v", p["from"], p["daily_dose"]))
	}
	return out
}

// startAt70 starts a patient on 70 mg methadone (a transfer at that dose)
// from start.
func (e *env) startAt70(seq int, start string) (patientID, regimeID string) {
	e.t.Helper()
	pid := e.newPatient(seq, nil)
	r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 70, "stage": "maintenance",
		"start_date": start, "overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 70 mg"}}})
	return pid, r["id"].(string)
}

// A live prescription cancelled for a dose change taking effect tomorrow is
// reissued from today: its first day is 70 mg and the other thirteen 75 mg,
// and the prescription says so (L2), in its JSON and on paper.
func TestReissueAcrossADoseChangeStatesEachDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-18T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.startAt70(120, "2026-12-18")
		old := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-21",
			"days": 14, "wording": []int{1, 3}, "issue": true}))
		if got := dosePeriodsOf(t, old); len(got) != 1 || got[0] != "2026-12-21:70" {
			t.Fatalf("dose periods of a prescription on one dose: %v", got)
		}

		c.Set(mustTime("2026-12-21T10:00:00Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 75, "effective_date": "2026-12-22", "reason": "cravings in the evening"}))
		re := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		if re["start_date"] != "2026-12-21" || re["days"].(float64) != 14 || re["replaces_id"] != old["id"] {
			t.Fatalf("reissued from %v for %v days", re["start_date"], re["days"])
		}
		want := []string{"2026-12-21:70", "2026-12-22:75"}
		got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+re["id"].(string), nil))
		for _, rx := range []map[string]any{re, got} {
			if ps := dosePeriodsOf(t, rx); strings.Join(ps, " ") != strings.Join(want, " ") {
				t.Fatalf("dose periods = %v, want %v", ps, want)
			}
			// daily_dose stays the dose on the start date; the total is exact.
			if rx["daily_dose"].(float64) != 70 || rx["total"].(float64) != 70+13*75 {
				t.Fatalf("daily_dose %v, total %v", rx["daily_dose"], rx["total"])
			}
		}
		// The listing carries them too.
		list := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?status=issued&patient_id="+pid, nil))["items"].([]any)
		if len(list) != 1 || strings.Join(dosePeriodsOf(t, list[0].(map[string]any)), " ") != strings.Join(want, " ") {
			t.Fatalf("listed = %v", list)
		}

		text := pdfToText(t, e.must200PDF("prescriber", re["id"].(string)))
		assertText(t, text,
			"70 mg (70 ml) daily on 21 Dec 2026, then 75 mg (75 ml) daily from 22 Dec 2026",
			"Daily instalments of 70 ml on 21 Dec 2026, then 75 ml from 22 Dec 2026.",
			"1045 (one thousand and forty-five) millilitres")
		if strings.Contains(text, "once daily") || strings.Contains(text, "Daily instalments of 70 ml.") {
			t.Fatalf("the PDF states one dose for the whole prescription: %s", text)
		}
	})
}

// A draft written before a dose change on one of its days has the old
// doses; it is never edited, so it cannot be issued.
func TestDraftAcrossALaterDoseChangeIsNotIssued(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-18T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.startAt70(121, "2026-12-18")
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-21",
			"days": 14, "wording": []int{1, 3}}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 75, "effective_date": "2026-12-24", "reason": "cravings in the evening"}))
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil), 409)
		if !strings.Contains(p["detail"].(string), "the regime has changed since this draft was written") {
			t.Fatalf("refusal = %v", p["detail"])
		}
	})
}

// Likewise a draft whose days a later pattern change or pharmacy move reaches.
func TestDraftAcrossALaterSettingsChangeIsNotIssued(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-18T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		for i, change := range []func(rid string){
			func(rid string) {
				e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
					"effective_date": "2026-12-24", "supervision_relaxed_reason": "Compliance assured: years stable",
					"overrides": []map[string]any{{"rule": "M6", "reason": "stable"}}}))
			},
			func(rid string) {
				e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
					"effective_date": "2026-12-29", "reason": "moving house"}))
			},
		} {
			pid, rid := e.startAt70(122+i, "2026-12-18")
			draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-21",
				"days": 14, "wording": []int{1, 3}}))
			change(rid)
			p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil), 409)
			if !strings.Contains(p["detail"].(string), "the regime has changed since this draft was written") {
				t.Fatalf("change %d: refusal = %v", i, p["detail"])
			}
		}
	})
}

// A prescription written across a dose change already planned states both
// doses too, with the amounts of each day.
func TestPrescriptionWrittenAcrossAPlannedDoseChange(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-18T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.startAt70(122, "2026-12-18")
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 75, "effective_date": "2026-12-24", "reason": "cravings in the evening"}))
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-21",
			"days": 14, "wording": []int{1, 3}, "issue": true}))
		if ps := strings.Join(dosePeriodsOf(t, rx), " "); ps != "2026-12-21:70 2026-12-24:75" {
			t.Fatalf("dose periods = %v", ps)
		}
		if rx["daily_dose"].(float64) != 70 || rx["total"].(float64) != 3*70+11*75 {
			t.Fatalf("daily_dose %v, total %v", rx["daily_dose"], rx["total"])
		}
		for _, in := range rx["instalments"].([]any) {
			in := in.(map[string]any)
			want := 75.0
			if in["date"].(string) < "2026-12-24" {
				want = 70
			}
			if got := (in["supervised"].(float64) + in["take_home"].(float64)) / in["dose_days"].(float64); got != want {
				t.Errorf("instalment on %v: %v ml a day, want %v", in["date"], got, want)
			}
		}
		text := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		assertText(t, text,
			"70 mg (70 ml) daily from 21 Dec 2026 to 23 Dec 2026, then 75 mg (75 ml) daily from 24 Dec 2026",
			"Daily instalments of 70 ml from 21 Dec 2026 to 23 Dec 2026, then 75 ml from 24 Dec 2026.",
			"1035 (one thousand and thirty-five) millilitres")

		// One that ends before the change has one dose.
		pid2, rid2 := e.startAt70(123, "2026-12-18")
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid2+"/dose-changes",
			map[string]any{"to": 75, "effective_date": "2026-12-24", "reason": "cravings in the evening"}))
		rx2 := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid2, "start_date": "2026-12-21",
			"days": 3, "wording": []int{1, 3}, "issue": true}))
		if ps := strings.Join(dosePeriodsOf(t, rx2), " "); ps != "2026-12-21:70" {
			t.Fatalf("dose periods = %v", ps)
		}
		assertText(t, pdfToText(t, e.must200PDF("prescriber", rx2["id"].(string))), "70 mg (70 ml) once daily", "Daily instalments of 70 ml.")
	})
}
