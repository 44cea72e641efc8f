package httpapi

import (
	"reflect"
	"slices"
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

// fieldRule checks a 422 validation problem naming field with rule.
func fieldRule(t *testing.T, r response, field, rule string) {
	t.Helper()
	p := problemOf(t, r, 422)
	for _, fe := range p["errors"].([]any) {
		if m := fe.(map[string]any); m["field"] == field && m["rule"] == rule {
			return
		}
	}
	t.Fatalf("no %s error with rule %s: %s", field, rule, r.Body)
}

// An outcome's occurred_at falls on the instalment's own date in the
// service's zone, and not in the future beyond a few minutes' clock skew.
func TestOccurredAtFallsOnTheInstalmentsDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:30:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(134, "2026-12-02")
		today := "/v1/instalments/" + e.instalmentOn(prID, "2026-12-02") + "/events"
		at := func(when string) map[string]any {
			return map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": when}
		}
		// The tester's case: today's dose dated yesterday.
		fieldRule(t, e.do("pharmacist", "POST", today, at("2026-12-01T10:00:00Z")), "occurred_at", "L3")
		fieldRule(t, e.do("pharmacist", "POST", today, at("2026-12-02T10:36:00Z")), "occurred_at", "not_future")
		if n := e.eventsOf(pid, "2026-12-02"); n != 0 {
			t.Fatalf("refused records wrote %d events", n)
		}
		// A till a few minutes fast is not the future.
		ev := e.must(201, e.do("pharmacist", "POST", today, at("2026-12-02T10:34:00Z")))["event"].(map[string]any)
		if ev["occurred_at"] != "2026-12-02T10:34:00Z" {
			t.Fatalf("occurred_at stored as %v", ev["occurred_at"])
		}

		// Wednesday is missed at day close; on Thursday it is corrected: the
		// correction says when on Wednesday the dose was given.
		e.closeDays(c, "2026-12-03")
		c.Set(mustTime("2026-12-04T09:00:00Z"))
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-03&to=2026-12-03", nil))
		missed := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
		wed := "/v1/instalments/" + e.instalmentOn(prID, "2026-12-03") + "/events"
		corr := map[string]any{"outcome": "supervised", "identity_confirmed": true, "corrects_id": missed["id"],
			"correction_reason": "given, not recorded"}
		fieldRule(t, e.do("pharmacist", "POST", wed, corr), "occurred_at", "S1")
		corr["occurred_at"] = "2026-12-04T08:55:00Z"
		fieldRule(t, e.do("pharmacist", "POST", wed, corr), "occurred_at", "MD4")
		corr["occurred_at"] = "2026-12-02T18:00:00Z"
		fieldRule(t, e.do("pharmacist", "POST", wed, corr), "occurred_at", "L3")
		if n := e.eventsOf(pid, "2026-12-03"); n != 1 {
			t.Fatalf("refused corrections wrote events: %d, want 1", n)
		}
		corr["occurred_at"] = "2026-12-03T09:45:00Z"
		e.must(201, e.do("pharmacist", "POST", wed, corr))
		// Taking a dose away needs no time: missed is the day passing.
		cur := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-03&to=2026-12-03", nil))
		evs := cur["instalments"].([]any)[0].(map[string]any)["events"].([]any)
		e.must(201, e.do("pharmacist", "POST", wed, map[string]any{"outcome": "missed", "corrects_id": evs[len(evs)-1].(map[string]any)["id"],
			"correction_reason": "recorded against the wrong patient"}))
	})
}

