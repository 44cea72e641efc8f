package httpapi

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// An address prints as a block on prescriptions and letters, so more than
// patients.MaxAddressLines lines — after line breaks, or after commas on
// one line — are refused (422, address lines) for patients and
// organisations alike, and nothing is written.
func TestAddressOfTooManyLinesIsRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		lines := func(n int, sep string) string {
			var ls []string
			for i := 1; i <= n; i++ {
				ls = append(ls, "Ln "+string(rune('A'+i)))
			}
			return strings.Join(ls, sep)
		}
		nine, nineCommas, eight := lines(9, "\n"), lines(9, ", "), lines(8, "\n")
		pid := e.newPatient(641, nil)
		for _, a := range []string{nine, nineCommas} {
			fe := oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": a}), 422), "address lines")
			if !strings.Contains(fe["message"].(string), "address has 9 lines") {
				t.Errorf("message %v", fe["message"])
			}
			body := map[string]any{"nhs_number": patients.TestNHSNumber(642), "given_name": "Al", "family_name": "Test",
				"date_of_birth": "1980-01-01", "address": a}
			oneFieldRule(t, problemOf(t, e.do("prescriber", "POST", "/v1/patients", body), 422), "address lines")
			oneFieldRule(t, problemOf(t, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "pharmacy",
				"name": "Many Lines Pharmacy", "address": a}), 422), "address lines")
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))["address"]; got != "1 Canal Row — Worcester" {
			t.Fatalf("address = %q after a refused change", got)
		}
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": eight}))
		e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "pharmacy", "name": "Eight Lines Pharmacy", "address": eight}))
	})
}
