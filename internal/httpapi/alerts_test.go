package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// alertsOf lists the alerts a user gets for a query ("" for the default).
func (e *env) alertsOf(who, query string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, a := range e.must(200, e.do(who, "GET", "/v1/alerts"+query, nil))["items"].([]any) {
		out = append(out, a.(map[string]any))
	}
	return out
}

func alertIDs(alerts []map[string]any) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a["id"].(string))
	}
	return out
}

// withheldToday records today's dose of a dispensed patient as withheld
// and returns the S3 alert it raised.
func (e *env) withheldToday(prescriptionID, day, patientID string) map[string]any {
	e.t.Helper()
	e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prescriptionID, day)+"/events",
		map[string]any{"outcome": "withheld", "reason": "intoxicated", "identity_confirmed": true}))
	for _, a := range e.alertsOf("prescriber", "?kind=withheld&patient_id="+patientID) {
		return a
	}
	e.t.Fatalf("no withheld alert for %s", patientID)
	return nil
}

// One organisation's acknowledgement takes the alert off its own list
// only: the pharmacy seeing it does not close it for the prescribers.
func TestAlertAcknowledgementIsPerOrganisation(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// On a stable dose, so the withheld dose is the one alert (in
		// titration it would be MD2's as well).
		pid, prID := e.stableDispensed(31, "2026-02-02")
		a := e.withheldToday(prID, "2026-02-02", pid)
		id := a["id"].(string)
		ack := "/v1/alerts/" + id + "/acknowledge"

		byPharmacy := e.must(200, e.do("pharmacist", "POST", ack, nil))
		if byPharmacy["acknowledged_at"] == nil || byPharmacy["acknowledged_by"] == nil || byPharmacy["patient_id"] != pid {
			t.Fatalf("acknowledged = %v", byPharmacy)
		}
		if ids := alertIDs(e.alertsOf("pharmacist", "")); slices.Contains(ids, id) {
			t.Fatal("the pharmacy still has the alert open after acknowledging it")
		}
		open := e.alertsOf("prescriber", "")
		if !slices.Contains(alertIDs(open), id) || open[0]["acknowledged_at"] != nil || open[0]["acknowledged_by"] != nil {
			t.Fatalf("the pharmacy's acknowledgement closed the prescribers' alert: %v", open)
		}
		seen := e.alertsOf("pharmacist", "?acknowledged=true")
		if len(seen) != 1 || seen[0]["id"] != id || seen[0]["acknowledged_at"] != byPharmacy["acknowledged_at"] ||
			seen[0]["acknowledged_by"] != byPharmacy["acknowledged_by"] {
			t.Fatalf("pharmacy acknowledged list = %v", seen)
		}

		// Again: idempotent, the first acknowledgement stands.
		c.Set(mustTime("2026-02-02T11:00:00Z"))
		again := e.must(200, e.do("pharmacist", "POST", ack, nil))
		if again["acknowledged_at"] != byPharmacy["acknowledged_at"] {
			t.Fatalf("second acknowledgement = %v, first %v", again, byPharmacy)
		}
		acks := 0
		for _, act := range auditActions(e, pid) {
			if act == "alert.acknowledge" {
				acks++
			}
		}
		if acks != 1 {
			t.Fatalf("%d acknowledgements audited, want 1", acks)
		}

		// Nobody else can acknowledge it or find it.
		problemOf(t, e.do("pharmacist_2", "POST", ack, nil), 404)
		problemOf(t, e.do("gp", "POST", ack, nil), 404)

		e.must(200, e.do("prescriber", "POST", ack, nil))
		if n := len(e.alertsOf("prescriber", "")); n != 0 {
			t.Fatalf("prescriber still has %d open alerts", n)
		}
		all := e.alertsOf("prescriber", "?open=false")
		if len(all) != 1 || all[0]["acknowledged_at"] == byPharmacy["acknowledged_at"] {
			t.Fatalf("prescriber's list shows the pharmacy's acknowledgement: %v", all)
		}
	})
}