// The clock-change days are one instalment's day each: 23 hours on the last
// Sunday of March, 25 on the last Sunday of October (Europe/London).
func TestOccurredAtOnClockChangeDays(t *testing.T) {
	t.Parallel()
	// setUp opens the pharmacy on Sundays, so that the clock-change days
	// have instalments, and prescribes from sunday.
	setUp := func(e *env, seq int, sunday string) (string, func(day, when string) response) {
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening", map[string]any{"closed_weekdays": []string{},
			"bank_holidays_closed": true}))
		pid, prID := e.dispensed(seq, sunday)
		return pid, func(day, when string) response {
			return e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, day)+"/events",
				map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": when})
		}
	}
	t.Run("march", func(t *testing.T) {
		t.Parallel()
		eachEnvAt(t, "2026-03-27T10:00:00Z", func(t *testing.T, e *env, c *clock) {
			pid, record := setUp(e, 135, "2026-03-29")
			c.Set(mustTime("2026-03-29T22:58:00Z"))                                         // 23:58 BST, Sunday
			fieldRule(t, record("2026-03-29", "2026-03-28T23:30:00Z"), "occurred_at", "L3") // 23:30 GMT, Saturday
			e.must(201, record("2026-03-29", "2026-03-29T00:30:00Z"))                       // 00:30 GMT, Sunday
			c.Set(mustTime("2026-03-29T23:10:00Z"))                                         // 00:10 BST, Monday
			fieldRule(t, record("2026-03-30", "2026-03-29T22:59:00Z"), "occurred_at", "L3") // 23:59 BST, Sunday
			e.must(201, record("2026-03-30", "2026-03-29T23:05:00Z"))                       // 00:05 BST, Monday
			if n := e.eventsOf(pid, "2026-03-29"); n != 1 {
				t.Fatalf("Sunday has %d events", n)
			}
		})
	})
	t.Run("october", func(t *testing.T) {
		t.Parallel()
		eachEnvAt(t, "2026-10-23T10:00:00Z", func(t *testing.T, e *env, c *clock) {
			pid, record := setUp(e, 136, "2026-10-25")
			c.Set(mustTime("2026-10-25T23:30:00Z"))                                         // 23:30 GMT, Sunday
			fieldRule(t, record("2026-10-25", "2026-10-24T22:30:00Z"), "occurred_at", "L3") // 23:30 BST, Saturday
			e.must(201, record("2026-10-25", "2026-10-24T23:30:00Z"))                       // 00:30 BST, Sunday
			c.Set(mustTime("2026-10-26T00:30:00Z"))                                         // 00:30 GMT, Monday
			fieldRule(t, record("2026-10-26", "2026-10-25T23:59:00Z"), "occurred_at", "L3") // 23:59 GMT, Sunday
			e.must(201, record("2026-10-26", "2026-10-26T00:01:00Z"))
			if n := e.eventsOf(pid, "2026-10-25"); n != 1 {
				t.Fatalf("Sunday has %d events", n)
			}
		})
	})
}

// bank_holidays_closed is optional and defaults to closed, as the spec says.
func TestOpeningBankHolidaysDefaultToClosed(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		path := "/v1/pharmacies/" + e.demo.PharmacyID + "/opening"
		if m := e.must(200, e.do("pharmacist", "PUT", path, map[string]any{"bank_holidays_closed": false})); m["bank_holidays_closed"] != false {
			t.Fatalf("opening = %v", m)
		}
		m := e.must(200, e.do("pharmacist", "PUT", path, map[string]any{"closed_weekdays": []string{"sunday"}}))
		if m["bank_holidays_closed"] != true {
			t.Fatalf("left out, bank_holidays_closed = %v, want true", m["bank_holidays_closed"])
		}
		if m := e.must(200, e.do("pharmacist", "GET", path, nil)); m["bank_holidays_closed"] != true {
			t.Fatalf("stored opening = %v", m)
		}
		if m := e.must(200, e.do("pharmacist", "PUT", path, map[string]any{})); m["bank_holidays_closed"] != true ||
			len(m["closed_weekdays"].([]any)) != 0 {
			t.Fatalf("empty body: opening = %v", m)
		}
	})
}

