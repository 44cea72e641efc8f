package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// Tests for the defects a pharmacist found reviewing the dispensing side.

// S3: "other" is no reason by itself. A dose withheld for reason other
// without notes is refused naming notes, and nothing is written; with
// notes, the prescriber's alert quotes them. Every withheld alert carries
// the pharmacist's notes, trimmed and bounded.
func TestWithheldOtherNeedsNotesAndTheAlertQuotesThem(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(950, "2026-02-02")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-02-02") + "/events"
		for _, notes := range []string{"", "   \n "} {
			fieldRule(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
				"identity_confirmed": true, "notes": notes}), "notes", "required")
		}
		if n := e.eventsOf(pid, "2026-02-02"); n != 0 {
			t.Fatalf("a refused record wrote %d events", n)
		}
		if got := e.alertMessages("prescriber", pid, "withheld"); len(got) != 0 {
			t.Fatalf("a refused record raised alerts %q", got)
		}
		ev := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
			"identity_confirmed": true, "notes": "  Brought a child of six to the counter;\n  asked to come back alone  "}))
		note := ev["notes"].([]any)[0].(map[string]any)["message"].(string)
		got := e.alertMessages("prescriber", pid, "withheld")
		if len(got) != 1 {
			t.Fatalf("withheld alerts %q, want 1", got)
		}
		for _, msg := range []string{got[0], note} {
			if !strings.Contains(msg, "\u201cBrought a child of six to the counter; asked to come back alone\u201d") ||
				strings.Contains(msg, "recorded in the notes") {
				t.Errorf("message %q does not quote the notes on one line", msg)
			}
		}

		// A correction to reason other needs the notes too, unless it
		// keeps the corrected record's (TestWithheldOtherCorrectionKeepsItsNotes);
		// the alert of any reason quotes them, cut to a line's length.
		evID := ev["event"].(map[string]any)["id"]
		long := strings.Repeat("Unsteady and slurring. ", 40)
		e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "intoxicated",
			"corrects_id": evID, "correction_reason": "it was intoxication after all", "notes": long}))
		got = e.alertMessages("prescriber", pid, "withheld")
		if len(got) != 2 {
			t.Fatalf("withheld alerts %q, want 2", got)
		}
		var quoted string
		for _, m := range got {
			if strings.Contains(m, "intoxicated") {
				quoted = m
			}
		}
		if !strings.Contains(quoted, "\u201cUnsteady and slurring.") || !strings.Contains(quoted, "\u2026\u201d") || len([]rune(quoted)) > 500 {
			t.Fatalf("intoxicated alert %q does not quote the notes bounded", quoted)
		}
	})
}

// A dose change cancels the live prescription and reissues its remaining
// days: the history lists the cancelled prescription's instalments beside
// the replacement's, each naming its prescription's serial and status, and
// adherence counts each dose day once.
func TestDoseHistoryTellsCancelledInstalmentsFromTheirReplacements(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, oldRx := e.dispensed(951, "2026-03-26")
		supervised := map[string]any{"outcome": "supervised", "identity_confirmed": true}
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(oldRx, "2026-03-26")+"/events", supervised))
		rid := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))["items"].([]any)[0].(map[string]any)["id"].(string)
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 35, "effective_date": "2026-03-26", "reason": "still withdrawing in the evening"}))
		newRx := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		if newRx["start_date"] != "2026-03-27" {
			t.Fatalf("reissued from %v, want 2026-03-27", newRx["start_date"])
		}
		e.closeDays(c, "2026-03-26")
		c.Set(mustTime("2026-03-27T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(newRx["id"].(string), "2026-03-27")+"/events", supervised))
		// Saturday (carrying Sunday, the pharmacy's closed day) is missed.
		e.closeDays(c, "2026-03-27", "2026-03-28")

		oldSerial := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldRx, nil))["serial"]
		for _, who := range []string{"prescriber", "pharmacist"} {
			hist := e.must(200, e.do(who, "GET", "/v1/patients/"+pid+"/doses?from=2026-03-26&to=2026-03-29", nil))
			var got []string
			for _, it := range hist["instalments"].([]any) {
				in := it.(map[string]any)
				serial := "new"
				if in["serial"] == oldSerial {
					serial = "old"
				}
				got = append(got, fmt.Sprintf("%s %s %s %v", in["date"], serial, in["prescription_status"], in["current_outcome"]))
			}
			want := []string{
				"2026-03-26 old cancelled supervised",
				"2026-03-27 old cancelled ", "2026-03-27 new issued supervised",
				"2026-03-28 old cancelled ", "2026-03-28 new issued missed",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%s's history:\n%s\nwant:\n%s", who, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			a := hist["adherence"].(map[string]any)
			if a["due"].(float64) != 4 || a["taken"].(float64) != 2 || a["supervised"].(float64) != 2 || a["missed"].(float64) != 2 {
				t.Fatalf("%s's adherence = %v, want 4 days due (26th to 29th), 2 taken, 2 missed", who, a)
			}
		}
	})
}

