package httpapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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

// patientOf is the prescriber's view of a patient.
func (e *env) patientOf(patientID string) map[string]any {
	e.t.Helper()
	return e.must(200, e.do("prescriber", "GET", "/v1/patients/"+patientID, nil))
}

// A Buvidal injection is a dose taken: the first starts treatment as a
// first dose handed over does, with the same audit event naming the
// injection; one dated before the first dose recorded brings it forward.
func TestFirstDoseFollowsInjections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		inject := func(rid, day, site string) string {
			return e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": day, "dose": 24,
				"site": site, "batch": "B-24", "batch_expiry": "2027-06-30"}))["administration"].(map[string]any)["id"].(string)
		}
		start := func(seq int, extra map[string]any) (pid, rid string) {
			pid = e.newPatient(seq, extra)
			rid = e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24, "start_date": "2026-12-02",
				"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})["id"].(string)
			return pid, rid
		}

		pid, rid := start(340, map[string]any{"referral_date": "2026-11-25"})
		first := inject(rid, "2026-12-02", "thigh_left")
		if date, days := e.firstDoseOf(pid); date != "2026-12-02" || days != float64(7) {
			t.Fatalf("first dose after the first injection = %v (%v days)", date, days)
		}
		e.setClock(c, mustTime("2026-12-09T10:00:00Z"))
		inject(rid, "2026-12-09", "thigh_right")
		if date, _ := e.firstDoseOf(pid); date != "2026-12-02" {
			t.Fatalf("first dose after the second injection = %v", date)
		}
		got := e.firstDoseAudit(pid)
		if len(got) != 1 || got[0]["previous"] != nil || got[0]["first_dose_date"] != "2026-12-02" ||
			got[0]["administration_id"] != first || got[0]["dose_event_id"] != nil {
			t.Fatalf("first dose audit = %v, want one event naming the first injection %s", got, first)
		}

		// A first dose entered as given elsewhere on the 4th; the injection
		// of the 2nd, recorded late, was earlier. The date given elsewhere
		// is kept as entered.
		e.setClock(c, mustTime("2026-12-02T10:00:00Z"))
		late, lrid := start(341, nil)
		e.setClock(c, mustTime("2026-12-04T10:00:00Z"))
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+late, map[string]any{"first_dose_date": "2026-12-04"}))
		e.setClock(c, mustTime("2026-12-05T10:00:00Z"))
		given := inject(lrid, "2026-12-02", "abdomen_left")
		pt := e.patientOf(late)
		if pt["first_dose_date"] != "2026-12-02" || pt["first_dose_elsewhere_date"] != "2026-12-04" {
			t.Fatalf("after an earlier injection: first_dose_date %v, first_dose_elsewhere_date %v", pt["first_dose_date"], pt["first_dose_elsewhere_date"])
		}
		got = e.firstDoseAudit(late)
		if len(got) != 1 || got[0]["previous"] != "2026-12-04" || got[0]["first_dose_date"] != "2026-12-02" || got[0]["administration_id"] != given {
			t.Fatalf("first dose audit = %v", got)
		}
	})
}

