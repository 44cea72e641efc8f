package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// onDayList reports whether a patient has a line on a day list.
func onDayList(list map[string]any, patientID string) bool {
	for _, it := range list["items"].([]any) {
		if it.(map[string]any)["patient_id"] == patientID {
			return true
		}
	}
	return false
}

// closeDays runs the demo pharmacy's day close late on each day.
func (e *env) closeDays(c *clock, days ...string) {
	e.t.Helper()
	for _, d := range days {
		c.Set(mustTime(d + "T22:30:00Z"))
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true}))
	}
}

// instalmentOn is the id of a prescription's instalment dated day.
func (e *env) instalmentOn(prescriptionID, day string) string {
	e.t.Helper()
	pr := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prescriptionID, nil))
	for _, it := range pr["instalments"].([]any) {
		if m := it.(map[string]any); m["date"] == day {
			return m["id"].(string)
		}
	}
	e.t.Fatalf("prescription %s has no instalment on %s", prescriptionID, day)
	return ""
}

// blockedWith checks a 422 rule_blocked problem naming rule, with text in
// its message.
func blockedWith(t *testing.T, r response, rule, text string) {
	t.Helper()
	p := problemOf(t, r, 422)
	if !slices.Contains(rulesOf(p), rule) {
		t.Fatalf("rules %v, want %s: %v", rulesOf(p), rule, p)
	}
	if text != "" && !strings.Contains(string(r.Body), text) {
		t.Fatalf("problem does not say %q: %s", text, r.Body)
	}
}

// A correction cannot get round MD1: turning a withheld dose on a blocked
// day into a supervised one is a supply on that day and needs the review
// first. Corrections that hand nothing over stay allowed.
func TestCorrectionToASupplyMeetsMD1(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(21, "2026-03-26")
		// Thursday, Friday and Saturday (which carries Sunday) not collected.
		e.closeDays(c, "2026-03-26", "2026-03-27", "2026-03-28")
		c.Set(mustTime("2026-03-30T09:00:00+01:00"))
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-30") + "/events"
		withheld := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
			"identity_confirmed": true, "notes": "MD1: sent back to the prescriber"}))["event"].(map[string]any)

		toSupervised := map[string]any{"outcome": "supervised", "identity_confirmed": true, "corrects_id": withheld["id"],
			"correction_reason": "pressed the wrong button"}
		blockedWith(t, e.do("pharmacist", "POST", path, toSupervised), "MD1", "On 2026-03-30")
		// Fixing the withheld reason hands nothing over.
		fixed := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"corrects_id": withheld["id"], "correction_reason": "the reason was behaviour, not other"}))["event"].(map[string]any)
		bal := e.must(200, e.do("pharmacist", "GET", "/v1/prescriptions/"+prID+"/balance", nil))
		if bal["dispensed"].(float64) != 0 {
			t.Fatalf("balance after refused corrections = %v", bal)
		}

		// Once a prescriber has reviewed the patient that day, the same
		// correction is a supply MD1 allows.
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"date": "2026-03-30", "notes": "Seen: continue at 30 mg"}))
		toSupervised["corrects_id"] = fixed["id"]
		supervised := e.must(201, e.do("pharmacist", "POST", path, toSupervised))["event"].(map[string]any)
		// And taking a dose away is allowed, blocked or not, once the day
		// is over: before, the patient may still come (S1).
		toMissed := map[string]any{"outcome": "missed", "corrects_id": supervised["id"], "correction_reason": "recorded against the wrong patient"}
		if p := problemOf(t, e.do("pharmacist", "POST", path, toMissed), 422); !slices.Contains(fieldsOf(p), "outcome") {
			t.Fatalf("a same-day correction to missed: %v", p)
		}
		c.Set(mustTime("2026-03-31T09:00:00+01:00"))
		e.must(201, e.do("pharmacist", "POST", path, toMissed))

		// The forgotten dose of Saturday: on Saturday only two days had
		// been missed, so it may be corrected to supervised now.
		sat := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-28") + "/events"
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-03-28&to=2026-03-28", nil))
		missed := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
		e.must(201, e.do("pharmacist", "POST", sat, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": missed["id"], "correction_reason": "given on the day, not recorded", "occurred_at": "2026-03-28T10:15:00Z"}))
		bal = e.must(200, e.do("pharmacist", "GET", "/v1/prescriptions/"+prID+"/balance", nil))
		if bal["dispensed"].(float64) != 60 {
			t.Fatalf("balance = %v, want Saturday's 60 mg dispensed", bal)
		}
	})
}

