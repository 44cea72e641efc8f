package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// reissuedAt is the id and start of the prescription a change reissued at
// pharmacyID ("" for any), failing when there is none.
func reissuedAt(t *testing.T, m map[string]any, pharmacyID string) (id, start string) {
	t.Helper()
	for _, re := range m["reissued_prescriptions"].([]any) {
		if re := re.(map[string]any); pharmacyID == "" || re["pharmacy_id"] == pharmacyID {
			return re["id"].(string), re["start_date"].(string)
		}
	}
	t.Fatalf("reissued = %v, none at %s", m["reissued_prescriptions"], pharmacyID)
	return "", ""
}

// A line every day of which another instalment supplied already
// (supplied_elsewhere: today's dose given on the prescription a same-day
// dose change replaced) does not stop the next change to the regime: a
// further dose change from today or from tomorrow and a pattern change
// each reissue the days after it, with nothing left unreissued and the
// day's dose never offered again.
func TestChangesAfterALineSuppliedElsewhere(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T08:00:46Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, oldID := e.startMethadoneAt(574, 20, "titration", "2026-12-03")
		oldInst := e.instalmentOn(oldID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T09:30:00Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-12-03", "reason": "step"}))
		newID, _ := reissuedAt(t, m, "")
		newInst := e.instalmentOn(newID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T09:35:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+oldInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T09:00:00Z"}))
		if l := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-03", newInst); l["state"] != "supplied_elsewhere" {
			t.Fatalf("the reissue's line: %v", l)
		}

		noneLeft := func(what string, m map[string]any) {
			t.Helper()
			if strings.Contains(fmt.Sprint(m["warnings"]), "not reissued") || len(e.alertsOf("prescriber", "?kind=prescription_not_reissued&patient_id="+pid)) != 0 {
				t.Fatalf("%s left a prescription unreissued: %v", what, m["warnings"])
			}
		}
		// A dose change from today: today's dose was given, so the
		// reissue starts tomorrow.
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 30, "effective_date": "2026-12-03", "reason": "still withdrawing"}))
		noneLeft("the dose change from today", m)
		id, start := reissuedAt(t, m, "")
		if start != "2026-12-04" {
			t.Fatalf("the reissue after today's dose was given starts %s", start)
		}
		// Nothing on today's list offers a second dose.
		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses?date=2026-12-03", nil))
		for _, it := range list["items"].([]any) {
			if it := it.(map[string]any); it["patient_id"] == pid && it["state"] == "due" {
				t.Fatalf("a line is due after the dose was given: %v", it)
			}
		}
		if tomorrow := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-04", e.instalmentOn(id, "2026-12-04")); tomorrow == nil {
			t.Fatalf("no line tomorrow on %s", id)
		}

		// A dose change from tomorrow.
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 28, "effective_date": "2026-12-04", "reason": "still withdrawing"}))
		noneLeft("the dose change from tomorrow", m)
		if _, start := reissuedAt(t, m, ""); start != "2026-12-04" {
			t.Fatalf("the reissue from tomorrow starts %s", start)
		}
		// A pattern change from today.
		m = e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-12-03", "reason": "Works weekends", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
		noneLeft("the pattern change", m)
		if _, start := reissuedAt(t, m, ""); start != "2026-12-04" {
			t.Fatalf("the pattern change's reissue starts %s", start)
		}
	})
}

// After a same-day move, a dose recorded late at the pharmacy moved from
// leaves the new pharmacy's line supplied_elsewhere; that pharmacy then
// records today closed afterwards (ADR 0016) and asks for no new
// prescription for the line, as the dose was given; a dose change and a
// further move the same day reissue from tomorrow, the closed day
// notwithstanding, rather than leaving the old dose to be supplied.
func TestMoveAfterADoseGivenAtTheOldPharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T08:00:46Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, oldID := e.startMethadoneAt(575, 20, "titration", "2026-12-03")
		oldInst := e.instalmentOn(oldID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T09:30:00Z"))
		mv := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-03", "reason": "moved house"}))
		newID, _ := reissuedAt(t, mv, e.demo.Pharmacy2)
		newInst := e.instalmentOn(newID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+oldInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T09:00:00Z"}))
		if l := e.dayLine("pharmacist_2", e.demo.Pharmacy2, "2026-12-03", newInst); l["state"] != "supplied_elsewhere" {
			t.Fatalf("the new pharmacy's line: %v", l)
		}

		e.setClock(c, mustTime("2026-12-03T12:00:00Z"))
		e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+e.demo.Pharmacy2+"/day-close", map[string]any{"confirm_early": true}))
		op := e.must(200, e.do("pharmacist_2", "PUT", "/v1/pharmacies/"+e.demo.Pharmacy2+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-03"}, "bank_holidays_closed": true}))
		if strings.Contains(fmt.Sprint(op), newInst) {
			t.Fatalf("the closure lists the line supplied elsewhere: %v", op)
		}
		if got := e.patientAlerts(pid, "pharmacy_closed", ""); len(got) != 0 {
			t.Fatalf("pharmacy_closed alerts for a dose given elsewhere: %v", got)
		}

		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-12-03", "reason": "step"}))
		if strings.Contains(fmt.Sprint(m["warnings"]), "not reissued") || len(e.alertsOf("prescriber", "?kind=prescription_not_reissued&patient_id="+pid)) != 0 {
			t.Fatalf("the dose change left the old dose: %v", m["warnings"])
		}
		if _, start := reissuedAt(t, m, e.demo.Pharmacy2); start != "2026-12-04" {
			t.Fatalf("the reissue starts %s", start)
		}
		mv = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.PharmacyID,
			"effective_date": "2026-12-03", "reason": "moved back"}))
		if _, start := reissuedAt(t, mv, e.demo.PharmacyID); start != "2026-12-04" {
			t.Fatalf("the move back starts %s", start)
		}
	})
}
