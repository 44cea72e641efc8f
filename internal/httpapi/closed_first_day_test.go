package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// twoFortnightsAtMarketSquare starts a methadone patient on 85 mg at the
// second demo pharmacy (closed on Sundays and bank holidays) with two
// issued prescriptions, 3–16 Dec and 17–30 Dec 2026, and then has the
// pharmacy close on Thu 17 Dec: the second's first instalment falls on a
// closed day, and the open day before it, 16 Dec, is the first's.
func (e *env) twoFortnightsAtMarketSquare(seq int) (patientID, regimeID string, first, second map[string]any) {
	e.t.Helper()
	pid := e.newPatient(seq, map[string]any{"pharmacy_id": e.demo.Pharmacy2})
	r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 85, "stage": "maintenance",
		"start_date": "2026-12-03", "overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 85 mg"}}})
	prescribe := func(start string) map[string]any {
		return e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
			"days": 14, "wording": []int{1, 3}, "issue": true}))
	}
	first, second = prescribe("2026-12-03"), prescribe("2026-12-17")
	m := e.must(200, e.do("pharmacist_2", "PUT", "/v1/pharmacies/"+e.demo.Pharmacy2+"/opening",
		map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-17"}, "bank_holidays_closed": true}))
	if n := len(m["instalments_on_closed_days"].([]any)); n != 1 {
		e.t.Fatalf("instalments on closed days = %v", m["instalments_on_closed_days"])
	}
	return pid, r["id"].(string), first, second
}

// instalmentsOf lists a prescription's instalments as "date covers
// supervised+take_home".
func (e *env) instalmentsOf(prescriptionID string) []string {
	e.t.Helper()
	var out []string
	for _, it := range e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+prescriptionID, nil))["instalments"].([]any) {
		m := it.(map[string]any)
		out = append(out, fmt.Sprintf("%s %v %v+%v", m["date"], m["covers"], m["supervised"], m["take_home"]))
	}
	return out
}

// wantClosedFirstDayCarried checks a prescription for 17–30 Dec whose
// first day, closed, is supplied with a collection on 16 Dec under
// approved wording 1.
func (e *env) wantClosedFirstDayCarried(rx map[string]any) {
	e.t.Helper()
	if rx["start_date"] != "2026-12-17" || rx["end_date"] != "2026-12-30" || !slices.Contains(rx["wording"].([]any), any(float64(1))) {
		e.t.Fatalf("prescription = %v", rx)
	}
	ins := e.instalmentsOf(rx["id"].(string))
	if len(ins) < 2 || ins[0] != "2026-12-16 [2026-12-17] 0+85" || !strings.HasPrefix(ins[1], "2026-12-18 [2026-12-18] 85+0") {
		e.t.Fatalf("instalments = %v, want 17 Dec's dose collected on 16 Dec", ins)
	}
}

// A dose change is not refused because a live prescription has its first
// instalment on a day the pharmacy has since closed: the reissue of its
// remaining days supplies that day's dose on the open day before, 16 Dec,
// under approved wording 1, though that day's own dose is the other
// prescription's. The pharmacy hands both over on the 16th.
func TestDoseChangeReissuesAcrossAClosedFirstDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, first, second := e.twoFortnightsAtMarketSquare(531)
		if got := e.alertsOf("prescriber", "?kind=pharmacy_closed&patient_id="+pid); len(got) != 1 {
			t.Fatalf("pharmacy closed alerts = %v", got)
		}
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 75, "effective_date": "2026-12-22", "reason": "sedated, reduce"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 || re[0].(map[string]any)["replaces_id"] != second["id"] {
			t.Fatalf("reissued = %v", re)
		}
		rx := re[0].(map[string]any)
		e.wantClosedFirstDayCarried(rx)
		if got := dosePeriodsOf(t, rx); !slices.Equal(got, []string{"2026-12-17:85", "2026-12-22:75"}) {
			t.Fatalf("dose periods = %v", got)
		}
		if s := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+second["id"].(string), nil))["status"]; s != "cancelled" {
			t.Fatalf("replaced prescription is %v", s)
		}
		if s := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+first["id"].(string), nil))["status"]; s != "issued" {
			t.Fatalf("the first prescription is %v", s)
		}
		if got := e.alertsOf("prescriber", "?kind=pharmacy_closed&patient_id="+pid); len(got) != 0 {
			t.Fatalf("pharmacy closed alerts after the reissue = %v", got)
		}
		form := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		assertText(t, form, "Consumption supervised at the pharmacy every day, except as scheduled below.",
			"Supplied to take home with an earlier collection: the dose for Thu 17 Dec with the collection on Wed 16 Dec; the dose for Sun 20 Dec",
			"Treatment period Thu 17 Dec 2026 to Wed 30 Dec 2026 (14 days)", "Wed 16 Dec 2026 Thu 17 Dec",
			"Please dispense instalments due on pharmacy closed days on a prior suitable day.")

		// On the 16th the pharmacy hands over both: the day's supervised
		// dose, and the 17th's to take home, to a patient who came daily.
		e.attended(c, "pharmacist_2", pid, "2026-12-03", "2026-12-16")
		c.Set(mustTime("2026-12-16T10:00:00Z"))
		list := e.must(200, e.do("pharmacist_2", "GET", "/v1/pharmacies/"+e.demo.Pharmacy2+"/doses", nil))
		var lines []map[string]any
		for _, it := range list["items"].([]any) {
			if m := it.(map[string]any); m["patient_id"] == pid {
				lines = append(lines, m)
			}
		}
		if len(lines) != 2 {
			t.Fatalf("day list lines for the patient = %v", lines)
		}
		for _, l := range lines {
			outcome := "supervised"
			if l["supervised"].(float64) == 0 {
				outcome = "collected"
			}
			e.must(201, e.do("pharmacist_2", "POST", "/v1/instalments/"+l["instalment_id"].(string)+"/events",
				map[string]any{"outcome": outcome, "identity_confirmed": true}))
		}
		// A history window starting on the closed 17th lists the 16th's
		// collection that carried it, and counts the day taken.
		c.Set(mustTime("2026-12-19T10:00:00Z"))
		hist := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-17&to=2026-12-17", nil))
		adh := hist["adherence"].(map[string]any)
		if adh["due"] != 1.0 || adh["collected"] != 1.0 {
			t.Fatalf("adherence for the 17th = %v", adh)
		}
	})
}

