package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A draft is laid out on the pharmacy's opening of the day it was written
// and is never edited. Issued after the pharmacy reopened days it had
// closed, it would still send those days' supervised doses home with an
// earlier collection, under an S8 warning about closures that are no
// more: it answers 409, as a draft with a day closed since does, and
// stays a draft. A draft whose schedule still follows the opening issues.
func TestDraftLaidOutAroundDaysSinceReopenedIsNotIssued(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-18T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		opening := "/v1/pharmacies/" + e.demo.PharmacyID + "/opening"
		e.must(200, e.do("pharmacist", "PUT", opening, map[string]any{"closed_weekdays": []string{"sunday"},
			"closed_dates": []string{"2026-12-22", "2026-12-23", "2026-12-24"}}))
		draftFor := func(seq int, start string, days int) map[string]any {
			pid := e.newPatient(seq, nil)
			e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "induction", "start_date": "2026-12-18"})
			return e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
				"days": days, "wording": []int{1, 3}}))
		}
		// Monday 21 Dec carries Tuesday to Friday (Christmas Day): S8.
		stale := draftFor(801, "2026-12-21", 7)
		if got := stale["instalments"].([]any)[0].(map[string]any)["covers"].([]any); len(got) != 5 {
			t.Fatalf("21 Dec covers %v, want 21 to 25 Dec", got)
		}
		if !slices.Contains(findingRules(stale, "warnings"), "S8") {
			t.Fatalf("warnings %v lack S8", stale["warnings"])
		}
		// After the closure: the reopening changes nothing of it.
		fine := draftFor(802, "2026-12-29", 3)

		e.must(200, e.do("pharmacist", "PUT", opening, map[string]any{"closed_weekdays": []string{"sunday"}}))
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+stale["id"].(string)+"/issue", nil), 409)
		detail := p["detail"].(string)
		for _, want := range []string{"2026-12-22", "2026-12-21", "cancel it and write a new one"} {
			if !strings.Contains(detail, want) {
				t.Errorf("detail %q does not say %q", detail, want)
			}
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+stale["id"].(string), nil))["status"]; got != "draft" {
			t.Fatalf("the refused draft is %v", got)
		}
		if got := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+fine["id"].(string)+"/issue", nil))["status"]; got != "issued" {
			t.Fatalf("the draft after the closure is %v", got)
		}
	})
}
