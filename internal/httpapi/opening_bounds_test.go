package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// datesFrom lists n consecutive dates from from.
func datesFrom(from string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = calendar.MustParse(from).AddDays(i).String()
	}
	return out
}

// A pharmacy's closed and open dates are bounded: at most a year of single
// days each, within the years other dates keep to, none listed twice.
// Nothing is saved when any is refused.
func TestPharmacyOpeningDatesAreBounded(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		path := "/v1/pharmacies/" + e.demo.PharmacyID + "/opening"
		before := e.auditCount()
		for _, tc := range []struct {
			body        map[string]any
			field, rule string
		}{
			{map[string]any{"closed_dates": datesFrom("2027-01-01", 5000)}, "closed_dates", "max_items"},
			{map[string]any{"open_dates": datesFrom("2027-01-01", 367)}, "open_dates", "max_items"},
			{map[string]any{"closed_dates": []string{"1800-01-01"}}, "closed_dates", "range"},
			{map[string]any{"open_dates": []string{"2201-01-01"}}, "open_dates", "range"},
			{map[string]any{"closed_dates": []string{"2026-12-24", "2026-12-24"}}, "closed_dates", "unique"},
		} {
			p := problemOf(t, e.do("pharmacist", "PUT", path, tc.body), 422)
			if !slices.Contains(fieldsOf(p), tc.field) || !strings.Contains(fmt.Sprint(p["errors"]), tc.rule) {
				t.Errorf("%s: %v", tc.rule, p)
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused opening was saved")
		}
		// A year of closed days is accepted (a pharmacy may keep last year's).
		e.must(200, e.do("pharmacist", "PUT", path, map[string]any{"closed_weekdays": []string{"sunday"},
			"closed_dates": datesFrom("2026-06-01", 366)}))
	})
}

// S8: a pharmacy closing every day from 1 January makes a supervised-only
// methadone patient's prescription carry twelve days home in one
// instalment; the prescriber is warned with the figures, when writing it
// and when issuing it.
func TestLongClosureSendingSupervisedDosesHomeWarns(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-30T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(481, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"start_date": "2026-12-30", "overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}}})
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening", map[string]any{
			"closed_weekdays": []string{"sunday"}, "closed_dates": datesFrom("2027-01-01", 60)}))
		body := map[string]any{"patient_id": pid, "start_date": "2026-12-30", "days": 14, "wording": []int{1, 3}}
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", body))
		const want = "the instalment on Thu 31 Dec 2026 carries 12 (Fri 1 Jan 2027 to Tue 12 Jan 2027), 360 mg (360 ml) to take home"
		for what, m := range map[string]map[string]any{
			"written": draft,
			"issued":  e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil)),
		} {
			var s8 []any
			for _, w := range m["warnings"].([]any) {
				if w.(map[string]any)["rule"] == "S8" {
					s8 = append(s8, w)
				}
			}
			if len(s8) != 1 || s8[0].(map[string]any)["severity"] != "warn" || !strings.Contains(fmt.Sprint(s8[0]), want) {
				t.Fatalf("%s: S8 warnings %v in %v", what, s8, m["warnings"])
			}
		}
		// The policy table names the rule and its figure.
		pol := e.must(200, e.do("prescriber", "GET", "/v1/policy", nil))
		if pol["numbers"].(map[string]any)["S8.max_closed_days_carried"] != "3" {
			t.Fatalf("numbers = %v", pol["numbers"])
		}
	})
}
