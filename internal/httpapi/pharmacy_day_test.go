package httpapi

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// openingOf sets the demo pharmacy's opening as its pharmacist.
func (e *env) openingOf(body map[string]any) response {
	e.t.Helper()
	return e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening", body)
}

// A closure that is taken back answers the pharmacy_closed alerts it
// raised (L8): the instalment is due on a day the pharmacy is open again,
// and the pharmacy supplies it as written. The resolution says who opened
// the day again and is audited. A date reopened out of several closed
// leaves the others alerted, in an alert naming them alone; closing the
// day again later raises a new alert.
func TestReopeningAClosedDayResolvesItsAlerts(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-17T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(601, "2026-12-17")
		open := func() []map[string]any {
			return e.alertsOf("prescriber", "?resolved=false&kind=pharmacy_closed&patient_id="+pid)
		}
		e.must(200, e.openingOf(map[string]any{"closed_dates": []string{"2026-12-22"}, "bank_holidays_closed": false}))
		if got := open(); len(got) != 1 || !strings.Contains(got[0]["message"].(string), "2026-12-22") {
			t.Fatalf("open alerts after closing = %v", got)
		}

		e.must(200, e.openingOf(map[string]any{"bank_holidays_closed": false}))
		if got := open(); len(got) != 0 {
			t.Fatalf("open alerts after reopening = %v", got)
		}
		for _, who := range []string{"prescriber", "pharmacist"} {
			a := e.resolvedAlert(who, pid, "pharmacy_closed")
			if a == nil || !strings.Contains(a["resolution"].(string), "open again on 2026-12-22") ||
				!strings.Contains(a["resolution"].(string), "Tom Hughes") {
				t.Fatalf("%s: resolved alert = %v", who, a)
			}
		}
		if !slices.Contains(auditActions(e, pid), "alert.resolve") {
			t.Fatalf("the resolution is not audited: %v", auditActions(e, pid))
		}
		day := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses?date=2026-12-22", nil))
		if day["pharmacy_open"] != true || dayEntry(t, day, pid)["state"] != "due" {
			t.Fatalf("day list = %v", day)
		}

		// Closed again: alerted afresh.
		e.must(200, e.openingOf(map[string]any{"closed_dates": []string{"2026-12-22"}, "bank_holidays_closed": false}))
		if got := open(); len(got) != 1 {
			t.Fatalf("open alerts after closing again = %v", got)
		}
		// Two days closed, one reopened: the alert naming both is
		// resolved, and the day still closed is alerted on its own.
		e.must(200, e.openingOf(map[string]any{"closed_dates": []string{"2026-12-22", "2026-12-23"}, "bank_holidays_closed": false}))
		e.must(200, e.openingOf(map[string]any{"closed_dates": []string{"2026-12-23"}, "bank_holidays_closed": false}))
		got := open()
		if len(got) != 1 || !strings.Contains(got[0]["message"].(string), "2026-12-23") || strings.Contains(got[0]["message"].(string), "2026-12-22") {
			t.Fatalf("open alerts after reopening one of two days = %v", got)
		}
		// Saving the same opening again changes nothing.
		e.must(200, e.openingOf(map[string]any{"closed_dates": []string{"2026-12-23"}, "bank_holidays_closed": false}))
		if again := open(); len(again) != 1 || again[0]["id"] != got[0]["id"] {
			t.Fatalf("open alerts after the same opening again = %v, want %v", again, got)
		}
		// Cancelling still answers the alert left.
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+prID+"/cancel", map[string]any{"reason": "closed on the 23rd"}))
		if got := open(); len(got) != 0 {
			t.Fatalf("open alerts after cancelling = %v", got)
		}
	})
}

// A day on which the pharmacy recorded doses was open: it cannot be
// marked closed afterwards (S1: the record says what happened on the
// day). Days ahead, and past days with nothing but day close's missed
// records, may still be closed.
func TestClosingADayWithDosesRecordedIsRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-16T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(602, "2026-12-16")
		c.Set(mustTime("2026-12-17T10:00:00Z"))
		e.record(prID, "2026-12-17", map[string]any{"outcome": "supervised", "identity_confirmed": true})
		before := e.auditCount()
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"closed_dates": []string{"2026-12-17"}}, "closed_dates"},
			{map[string]any{"closed_weekdays": []string{"sunday", "thursday"}}, "closed_weekdays"},
		} {
			p := problemOf(t, e.openingOf(tc.body), 422)
			if !slices.Contains(fieldsOf(p), tc.field) || !strings.Contains(fmt.Sprint(p["errors"]), "2026-12-17") {
				t.Errorf("%v: %v", tc.body, p)
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused opening was saved")
		}
		day := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil))
		if day["pharmacy_open"] != true {
			t.Fatalf("day list = %v", day)
		}
		// Yesterday went by without a visit: day close marked it missed,
		// and the pharmacy may record that it was in fact closed.
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"date": "2026-12-16"}))
		e.must(200, e.openingOf(map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-16", "2026-12-24"}}))
	})
}