// Nothing is supplied from a cancelled prescription; a correction is
// judged by whether it was live on the instalment's own day.
func TestCancelledPrescription(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-05-11T08:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(22, "2026-05-11")
		mon := "/v1/instalments/" + e.instalmentOn(prID, "2026-05-11") + "/events"
		tue := "/v1/instalments/" + e.instalmentOn(prID, "2026-05-12") + "/events"
		withheld := e.must(201, e.do("pharmacist", "POST", mon, map[string]any{"outcome": "withheld", "reason": "intoxicated",
			"identity_confirmed": true}))["event"].(map[string]any)
		c.Set(mustTime("2026-05-11T10:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+prID+"/cancel", map[string]any{"reason": "moving to Buvidal"}))
		// Cancelled on Monday: Monday's withheld dose cannot become a supply.
		blockedWith(t, e.do("pharmacist", "POST", mon, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": withheld["id"], "correction_reason": "wrong button"}), "L3", "cancelled")
		c.Set(mustTime("2026-05-12T09:00:00+01:00"))
		if onDayList(e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid) {
			t.Fatal("a cancelled prescription is offered on the day list")
		}
		blockedWith(t, e.do("pharmacist", "POST", tue, map[string]any{"outcome": "supervised", "identity_confirmed": true}), "L3", "cancelled")
		blockedWith(t, e.do("pharmacist", "POST", tue, map[string]any{"outcome": "refused"}), "L3", "cancelled")

		// Cancelled the day after: Monday's instalment was live on Monday.
		pid2, pr2 := e.dispensed(23, "2026-05-12")
		e.closeDays(c, "2026-05-12")
		c.Set(mustTime("2026-05-13T09:00:00+01:00"))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+pr2+"/cancel", map[string]any{"reason": "moving away"}))
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid2+"/doses?from=2026-05-12&to=2026-05-12", nil))
		missed := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(pr2, "2026-05-12")+"/events", map[string]any{
			"outcome": "supervised", "identity_confirmed": true, "corrects_id": missed["id"], "correction_reason": "given, not recorded",
			"occurred_at": "2026-05-12T09:30:00+01:00"}))
	})
}

// L3: the first instalment is supplied within 28 days of the prescription
// date. A prescription whose first instalments all went uncollected lapses
// on day 29: it leaves the day list and nothing more is supplied from it.
func TestPrescriptionLapsesWithoutAFirstSupply(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(24, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-06-01"})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "prescribed_on": "2026-06-01",
			"start_date": "2026-06-29", "days": 14, "wording": []int{1, 3}, "issue": true}))
		prID := pr["id"].(string)
		e.closeDays(c, "2026-06-29") // day 28: not collected
		c.Set(mustTime("2026-06-30T09:00:00+01:00"))
		ph := "/v1/pharmacies/" + e.demo.PharmacyID + "/doses"
		if onDayList(e.must(200, e.do("pharmacist", "GET", ph, nil)), pid) {
			t.Fatal("a lapsed prescription is offered on the day list")
		}
		tue := "/v1/instalments/" + e.instalmentOn(prID, "2026-06-30") + "/events"
		blockedWith(t, e.do("pharmacist", "POST", tue, map[string]any{"outcome": "supervised", "identity_confirmed": true}),
			"L3", "no instalment was supplied within 28 days")
		blockedWith(t, e.do("pharmacist", "POST", tue, map[string]any{"outcome": "refused"}), "L3", "expired")
		// The prescriber sees it has expired, in the prescription and the list.
		if st := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))["status"]; st != "expired" {
			t.Fatalf("a lapsed prescription shows as %v", st)
		}
		listed := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?patient_id="+pid, nil))["items"].([]any)
		if len(listed) != 1 || listed[0].(map[string]any)["status"] != "expired" {
			t.Fatalf("listed as %v", listed)
		}
		// The status filter means the state the reader sees.
		byStatus := func(status string) int {
			return len(e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?patient_id="+pid+"&status="+status, nil))["items"].([]any))
		}
		if byStatus("expired") != 1 || byStatus("issued") != 0 {
			t.Fatalf("filtered: expired %d, issued %d", byStatus("expired"), byStatus("issued"))
		}

		// The dose of day 28 had in fact been given: corrected, it is the
		// first supply in time and the prescription is live again.
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-06-29&to=2026-06-29", nil))
		missed := hist["instalments"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-06-29")+"/events", map[string]any{
			"outcome": "supervised", "identity_confirmed": true, "corrects_id": missed["id"], "correction_reason": "given, not recorded",
			"occurred_at": "2026-06-29T11:00:00+01:00"}))
		if !onDayList(e.must(200, e.do("pharmacist", "GET", ph, nil)), pid) {
			t.Fatal("the prescription is not offered after its first supply was corrected")
		}
		e.must(201, e.do("pharmacist", "POST", tue, map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		live := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))
		if live["status"] != "issued" || live["first_supply"] != "2026-06-29" {
			t.Fatalf("after the correction: status %v, first supply %v", live["status"], live["first_supply"])
		}
		if byStatus("expired") != 0 || byStatus("issued") != 1 {
			t.Fatalf("filtered after the correction: expired %d, issued %d", byStatus("expired"), byStatus("issued"))
		}
	})
}