// Closing a date leaves issued prescriptions as they were signed: the
// answer lists their live instalments now on closed days, and the
// prescribers (and the pharmacy) are alerted that a new prescription is
// needed.
func TestClosingADayListsAndAlertsIssuedInstalments(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-20T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph2 := e.demo.Pharmacy2
		prescribe := func(seq int, body map[string]any) (string, map[string]any) {
			pid := e.newPatient(seq, map[string]any{"pharmacy_id": ph2})
			e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-17"})
			body["patient_id"], body["wording"] = pid, []int{1, 3}
			return pid, e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", body))
		}
		// Lapsed by the 21st (prescribed 20 November, nothing supplied by
		// 18 December): it supplies nothing more, so it is not listed.
		_, lapsed := prescribe(142, map[string]any{"prescribed_on": "2026-11-20", "start_date": "2026-12-17", "days": 14, "issue": true})
		e.setClock(c, mustTime("2026-12-17T10:00:00Z"))
		// Issued at Market Square from Thursday 17 December.
		affected, rx := prescribe(140, map[string]any{"start_date": "2026-12-17", "days": 14, "issue": true})
		// A draft is checked against the opening when it is issued, so it
		// is not listed.
		_, draft := prescribe(141, map[string]any{"start_date": "2026-12-21", "days": 7})
		// Due on the 23rd at the other pharmacy.
		e.dispensed(143, "2026-12-21")

		c.Set(mustTime("2026-12-21T10:00:00Z"))
		if st := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+lapsed["id"].(string), nil))["status"]; st != "expired" {
			t.Fatalf("the lapsed prescription shows as %v", st)
		}
		before := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx["id"].(string), nil))
		path := "/v1/pharmacies/" + ph2 + "/opening"
		closing := map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-18", "2026-12-23"}}
		closedAlerts := func(who string) []any {
			return e.must(200, e.do(who, "GET", "/v1/alerts?kind=pharmacy_closed", nil))["items"].([]any)
		}

		// Only Market Square's own pharmacist may close its days.
		problemOf(t, e.do("pharmacist", "PUT", path, closing), 404)
		problemOf(t, e.do("prescriber", "PUT", path, closing), 403)
		if m := e.must(200, e.do("pharmacist_2", "GET", path, nil)); len(m["closed_dates"].([]any)) != 0 {
			t.Fatalf("a denied request changed the opening: %v", m)
		}
		if n := len(closedAlerts("prescriber")); n != 0 {
			t.Fatalf("a denied request raised %d alerts", n)
		}

		m := e.must(200, e.do("pharmacist_2", "PUT", path, closing))
		if got := m["closed_dates"].([]any); len(got) != 2 || m["bank_holidays_closed"] != true {
			t.Fatalf("opening = %v", m)
		}
		// The 18th is past; only the 23rd of the issued, live prescription.
		listed := m["instalments_on_closed_days"].([]any)
		if len(listed) != 1 {
			t.Fatalf("instalments on closed days = %v, want one", listed)
		}
		in := listed[0].(map[string]any)
		if in["date"] != "2026-12-23" || in["serial"] != rx["serial"] || in["patient_id"] != affected ||
			in["prescription_id"] != rx["id"] || in["instalment_id"] != e.instalmentOn(rx["id"].(string), "2026-12-23") {
			t.Fatalf("listed %v", in)
		}
		// The issued prescription is as it was signed.
		if after := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx["id"].(string), nil)); !reflect.DeepEqual(before, after) {
			t.Fatalf("the prescription changed:\n%v\n%v", before, after)
		}

		alerts := closedAlerts("prescriber")
		if len(alerts) != 1 {
			t.Fatalf("prescriber alerts = %v", alerts)
		}
		a := alerts[0].(map[string]any)
		msg, _ := a["message"].(string)
		if a["patient_id"] != affected || a["rule"] != "L8" || a["pharmacy_id"] != ph2 {
			t.Fatalf("alert = %v", a)
		}
		for _, want := range []string{"2026-12-23", rx["serial"].(string), "A new prescription is needed"} {
			if !strings.Contains(msg, want) {
				t.Errorf("alert message %q does not say %q", msg, want)
			}
		}
		if n := len(closedAlerts("pharmacist_2")); n != 1 {
			t.Fatalf("Market Square sees %d alerts, want 1", n)
		}
		if n := len(closedAlerts("pharmacist")); n != 0 {
			t.Fatalf("the other pharmacy sees %d alerts", n)
		}

		// The draft written before the closure cannot be issued as it is.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil), 409)
		if detail := p["detail"].(string); !strings.Contains(detail, "closed on 2026-12-23") || !strings.Contains(detail, "write a new one") {
			t.Fatalf("issuing the draft: %s", detail)
		}

		// Saved again, the same instalment is listed and no alert is added.
		m = e.must(200, e.do("pharmacist_2", "PUT", path, closing))
		if n := len(m["instalments_on_closed_days"].([]any)); n != 1 {
			t.Fatalf("listed %d the second time", n)
		}
		if n := len(closedAlerts("prescriber")); n != 1 {
			t.Fatalf("%d alerts after saving the same opening again", n)
		}
		// Reopened, nothing is listed.
		m = e.must(200, e.do("pharmacist_2", "PUT", path, map[string]any{"closed_weekdays": []string{"sunday"}}))
		if n := len(m["instalments_on_closed_days"].([]any)); n != 0 {
			t.Fatalf("listed %d after reopening", n)
		}
	})
}

