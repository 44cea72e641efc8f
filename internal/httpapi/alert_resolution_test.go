package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// resolvedAlert finds a patient's alert of one kind among those who sees
// as resolved, or nil.
func (e *env) resolvedAlert(who, patientID, kind string) map[string]any {
	e.t.Helper()
	for _, a := range e.alertsOf(who, "?resolved=true&kind="+kind+"&patient_id="+patientID) {
		return a
	}
	return nil
}

// An MD1 alert tells the pharmacy not to dispense: once a review lifts the
// block it leaves everyone's open list, resolved, and says by what. A
// review dated before the last missed day lifts nothing and resolves
// nothing.
func TestReviewResolvesTheMD1Alert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(230, "2026-02-09")
		e.closeDays(c, "2026-02-09", "2026-02-10", "2026-02-11")
		c.Set(mustTime("2026-02-12T09:00:00Z"))
		for _, who := range []string{"prescriber", "pharmacist"} {
			if got := e.alertsOf(who, "?kind=md1_block&patient_id="+pid); len(got) != 1 || got[0]["resolved_at"] != nil || got[0]["resolution"] != nil {
				t.Fatalf("%s: open MD1 alerts %v, want one, unresolved", who, got)
			}
		}

		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"date": "2026-02-10", "notes": "entered against the wrong day"}))
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 1 {
			t.Fatalf("a review before the last missed day resolved the MD1 alert: %v", got)
		}

		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen: restart at 30 mg"}))
		for _, who := range []string{"prescriber", "pharmacist"} {
			if got := e.alertsOf(who, "?kind=md1_block&patient_id="+pid); len(got) != 0 {
				t.Fatalf("%s still has the MD1 alert open after the review: %v", who, got)
			}
			a := e.resolvedAlert(who, pid, "md1_block")
			if a == nil || a["resolved_at"] == nil || !strings.Contains(a["resolution"].(string), "Review recorded for 2026-02-12: the MD1 block is lifted") ||
				a["acknowledged_at"] != nil {
				t.Fatalf("%s: resolved MD1 alert = %v", who, a)
			}
		}
		// Resolved is not acknowledged: the lists keep the two apart.
		if got := e.alertsOf("prescriber", "?acknowledged=false&kind=md1_block&patient_id="+pid); len(got) != 1 {
			t.Fatalf("acknowledged=false: %v", got)
		}
		if got := e.alertsOf("prescriber", "?resolved=false&kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("resolved=false: %v", got)
		}
		if n := slices.Index(auditActions(e, pid), "alert.resolve"); n < 0 {
			t.Fatalf("the resolution is not in the audit trail: %v", auditActions(e, pid))
		}
		if got := e.alertsOf("pharmacist_2", "?open=false&patient_id="+pid); len(got) != 0 {
			t.Fatalf("another pharmacy sees %v", got)
		}
		for q, field := range map[string]string{"?resolved=yes": "resolved", "?resolved=true&open=false": "open"} {
			if p := problemOf(t, e.do("prescriber", "GET", "/v1/alerts"+q, nil), 422); !slices.Contains(fieldsOf(p), field) {
				t.Errorf("%s: fields %v, want %s", q, fieldsOf(p), field)
			}
		}
	})
}