// The day list pages as the other lists do, the whole day by default.
func TestDayListPages(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-17T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		var pids []string
		for i := range 3 {
			pid, _ := e.dispensed(610+i, "2026-12-17")
			pids = append(pids, pid)
		}
		path := "/v1/pharmacies/" + e.demo.PharmacyID + "/doses"
		whole := e.must(200, e.do("pharmacist", "GET", path, nil))
		if len(whole["items"].([]any)) != 3 || whole["next_cursor"] != "" {
			t.Fatalf("whole day = %v", whole)
		}
		var paged []any
		cursor := ""
		for range 3 {
			m := e.must(200, e.do("pharmacist", "GET", path+"?limit=2&cursor="+cursor, nil))
			paged = append(paged, m["items"].([]any)...)
			if m["pharmacy_open"] != true || m["date"] != "2026-12-17" {
				t.Fatalf("page = %v", m)
			}
			if cursor = m["next_cursor"].(string); cursor == "" {
				break
			}
		}
		if fmt.Sprint(paged) != fmt.Sprint(whole["items"]) {
			t.Fatalf("pages %v, want %v", paged, whole["items"])
		}
		for _, q := range []string{"limit=0", "limit=abc", "limit=501", "cursor=garbage",
			"cursor=" + base64.RawURLEncoding.EncodeToString([]byte(pids[0]))} {
			p := problemOf(t, e.do("pharmacist", "GET", path+"?"+q, nil), 422)
			if want := strings.SplitN(q, "=", 2)[0]; !slices.Contains(fieldsOf(p), want) {
				t.Errorf("%s: fields %v", q, fieldsOf(p))
			}
		}
	})
}

// A page of the day list starts after the last line of the page before
// as it was served: a patient renamed between pages (Evans to Williams)
// or a line cancelled between pages (a reissue) drops no one from the
// pages after it, on both databases.
func TestDayListPagesSurviveRenamesAndCancellations(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-17T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		families := []string{"Adeyemi", "Evans", "Jones", "Patel", "Roberts"}
		pids := map[string]string{}
		prs := map[string]string{}
		for i, family := range families {
			pid := e.newPatient(650+i, map[string]any{"family_name": family})
			e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-17"})
			pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-17",
				"days": 14, "wording": []int{1, 3}, "issue": true}))
			pids[family], prs[family] = pid, pr["id"].(string)
		}
		path := "/v1/pharmacies/" + e.demo.PharmacyID + "/doses?limit=2&cursor="
		names := func(m map[string]any) []string {
			var out []string
			for _, it := range m["items"].([]any) {
				for f, pid := range pids {
					if it.(map[string]any)["patient_id"] == pid {
						out = append(out, f)
					}
				}
			}
			return out
		}
		first := e.must(200, e.do("pharmacist", "GET", path, nil))
		if got := names(first); !slices.Equal(got, []string{"Adeyemi", "Evans"}) {
			t.Fatalf("first page %q", got)
		}
		// Evans, the last line served, becomes Williams: the next page
		// still starts after Evans, and Williams sorts last.
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pids["Evans"], map[string]any{"family_name": "Williams"}))
		second := e.must(200, e.do("pharmacist", "GET", path+first["next_cursor"].(string), nil))
		if got := names(second); !slices.Equal(got, []string{"Jones", "Patel"}) {
			t.Fatalf("second page after a rename %q", got)
		}
		// Patel, the last line served, is cancelled: the page after it
		// carries on from where Patel was.
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+prs["Patel"]+"/cancel", map[string]any{"reason": "reissued"}))
		third := e.must(200, e.do("pharmacist", "GET", path+second["next_cursor"].(string), nil))
		if got := names(third); !slices.Equal(got, []string{"Roberts", "Evans"}) || third["next_cursor"] != "" {
			t.Fatalf("third page after a cancellation %q, next %v", got, third["next_cursor"])
		}
		// A cursor names no database key alone: a bare instalment id, or
		// JSON that is not a cursor, is refused.
		for _, v := range []string{`{"f":"Evans","g":"Zoë"}`, `{"f":"Evans","g":"Zoë","i":"x"}`, `{"i":"` + prs["Jones"] + `","x":1}`, `[]`} {
			p := problemOf(t, e.do("pharmacist", "GET", path+base64.RawURLEncoding.EncodeToString([]byte(v)), nil), 422)
			if !slices.Contains(fieldsOf(p), "cursor") {
				t.Errorf("%s: %v", v, p)
			}
		}
	})
}

