package httpapi

import (
	"strings"
	"testing"
)

// patientAlerts lists a patient's alerts of kind as the prescriber sees
// them, with query (e.g. "resolved=true") narrowing them.
func (e *env) patientAlerts(patientID, kind, query string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, it := range e.must(200, e.do("prescriber", "GET", "/v1/alerts?"+query, nil))["items"].([]any) {
		if a := it.(map[string]any); a["patient_id"] == patientID && a["kind"] == kind {
			out = append(out, a)
		}
	}
	return out
}

// A pharmacy that shut unexpectedly records the closure after day close
// marked its patients' doses missed (ADR 0016). The records stay missed
// and MD2 still counts the day, but the line, the MD2 alert and the next
// day's prompt say the pharmacy was closed, the prescriber gets L8's
// pharmacy_closed alert, and adherence does not count the day against the
// patient. A dose cannot then be recorded on the closed day.
func TestClosureRecordedAfterwards(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-14T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid, prID := e.dispensed(151, "2026-12-14")
		monday := "/v1/instalments/" + e.instalmentOn(prID, "2026-12-14") + "/events"
		e.must(201, e.do("pharmacist", "POST", monday, map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		// Tuesday: the pharmacy shuts at noon and closes the day early.
		c.Set(mustTime("2026-12-15T12:00:00Z"))
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", map[string]any{"confirm_early": true}))
		first := e.patientAlerts(pid, "missed_dose", "")
		if len(first) != 1 || strings.Contains(first[0]["message"].(string), "closed") {
			t.Fatalf("MD2 alerts before the closure is recorded: %v", first)
		}
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-15"}, "bank_holidays_closed": true}))

		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses?date=2026-12-15", nil))
		line := dayEntry(t, list, pid)
		if list["pharmacy_open"] != false || line["state"] != "missed" || line["pharmacy_closed"] != true {
			t.Fatalf("closed day's list: open %v, line %v", list["pharmacy_open"], line)
		}
		closed := e.patientAlerts(pid, "pharmacy_closed", "")
		if len(closed) != 1 || !strings.Contains(closed[0]["message"].(string), "recorded 2026-12-15 as closed") {
			t.Fatalf("pharmacy_closed alerts: %v", closed)
		}
		md2 := e.patientAlerts(pid, "missed_dose", "")
		if len(md2) != 1 || md2[0]["id"] == first[0]["id"] || !strings.Contains(md2[0]["message"].(string), "recorded Tue 15 Dec as closed") {
			t.Fatalf("MD2 alerts after the closure is recorded: %v", md2)
		}
		var answered bool
		for _, a := range e.patientAlerts(pid, "missed_dose", "resolved=true") {
			answered = answered || (a["id"] == first[0]["id"] && strings.Contains(a["resolution"].(string), "because the pharmacy was closed"))
		}
		if !answered {
			t.Fatalf("the first MD2 alert is not answered with the closure")
		}

		c.Set(mustTime("2026-12-16T09:00:00Z"))
		next := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil)), pid)
		var prompt string
		for _, w := range next["warnings"].([]any) {
			if w := w.(map[string]any); w["code"] == "missed_yesterday" {
				prompt = w["message"].(string)
			}
		}
		if !strings.Contains(prompt, "because the pharmacy was closed") || strings.Contains(prompt, "ask the patient why") {
			t.Fatalf("next day's prompt: %q", prompt)
		}
		hist := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-14&to=2026-12-15", nil))
		if adh := hist["adherence"].(map[string]any); adh["due"].(float64) != 1 || adh["missed"].(float64) != 0 || adh["taken"].(float64) != 1 {
			t.Fatalf("adherence = %v", adh)
		}

		// The closed day takes no dose given: the pharmacy opens it again
		// first.
		tuesday := "/v1/instalments/" + e.instalmentOn(prID, "2026-12-15") + "/events"
		missed := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses?date=2026-12-15", nil))
		ev := dayEntry(t, missed, pid)["outcome"].(map[string]any)
		msg := fieldMessage(t, e.do("pharmacist", "POST", tuesday, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": ev["id"], "correction_reason": "the patient came before noon", "occurred_at": "2026-12-15T11:00:00Z"}), "outcome", "pharmacy_closed")
		if !strings.Contains(msg, "take 2026-12-15 out of closed_dates") || strings.Contains(msg, "open_dates") {
			t.Fatalf("refusal says %q", msg)
		}
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "bank_holidays_closed": true}))
		e.must(201, e.do("pharmacist", "POST", tuesday, map[string]any{"outcome": "supervised", "identity_confirmed": true,
			"corrects_id": ev["id"], "correction_reason": "the patient came before noon", "occurred_at": "2026-12-15T11:00:00Z"}))
	})
}

// Intermittent attendance (S4) that counted a day the pharmacy records
// closed afterwards is answered when what is left no longer makes it.
func TestClosureRecordedAfterwardsAnswersIntermittentAttendance(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-14T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid, prID := e.dispensed(152, "2026-12-14")
		for _, day := range []string{"2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17", "2026-12-18"} {
			if day == "2026-12-15" || day == "2026-12-17" {
				c.Set(mustTime(day + "T10:00:00Z"))
				e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, day)+"/events",
					map[string]any{"outcome": "supervised", "identity_confirmed": true}))
			}
			e.closeDays(c, day)
		}
		if a := e.patientAlerts(pid, "intermittent_attendance", ""); len(a) != 1 {
			t.Fatalf("intermittent attendance alerts: %v", a)
		}
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+ph+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-16"}, "bank_holidays_closed": true}))
		if a := e.patientAlerts(pid, "intermittent_attendance", ""); len(a) != 0 {
			t.Fatalf("intermittent attendance still open: %v", a)
		}
		resolved := e.patientAlerts(pid, "intermittent_attendance", "resolved=true")
		if len(resolved) != 1 || !strings.Contains(resolved[0]["resolution"].(string), "recorded 2026-12-16 as closed") {
			t.Fatalf("resolved: %v", resolved)
		}
		hist := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-14&to=2026-12-18", nil))
		if adh := hist["adherence"].(map[string]any); adh["due"].(float64) != 4 || adh["missed"].(float64) != 2 {
			t.Fatalf("adherence = %v", adh)
		}
		for _, it := range hist["instalments"].([]any) {
			if in := it.(map[string]any); (in["date"] == "2026-12-16") != (in["pharmacy_closed"] == true) {
				t.Fatalf("instalment %v marked %v", in["date"], in["pharmacy_closed"])
			}
		}
	})
}