// fieldMessage is the message of a validation problem's error on field.
func fieldMessage(t *testing.T, r response, field, rule string) string {
	t.Helper()
	fieldRule(t, r, field, rule)
	for _, fe := range r.JSON(t)["errors"].([]any) {
		if m := fe.(map[string]any); m["field"] == field {
			return m["message"].(string)
		}
	}
	return ""
}

// linesOf counts a patient's lines on the demo pharmacy's day list.
func (e *env) linesOf(patientID string) int {
	e.t.Helper()
	n := 0
	for _, it := range e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil))["items"].([]any) {
		if it.(map[string]any)["patient_id"] == patientID {
			n++
		}
	}
	return n
}

// A day's dose is supplied once. Today's dose was given from a prescription
// the prescriber then cancelled: a new prescription covering today is
// refused, naming start_date, the day, the serial it was supplied from and
// the day to start on instead, whether written as a draft, issued at once
// or issued from a draft written before the dose was given.
func TestAPrescriptionCannotCoverADayAlreadySupplied(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, oldRx := e.dispensed(952, "2026-03-26")
		pid2, oldRx2 := e.dispensed(953, "2026-03-26")
		// Written before today's dose was given: drafts may overlap.
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid2, "start_date": "2026-03-26",
			"days": 7, "wording": []int{1, 3}}))
		supervised := map[string]any{"outcome": "supervised", "identity_confirmed": true}
		for _, rx := range []string{oldRx, oldRx2} {
			e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-26")+"/events", supervised))
			e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+rx+"/cancel", map[string]any{"reason": "rewriting for a week"}))
		}
		serial := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldRx, nil))["serial"].(string)
		for _, issue := range []bool{true, false} {
			msg := fieldMessage(t, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-26",
				"days": 7, "wording": []int{1, 3}, "issue": issue}), "start_date", "already_supplied")
			for _, want := range []string{"Thu 26 Mar 2026 (supervised on Thu 26 Mar 2026, prescription " + serial + ")", "Start this prescription on Fri 27 Mar 2026"} {
				if !strings.Contains(msg, want) {
					t.Errorf("issue %v: %q does not say %q", issue, msg, want)
				}
			}
		}
		fieldRule(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil), "start_date", "already_supplied")
		for _, p := range []string{pid, pid2} {
			if n := e.linesOf(p); n != 1 {
				t.Fatalf("%d lines on today's list for one patient, want 1", n)
			}
		}
		// From the day after, as the problem says.
		e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-27",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
	})
}

