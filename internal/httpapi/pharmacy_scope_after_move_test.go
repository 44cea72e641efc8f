package httpapi

import (
	"net/url"
	"testing"
)

// listsPatient reports whether a list response (GET /v1/patients) holds
// the patient.
func listsPatient(list map[string]any, patientID string) bool {
	for _, it := range list["items"].([]any) {
		if it.(map[string]any)["id"] == patientID {
			return true
		}
	}
	return false
}

// A pharmacy sees a patient's record only while the patient is theirs: the
// patient's pharmacy, or a live prescription there. After the patient moves
// on, the old pharmacy loses the record (their new address and phone, risk
// flags, needs, regimes) but keeps its own past work: its dose records and
// their corrections, its day lists, its balance, the dose history of its
// instalments and the prescriptions issued to it.
func TestFormerPharmacyLosesThePatientsRecordButKeepsItsOwnWork(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(142, "2026-12-02") // 14 days at the demo pharmacy
		inst := e.instalmentOn(prID, "2026-12-02")
		given := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+inst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))["event"].(map[string]any)
		c.Set(mustTime("2026-12-02T11:00:00Z"))
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))["regime_id"].(string)
		search := "/v1/patients?name=" + url.QueryEscape("Łukasz-Nguyễn 142")

		// The new pharmacy is told nothing before a move is booked.
		problemOf(t, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil), 404)

		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-07", "reason": "moved house"}))
		// Booked ahead: both pharmacies see the patient until the move,
		// the new one from the prescription issued to it.
		for _, who := range []string{"pharmacist", "pharmacist_2"} {
			e.must(200, e.do(who, "GET", "/v1/patients/"+pid, nil))
			e.must(200, e.do(who, "GET", "/v1/patients/"+pid+"/regimes", nil))
			if !listsPatient(e.must(200, e.do(who, "GET", search, nil)), pid) {
				t.Fatalf("%s: the search does not list the patient before the move", who)
			}
		}

		e.closeAll(c, "2026-12-06")
		c.Set(mustTime("2026-12-07T10:00:00Z"))
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": "9 New Road, Droitwich", "phone": "07700 900142"}))

		// The new pharmacy now dispenses: it sees the record as it is now.
		if got := e.must(200, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil))["address"]; got != "9 New Road, Droitwich" {
			t.Fatalf("the new pharmacy reads address %v", got)
		}
		if !listsPatient(e.must(200, e.do("pharmacist_2", "GET", search, nil)), pid) {
			t.Fatal("the new pharmacy's search does not list the patient")
		}

		// The old pharmacy does not: not the record, the search, the
		// regimes, the regime or the drug screens.
		problemOf(t, e.do("pharmacist", "GET", "/v1/patients/"+pid, nil), 404)
		if listsPatient(e.must(200, e.do("pharmacist", "GET", search, nil)), pid) {
			t.Fatal("the old pharmacy's search still lists the patient")
		}
		problemOf(t, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/regimes", nil), 404)
		problemOf(t, e.do("pharmacist", "GET", "/v1/regimes/"+rid, nil), 404)
		problemOf(t, e.do("pharmacist", "GET", "/v1/regimes/"+rid+"/dose-changes", nil), 404)
		problemOf(t, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/drug-screens", nil), 404)
		// A copy of its prescription would print the new address.
		problemOf(t, e.do("pharmacist", "GET", "/v1/prescriptions/"+prID+"/pdf", nil), 403)

		// What it keeps: the day list of a past day, with the patient's
		// line for the identity check.
		line := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses?date=2026-12-02", nil)), pid)
		if line["date_of_birth"] != "1985-04-12" || line["patient_name"] == "" {
			t.Fatalf("past day list line = %v", line)
		}
		// A correction of its own record, after the patient left.
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+inst+"/events", map[string]any{"outcome": "supervised",
			"identity_confirmed": true, "corrects_id": given["id"], "correction_reason": "recorded at the wrong time",
			"occurred_at": "2026-12-02T10:30:00Z"}))
		// The dose history of its own instalments, with the correction.
		hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-01&to=2026-12-07", nil))
		found := false
		for _, it := range hist["instalments"].([]any) {
			m := it.(map[string]any)
			if m["pharmacy_id"] != e.demo.PharmacyID {
				t.Fatalf("the old pharmacy reads another pharmacy's instalment: %v", m)
			}
			if m["id"] == inst {
				found = len(m["events"].([]any)) == 2
			}
		}
		if !found {
			t.Fatalf("the old pharmacy's history lacks its corrected record: %v", hist)
		}
		// Its controlled drug balance and the prescription it dispensed against.
		bal := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/balance?from=2026-12-02&to=2026-12-02", nil))
		if items, _ := bal["items"].([]any); len(items) == 0 {
			t.Fatalf("the old pharmacy's balance lost the dose: %v", bal)
		}
		e.must(200, e.do("pharmacist", "GET", "/v1/prescriptions/"+prID, nil))
		e.must(200, e.do("pharmacist", "GET", "/v1/prescriptions/"+prID+"/balance", nil))

		// The new pharmacy reads no history of the old one's instalments.
		for _, it := range e.must(200, e.do("pharmacist_2", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-01&to=2026-12-07", nil))["instalments"].([]any) {
			if it.(map[string]any)["pharmacy_id"] != e.demo.Pharmacy2 {
				t.Fatalf("the new pharmacy reads the old one's instalment: %v", it)
			}
		}
	})
}

// A prescription issued to a pharmacy and cancelled before anything was
// supplied leaves that pharmacy nothing of the patient's record.
func TestCancelledPrescriptionLeavesThePharmacyNoRecord(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(143, "2026-12-02")
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))["regime_id"].(string)
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-07", "reason": "moving house"}))
		var atNew string
		for _, r := range m["reissued_prescriptions"].([]any) {
			if r := r.(map[string]any); r["pharmacy_id"] == e.demo.Pharmacy2 {
				atNew = r["id"].(string)
			}
		}
		if atNew == "" {
			t.Fatalf("no prescription at the new pharmacy: %v", m)
		}
		e.must(200, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+atNew+"/cancel", map[string]any{"reason": "the move fell through"}))
		problemOf(t, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil), 404)
		problemOf(t, e.do("pharmacist_2", "GET", "/v1/patients/"+pid+"/regimes", nil), 404)
		if listsPatient(e.must(200, e.do("pharmacist_2", "GET", "/v1/patients?name="+url.QueryEscape("Łukasz-Nguyễn 143"), nil)), pid) {
			t.Fatal("the search still lists the patient")
		}
		// The pharmacy that dispenses today still does.
		e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid, nil))
	})
}
