package httpapi

import (
	"slices"
	"testing"
)

// A patient moving pharmacy: the move is a dated settings entry, the live
// prescription's remaining days are reissued split at the move (the old
// pharmacy until the day before, the new one from the move), the patient's
// pharmacy follows, and the new pharmacy sees the patient from then on.
func TestRegimeMovesPharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(140, "2026-12-02") // 14 days at the demo pharmacy
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-12-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))["regime_id"].(string)
		path := "/v1/regimes/" + rid + "/pharmacy"
		before := e.auditCount()

		// Refused, writing nothing: the new pharmacy is closed on Sundays; the
		// same pharmacy; no reason; not a pharmacy; a pharmacist may not.
		for _, tt := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"pharmacy_id": e.demo.Pharmacy2, "effective_date": "2026-12-06", "reason": "moved house"}, "effective_date"},
			{map[string]any{"pharmacy_id": e.demo.PharmacyID, "effective_date": "2026-12-07", "reason": "moved house"}, "pharmacy_id"},
			{map[string]any{"pharmacy_id": e.demo.Pharmacy2, "effective_date": "2026-12-07"}, "reason"},
			{map[string]any{"pharmacy_id": e.demo.PracticeID, "effective_date": "2026-12-07", "reason": "moved house"}, "pharmacy_id"},
			{map[string]any{"pharmacy_id": e.demo.Pharmacy2, "effective_date": "2026-12-01", "reason": "moved house"}, "effective_date"},
		} {
			if got := fieldsOf(problemOf(t, e.do("prescriber", "POST", path, tt.body), 422)); !slices.Equal(got, []string{tt.field}) {
				t.Errorf("%v: fields %v, want %s", tt.body, got, tt.field)
			}
		}
		problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"pharmacy_id": e.demo.Pharmacy2, "reason": "x"}), 403)
		if e.auditCount() != before {
			t.Fatal("a refused move was written")
		}
		// Changing the patient's pharmacy alone would strand the prescriptions.
		p := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"pharmacy_id": e.demo.Pharmacy2}), 422)
		if !slices.Equal(fieldsOf(p), []string{"pharmacy_id"}) {
			t.Fatalf("patient pharmacy change: %v", p)
		}

		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-07", "reason": "Moved to Droitwich"}))
		if mv := m["pharmacy_move"].(map[string]any); mv["pharmacy_id"] != e.demo.Pharmacy2 || mv["effective_date"] != "2026-12-07" {
			t.Fatalf("move = %v", mv)
		}
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 2 {
			t.Fatalf("reissued %d prescriptions, want 2: %v", len(re), re)
		}
		first, second := re[0].(map[string]any), re[1].(map[string]any)
		if first["pharmacy_id"] != e.demo.PharmacyID || first["start_date"] != "2026-12-03" || first["days"].(float64) != 4 ||
			second["pharmacy_id"] != e.demo.Pharmacy2 || second["start_date"] != "2026-12-07" || second["days"].(float64) != 9 {
			t.Fatalf("reissued %v from %v for %v days, then %v from %v for %v days", first["pharmacy_id"], first["start_date"], first["days"],
				second["pharmacy_id"], second["start_date"], second["days"])
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prID, nil))["status"]; got != "cancelled" {
			t.Fatalf("the old prescription is %v", got)
		}
		// Until the move's day the patient stays the old pharmacy's.
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))["pharmacy_id"]; got != e.demo.PharmacyID {
			t.Fatalf("before the move the patient's pharmacy is %v", got)
		}
		if acts := auditActions(e, pid); slices.Contains(acts, "patient.pharmacy") {
			t.Fatalf("the patient moved before the day: %v", acts)
		}
		// The day close of the day before applies it.
		e.closeAll(c, "2026-12-06")
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))["pharmacy_id"]; got != e.demo.Pharmacy2 {
			t.Fatalf("on the move's day the patient's pharmacy is %v", got)
		}
		if acts := auditActions(e, pid); !slices.Contains(acts, "patient.pharmacy") {
			t.Fatalf("the patient's move is not audited: %v", acts)
		}
		if ch := e.latestChanges(pid, "patient.pharmacy"); ch["from"] != e.demo.PharmacyID || ch["to"] != e.demo.Pharmacy2 {
			t.Fatalf("the move is audited from %v to %v, want %s to %s", ch["from"], ch["to"], e.demo.PharmacyID, e.demo.Pharmacy2)
		}

		// The old pharmacy dispenses until Sunday, the new one from Monday.
		c.Set(mustTime("2026-12-05T10:00:00Z"))
		if !onDayList(e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid) {
			t.Fatal("Saturday: the old pharmacy does not list the patient")
		}
		c.Set(mustTime("2026-12-07T10:00:00Z"))
		if onDayList(e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid) {
			t.Fatal("Monday: the old pharmacy still lists the patient")
		}
		if !onDayList(e.must(200, e.do("pharmacist_2", "GET", "/v1/pharmacies/"+e.demo.Pharmacy2+"/doses", nil)), pid) {
			t.Fatal("Monday: the new pharmacy does not list the patient")
		}
		e.must(200, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil))
	})
}

// A move booked ahead, with no prescription yet at the new pharmacy, does
// not show the new pharmacy the patient before the move's day.
func TestPharmacyMoveBookedAheadRevealsNothingEarly(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(141, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-02"})
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-07", "reason": "Moving to Droitwich next week"}))
		problemOf(t, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil), 404)
		e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid, nil))
		e.closeAll(c, "2026-12-05")
		problemOf(t, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil), 404)
		e.closeAll(c, "2026-12-06")
		e.must(200, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil))
		problemOf(t, e.do("pharmacist", "GET", "/v1/patients/"+pid, nil), 404)
	})
}