// A correction's reason is a field of its own, and history keeps the
// original beside the correction.
func TestCorrectionReasonIsItsOwnField(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-09-14T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(25, "2026-09-14")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-09-14") + "/events"
		orig := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"notes": "seen to swallow"}))["event"].(map[string]any)
		if orig["correction_reason"] != "" {
			t.Fatalf("original carries a correction reason: %v", orig)
		}
		p := problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "refused",
			"corrects_id": orig["id"], "correction_reason": "  "}), 422)
		if !slices.Equal(fieldsOf(p), []string{"correction_reason"}) {
			t.Fatalf("fields = %v", fieldsOf(p))
		}
		p = problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "refused",
			"correction_reason": "no corrects_id"}), 422)
		if !slices.Equal(fieldsOf(p), []string{"correction_reason"}) {
			t.Fatalf("fields = %v", fieldsOf(p))
		}
		corr := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "refused",
			"corrects_id": orig["id"], "correction_reason": " refused, not supervised ", "notes": "spat the dose out"}))["event"].(map[string]any)
		if corr["correction_reason"] != "refused, not supervised" || corr["notes"] != "spat the dose out" || corr["corrects_id"] != orig["id"] {
			t.Fatalf("correction = %v", corr)
		}
		hist := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-09-14&to=2026-09-14", nil))
		inst := hist["instalments"].([]any)[0].(map[string]any)
		evs := inst["events"].([]any)
		if inst["current_outcome"] != "refused" || len(evs) != 2 {
			t.Fatalf("history = %v", inst)
		}
		first, second := evs[0].(map[string]any), evs[1].(map[string]any)
		if first["notes"] != "seen to swallow" || first["correction_reason"] != "" || first["outcome"] != "supervised" ||
			second["correction_reason"] != "refused, not supervised" || second["outcome"] != "refused" {
			t.Fatalf("events = %v", evs)
		}
	})
}

// The day list shows the NHS number as the patient's card does (3-3-4) and
// says what its amounts are measured in.
func TestDayListShowsNHSNumberAndUnit(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-09-15T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		methadone, _ := e.dispensed(26, "2026-09-15")
		bup := e.newPatient(27, nil)
		e.startRegime(bup, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4, "start_date": "2026-09-15"})
		e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": bup, "start_date": "2026-09-15",
			"days": 7, "wording": []int{1}, "issue": true}))
		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil))
		for _, tc := range []struct {
			patient, unit string
			amount        float64
		}{{methadone, "ml", 30}, {bup, "mg", 4}} {
			entry := dayEntry(t, list, tc.patient)
			nhs := entry["nhs_number"].(string)
			if want := nhs[:3] + " " + nhs[3:6] + " " + nhs[6:]; entry["nhs_number_display"] != want {
				t.Errorf("nhs_number_display = %v, want %s", entry["nhs_number_display"], want)
			}
			if entry["unit"] != tc.unit || entry["supervised"].(float64) != tc.amount {
				t.Errorf("%s: %v %v, want %v %s", entry["medicine"], entry["supervised"], entry["unit"], tc.amount, tc.unit)
			}
		}
	})
}

// The balance accounts for every milligram: what a cancelled prescription
// still held is "cancelled", what an issued one lapsed with unsupplied (L3)
// is "expired", never "remaining" and never lost.
func TestBalanceAccountsForCancelledAndExpired(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		sum := func(b map[string]any) float64 {
			return b["dispensed"].(float64) + b["not_supplied"].(float64) + b["cancelled"].(float64) + b["expired"].(float64) + b["remaining"].(float64)
		}
		_, prID := e.dispensed(290, "2026-03-02")
		c.Set(mustTime("2026-03-02T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.closeDays(c, "2026-03-03")
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+prID+"/cancel", map[string]any{"reason": "moving to another service"}))
		b := e.must(200, e.do("pharmacist", "GET", "/v1/prescriptions/"+prID+"/balance", nil))
		if b["prescribed"].(float64) != 420 || b["dispensed"].(float64) != 30 || b["not_supplied"].(float64) != 30 ||
			b["cancelled"].(float64) != 360 || b["remaining"].(float64) != 0 || sum(b) != 420 {
			t.Fatalf("cancelled prescription's balance = %v", b)
		}

		// Issued to start in 3 weeks and never collected: 28 days after the
		// prescription date it has expired (L3).
		pid := e.newPatient(291, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20, "start_date": "2026-03-04"})
		late := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-23",
			"days": 7, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		e.setClock(c, mustTime("2026-04-02T10:00:00Z"))
		b = e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+late+"/balance", nil))
		if b["expired"].(float64) != 140 || b["remaining"].(float64) != 0 || sum(b) != b["prescribed"].(float64) {
			t.Fatalf("expired prescription's balance = %v", b)
		}
	})
}
