package httpapi

import (
	"fmt"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// A duplicate NHS number is the same 409 Conflict naming nhs_number on
// PATCH as on registering, and nothing is written.
func TestDuplicateNHSNumberIsAConflictOnUpdateAsOnCreate(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		first := e.newPatient(621, nil)
		second := e.newPatient(622, nil)
		taken := patients.TestNHSNumber(621)
		onCreate := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": taken,
			"given_name": "Ann", "family_name": "Other", "date_of_birth": "1990-01-01"}), 409)
		before := e.auditCount()
		onUpdate := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+second, map[string]any{"nhs_number": taken}), 409)
		for _, k := range []string{"type", "title", "status", "detail", "errors"} {
			if fmt.Sprint(onUpdate[k]) != fmt.Sprint(onCreate[k]) {
				t.Errorf("%s: PATCH answered %v, POST %v", k, onUpdate[k], onCreate[k])
			}
		}
		errs, _ := onUpdate["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != "nhs_number" || errs[0].(map[string]any)["rule"] != "unique" {
			t.Fatalf("errors = %v", onUpdate["errors"])
		}
		if e.auditCount() != before {
			t.Fatal("a refused change was audited")
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+second, nil))["nhs_number"]; got != patients.TestNHSNumber(622) {
			t.Fatalf("nhs_number changed to %v", got)
		}
		// The patient's own number, sent back, is no conflict.
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+first, map[string]any{"nhs_number": taken}))
	})
}
