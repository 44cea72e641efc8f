package httpapi

import (
	"slices"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// attended records, on each day from from up to the day before until, the
// patient's instalments dated that day and not yet recorded as handed
// over (supervised, or collected when none of it is supervised), as for a
// patient who came every day, with the clock set to that day: MD1 counts a
// day gone by with no record as missed whether or not a day close ran
// (TestMD1BlocksOnDaysNeverClosed). who is the pharmacy's pharmacist.
func (e *env) attended(c *clock, who, patientID, from, until string) {
	e.t.Helper()
	for d := calendar.MustParse(from); d.Before(calendar.MustParse(until)); d = d.AddDays(1) {
		day := d.String()
		c.Set(mustTime(day + "T13:00:00Z"))
		hist := e.must(200, e.do(who, "GET", "/v1/patients/"+patientID+"/doses?from="+day+"&to="+day, nil))
		for _, it := range hist["instalments"].([]any) {
			m := it.(map[string]any)
			if o, _ := m["current_outcome"].(string); m["date"] != day || o != "" || m["prescription_status"] != "issued" {
				continue
			}
			outcome := "supervised"
			if m["supervised"].(float64) == 0 {
				outcome = "collected"
			}
			e.must(201, e.do(who, "POST", "/v1/instalments/"+m["id"].(string)+"/events",
				map[string]any{"outcome": outcome, "identity_confirmed": true}))
		}
	}
}

// MD1 does not wait for a day close: a titration patient with no dose
// Monday to Wednesday, whose days no close marked (the scheduled close
// failed, the server was down), is blocked on Thursday — on the day list,
// when a dose is recorded, and in MD3's advice alike — while Thursday's own
// instalment, not yet recorded, is not counted.
func TestMD1BlocksOnDaysNeverClosed(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid, _ := e.dispensed(902, "2026-11-30")
		supervised := map[string]any{"outcome": "supervised", "identity_confirmed": true}
		warnings := func(entry map[string]any) []string {
			var codes []string
			for _, w := range entry["warnings"].([]any) {
				codes = append(codes, w.(map[string]any)["code"].(string))
			}
			return codes
		}

		// Wednesday: two days gone without a dose, no block yet, and
		// yesterday's dose was not taken (MD2).
		c.Set(mustTime("2026-12-02T10:00:00Z"))
		entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil)), pid)
		if entry["state"] != "due" || entry["block"] != nil || !slices.Contains(warnings(entry), "missed_yesterday") {
			t.Fatalf("Wednesday's entry = %v", entry)
		}

		// Thursday: three days gone, blocked.
		c.Set(mustTime("2026-12-03T10:00:00Z"))
		entry = dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil)), pid)
		block, _ := entry["block"].(map[string]any)
		if entry["state"] != "blocked" || block == nil || block["missed"].(float64) != 3 || block["since"] != "2026-11-30" ||
			block["last_missed"] != "2026-12-02" {
			t.Fatalf("Thursday's entry = %v", entry)
		}
		if w := warnings(entry); len(w) == 0 || w[0] != "md1_do_not_dispense" || !slices.Contains(w, "missed_yesterday") {
			t.Fatalf("Thursday's warnings = %v", entry["warnings"])
		}
		thursday := "/v1/instalments/" + entry["instalment_id"].(string) + "/events"
		blockedWith(t, e.do("pharmacist", "POST", thursday, supervised), "MD1", "contact the prescriber")

		// The prescriber sees MD3's advice for the same three days.
		reg := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+e.activeRegimeOf(pid), nil))
		if sg, _ := reg["retitration"].(map[string]any); sg == nil || sg["rule"] != "MD3" || sg["dose"].(float64) != 15 {
			t.Fatalf("retitration = %v", reg["retitration"])
		}
		rv := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen: away three days, restart at 15 mg"}))
		if rv["md1_block_lifted"] != true {
			t.Fatalf("review = %v", rv)
		}
		e.must(201, e.do("pharmacist", "POST", thursday, supervised))

		// Thursday night's close marks Monday to Wednesday missed; Thursday's
		// dose taken ends the run, so Friday is not blocked.
		c.Set(mustTime("2026-12-03T23:00:00Z"))
		if r := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", nil)); r["missed"].(float64) != 3 {
			t.Fatalf("Thursday's close = %v", r)
		}
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("md1_block alerts after the review and Thursday's dose = %v", got)
		}
		c.Set(mustTime("2026-12-04T10:00:00Z"))
		entry = dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil)), pid)
		if entry["state"] != "due" || entry["block"] != nil {
			t.Fatalf("Friday's entry = %v", entry)
		}
	})
}

// The review that lifts a block of days never closed stays good when the
// close that marks them runs after it: those days were known missed from
// the end of each, not from the late close. Here no dose is due on the
// Thursday (a gap between prescriptions), so nothing else ends the run.
func TestReviewBeforeALateCloseStillLiftsTheBlock(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid := e.newPatient(903, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-11-30"})
		for _, p := range []struct {
			start string
			days  int
		}{{"2026-11-30", 3}, {"2026-12-04", 7}} {
			e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": p.start,
				"days": p.days, "wording": []int{1, 3}, "issue": true}))
		}
		// Thursday: Monday to Wednesday went by, no close ran; the
		// prescriber reviews the blocked patient.
		c.Set(mustTime("2026-12-03T10:00:00Z"))
		rv := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen: away, restart at 15 mg"}))
		if rv["md1_block_lifted"] != true {
			t.Fatalf("review = %v", rv)
		}
		// The close runs that night and marks the three days missed.
		c.Set(mustTime("2026-12-03T23:00:00Z"))
		if r := e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+ph+"/day-close", nil)); r["missed"].(float64) != 3 {
			t.Fatalf("Thursday's close = %v", r)
		}
		if got := e.alertsOf("prescriber", "?kind=md1_block&patient_id="+pid); len(got) != 0 {
			t.Fatalf("md1_block alerts after the review = %v", got)
		}
		c.Set(mustTime("2026-12-04T10:00:00Z"))
		entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil)), pid)
		if entry["state"] != "due" || entry["block"] != nil {
			t.Fatalf("Friday's entry = %v", entry)
		}
	})
}