// A GP practice holding accepted shared care may be the one to write the
// new prescription, so it hears of an instalment left on a closed day too.
func TestGPHearsOfAClosedDayUnderSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-14T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(144, "2026-12-14")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "GP agreed to take over early"}}}))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		c.Set(mustTime("2026-12-14T11:00:00Z"))
		m := e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-16"}}))
		if n := len(m["instalments_on_closed_days"].([]any)); n != 1 {
			t.Fatalf("listed %d", n)
		}
		for _, who := range []string{"gp", "prescriber", "pharmacist"} {
			if got := alertKindsOf(withoutAnswerNotices(e.alertsOf(who, "?patient_id="+pid))); !slices.Equal(got, []string{"pharmacy_closed"}) {
				t.Errorf("%s alert kinds = %v", who, got)
			}
		}
		// The service signed the prescription and a GP may not cancel it
		// (SC1), so the alert names who signed it and who cancels it,
		// rather than telling every reader to cancel it.
		msg := e.alertsOf("gp", "?patient_id="+pid)[0]["message"].(string)
		if strings.Contains(msg, "cancel RCDS") ||
			!strings.Contains(msg, "was signed by the specialist service, which cancels it and prescribes its remaining days again (or asks the GP practice to prescribe them)") {
			t.Errorf("the GP's alert says %q", msg)
		}
		otherGP, _ := e.secondPractice()
		if got := e.alertsOf(otherGP, "?open=false"); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}
	})
}

// The MD1 block tells the pharmacist to contact the prescriber (who alone
// records reviews) and names no API request; the alert, the prescriber's
// cue to act, says in words what lifts it.
func TestMD1TextFitsItsReader(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(145, "2026-03-26")
		e.closeDays(c, "2026-03-26", "2026-03-27", "2026-03-28")
		c.Set(mustTime("2026-03-30T09:00:00+01:00"))
		forPharmacist := func(where, action string) {
			t.Helper()
			if !strings.Contains(action, "Contact the prescriber") || strings.Contains(action, "/v1/") {
				t.Errorf("%s: action %q, want the prescriber contacted and no API path", where, action)
			}
		}
		entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)
		forPharmacist("day list", entry["block"].(map[string]any)["action"].(string))
		r := e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-30")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true})
		blockedWith(t, r, "MD1", "")
		forPharmacist("refusal", problemOf(t, r, 422)["rules"].([]any)[0].(map[string]any)["action"].(string))

		alerts := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid)
		if len(alerts) != 1 {
			t.Fatalf("md1 alerts = %v", alerts)
		}
		msg := alerts[0]["message"].(string)
		for _, want := range []string{"4 consecutive days missed since 2026-03-26", "recorded the review in Dosebook"} {
			if !strings.Contains(msg, want) {
				t.Errorf("alert %q does not say %q", msg, want)
			}
		}
		// The pharmacy reads the alert too: it names no API request.
		if strings.Contains(msg, "/v1/") {
			t.Errorf("alert %q names an API path", msg)
		}
	})
}

// The day list says when the pharmacy is closed, so an empty list on a
// Sunday or a bank holiday is not mistaken for nobody being due.
func TestDayListSaysWhenThePharmacyIsClosed(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-21T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		path := "/v1/pharmacies/" + e.demo.Pharmacy2 + "/doses"
		for date, open := range map[string]bool{"2026-12-24": true, "2026-12-25": false, "2026-12-27": false, "2026-12-29": true} {
			if got := e.must(200, e.do("pharmacist_2", "GET", path+"?date="+date, nil))["pharmacy_open"]; got != open {
				t.Errorf("%s: pharmacy_open = %v, want %v", date, got, open)
			}
		}
		problemOf(t, e.do("pharmacist", "GET", path+"?date=2026-12-25", nil), 404)
	})
}