// A withheld record corrected to another outcome resolves its alert: the
// prescriber is not left chasing a dose that was in fact given. A
// correction of the reason alone (intoxicated to behaviour) raises the
// corrected record's alert and resolves the first, which no longer says
// why the dose was withheld.
func TestCorrectedWithheldResolvesItsAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(231, "2026-02-03")
		first := e.withheldToday(prID, "2026-02-03", pid)
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-02-03") + "/events"
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-02-03&to=2026-02-03", nil))
		withheld := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)

		fixed := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"corrects_id": withheld["id"], "correction_reason": "the reason was behaviour"}))["event"].(map[string]any)
		open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid)
		if len(open) != 1 || open[0]["id"] == first["id"] || !strings.Contains(open[0]["message"].(string), "because of the patient's behaviour") {
			t.Fatalf("open withheld alerts after a reason fix = %v, want the corrected record's only", open)
		}
		a := e.resolvedAlert("prescriber", pid, "withheld")
		if a == nil || a["id"] != first["id"] ||
			!strings.Contains(a["resolution"].(string), "The withheld record of 2026-02-03 was corrected to withheld because of the patient's behaviour: the reason was behaviour") {
			t.Fatalf("resolved withheld alert = %v", a)
		}
		e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": fixed["id"], "correction_reason": "recorded against the wrong patient: the dose was given"}))
		if open := e.alertsOf("prescriber", "?kind=withheld&patient_id="+pid); len(open) != 0 {
			t.Fatalf("open withheld alerts = %v, want none", open)
		}
		a = e.resolvedAlert("prescriber", pid, "withheld")
		if a == nil || !strings.Contains(a["resolution"].(string), "corrected to supervised: recorded against the wrong patient") {
			t.Fatalf("resolved withheld alert = %v", a)
		}
	})
}

// The scheduled alerts answered by a later record: a review answers the
// review due (M5), a scheduled Buvidal injection the overdue one (BV8).
func TestScheduledAlertsResolvedByTheRecordThatAnswersThem(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(232, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})
		inject := func(date string, extra bool) {
			e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/administrations", map[string]any{"date": date,
				"dose": map[bool]int{false: 24, true: 8}[extra], "site": map[bool]string{false: "abdomen_left", true: "thigh_right"}[extra], "batch": "B123",
				"batch_expiry": "2027-06-30", "extra": extra}))
		}
		inject("2026-11-02", false)
		e.closeAll(c, "2026-11-12")
		if got := e.alertsOf("prescriber", "?kind=injection_overdue&patient_id="+pid); len(got) != 1 {
			t.Fatalf("overdue alerts = %v", got)
		}
		c.Set(mustTime("2026-11-13T10:00:00Z"))
		inject("2026-11-13", true)
		e.closeAll(c, "2026-11-13")
		if got := e.alertsOf("prescriber", "?kind=injection_overdue&patient_id="+pid); len(got) != 1 {
			t.Fatalf("overdue alerts after an extra dose = %v, want still open", got)
		}
		c.Set(mustTime("2026-11-14T10:00:00Z"))
		inject("2026-11-14", false)
		if got := e.alertsOf("prescriber", "?kind=injection_overdue&patient_id="+pid); len(got) != 0 {
			t.Fatalf("overdue alerts after the injection = %v", got)
		}
		if a := e.resolvedAlert("prescriber", pid, "injection_overdue"); a == nil || a["resolution"] != "Injection of 24 mg given on 2026-11-14." {
			t.Fatalf("resolved = %v", a)
		}

		e.closeAll(c, "2027-02-02")
		if got := e.alertsOf("prescriber", "?kind=review_due&patient_id="+pid); len(got) != 1 {
			t.Fatalf("review due alerts = %v", got)
		}
		c.Set(mustTime("2027-02-03T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "stable"}))
		if got := e.alertsOf("prescriber", "?kind=review_due&patient_id="+pid); len(got) != 0 {
			t.Fatalf("review due alerts after the review = %v", got)
		}
		if a := e.resolvedAlert("prescriber", pid, "review_due"); a == nil || a["resolution"] != "Review recorded for 2027-02-03." {
			t.Fatalf("resolved = %v", a)
		}
	})
}