// The pharmacy_closed alert's advice works: cancelled, the prescription's
// remaining days prescribed again from its closed first day supply that
// day's dose on the open day before. Starting on that day instead still
// collides with the prescription that supplies it.
func TestClosedFirstDayAdviceWorks(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _, _, second := e.twoFortnightsAtMarketSquare(532)
		alerts := e.alertsOf("prescriber", "?kind=pharmacy_closed&patient_id="+pid)
		if len(alerts) != 1 || !strings.Contains(alerts[0]["message"].(string), second["serial"].(string)+" was signed by the specialist service, which cancels it and prescribes its remaining days again") {
			t.Fatalf("alerts = %v", alerts)
		}
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+second["id"].(string)+"/cancel", map[string]any{"reason": "pharmacy closed on the 17th"}))
		problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-16",
			"days": 14, "wording": []int{1, 3}, "issue": true}), 409)
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-17",
			"days": 14, "wording": []int{3}, "issue": true}))
		e.wantClosedFirstDayCarried(rx)
		// A draft written so is issued only while its collection day is to
		// come.
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-17",
			"days": 14, "wording": []int{1, 3}}))
		if ins := e.instalmentsOf(draft["id"].(string)); ins[0] != "2026-12-16 [2026-12-17] 0+85" {
			t.Fatalf("draft instalments = %v", ins)
		}
		e.setClock(c, mustTime("2026-12-17T09:00:00Z"))
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil), 409)
		if !strings.Contains(p["detail"].(string), "with a collection on 2026-12-16, which has passed") {
			t.Fatalf("issue of a draft whose collection day passed = %v", p)
		}
	})
}

// A pattern change goes through the same reissue: the live prescription
// whose first day is closed is reissued, its first dose collected the day
// before.
func TestPatternChangeReissuesAcrossAClosedFirstDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _, second := e.twoFortnightsAtMarketSquare(533)
		m := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-12-22", "reason": "Works weekends", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 || re[0].(map[string]any)["replaces_id"] != second["id"] {
			t.Fatalf("reissued = %v", re)
		}
		e.wantClosedFirstDayCarried(re[0].(map[string]any))
	})
}

