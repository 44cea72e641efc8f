package httpapi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// A placeholder NHS number (one digit ten times) is refused when recorded
// (ID1), but a record made before it was can still be found by it and
// edited with the number sent back unchanged, so that it can be put right.
func TestPlaceholderNHSNumbers(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": "111 111 1111", "given_name": "Ann",
			"family_name": "Smith", "date_of_birth": "1980-01-01", "sex": "female"}), 422)
		if !slices.Contains(fieldsOf(p), "nhs_number") || !strings.Contains(fmt.Sprint(p["errors"]), "rule:ID1") {
			t.Fatalf("placeholder recorded: %v", p)
		}
		pid := e.newPatient(1831, nil)
		// As an earlier release let it be recorded.
		if _, err := e.db.SQL().ExecContext(context.Background(), "UPDATE patients SET nhs_number = '1111111111' WHERE id = '"+pid+"'"); err != nil {
			t.Fatal(err)
		}
		found := e.must(200, e.do("prescriber", "GET", "/v1/patients?nhs_number=111+111+1111", nil))["items"].([]any)
		if len(found) != 1 || found[0].(map[string]any)["id"] != pid || found[0].(map[string]any)["nhs_number_display"] != "111 111 1111" {
			t.Fatalf("search by the placeholder found %v", found)
		}
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"nhs_number": "1111111111", "phone": "07700 900123"}))
		p = problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"nhs_number": "2222222222"}), 422)
		if !slices.Contains(fieldsOf(p), "nhs_number") {
			t.Fatalf("another placeholder recorded: %v", p)
		}
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"nhs_number": patients.TestNHSNumber(1832)}))
	})
}