// An instalment left on a day the pharmacy has closed (L8) is answered by
// cancelling the prescription; the other prescription's alert stays.
func TestCancellingResolvesThePharmacyClosedAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-17T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pidA, prA := e.dispensed(233, "2026-12-17")
		pidB, _ := e.dispensed(234, "2026-12-17")
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-23"}}))
		for _, pid := range []string{pidA, pidB} {
			if got := e.alertsOf("prescriber", "?kind=pharmacy_closed&patient_id="+pid); len(got) != 1 {
				t.Fatalf("pharmacy closed alerts of %s = %v", pid, got)
			}
		}
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+prA+"/cancel", map[string]any{"reason": "pharmacy closed on the 23rd"}))
		if got := e.alertsOf("pharmacist", "?kind=pharmacy_closed&patient_id="+pidA); len(got) != 0 {
			t.Fatalf("still open after the cancellation: %v", got)
		}
		a := e.resolvedAlert("pharmacist", pidA, "pharmacy_closed")
		if a == nil || !strings.Contains(a["resolution"].(string), "cancelled: pharmacy closed on the 23rd") {
			t.Fatalf("resolved = %v", a)
		}
		if got := e.alertsOf("prescriber", "?kind=pharmacy_closed&patient_id="+pidB); len(got) != 1 {
			t.Fatalf("the other prescription's alert = %v", got)
		}
	})
}

// A missed day corrected to a dose given breaks the run: the block no
// longer stands, so its alert is resolved by the correction.
func TestCorrectionThatBreaksTheRunResolvesTheMD1Alert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(235, "2026-02-09")
		e.closeDays(c, "2026-02-09", "2026-02-10", "2026-02-11")
		c.Set(mustTime("2026-02-12T09:00:00Z"))
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 1 {
			t.Fatalf("MD1 alerts = %v", got)
		}
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-02-11&to=2026-02-11", nil))
		missed := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-02-11")+"/events", map[string]any{
			"outcome": "supervised", "identity_confirmed": true, "corrects_id": missed["id"],
			"correction_reason": "given on the day, not recorded", "occurred_at": "2026-02-11T10:15:00Z"}))
		if got := e.alertsOf("pharmacist", "?kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("MD1 alert still open: %v", got)
		}
		if a := e.resolvedAlert("prescriber", pid, "md1_block"); a == nil ||
			a["resolution"] != "The record of 2026-02-11 was corrected to supervised: given on the day, not recorded. "+
				"The MD1 block no longer applies and dispensing may resume. Corrected by Tom Hughes at Castle Street Pharmacy." {
			t.Fatalf("resolved = %v", a)
		}
	})
}

// Ending a regime resolves the alerts only an active regime needs: its
// review (M5), ECG (M4) and injection (BV8) falling due.
func TestEndingARegimeResolvesItsScheduledAlerts(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-12T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(236, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 100, "stage": "maintenance",
			"overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 100 mg"},
				{"rule": "M4", "reason": "ECG booked"}}})
		e.closeAll(c, "2026-04-13")
		for _, kind := range []string{"ecg_due", "review_due"} {
			if got := e.alertsOf("prescriber", "?kind="+kind+"&patient_id="+pid); len(got) != 1 {
				t.Fatalf("%s alerts = %v", kind, got)
			}
		}
		c.Set(mustTime("2026-04-14T10:00:00+01:00"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/end", map[string]any{"reason": "transferred to another service"}))
		if got := e.alertsOf("prescriber", "?patient_id="+pid); len(got) != 0 {
			t.Fatalf("open alerts after the regime ended = %v", got)
		}
		for _, kind := range []string{"ecg_due", "review_due"} {
			if a := e.resolvedAlert("prescriber", pid, kind); a == nil || a["resolution"] != "Regime ended on 2026-04-14: transferred to another service" {
				t.Fatalf("resolved %s = %v", kind, a)
			}
		}
	})
}

