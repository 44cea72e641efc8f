package httpapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// issuedFindings lists the findings audited with a prescription's issue.
func (e *env) issuedFindings(prescriptionID string) []map[string]any {
	e.t.Helper()
	m := e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_id="+prescriptionID, nil))
	for _, it := range m["items"].([]any) {
		ev := it.(map[string]any)
		if ev["action"] != "prescription.issue" {
			continue
		}
		var ch struct {
			Findings []map[string]any `json:"findings"`
		}
		if err := json.Unmarshal([]byte(ev["changes"].(string)), &ch); err != nil {
			e.t.Fatal(err)
		}
		return ch.Findings
	}
	e.t.Fatalf("no prescription.issue audited for %s", prescriptionID)
	return nil
}

// wantReissueFindings checks that a change's answer carries every finding
// audited with each of its reissues, once, as "Reissued as <serial>: …",
// and returns the rules of each reissue's findings.
func wantReissueFindings(t *testing.T, e *env, m map[string]any) [][]string {
	t.Helper()
	var messages []string
	for _, w := range m["warnings"].([]any) {
		w := w.(map[string]any)
		messages = append(messages, fmt.Sprint(w["rule"], "|", w["severity"], "|", w["message"]))
	}
	var rules [][]string
	for _, re := range m["reissued_prescriptions"].([]any) {
		re := re.(map[string]any)
		var these []string
		for _, f := range e.issuedFindings(re["id"].(string)) {
			want := fmt.Sprint(f["rule"], "|", f["severity"], "|", fmt.Sprintf("Reissued as %s: %s", re["serial"], f["message"]))
			if n := len(slices.DeleteFunc(slices.Clone(messages), func(s string) bool { return s != want })); n != 1 {
				t.Errorf("the answer carries %q %d times, want once; warnings: %v", want, n, messages)
			}
			these = append(these, f["rule"].(string))
		}
		rules = append(rules, these)
	}
	return rules
}

// S6, L8: a reissue is checked as a prescription written by hand is, and
// the change's answer says what its checks found. An induction patient
// supervised every day at a pharmacy open on Sundays moves to one closed
// on Sundays: the reissue from the move sends each Sunday's dose home with
// Saturday's collection, and Dosebook adds approved wording 1 for it. A
// prescriber writing those days would be told both; the move's answer
// tells them too, naming the reissue.
func TestReissueAnswersEveryFindingOfTheReissue(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening", map[string]any{"closed_weekdays": []string{}}))
		pid := e.newPatient(601, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "induction",
			"start_date": "2026-12-02"})
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-02",
			"days": 14, "wording": []int{3}, "issue": true}))
		if w := rx["warnings"].([]any); len(w) != 0 {
			t.Fatalf("the first prescription warns: %v", w)
		}

		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-03", "reason": "Moved to Droitwich"}))
		if n := len(m["reissued_prescriptions"].([]any)); n != 2 {
			t.Fatalf("reissued %d prescriptions, want 2", n)
		}
		rules := wantReissueFindings(t, e, m)
		if !slices.Equal(rules[0], nil) || !slices.Contains(rules[1], "S6") || !slices.Contains(rules[1], "L8") {
			t.Fatalf("reissues' findings %v, want none at the old pharmacy and S6 and L8 at the new one", rules)
		}
		moved := m["reissued_prescriptions"].([]any)[1].(map[string]any)
		if w := moved["wording"].([]any); !slices.Contains(w, any(1.0)) {
			t.Fatalf("wording of the reissue at the new pharmacy = %v, want 1 added", w)
		}

		// The same days written by hand answer the same rules.
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+moved["id"].(string)+"/cancel", map[string]any{"reason": "rewritten"}))
		byHand := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-03",
			"days": 13, "wording": []int{3}, "issue": true}))
		var handRules []string
		for _, w := range byHand["warnings"].([]any) {
			handRules = append(handRules, w.(map[string]any)["rule"].(string))
		}
		if !slices.Equal(handRules, rules[1]) {
			t.Fatalf("written by hand: rules %v; reissued: %v", handRules, rules[1])
		}

		// A dose change reissues it in turn, and answers what it finds.
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/dose-changes", map[string]any{"to": 35,
			"effective_date": "2026-12-04", "reason": "still using on top"}))
		rules = wantReissueFindings(t, e, m)
		// Wording 1 is on the prescription it replaces, so only S6.
		if len(rules) != 1 || !slices.Equal(rules[0], []string{"S6"}) {
			t.Fatalf("dose change reissue's findings %v, want S6", rules)
		}
	})
}
