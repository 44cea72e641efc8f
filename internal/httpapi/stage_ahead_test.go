package httpapi

import (
	"slices"
	"strings"
	"testing"
)

func warningCodes(entry map[string]any) []string {
	var out []string
	for _, w := range entry["warnings"].([]any) {
		out = append(out, w.(map[string]any)["code"].(string))
	}
	return out
}

// A move to maintenance booked ahead takes effect on its date: until then
// the patient is still titrating, so the day list says so (S6), a first
// missed dose is alerted (MD2), and a prescription's take-home doses before
// that date are warned about (S6) while those after it are not.
func TestStageChangeBookedAheadWaitsForItsDate(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(250, "2026-02-09")
		rid := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))["items"].([]any)[0].(map[string]any)["id"].(string)
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35, "effective_date": "2026-02-20",
			"stage": "maintenance", "reason": "settled: maintenance from the 20th"}))
		e.closeDays(c, "2026-02-09")
		if got := e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid); len(got) != 1 || got[0]["rule"] != "MD2" {
			t.Fatalf("first missed dose in titration: alerts %v, want one MD2", got)
		}
		c.Set(mustTime("2026-02-10T09:00:00Z"))
		entry := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)
		if !slices.Contains(warningCodes(entry), "in_titration") {
			t.Fatalf("10 Feb, before maintenance: warnings %v", warningCodes(entry))
		}
		entry = dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses?date=2026-02-20", nil)), pid)
		if slices.Contains(warningCodes(entry), "in_titration") {
			t.Fatalf("20 Feb, in maintenance: warnings %v", warningCodes(entry))
		}
	})
}

// S6 on a prescription reads the stage in force on its days (a prescription
// never spans a change of stage).
func TestTakeHomeWarningFollowsTheStageOnTheDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "bank_holidays_closed": false}))
		pid := e.newPatient(251, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-02"})
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/dose-changes", map[string]any{"to": 35,
			"effective_date": "2026-12-14", "stage": "maintenance", "reason": "settled"}))
		s6 := func(start string) []string {
			rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
				"days": 7, "wording": []int{1, 3}}))
			var out []string
			for _, w := range rx["warnings"].([]any) {
				if m := w.(map[string]any); m["rule"] == "S6" {
					out = append(out, m["message"].(string))
				}
			}
			return out
		}
		// Mon 7 to Sun 13 Dec, still titrating: Sunday's dose goes home.
		if got := s6("2026-12-07"); len(got) != 1 || !strings.Contains(got[0], "sends 30 mg (30 ml) home unsupervised: Sun 13 Dec.") {
			t.Fatalf("7–13 Dec: S6 warnings %v", got)
		}
		// Mon 14 to Sun 20 Dec, in maintenance.
		if got := s6("2026-12-14"); len(got) != 0 {
			t.Fatalf("14–20 Dec: S6 warnings %v", got)
		}
	})
}