// When the day's dose can no longer be supplied earlier — the patient has
// already collected on the 16th, the last open day before the closed
// 17th — the dose change is still recorded; the prescription is left as
// it is, not cancelled, and the answer says plainly which one to rewrite
// and from when. The same for a pharmacy move.
func TestChangeIsRecordedWhenTheReissueCannotBeBuilt(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, first, second := e.twoFortnightsAtMarketSquare(534)
		e.attended(c, "pharmacist_2", pid, "2026-12-03", "2026-12-16")
		e.setClock(c, mustTime("2026-12-16T10:00:00Z"))
		e.must(201, e.do("pharmacist_2", "POST", "/v1/instalments/"+e.instalmentOn(first["id"].(string), "2026-12-16")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		before := len(e.instalmentsOf(second["id"].(string)))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 75, "effective_date": "2026-12-22", "reason": "sedated, reduce"}))
		if re := m["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("reissued = %v", re)
		}
		var l8 map[string]any
		for _, w := range m["warnings"].([]any) {
			if w := w.(map[string]any); w["rule"] == "L8" {
				l8 = w
			}
		}
		serial := second["serial"].(string)
		if l8 == nil || !strings.Contains(l8["message"].(string), serial+" was not reissued") ||
			!strings.Contains(l8["action"].(string), "Cancel "+serial) || !strings.Contains(l8["action"].(string), "from 2026-12-18") {
			t.Fatalf("warnings = %v, want L8 naming %s", m["warnings"], serial)
		}
		if s := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+second["id"].(string), nil))["status"]; s != "issued" {
			t.Fatalf("the prescription not reissued is %v", s)
		}
		if n := len(e.instalmentsOf(second["id"].(string))); n != before {
			t.Fatalf("instalments %d, were %d", n, before)
		}
		v := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if v["latest_dose"] != float64(75) {
			t.Fatalf("latest dose = %v", v["latest_dose"])
		}

		mv := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.PharmacyID,
			"effective_date": "2026-12-21", "reason": "moved house"}))
		if re := mv["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("reissued on the move = %v", re)
		}
		if !strings.Contains(fmt.Sprint(mv["warnings"]), serial+" was not reissued") {
			t.Fatalf("move warnings = %v", mv["warnings"])
		}
	})
}

// ADR 0011's scenario with a move: Market Square closed on the 17th, the
// 16th already collected, dispensing moving to the demo's first pharmacy
// from the 21st. The prescription for 17–30 Dec is left as written, and
// the advice works as given: one prescription for 18–20 Dec at Market
// Square, one from the 21st at the new pharmacy (a prescription never
// spans a move). Until it is cancelled, an alert tells the service and
// the pharmacy, once however many changes miss it; cancelling resolves it.
func TestMoveNotReissuedAdviceWorks(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, first, second := e.twoFortnightsAtMarketSquare(535)
		e.attended(c, "pharmacist_2", pid, "2026-12-03", "2026-12-16")
		e.setClock(c, mustTime("2026-12-16T10:00:00Z"))
		e.must(201, e.do("pharmacist_2", "POST", "/v1/instalments/"+e.instalmentOn(first["id"].(string), "2026-12-16")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		mv := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.PharmacyID,
			"effective_date": "2026-12-21", "reason": "moved house"}))
		if re := mv["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("reissued on the move = %v", re)
		}
		serial := second["serial"].(string)
		var l8 map[string]any
		for _, w := range mv["warnings"].([]any) {
			if w := w.(map[string]any); w["rule"] == "L8" {
				l8 = w
			}
		}
		if l8 == nil {
			t.Fatalf("warnings = %v, want L8", mv["warnings"])
		}
		action := l8["action"].(string)
		assertText(t, action, "Cancel "+serial+" and prescribe its remaining days again: from 2026-12-18 to 2026-12-20 (3 days) at ",
			" and from 2026-12-21 to 2026-12-30 (10 days) at ", "one prescription for each pharmacy", "The dose for 2026-12-17 cannot be supplied")
		assertText(t, l8["message"].(string), "keeps supplying it as written — 85 mg a day")

		// A dose change meanwhile misses it too: still one alert.
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 75, "effective_date": "2026-12-22", "reason": "sedated, reduce"}))
		for _, who := range []string{"prescriber", "pharmacist_2"} {
			got := e.alertsOf(who, "?kind=prescription_not_reissued&patient_id="+pid)
			if len(got) != 1 || got[0]["rule"] != "L8" || !strings.Contains(got[0]["message"].(string), serial+" was not reissued") {
				t.Fatalf("%s's not_reissued alerts = %v", who, got)
			}
		}

		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+second["id"].(string)+"/cancel", map[string]any{"reason": "rewritten around the move"}))
		if got := e.alertsOf("prescriber", "?kind=prescription_not_reissued&patient_id="+pid); len(got) != 0 {
			t.Fatalf("not_reissued alerts after the cancellation = %v", got)
		}
		before := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-18",
			"days": 3, "wording": []int{1, 3}, "issue": true}))
		after := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-21",
			"days": 10, "wording": []int{1, 3}, "issue": true}))
		if before["pharmacy_id"] != e.demo.Pharmacy2 || after["pharmacy_id"] != e.demo.PharmacyID {
			t.Fatalf("pharmacies %v then %v", before["pharmacy_id"], after["pharmacy_id"])
		}
	})
}
