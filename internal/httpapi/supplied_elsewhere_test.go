package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// dayLine is the line of instalment on a pharmacy's day list for day, nil
// when the list has none.
func (e *env) dayLine(role, pharmacyID, day, instalment string) map[string]any {
	e.t.Helper()
	list := e.must(200, e.do(role, "GET", "/v1/pharmacies/"+pharmacyID+"/doses?date="+day, nil))
	for _, it := range list["items"].([]any) {
		if item := it.(map[string]any); item["instalment_id"] == instalment {
			return item
		}
	}
	return nil
}

// A dose given on the old prescription before a same-day dose change
// cancelled and reissued the day, recorded afterwards with its time,
// leaves the reissue's line for the day with nothing to supply: it is
// listed supplied_elsewhere naming the old prescription and the time (not
// "due" with a first-dose prompt inviting a second dose), recording on it
// is still refused, day close writes no missed record for it, and the
// next day's line is the first at the new dose.
func TestDayListLineSuppliedBeforeSameDayChange(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T08:00:46Z", func(t *testing.T, e *env, c *clock) {
		_, rid, oldID := e.startMethadoneAt(571, 20, "titration", "2026-12-03")
		old := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldID, nil))
		oldInst := e.instalmentOn(oldID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:01:07Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 25, "effective_date": "2026-12-03", "reason": "withdrawal symptoms"}))
		newID := m["reissued_prescriptions"].([]any)[0].(map[string]any)["id"].(string)
		newInst := e.instalmentOn(newID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:05:00Z"))

		// Before the dose is recorded the reissue's line is due, the
		// first at the new dose.
		line := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-03", newInst)
		if line["state"] != "due" || !strings.Contains(fmt.Sprint(warningCodes(line)), "first_dose_after_change") {
			t.Fatalf("before the record: %v", line)
		}
		ev := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+oldInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:00:55Z"}))["event"].(map[string]any)

		line = e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-03", newInst)
		if line["state"] != "supplied_elsewhere" || line["outcome"] != nil {
			t.Fatalf("the reissue's line after the dose on the old prescription: %v", line)
		}
		if codes := warningCodes(line); len(codes) != 1 || codes[0] != "supplied_elsewhere" {
			t.Fatalf("warnings = %v", line["warnings"])
		}
		assertText(t, fmt.Sprint(line["warnings"]), "the dose for Thu 3 Dec was supervised at 08:00 on Thu 3 Dec on prescription "+fmt.Sprint(old["serial"])+" at this pharmacy",
			"do not hand over a second dose")
		by := line["supplied_by"].([]any)
		if len(by) != 1 {
			t.Fatalf("supplied_by = %v", by)
		}
		if b := by[0].(map[string]any); b["instalment_id"] != oldInst || b["event_id"] != ev["id"] || b["serial"] != old["serial"] ||
			b["pharmacy_id"] != e.demo.PharmacyID || b["outcome"] != "supervised" || b["occurred_at"] != "2026-12-03T08:00:55Z" ||
			fmt.Sprint(b["days"]) != "[2026-12-03]" {
			t.Fatalf("supplied_by = %v", b)
		}
		// The old prescription's line says what was given.
		if l := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-03", oldInst); l["state"] != "supervised" {
			t.Fatalf("the old prescription's line: %v", l)
		}
		// Recording on it is refused, with the record that supplied it.
		p := problemOf(t, e.do("pharmacist", "POST", "/v1/instalments/"+newInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}), 409)
		if ex, _ := p["existing"].(map[string]any); ex["id"] != ev["id"] {
			t.Fatalf("409 = %v", p)
		}

		e.setClock(c, mustTime("2026-12-03T18:00:00Z"))
		res := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true}))
		if res["missed"] != float64(0) {
			t.Fatalf("day close = %v", res)
		}
		if l := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-03", newInst); l["state"] != "supplied_elsewhere" {
			t.Fatalf("after day close: %v", l)
		}
		// Run again, it still marks nothing.
		if res := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true})); res["missed"] != float64(0) {
			t.Fatalf("day close again = %v", res)
		}

		// The next day's line is the first to give 25 mg.
		e.setClock(c, mustTime("2026-12-04T08:00:00Z"))
		next := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-04", e.instalmentOn(newID, "2026-12-04"))
		if next["state"] != "due" || !strings.Contains(fmt.Sprint(warningCodes(next)), "first_dose_after_change") {
			t.Fatalf("the next day's line: %v", next)
		}
		if strings.Contains(fmt.Sprint(warningCodes(next)), "missed_yesterday") {
			t.Fatalf("yesterday's dose was given: %v", next["warnings"])
		}
	})
}

