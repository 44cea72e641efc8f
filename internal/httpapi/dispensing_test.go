package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// dispensed sets up a methadone patient with an issued 14-day, all-supervised
// prescription from the clock's today at the demo pharmacy.
func (e *env) dispensed(seq int, start string) (patientID, prescriptionID string) {
	e.t.Helper()
	pid := e.newPatient(seq, nil)
	e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": start})
	pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
		"days": 14, "wording": []int{1, 3}, "issue": true}))
	return pid, pr["id"].(string)
}

// dayEntry finds a patient's line on a day list.
func dayEntry(t *testing.T, list map[string]any, patientID string) map[string]any {
	t.Helper()
	for _, it := range list["items"].([]any) {
		if m := it.(map[string]any); m["patient_id"] == patientID {
			return m
		}
	}
	t.Fatalf("patient %s not on the day list: %v", patientID, list)
	return nil
}

func TestDispensingStory(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid, prID := e.dispensed(1, "2026-03-26")
		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil))
		entry := dayEntry(t, list, pid)
		if entry["state"] != "due" || entry["supervised"].(float64) != 30 || entry["nhs_number"] == "" || entry["date_of_birth"] != "1985-04-12" {
			t.Fatalf("entry = %v", entry)
		}
		var codes []string
		for _, w := range entry["warnings"].([]any) {
			codes = append(codes, w.(map[string]any)["code"].(string))
		}
		if !slices.Contains(codes, "in_titration") {
			t.Fatalf("warnings %v lack in_titration", codes)
		}
		inst := entry["instalment_id"].(string)
		path := "/v1/instalments/" + inst + "/events"
		body := map[string]any{"outcome": "supervised", "identity_confirmed": true, "notes": "seen to swallow"}
		first := e.do("pharmacist", "POST", path, body, "Idempotency-Key", "till-1-0001")
		e.must(201, first)
		// The same key replays the first answer; a new request conflicts.
		replay := e.do("pharmacist", "POST", path, body, "Idempotency-Key", "till-1-0001")
		if replay.Status != 201 || string(replay.Body) != string(first.Body) {
			t.Fatalf("replay %d %s, want %s", replay.Status, replay.Body, first.Body)
		}
		p := problemOf(t, e.do("pharmacist", "POST", path, body), 409)
		if p["existing"].(map[string]any)["id"] != first.JSON(t)["event"].(map[string]any)["id"] {
			t.Fatalf("409 does not carry the existing record: %v", p)
		}
		problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "collected", "identity_confirmed": true},
			"Idempotency-Key", "till-1-0001"), 422)
		list = e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil))
		if st := dayEntry(t, list, pid)["state"]; st != "supervised" {
			t.Fatalf("state = %v", st)
		}

		// Tomorrow's dose cannot be handed out today (L3).
		tomorrow := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses?date=2026-03-27", nil))
		p = problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+dayEntry(t, tomorrow, pid)["instalment_id"].(string)+"/events", body), 422)
		if !slices.Contains(rulesOf(p), "L3") {
			t.Fatalf("rules %v", rulesOf(p))
		}

		// Three days not collected (across the clock change on 29 March):
		// day close marks them missed and MD1 blocks the next dose.
		// Sunday 29th is closed: Saturday's instalment carries its dose.
		for i, d := range []string{"2026-03-27", "2026-03-28", "2026-03-29"} {
			c.Set(mustTime(d + "T22:30:00Z")) // 23:30 BST on the 29th
			r := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", map[string]any{"confirm_early": true}))
			if want := []float64{1, 1, 0}[i]; r["missed"].(float64) != want {
				t.Fatalf("close %s: %v", d, r)
			}
			again := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", map[string]any{"date": d, "confirm_early": true}))
			if again["missed"].(float64) != 0 || again["already_closed"] != true {
				t.Fatalf("second close of %s: %v", d, again)
			}
		}
		c.Set(mustTime("2026-03-30T09:00:00+01:00"))
		list = e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil))
		entry = dayEntry(t, list, pid)
		if entry["state"] != "blocked" || entry["block"].(map[string]any)["rule"] != "MD1" {
			t.Fatalf("entry = %v", entry)
		}
		p = problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+entry["instalment_id"].(string)+"/events", body), 422)
		if !slices.Contains(rulesOf(p), "MD1") {
			t.Fatalf("rules %v", rulesOf(p))
		}
		// The prescriber sees the alerts and the MD3 suggestion.
		alerts := e.must(200, e.do("prescriber", "GET", "/v1/alerts", nil))
		var kinds []string
		for _, a := range alerts["items"].([]any) {
			kinds = append(kinds, a.(map[string]any)["kind"].(string))
		}
		if !slices.Contains(kinds, "md1_block") || !slices.Contains(kinds, "missed_dose") {
			t.Fatalf("alert kinds %v", kinds)
		}
		pr := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))
		reg := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+pr["regime_id"].(string), nil))
		if reg["retitration"].(map[string]any)["rule"] != "MD3" || reg["retitration"].(map[string]any)["dose"].(float64) != 15 {
			t.Fatalf("retitration = %v", reg["retitration"])
		}
		problemOf(t, e.do("pharmacist", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"notes": "x"}), 403)
		// The review answers with MD3's suggestion too: it is where the dose
		// supply resumes at is decided.
		rv := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen: unwell with flu, continue at 30 mg"}))
		if sg, _ := rv["retitration"].(map[string]any); sg["rule"] != "MD3" || sg["dose"].(float64) != 15 {
			t.Fatalf("review = %v", rv)
		}
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+entry["instalment_id"].(string)+"/events", body))

		// A wrong entry is corrected, never edited: history keeps both. A
		// supervised dose cannot be corrected into a take-away (S7).
		ev := first.JSON(t)["event"].(map[string]any)
		blockedWith(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "collected", "identity_confirmed": true,
			"corrects_id": ev["id"], "correction_reason": "recorded against the wrong option"}), "S7", "record supervised")
		corr := map[string]any{"outcome": "refused", "corrects_id": ev["id"], "correction_reason": "recorded against the wrong option",
			"occurred_at": "2026-03-26T10:00:00Z"}
		e.must(201, e.do("pharmacist", "POST", path, corr))
		problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "refused", "corrects_id": ev["id"]}), 422)
		hist := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-03-26&to=2026-03-30", nil))
		firstDay := hist["instalments"].([]any)[0].(map[string]any)
		if firstDay["current_outcome"] != "refused" || len(firstDay["events"].([]any)) != 2 {
			t.Fatalf("history = %v", firstDay)
		}
		adh := hist["adherence"].(map[string]any)
		if adh["due"].(float64) != 5 || adh["missed"].(float64) != 3 || adh["refused"].(float64) != 1 || adh["collected"].(float64) != 0 ||
			adh["supervised"].(float64) != 1 {
			t.Fatalf("adherence = %v", adh)
		}
		// Controlled drug balance: dispensed vs prescribed vs remaining.
		bal := e.must(200, e.do("pharmacist", "GET", "/v1/prescriptions/"+prID+"/balance", nil))
		if bal["prescribed"].(float64) != 420 || bal["dispensed"].(float64) != 30 || bal["not_supplied"].(float64) != 120 || bal["remaining"].(float64) != 270 {
			t.Fatalf("balance = %v", bal)
		}
		day := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/balance?from=2026-03-26&to=2026-03-30", nil))
		if n := len(day["items"].([]any)); n != 1 {
			t.Fatalf("daily balance = %v", day)
		}
	})
}

