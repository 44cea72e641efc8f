package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// l2Finding is the L2 finding among a problem's rules or an answer's
// warnings.
func l2Finding(t *testing.T, items any) map[string]any {
	t.Helper()
	list, _ := items.([]any)
	for _, it := range list {
		if f := it.(map[string]any); f["rule"] == "L2" {
			return f
		}
	}
	t.Fatalf("no L2 finding in %v", items)
	return nil
}

// L2 (reg 15(1)(e)): a controlled-drug prescription states the patient's
// address, or a pharmacy cannot dispense from it. A prescription is not
// issued, by the service or a GP under shared care, to a patient with none
// recorded; a draft may be written and is warned.
func TestPrescriptionNotIssuedWithoutPatientAddress(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(401, map[string]any{"address": nil})
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-12-02"})
		body := map[string]any{"patient_id": pid, "start_date": "2026-12-02", "days": 7, "wording": []int{1, 2, 3}, "issue": true}

		before := e.auditCount()
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", body), 422)
		f := l2Finding(t, p["rules"])
		if f["severity"] != "block" || !strings.Contains(f["action"].(string), "No fixed abode") ||
			!strings.Contains(f["message"].(string), "address") {
			t.Fatalf("L2 finding = %v", f)
		}
		if e.auditCount() != before {
			t.Fatal("a refused prescription wrote something")
		}

		// A draft is written, and says what stops it being issued.
		body["issue"] = false
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", body))
		if f := l2Finding(t, draft["warnings"]); f["severity"] != "warn" || !strings.Contains(f["action"].(string), "No fixed abode") {
			t.Fatalf("draft's L2 finding = %v", f)
		}
		id := draft["id"].(string)
		p = problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+id+"/issue", nil), 422)
		if !slices.Contains(rulesOf(p), "L2") {
			t.Fatalf("issuing the draft: %v", p)
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+id, nil)); got["status"] != "draft" {
			t.Fatalf("refused issue left status %v", got["status"])
		}

		// Spaces are no address; "No fixed abode" is what reg 15 allows.
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": "   "}))
		problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+id+"/issue", nil), 422)
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": "No fixed abode"}))
		issued := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+id+"/issue", nil))
		if issued["status"] != "issued" {
			t.Fatalf("issued = %v", issued)
		}
		for _, w := range issued["warnings"].([]any) {
			if w.(map[string]any)["rule"] == "L2" {
				t.Fatalf("issued with an address, still warned: %v", w)
			}
		}

		// The address cannot be cleared now: the prescription runs, and a
		// dose, pattern or pharmacy change must reissue its remaining days
		// with the address on them (L2). "No fixed abode" is the entry for
		// a patient with no home.
		before = e.auditCount()
		for _, blank := range []string{"", "  "} {
			p := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": blank}), 422)
			if !slices.Contains(fieldsOf(p), "address") || !strings.Contains(fmt.Sprint(p["errors"]), "rule:L2") ||
				!strings.Contains(fmt.Sprint(p["errors"]), "No fixed abode") || !strings.Contains(fmt.Sprint(p["errors"]), issued["serial"].(string)) {
				t.Fatalf("clearing the address with %s live: %v", issued["serial"], p)
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused address change wrote something")
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))["address"]; got != "No fixed abode" {
			t.Fatalf("address = %v", got)
		}
		e.must200PDF("prescriber", id)
		// Once it is cancelled nothing is left to reissue, and the address
		// may be cleared again (a draft is warned, issuing is refused).
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+id+"/cancel", map[string]any{"reason": "address to confirm"}))
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": ""}))
	})
}

// A GP prescribing under shared care meets the same rule.
func TestGPCannotIssueWithoutPatientAddress(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _, scID, _ := e.underSharedCare(402, "2026-12-02", false)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": ""}))
		body := map[string]any{"patient_id": pid, "start_date": "2026-12-02", "days": 14, "wording": []int{1, 2, 3}, "issue": true}
		blockedWith(t, e.do("gp", "POST", "/v1/prescriptions", body), "L2", "No fixed abode")
		body["issue"] = false
		id := e.must(201, e.do("gp", "POST", "/v1/prescriptions", body))["id"].(string)
		blockedWith(t, e.do("gp", "POST", "/v1/prescriptions/"+id+"/issue", nil), "L2", "No fixed abode")
	})
}
