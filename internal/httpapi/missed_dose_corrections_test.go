package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// stableDispensed sets up a methadone patient on a stable dose
// (maintenance) with an issued 14-day, all-supervised prescription from
// start at the demo pharmacy.
func (e *env) stableDispensed(seq int, start string) (patientID, prescriptionID string) {
	e.t.Helper()
	pid := e.newPatient(seq, nil)
	e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance", "start_date": start,
		"overrides": []map[string]any{{"rule": "M3", "reason": "transfer on 30 mg"}}})
	pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
		"days": 14, "wording": []int{1, 3}, "issue": true}))
	return pid, pr["id"].(string)
}

// record posts a pharmacist's record of the instalment dated day and
// returns the event.
func (e *env) record(prescriptionID, day string, body map[string]any) map[string]any {
	e.t.Helper()
	return e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prescriptionID, day)+"/events", body))["event"].(map[string]any)
}

// currentEventOn is the current record of a patient's instalment dated day.
func (e *env) currentEventOn(patientID, day string) map[string]any {
	e.t.Helper()
	hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+patientID+"/doses?from="+day+"&to="+day, nil))
	for _, in := range hist["instalments"].([]any) {
		if m := in.(map[string]any); m["date"] == day {
			evs := m["events"].([]any)
			return evs[len(evs)-1].(map[string]any)
		}
	}
	e.t.Fatalf("no instalment of %s on %s", patientID, day)
	return nil
}

// correct corrects the current record of the patient's instalment dated day.
func (e *env) correct(patientID, prescriptionID, day string, body map[string]any) map[string]any {
	e.t.Helper()
	body["corrects_id"] = e.currentEventOn(patientID, day)["id"]
	return e.record(prescriptionID, day, body)
}

func (e *env) openMD2(patientID string) []string {
	e.t.Helper()
	return e.alertMessages("prescriber", patientID, "missed_dose")
}

var supervised = map[string]any{"outcome": "supervised", "identity_confirmed": true}

// givenOn is a correction to supervised, made after the day, of a dose
// given at 10:15 on day.
func givenOn(day, reason string) map[string]any {
	return map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": day + "T10:15:00Z", "correction_reason": reason}
}

func refused() map[string]any {
	return map[string]any{"outcome": "refused", "identity_confirmed": true, "notes": "did not want it"}
}

// MD2 reads a day without the dose whatever made it one: a refusal, a
// withheld dose or a correction to missed is alerted when it is recorded,
// as day close alerts a day it marks missed, in titration at the first
// such day and on a stable dose at the second in a row.
func TestMD2WhenTheRunEndsWithoutDayClose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Titration, the first dose refused.
		pid, rx := e.dispensed(300, "2026-02-09")
		e.record(rx, "2026-02-09", refused())
		wantAlerts(t, "titration, first dose refused", e.openMD2(pid), 1, "1 consecutive day(s) without the dose (missed, withheld or refused) during titration, the run starting 2026-02-09")

		// Stable: Monday missed, Tuesday refused.
		stable, srx := e.stableDispensed(301, "2026-02-09")
		e.closeDays(c, "2026-02-09")
		wantAlerts(t, "stable, one day missed", e.openMD2(stable), 0, "")
		c.Set(mustTime("2026-02-10T10:00:00Z"))
		e.record(srx, "2026-02-10", refused())
		wantAlerts(t, "stable, missed then refused", e.openMD2(stable), 1, "2 consecutive day(s) without the dose (missed, withheld or refused) on a stable dose, the run starting 2026-02-09")
		// Withheld the next day: the same run, no second alert.
		c.Set(mustTime("2026-02-11T10:00:00Z"))
		e.record(srx, "2026-02-11", map[string]any{"outcome": "withheld", "reason": "intoxicated", "identity_confirmed": true})
		wantAlerts(t, "stable, the run goes on", e.openMD2(stable), 1, "the run starting 2026-02-09")
		// Day close that evening finds nothing new for the run.
		e.closeDays(c, "2026-02-11")
		wantAlerts(t, "stable, after day close", e.openMD2(stable), 1, "the run starting 2026-02-09")
	})
}

// A correction to missed is a day without the dose known now: it is
// alerted now, not at the next day close (or never, when no later day is
// missed).
func TestMD2WhenACorrectionTakesTheDoseAway(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(303, "2026-02-09")
		stable, srx := e.stableDispensed(302, "2026-02-09")

		// Titration: a supervised record corrected to missed, once the
		// day has closed: before, the patient may still come (S1).
		e.record(rx, "2026-02-09", supervised)
		c.Set(mustTime("2026-02-09T11:00:00Z"))
		p := problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-02-09")+"/events",
			map[string]any{"outcome": "missed", "corrects_id": e.currentEventOn(pid, "2026-02-09")["id"], "correction_reason": "recorded against the wrong patient"}), 422)
		if !slices.Contains(fieldsOf(p), "outcome") || !strings.Contains(fmt.Sprint(p["errors"]), "has not closed") {
			t.Fatalf("a same-day correction to missed: %v", p)
		}
		wantAlerts(t, "titration, refused correction", e.openMD2(pid), 0, "")
		e.closeDays(c, "2026-02-09")
		e.correct(pid, rx, "2026-02-09", map[string]any{"outcome": "missed", "correction_reason": "recorded against the wrong patient"})
		wantAlerts(t, "titration, corrected to missed", e.openMD2(pid), 1, "1 consecutive day(s) without the dose (missed, withheld or refused) during titration, the run starting 2026-02-09")

		// Stable: Monday missed, Tuesday recorded supervised then corrected
		// the next morning, before Wednesday's day close.
		c.Set(mustTime("2026-02-10T10:00:00Z"))
		e.record(srx, "2026-02-10", supervised)
		e.closeDays(c, "2026-02-10")
		wantAlerts(t, "stable, Monday missed", e.openMD2(stable), 0, "")
		c.Set(mustTime("2026-02-11T09:00:00Z"))
		e.correct(stable, srx, "2026-02-10", map[string]any{"outcome": "missed", "correction_reason": "recorded against the wrong patient"})
		wantAlerts(t, "stable, Tuesday corrected to missed", e.openMD2(stable), 1, "2 consecutive day(s) without the dose (missed, withheld or refused) on a stable dose, the run starting 2026-02-09")
	})
}