// Defence in depth: should two instalments ever cover one day, the second
// supply is refused with 409, naming the day and the serial of the first,
// which comes back as existing. Corrections keep working: once the first
// record is corrected (the dose was not given then), the second may stand.
func TestASecondSupplyOfADayIsRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-25T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, oldRx := e.dispensed(954, "2026-03-25")
		e.closeDays(c, "2026-03-25")
		c.Set(mustTime("2026-03-26T10:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+oldRx+"/cancel", map[string]any{"reason": "wrong pharmacy"}))
		// Wednesday was missed, so no supply stops a prescription covering
		// it; its list is closed, which does (day_closed), so the close is
		// taken out to make the second instalment the defence is for.
		if _, err := e.db.SQL().Exec("DELETE FROM day_closes WHERE date = '2026-03-25'"); err != nil {
			t.Fatal(err)
		}
		newRx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "prescribed_on": "2026-03-25",
			"start_date": "2026-03-25", "days": 7, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"date": "2026-03-25"}))
		current := func(rx string) string {
			hist := e.must(200, e.do("pharmacist", "GET", "/v1/patients/"+pid+"/doses?from=2026-03-25&to=2026-03-25", nil))
			for _, it := range hist["instalments"].([]any) {
				if in := it.(map[string]any); in["prescription_id"] == rx {
					evs := in["events"].([]any)
					return evs[len(evs)-1].(map[string]any)["id"].(string)
				}
			}
			t.Fatalf("no record of the 25th on %s", rx)
			return ""
		}
		given := func(corrects string) map[string]any {
			return map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-03-25T10:30:00Z",
				"corrects_id": corrects, "correction_reason": "the dose was given; recorded late"}
		}
		oldPath := "/v1/instalments/" + e.instalmentOn(oldRx, "2026-03-25") + "/events"
		newPath := "/v1/instalments/" + e.instalmentOn(newRx, "2026-03-25") + "/events"
		first := e.must(201, e.do("pharmacist", "POST", oldPath, given(current(oldRx))))["event"].(map[string]any)

		r := e.do("pharmacist", "POST", newPath, given(current(newRx)))
		p := problemOf(t, r, 409)
		serial := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+oldRx, nil))["serial"].(string)
		if p["existing"].(map[string]any)["id"] != first["id"] || !strings.Contains(p["detail"].(string), "Wed 25 Mar 2026 (supervised on Wed 25 Mar 2026, prescription "+serial+")") {
			t.Fatalf("second supply answered %s", r.Body)
		}
		if n := e.eventsOf(pid, "2026-03-25"); n != 3 {
			t.Fatalf("%d records of the 25th, want 3 (the refused one wrote nothing)", n)
		}
		// The first record was the wrong one: taken back, the second stands.
		e.must(201, e.do("pharmacist", "POST", oldPath, map[string]any{"outcome": "missed", "corrects_id": first["id"],
			"correction_reason": "recorded against the cancelled prescription by mistake"}))
		e.must(201, e.do("pharmacist", "POST", newPath, given(current(newRx))))
	})
}

// warningsOn lists a patient's warnings on the demo pharmacy's day list
// as code: message.
func (e *env) warningsOn(patientID string) []string {
	e.t.Helper()
	var out []string
	entry := dayEntry(e.t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), patientID)
	for _, w := range entry["warnings"].([]any) {
		m := w.(map[string]any)
		out = append(out, m["code"].(string)+": "+m["message"].(string))
	}
	return out
}

func withCode(warnings []string, code string) []string {
	var out []string
	for _, w := range warnings {
		if strings.HasPrefix(w, code+": ") {
			out = append(out, w)
		}
	}
	return out
}