// A review recorded on the morning of a day the patient then misses was
// made knowing of two missed days, not three: the block comes at the day
// close all the same, and only a review after it lifts it. A dose withheld
// in the morning and reviewed in the afternoon is lifted the same day.
func TestMD1ReviewMustComeAfterTheLastMissedDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(240, "2026-02-09")
		e.closeDays(c, "2026-02-09", "2026-02-10")
		c.Set(mustTime("2026-02-11T09:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "MD2: two days missed, keyworker calling"}))
		e.closeDays(c, "2026-02-11")
		c.Set(mustTime("2026-02-12T09:00:00Z"))
		entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)
		if entry["state"] != "blocked" {
			t.Fatalf("after a third missed day the morning's review lifted the block: %v", entry)
		}
		p := problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-02-12")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}), 422)
		if !slices.Contains(rulesOf(p), "MD1") {
			t.Fatalf("rules %v lack MD1", rulesOf(p))
		}
		// An ECG recorded now is not a review of the missed doses.
		c.Set(mustTime("2026-02-12T09:15:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "ecg", "ecg_date": "2026-02-11",
			"notes": "QTc 430 ms"}))
		if entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid); entry["state"] != "blocked" {
			t.Fatalf("an ECG review lifted the block: %v", entry)
		}
		// The pharmacist turns the patient away (withheld); the prescriber
		// reviews after that and the block is lifted for the next day.
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-02-12")+"/events",
			map[string]any{"outcome": "withheld", "reason": "other", "notes": "MD1 block", "identity_confirmed": true}))
		c.Set(mustTime("2026-02-12T14:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen: restart at 15 mg"}))
		c.Set(mustTime("2026-02-13T09:00:00Z"))
		entry = dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)
		if entry["state"] != "due" {
			t.Fatalf("after the afternoon's review: %v", entry)
		}
	})
}

// A refused or withheld dose that makes the third day in a row without a
// dose raises the MD1 alert at once: no day close will find a missed day
// to raise it from.
func TestMD1AlertWhenTheRunEndsRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(241, "2026-06-01")
		e.closeDays(c, "2026-06-01", "2026-06-02")
		c.Set(mustTime("2026-06-03T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-06-03")+"/events",
			map[string]any{"outcome": "refused", "identity_confirmed": true, "notes": "did not want it"}))
		got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid)
		if len(got) != 1 || !strings.Contains(got[0]["message"].(string), "3 consecutive days missed since 2026-06-01 (the last on 2026-06-03)") {
			t.Fatalf("MD1 alerts after the refusal = %v", got)
		}
		// Turned away the next day (withheld): still the one alert.
		c.Set(mustTime("2026-06-04T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-06-04")+"/events",
			map[string]any{"outcome": "withheld", "reason": "other", "notes": "MD1 block", "identity_confirmed": true}))
		e.closeDays(c, "2026-06-04")
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 1 {
			t.Fatalf("MD1 alerts after turning away = %v", got)
		}
		// The GP's letter tells a refusal from a dose withheld (S3).
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Withheld Refused Taken", "Withheld or refused")
	})
}

// After a review lifted a block, correcting the last missed day to another
// outcome without the dose (refused) tells the prescriber nothing new: the
// block stays lifted. A further day without a dose brings the block back,
// and with it a new alert, since the review resolved the old one.
func TestMD1AfterReviewCorrectionAndRenewal(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(242, "2026-02-09")
		e.closeDays(c, "2026-02-09", "2026-02-10", "2026-02-11")
		c.Set(mustTime("2026-02-12T09:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses", "notes": "Seen"}))
		state := func() any {
			return dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)["state"]
		}
		if s := state(); s != "due" {
			t.Fatalf("after the review: %v", s)
		}
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-02-11&to=2026-02-11", nil))
		missed := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
		c.Set(mustTime("2026-02-12T09:30:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-02-11")+"/events", map[string]any{
			"outcome": "refused", "corrects_id": missed["id"], "correction_reason": "he came and refused it",
			"occurred_at": "2026-02-11T10:15:00Z", "identity_confirmed": true}))
		if s := state(); s != "due" {
			t.Fatalf("after correcting missed to refused: %v", s)
		}
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("open MD1 alerts = %v", got)
		}
		e.closeDays(c, "2026-02-12")
		c.Set(mustTime("2026-02-13T09:00:00Z"))
		if s := state(); s != "blocked" {
			t.Fatalf("a fourth day without a dose: %v", s)
		}
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 1 ||
			!strings.Contains(got[0]["message"].(string), "(the last on 2026-02-12)") {
			t.Fatalf("open MD1 alerts after the block returned = %v", got)
		}
	})
}