// After a same-day move, the dose given at the first pharmacy before the
// move (recorded with its time) leaves the new pharmacy's line for the
// day with nothing to supply: listed supplied_elsewhere naming the first
// pharmacy, refused a second dose, and not marked missed by the new
// pharmacy's day close.
func TestDayListLineSuppliedBeforeSameDayMove(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T08:00:46Z", func(t *testing.T, e *env, c *clock) {
		_, rid, oldID := e.startMethadoneAt(572, 20, "titration", "2026-12-03")
		old := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldID, nil))
		oldInst := e.instalmentOn(oldID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:01:07Z"))
		mv := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-03", "reason": "moved house"}))
		var newID string
		for _, re := range mv["reissued_prescriptions"].([]any) {
			if re := re.(map[string]any); re["pharmacy_id"] == e.demo.Pharmacy2 {
				newID = re["id"].(string)
			}
		}
		if newID == "" {
			t.Fatalf("reissued = %v", mv["reissued_prescriptions"])
		}
		newInst := e.instalmentOn(newID, "2026-12-03")
		e.setClock(c, mustTime("2026-12-03T08:05:00Z"))
		ev := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+oldInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-12-03T08:00:55Z"}))["event"].(map[string]any)

		line := e.dayLine("pharmacist_2", e.demo.Pharmacy2, "2026-12-03", newInst)
		if line["state"] != "supplied_elsewhere" {
			t.Fatalf("the new pharmacy's line: %v", line)
		}
		assertText(t, fmt.Sprint(line["warnings"]), "on prescription "+fmt.Sprint(old["serial"])+" at ")
		if strings.Contains(fmt.Sprint(line["warnings"]), "at this pharmacy") {
			t.Fatalf("warnings = %v", line["warnings"])
		}
		if b := line["supplied_by"].([]any)[0].(map[string]any); b["pharmacy_id"] != e.demo.PharmacyID || b["pharmacy_name"] == "" || b["event_id"] != ev["id"] {
			t.Fatalf("supplied_by = %v", b)
		}
		problemOf(t, e.do("pharmacist_2", "POST", "/v1/instalments/"+newInst+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}), 409)

		e.setClock(c, mustTime("2026-12-03T18:00:00Z"))
		if res := e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+e.demo.Pharmacy2+"/day-close", map[string]any{"confirm_early": true})); res["missed"] != float64(0) {
			t.Fatalf("day close = %v", res)
		}
		if l := e.dayLine("pharmacist_2", e.demo.Pharmacy2, "2026-12-03", newInst); l["state"] != "supplied_elsewhere" {
			t.Fatalf("after day close: %v", l)
		}
	})
}

// S6 on a titrating patient's Saturday line that carries the closed
// Sunday's dose home: the prompt says to supervise Saturday's dose and
// that Sunday's goes home because the pharmacy is closed, not to supervise
// every dose beside a take-home amount; a weekday line keeps the plain
// prompt.
func TestTitrationPromptOnALineCarryingAClosedDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-04T08:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, _, rx := e.startMethadoneAt(573, 20, "titration", "2026-12-04")
		sat := e.instalmentOn(rx, "2026-12-05")
		e.setClock(c, mustTime("2026-12-05T08:00:00Z"))
		line := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-05", sat)
		if line == nil || fmt.Sprint(line["covers"]) != "[2026-12-05 2026-12-06]" || line["take_home"] == float64(0) {
			t.Fatalf("Saturday's line = %v", line)
		}
		var msg string
		for _, w := range line["warnings"].([]any) {
			if w := w.(map[string]any); w["code"] == "in_titration" {
				msg = fmt.Sprint(w["message"])
			}
		}
		if msg != "In titration: supervise consumption of today's dose; the dose for Sun 6 Dec goes home with this instalment because the pharmacy is closed that day (L7 wording 1)." {
			t.Fatalf("S6 prompt = %q", msg)
		}
		e.setClock(c, mustTime("2026-12-07T08:00:00Z"))
		mon := e.dayLine("pharmacist", e.demo.PharmacyID, "2026-12-07", e.instalmentOn(rx, "2026-12-07"))
		assertText(t, fmt.Sprint(mon["warnings"]), "In titration: supervise consumption of every dose.")
	})
}