// The day list is in the order an English reader looks a name up in,
// Ł among the Ls and de Souza among the Ds, on both databases and across
// pages.
func TestDayListSortsNamesAsReadersDo(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-17T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		want := []string{"de Souza", "Lee", "Łukasiewicz", "Walsh"}
		byID := map[string]string{}
		for i, family := range []string{"Walsh", "Łukasiewicz", "de Souza", "Lee"} {
			pid := e.newPatient(630+i, map[string]any{"family_name": family})
			e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-17"})
			e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-17",
				"days": 14, "wording": []int{1, 3}, "issue": true}))
			byID[pid] = family
		}
		names := func(items []any) []string {
			var out []string
			for _, it := range items {
				out = append(out, byID[it.(map[string]any)["patient_id"].(string)])
			}
			return out
		}
		path := "/v1/pharmacies/" + e.demo.PharmacyID + "/doses"
		if got := names(e.must(200, e.do("pharmacist", "GET", path, nil))["items"].([]any)); !slices.Equal(got, want) {
			t.Fatalf("day list order %q, want %q", got, want)
		}
		var paged []any
		cursor := ""
		for range len(want) + 1 {
			m := e.must(200, e.do("pharmacist", "GET", path+"?limit=1&cursor="+cursor, nil))
			paged = append(paged, m["items"].([]any)...)
			if cursor = m["next_cursor"].(string); cursor == "" {
				break
			}
		}
		if got := names(paged); !slices.Equal(got, want) {
			t.Fatalf("paged order %q, want %q", got, want)
		}
	})
}

// Weekday names are the lower-case ones the spec lists, and a date both
// open and closed is named under the fields that list it.
func TestOpeningInputIsStrict(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		before := e.auditCount()
		for _, tc := range []struct {
			body   map[string]any
			fields []string
			rule   string
		}{
			{map[string]any{"closed_weekdays": []string{"Monday"}}, []string{"closed_weekdays"}, "enum"},
			{map[string]any{"closed_weekdays": []string{"SUNDAY"}}, []string{"closed_weekdays"}, "enum"},
			{map[string]any{"closed_dates": []string{"2027-01-04"}, "open_dates": []string{"2027-01-04"}}, []string{"closed_dates", "open_dates"}, "open_and_closed"},
		} {
			p := problemOf(t, e.openingOf(tc.body), 422)
			if got := fieldsOf(p); !slices.Equal(got, tc.fields) || !strings.Contains(fmt.Sprint(p["errors"]), "rule:"+tc.rule) {
				t.Errorf("%v: fields %v, want %v with rule %s: %v", tc.body, got, tc.fields, tc.rule, p["errors"])
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused opening was saved")
		}
	})
}

// Refusing or withholding tomorrow's dose is refused under S1 (the record
// says what happened on the instalment's own day), not L3: nothing is
// supplied.
func TestTomorrowsRefusalNamesS1(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-17T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(620, "2026-12-17")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-12-18") + "/events"
		for _, tc := range []struct {
			body map[string]any
			rule string
		}{
			{map[string]any{"outcome": "refused", "identity_confirmed": true}, "S1"},
			{map[string]any{"outcome": "withheld", "reason": "intoxicated", "identity_confirmed": true}, "S1"},
			{map[string]any{"outcome": "supervised", "identity_confirmed": true}, "L3"},
		} {
			p := problemOf(t, e.do("pharmacist", "POST", path, tc.body), 422)
			if got := rulesOf(p); !slices.Equal(got, []string{tc.rule}) {
				t.Errorf("%v: rules %v, want %s: %v", tc.body["outcome"], got, tc.rule, p)
			}
		}
	})
}

// A prescription is not written for a day already closed (day_closed),
// but one issued as a close of that day committed, at a pharmacy with no
// patient for the close to lock, is not seen by it: day close run again
// marks its instalment missed and the prescriber is alerted (MD2: the
// first missed dose in titration), so the closed day does not leave it due
// for ever. The second run says the day had been closed before; a third,
// with nothing new due, changes nothing.
func TestDayCloseAgainMarksALatePrescription(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-17T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		c.Set(mustTime("2026-12-17T18:00:00Z"))
		pid, _ := e.dispensed(630, "2026-12-17")
		// The close that did not see it.
		if _, err := e.db.SQL().Exec("INSERT INTO day_closes (pharmacy_id, date, closed_at, missed) VALUES ('" + ph + "', '2026-12-17', '2026-12-17 18:00:00', 0)"); err != nil {
			t.Fatal(err)
		}
		again := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", map[string]any{"confirm_early": true}))
		if again["missed"].(float64) != 1 || again["alerts"].(float64) != 1 || again["already_closed"] != true {
			t.Fatalf("second close = %v", again)
		}
		if ev := e.currentEventOn(pid, "2026-12-17"); ev == nil || ev["outcome"] != "missed" {
			t.Fatalf("the late instalment's record = %v", ev)
		}
		third := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", map[string]any{"confirm_early": true}))
		if third["missed"].(float64) != 0 || third["alerts"].(float64) != 0 || third["already_closed"] != true {
			t.Fatalf("third close = %v", third)
		}
	})
}