func TestWithheldDoseAlertsThePrescriber(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-10-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(2, "2026-10-26")
		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil))
		path := "/v1/instalments/" + dayEntry(t, list, pid)["instalment_id"].(string) + "/events"
		p := problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld"}), 422)
		if !slices.Contains(fieldsOf(p), "reason") {
			t.Fatalf("fields = %v", fieldsOf(p))
		}
		problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised"}), 422) // S1: identity
		m := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "intoxicated",
			"identity_confirmed": true, "notes": "smelt of alcohol, unsteady"}))
		if notes := m["notes"].([]any); len(notes) != 1 || notes[0].(map[string]any)["rule"] != "S3" {
			t.Fatalf("notes = %v", m["notes"])
		}
		alerts := e.must(200, e.do("prescriber", "GET", "/v1/alerts?kind=withheld", nil))
		a := alerts["items"].([]any)[0].(map[string]any)
		if a["kind"] != "withheld" || a["rule"] != "S3" {
			t.Fatalf("alert = %v", a)
		}
		// In titration a day without the dose is MD2's too, withheld or not.
		if got := e.alertsOf("prescriber", "?kind=missed_dose"); len(got) != 1 || got[0]["rule"] != "MD2" {
			t.Fatalf("MD2 alerts = %v", got)
		}
		ph := e.must(200, e.do("pharmacist", "GET", "/v1/alerts?kind=withheld", nil))
		if len(ph["items"].([]any)) != 1 {
			t.Fatalf("pharmacist alerts = %v", ph)
		}
		if n := len(e.must(200, e.do("pharmacist_2", "GET", "/v1/alerts", nil))["items"].([]any)); n != 0 {
			t.Fatalf("pharmacist_2 sees %d alerts", n)
		}
		e.must(200, e.do("prescriber", "POST", "/v1/alerts/"+a["id"].(string)+"/acknowledge", nil))
		problemOf(t, e.do("pharmacist_2", "POST", "/v1/alerts/"+a["id"].(string)+"/acknowledge", nil), 404)
		if n := len(e.must(200, e.do("prescriber", "GET", "/v1/alerts?kind=withheld", nil))["items"].([]any)); n != 0 {
			t.Fatalf("acknowledged alert still open: %d", n)
		}
	})
}