// One MD2 alert per run: a correction that lengthens a run already
// alerted, at either end, adds none.
func TestMD2CorrectionLengtheningARunAddsNoAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.stableDispensed(304, "2026-02-09")
		e.record(rx, "2026-02-09", supervised)
		e.closeDays(c, "2026-02-09", "2026-02-10", "2026-02-11")
		wantAlerts(t, "Tuesday and Wednesday missed", e.openMD2(pid), 1, "the run starting 2026-02-10")
		c.Set(mustTime("2026-02-12T09:00:00Z"))
		e.correct(pid, rx, "2026-02-09", map[string]any{"outcome": "missed", "correction_reason": "recorded against the wrong patient"})
		wantAlerts(t, "Monday corrected to missed", e.openMD2(pid), 1, "the run starting 2026-02-10")
	})
}

// A correction that says the missed dose was taken after all resolves the
// MD2 alert of a run it leaves too short (or breaks at its first day),
// saying which correction did; what is left of the run is alerted if it
// still reaches MD2's figure. Corrected back to missed, the run is news
// again.
func TestMD2ResolvedWhenTheMissedDayWasTaken(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Titration: day close marks the day missed; the pharmacist had
		// forgotten to record and corrects it the next morning.
		pid, rx := e.dispensed(305, "2026-02-09")
		stable, srx := e.stableDispensed(306, "2026-02-09")
		e.closeDays(c, "2026-02-09")
		wantAlerts(t, "day 1 missed", e.openMD2(pid), 1, "the run starting 2026-02-09")
		c.Set(mustTime("2026-02-10T09:00:00Z"))
		e.correct(pid, rx, "2026-02-09", givenOn("2026-02-09", "forgot to record: seen to swallow"))
		if got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid); len(got) != 0 {
			t.Fatalf("open MD2 alerts after the correction = %v", got)
		}
		a := e.resolvedAlert("prescriber", pid, "missed_dose")
		if a == nil || !strings.Contains(a["resolution"].(string), "The record of 2026-02-09 was corrected to supervised: forgot to record: seen to swallow") {
			t.Fatalf("resolved MD2 alert = %v", a)
		}
		if e.resolvedAlert("pharmacist", pid, "missed_dose") == nil {
			t.Fatal("the pharmacy's list still has the MD2 alert open")
		}
		// Corrected back to missed: the run stands again, and so does an alert.
		c.Set(mustTime("2026-02-10T09:30:00Z"))
		e.correct(pid, rx, "2026-02-09", map[string]any{"outcome": "missed", "correction_reason": "wrong patient after all"})
		if got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid); len(got) != 1 ||
			!strings.Contains(got[0]["message"].(string), "the run starting 2026-02-09") {
			t.Fatalf("open MD2 alerts after correcting back = %v", got)
		}

		// Stable: Monday to Wednesday missed, Monday was taken after all.
		e.closeDays(c, "2026-02-10", "2026-02-11")
		wantAlerts(t, "stable, three days", e.openMD2(stable), 1, "the run starting 2026-02-09")
		c.Set(mustTime("2026-02-12T09:00:00Z"))
		e.correct(stable, srx, "2026-02-09", givenOn("2026-02-09", "forgot to record"))
		got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+stable)
		if len(got) != 1 || !strings.Contains(got[0]["message"].(string), "2 consecutive day(s) without the dose (missed, withheld or refused) on a stable dose, the run starting 2026-02-10") {
			t.Fatalf("open MD2 alerts after Monday's correction = %v", got)
		}
		// Tuesday too: Wednesday alone is not enough on a stable dose.
		e.correct(stable, srx, "2026-02-10", givenOn("2026-02-10", "forgot to record"))
		if got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+stable); len(got) != 0 {
			t.Fatalf("open MD2 alerts after Tuesday's correction = %v", got)
		}
		resolved := e.alertsOf("prescriber", "?resolved=true&kind=missed_dose&patient_id="+stable)
		if len(resolved) != 2 {
			t.Fatalf("resolved MD2 alerts = %v", resolved)
		}
		if !slices.ContainsFunc(resolved, func(a map[string]any) bool {
			return strings.Contains(a["resolution"].(string), "The record of 2026-02-10 was corrected to supervised")
		}) {
			t.Fatalf("resolved MD2 alerts = %v", resolved)
		}
	})
}