// A first dose date a prescriber enters records a dose given elsewhere (in
// prison, in hospital): Dosebook's own records never move it. A dose record
// here on that day corrected to no dose leaves it; a dose taken here
// earlier brings first_dose_date forward, and corrected away again it
// returns to the date given elsewhere. A date later than a dose taken here
// is refused, null goes back to the records here, and the date already
// recorded sent again changes nothing.
func TestFirstDoseEnteredByHandStands(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		wantDates := func(what, pid string, first, elsewhere any) {
			t.Helper()
			pt := e.patientOf(pid)
			if pt["first_dose_date"] != first || pt["first_dose_elsewhere_date"] != elsewhere {
				t.Fatalf("%s: first_dose_date %v, first_dose_elsewhere_date %v; want %v, %v", what, pt["first_dose_date"],
					pt["first_dose_elsewhere_date"], first, elsewhere)
			}
		}
		patch := func(pid string, v any) response {
			return e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"first_dose_date": v})
		}

		// Given in hospital the morning of day 1; the pharmacy's record of
		// day 1 was made against the wrong patient and is corrected.
		hospital, hrx := e.dispensed(342, "2026-02-09")
		e.must(200, patch(hospital, "2026-02-09"))
		wantDates("entered", hospital, "2026-02-09", "2026-02-09")
		e.record(hrx, "2026-02-09", supervised)

		// Given in prison on day 2; day 1 here, not recorded and marked
		// missed, is corrected to supervised, then found to be wrong.
		prison, prx := e.dispensed(343, "2026-02-09")
		e.closeDays(c, "2026-02-09")
		// The hospital patient's record is corrected once day 1 has
		// closed (a correction to missed waits for the close, S1).
		e.correct(hospital, hrx, "2026-02-09", map[string]any{"outcome": "missed", "correction_reason": "recorded against the wrong patient"})
		wantDates("day 1 corrected to missed", hospital, "2026-02-09", "2026-02-09")
		if got := e.firstDoseAudit(hospital); len(got) != 0 {
			t.Fatalf("first dose audit = %v, want none", got)
		}
		e.setClock(c, mustTime("2026-02-10T09:00:00Z"))
		e.must(200, patch(prison, "2026-02-10"))
		wantDates("entered", prison, "2026-02-10", "2026-02-10")
		e.correct(prison, prx, "2026-02-09", givenOn("2026-02-09", "forgot to record"))
		wantDates("day 1 corrected to supervised", prison, "2026-02-09", "2026-02-10")
		e.correct(prison, prx, "2026-02-09", map[string]any{"outcome": "missed", "correction_reason": "the wrong patient's record"})
		wantDates("day 1 corrected back to missed", prison, "2026-02-10", "2026-02-10")
		got := e.firstDoseAudit(prison)
		if len(got) != 2 || got[0]["previous"] != "2026-02-10" || got[0]["first_dose_date"] != "2026-02-09" ||
			got[1]["previous"] != "2026-02-09" || got[1]["first_dose_date"] != "2026-02-10" {
			t.Fatalf("first dose audit = %v", got)
		}

		// The records here: a date after a dose taken here is refused;
		// the derived date sent back is no entry; null follows the records.
		here, rx := e.dispensed(344, "2026-02-10")
		e.record(rx, "2026-02-10", supervised)
		wantDates("recorded here", here, "2026-02-10", nil)
		e.setClock(c, mustTime("2026-02-11T10:00:00Z"))
		e.must(200, patch(here, "2026-02-10"))
		wantDates("the same date sent again", here, "2026-02-10", nil)
		p := problemOf(t, patch(here, "2026-02-11"), 422)
		if !slices.Contains(fieldsOf(p), "first_dose_date") || !strings.Contains(fmt.Sprint(p["errors"]), "first_dose_here") {
			t.Fatalf("a date after the first dose here: %v", p)
		}
		e.must(200, patch(here, "2026-02-08"))
		wantDates("given elsewhere the day before", here, "2026-02-08", "2026-02-08")
		if m := e.must(200, patch(here, nil)); m["first_dose_date"] != "2026-02-10" || m["first_dose_elsewhere_date"] != nil {
			t.Fatalf("cleared: %v %v", m["first_dose_date"], m["first_dose_elsewhere_date"])
		}
	})
}

// A first dose date that follows the records here is not the prescriber's
// to correct in an unrelated change: a dose recorded late for a day before
// the referral date entered leaves the patient editable, and null for a
// date that already follows the records is no change at all.
func TestDerivedFirstDoseBeforeReferralLeavesThePatientEditable(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(344, "2026-02-09")
		path := "/v1/patients/" + pid
		e.closeDays(c, "2026-02-09")
		e.setClock(c, mustTime("2026-02-10T09:00:00Z"))
		e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"referral_date": "2026-02-10"}))
		e.correct(pid, rx, "2026-02-09", givenOn("2026-02-09", "recorded on paper"))
		if pt := e.patientOf(pid); pt["first_dose_date"] != "2026-02-09" || pt["first_dose_elsewhere_date"] != nil {
			t.Fatalf("first_dose_date %v, first_dose_elsewhere_date %v", pt["first_dose_date"], pt["first_dose_elsewhere_date"])
		}
		before := e.auditCount()
		e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"first_dose_date": nil}))
		if n := e.auditCount(); n != before {
			t.Fatalf("null for a date following the records wrote %d audit events", n-before)
		}
		got := e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"keyworker": "Ana Reyes"}))
		if got["keyworker"] != "Ana Reyes" || got["first_dose_date"] != "2026-02-09" {
			t.Fatalf("keyworker change answered %v", got)
		}
		// Entering either date is judged: a referral after the first dose is not.
		pr := problemOf(t, e.do("prescriber", "PATCH", path, map[string]any{"referral_date": "2026-02-10"}), 422)
		if errs, _ := pr["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["rule"] != "after_referral" {
			t.Fatalf("errors %v, want after_referral", pr["errors"])
		}
	})
}