// The second pharmacy's pharmacist can neither see nor record anything of
// the first's patients.
func TestAnotherPharmacyIsDenied(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(3, "2026-11-23")
		ph := e.demo.PharmacyID
		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil))
		inst := dayEntry(t, list, pid)["instalment_id"].(string)
		// Each write carries a body its route accepts, so that validation
		// cannot answer first and hide whether the scope check ran.
		opening := map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{}, "open_dates": []string{},
			"bank_holidays_closed": true}
		denied := []struct {
			method, path string
			body         any
		}{
			{"GET", "/v1/pharmacies/" + ph + "/doses", nil},
			{"GET", "/v1/pharmacies/" + ph + "/balance", nil},
			{"POST", "/v1/pharmacies/" + ph + "/day-close", map[string]any{"date": "2026-11-23"}},
			{"GET", "/v1/pharmacies/" + ph + "/opening", nil},
			{"PUT", "/v1/pharmacies/" + ph + "/opening", opening},
			{"POST", "/v1/instalments/" + inst + "/events", map[string]any{"outcome": "supervised", "identity_confirmed": true}},
			{"GET", "/v1/patients/" + pid, nil},
			{"GET", "/v1/patients/" + pid + "/doses", nil},
			{"GET", "/v1/patients/" + pid + "/regimes", nil},
			{"GET", "/v1/patients/" + pid + "/drug-screens", nil},
			{"GET", "/v1/prescriptions/" + prID, nil},
			{"GET", "/v1/prescriptions/" + prID + "/balance", nil},
		}
		for _, d := range denied {
			r := e.do("pharmacist_2", d.method, d.path, d.body)
			if r.Status != 404 {
				t.Errorf("%s %s as pharmacist_2: %d, want 404: %s", d.method, d.path, r.Status, r.Body)
			}
			if strings.Contains(string(r.Body), "Łukasz") || strings.Contains(string(r.Body), pid) {
				t.Errorf("%s %s leaks the patient: %s", d.method, d.path, r.Body)
			}
		}
		// The record was not made.
		list = e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil))
		if st := dayEntry(t, list, pid)["state"]; st != "due" {
			t.Fatalf("state after denied record = %v", st)
		}
		// The bodies were valid: the pharmacy's own pharmacist gets through.
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening", opening))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+inst+"/events", map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		if n := len(e.must(200, e.do("pharmacist_2", "GET", "/v1/prescriptions", nil))["items"].([]any)); n != 0 {
			t.Fatalf("pharmacist_2 lists %d prescriptions", n)
		}
	})
}

func TestPharmacyOpeningShapesSchedules(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-21T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening", map[string]any{"closed_weekdays": []string{"sunday", "saturday"},
			"closed_dates": []string{}, "open_dates": []string{}, "bank_holidays_closed": true}))
		problemOf(t, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening", map[string]any{"closed_weekdays": []string{"sunday",
			"monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}, "bank_holidays_closed": true}), 422)
		pid := e.newPatient(6, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 25})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2026-12-22", "days": 14, "wording": []int{1}}))
		var dates []string
		for _, it := range pr["instalments"].([]any) {
			dates = append(dates, it.(map[string]any)["date"].(string))
		}
		// Closed: weekends, Christmas Day, Boxing Day substitute (28th), New Year's Day.
		want := []string{"2026-12-22", "2026-12-23", "2026-12-24", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-04"}
		if !slices.Equal(dates, want) || pr["total"].(float64) != 14*25 {
			t.Fatalf("dates %v total %v", dates, pr["total"])
		}
		if pr["status"] != "draft" {
			t.Fatalf("status = %v", pr["status"])
		}
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+pr["id"].(string)+"/issue", nil))
		problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+pr["id"].(string)+"/issue", nil), 409)
		problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+pr["id"].(string)+"/cancel", map[string]any{}), 422)
		m := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+pr["id"].(string)+"/cancel", map[string]any{"reason": "patient moved"}))
		if m["status"] != "cancelled" || m["cancel_reason"] != "patient moved" {
			t.Fatalf("cancel = %v", m)
		}
		list := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?patient_id="+pid+"&status=cancelled", nil))
		if len(list["items"].([]any)) != 1 {
			t.Fatalf("list = %v", list)
		}
	})
}