// The dose-change prompt goes on the first instalment that supplies the new
// dose: not on today's line when today's dose was given before the
// prescriber changed it from today (its remaining days were reissued from
// tomorrow), but on tomorrow's; and on a Saturday take-home that carries
// Sunday's new dose, not on the Monday after.
func TestDoseChangeWarningIsOnTheFirstInstalmentAtTheNewDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(955, "2026-12-03")
		rid := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))["items"].([]any)[0].(map[string]any)["id"].(string)
		supervised := map[string]any{"outcome": "supervised", "identity_confirmed": true}
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-12-03")+"/events", supervised))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 35, "effective_date": "2026-12-03", "reason": "withdrawing by the evening"}))
		rx = m["reissued_prescriptions"].([]any)[0].(map[string]any)["id"].(string)
		dueWith := func(day string, want ...string) {
			t.Helper()
			got := append(withCode(e.warningsOn(pid), "first_dose_after_change"), withCode(e.warningsOn(pid), "dose_changed_since_last_visit")...)
			if len(got) != len(want) {
				t.Fatalf("%s: dose-change warnings %q, want %q", day, got, want)
			}
			for i := range want {
				if !strings.Contains(got[i], want[i]) {
					t.Fatalf("%s: dose-change warnings %q, want %q", day, got, want)
				}
			}
		}
		// Thursday's 30 mg was given: nothing about the new dose on it.
		dueWith("Thursday")
		e.closeDays(c, "2026-12-03")

		c.Set(mustTime("2026-12-04T09:00:00Z"))
		dueWith("Friday", "first_dose_after_change: First dose at the new dose of 35 mg: check the amount")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-12-04")+"/events", supervised))
		// 40 mg from Sunday, a day the pharmacy is closed: Saturday's
		// instalment carries Sunday's dose home.
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 40, "effective_date": "2026-12-06", "reason": "still withdrawing"}))
		rx = m["reissued_prescriptions"].([]any)[0].(map[string]any)["id"].(string)
		e.closeDays(c, "2026-12-04")

		c.Set(mustTime("2026-12-05T09:00:00Z"))
		sat := e.instalmentOn(rx, "2026-12-05")
		if entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid); entry["instalment_id"] != sat ||
			entry["supervised"].(float64) != 35 || entry["take_home"].(float64) != 40 {
			t.Fatalf("Saturday's line = %v, want 35 ml supervised and Sunday's 40 ml to take home", entry)
		}
		dueWith("Saturday", "first_dose_after_change: First dose at the new dose of 40 mg, from Sun 6 Dec, taken home with this instalment")
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+sat+"/events", supervised))
		e.closeDays(c, "2026-12-05", "2026-12-06")

		c.Set(mustTime("2026-12-07T09:00:00Z"))
		dueWith("Monday")
	})
}

// stateOn is a patient's state on the demo pharmacy's day list.
func (e *env) stateOn(patientID string) string {
	e.t.Helper()
	return dayEntry(e.t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), patientID)["state"].(string)
}

// MD1 over a weekend the pharmacy is closed: Friday missed and Saturday's
// instalment, which carries Sunday, withheld makes three days without a
// dose. The prescriber is alerted when Saturday's dose is withheld, as
// when Saturday is missed, not left to find the block on Monday; one
// alert, however many days close before Monday. A review the prescriber
// records that Saturday, after the withholding, is about the whole run:
// Monday is not blocked.
func TestAWithheldWeekendAlertsThePrescriberOfTheMD1Block(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		withheld, withheldRx := e.dispensed(956, "2026-03-26")
		missed, missedRx := e.dispensed(957, "2026-03-26")
		reviewed, reviewedRx := e.dispensed(958, "2026-03-26")
		supervised := map[string]any{"outcome": "supervised", "identity_confirmed": true}
		for _, rx := range []string{withheldRx, missedRx, reviewedRx} {
			e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-26")+"/events", supervised))
		}
		e.closeAll(c, "2026-03-26")
		e.closeAll(c, "2026-03-27") // Friday missed by all three

		c.Set(mustTime("2026-03-28T10:00:00Z"))
		for _, rx := range []string{withheldRx, reviewedRx} {
			e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-28")+"/events",
				map[string]any{"outcome": "withheld", "reason": "intoxicated", "identity_confirmed": true, "notes": "unsteady"}))
		}
		want := "3 consecutive days missed since 2026-03-27 (the last on 2026-03-29)"
		wantAlerts(t, "Saturday withheld", e.alertMessages("prescriber", withheld, "md1_block"), 1, want)
		c.Set(mustTime("2026-03-28T14:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+reviewed+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Phoned: seen intoxicated, to attend Monday for assessment before any dose"}))
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+reviewed); len(got) != 0 {
			t.Fatalf("the Saturday review left the MD1 alert open: %v", got)
		}

		e.closeAll(c, "2026-03-28")
		e.closeAll(c, "2026-03-29")
		c.Set(mustTime("2026-03-30T09:00:00+01:00"))
		for _, p := range []string{withheld, missed} {
			if st := e.stateOn(p); st != "blocked" {
				t.Fatalf("Monday's state = %s, want blocked", st)
			}
			wantAlerts(t, "Monday", e.alertMessages("prescriber", p, "md1_block"), 1, want)
		}
		if st := e.stateOn(reviewed); st != "due" {
			t.Fatalf("Monday's state after Saturday's review = %s, want due", st)
		}
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(reviewedRx, "2026-03-30")+"/events", supervised))
	})
}