// Each alert says who it is about; the list filters by patient, kind and
// acknowledgement.
func TestAlertListNamesThePatientAndFilters(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Stable patients: a withheld dose is one alert each.
		pidA, prA := e.stableDispensed(32, "2026-02-03")
		pidB, prB := e.stableDispensed(33, "2026-02-03")
		a := e.withheldToday(prA, "2026-02-03", pidA)
		e.withheldToday(prB, "2026-02-03", pidB)
		pt := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pidA, nil))
		if a["patient_name"] != "Zoë Łukasz-Nguyễn 32" || a["nhs_number"] != pt["nhs_number"] ||
			a["nhs_number_display"] != pt["nhs_number_display"] || a["date_of_birth"] != "1985-04-12" {
			t.Fatalf("alert = %v, patient %v", a, pt)
		}
		if n := len(e.alertsOf("prescriber", "")); n != 2 {
			t.Fatalf("%d alerts, want 2", n)
		}
		if got := e.alertsOf("pharmacist", "?patient_id="+pidB); len(got) != 1 || got[0]["patient_id"] != pidB {
			t.Fatalf("patient filter = %v", got)
		}
		if n := len(e.alertsOf("prescriber", "?kind=withheld")); n != 2 {
			t.Fatalf("kind=withheld: %d", n)
		}
		if n := len(e.alertsOf("prescriber", "?kind=md1_block")); n != 0 {
			t.Fatalf("kind=md1_block: %d", n)
		}
		e.must(200, e.do("prescriber", "POST", "/v1/alerts/"+a["id"].(string)+"/acknowledge", nil))
		if got := alertIDs(e.alertsOf("prescriber", "?acknowledged=true")); !slices.Equal(got, []string{a["id"].(string)}) {
			t.Fatalf("acknowledged=true: %v", got)
		}
		if got := e.alertsOf("prescriber", "?acknowledged=false"); len(got) != 1 || got[0]["patient_id"] != pidB {
			t.Fatalf("acknowledged=false: %v", got)
		}
		if n := len(e.alertsOf("prescriber", "?open=false&patient_id="+pidA)); n != 1 {
			t.Fatalf("open=false for one patient: %d", n)
		}
		// Another pharmacy's filter finds nothing, not even by patient.
		if n := len(e.alertsOf("pharmacist_2", "?open=false&patient_id="+pidA)); n != 0 {
			t.Fatalf("pharmacist_2 sees %d alerts", n)
		}
		for q, field := range map[string]string{
			"?kind=everything":                "kind",
			"?patient_id=42":                  "patient_id",
			"?acknowledged=yes":               "acknowledged",
			"?acknowledged=true&open=false":   "open",
			"?open=maybe":                     "open",
			"?acknowledged=false&kind=nope":   "kind",
			"?acknowledged=false&limit=10000": "limit",
		} {
			if p := problemOf(t, e.do("prescriber", "GET", "/v1/alerts"+q, nil), 422); !slices.Contains(fieldsOf(p), field) {
				t.Errorf("%s: fields %v, want %s", q, fieldsOf(p), field)
			}
		}
	})
}

// MD2: one missed-dose alert per run of missed days, however long the run
// grows; a new run after a dose taken gets its own.
func TestOneMissedDoseAlertPerRun(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T08:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(34, "2026-02-09")
		missedAlerts := func() []map[string]any {
			return e.alertsOf("prescriber", "?open=false&kind=missed_dose&patient_id="+pid)
		}
		for i, day := range []string{"2026-02-09", "2026-02-10", "2026-02-11"} {
			c.Set(mustTime(day + "T22:30:00Z"))
			r := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true}))
			// MD2 on the first day, MD1 on the third; nothing in between.
			if want := []float64{1, 0, 1}[i]; r["alerts"].(float64) != want {
				t.Fatalf("close %s raised %v alerts, want %v", day, r["alerts"], want)
			}
		}
		got := missedAlerts()
		if len(got) != 1 || !strings.Contains(got[0]["message"].(string), "the run starting 2026-02-09") {
			t.Fatalf("missed-dose alerts after three days = %v", got)
		}

		c.Set(mustTime("2026-02-12T09:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses", "notes": "seen"}))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-02-12")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.closeDays(c, "2026-02-12", "2026-02-13")
		got = missedAlerts()
		if len(got) != 2 || !strings.Contains(got[0]["message"].(string), "the run starting 2026-02-13") {
			t.Fatalf("missed-dose alerts after a new run = %v", got)
		}
	})
}
