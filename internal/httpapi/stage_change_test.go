package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/dispensing"
)

// issuedSerials lists a patient's prescriptions as serial: status.
func (e *env) issuedSerials(patientID string) []string {
	e.t.Helper()
	var out []string
	for _, it := range e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?patient_id="+patientID, nil))["items"].([]any) {
		m := it.(map[string]any)
		out = append(out, fmt.Sprintf("%v: %v", m["serial"], m["status"]))
	}
	return out
}

// A stable patient is moved to maintenance without changing the dose: the
// stage is recorded (a dose history entry from and to the dose in force,
// and the settings history), no prescription is cancelled or reissued, and
// the pharmacy's day list says nothing of a dose change. Restating the dose
// in force at the stage in force is still no change.
func TestStageChangesWithoutChangingTheDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, prID := e.startMethadoneAt(531, 30, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-12-01")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		up := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "effective_date": "2026-12-02", "reason": "withdrawal symptoms"}))
		rx := up["reissued_prescriptions"].([]any)[0].(map[string]any)
		c.Set(mustTime("2026-12-02T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx["id"].(string), "2026-12-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		c.Set(mustTime("2026-12-03T09:00:00Z"))
		before := e.issuedSerials(pid)

		fieldRule(t, e.do("prescriber", "POST", path, map[string]any{"to": 35, "reason": "stable"}), "to", "changed")

		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "stage": "maintenance", "reason": "stable"}))
		dc := m["dose_change"].(map[string]any)
		if dc["from"] != 35.0 || dc["to"] != 35.0 || dc["stage"] != "maintenance" || dc["effective_date"] != "2026-12-03" {
			t.Fatalf("dose_change = %v", dc)
		}
		if re := m["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("a stage change reissued %v", re)
		}
		if w := fmt.Sprint(m["warnings"]); strings.Contains(w, "MD4") || strings.Contains(w, "T1") {
			t.Fatalf("warnings = %s", w)
		}
		if after := e.issuedSerials(pid); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("prescriptions %v became %v", before, after)
		}
		r := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if r["stage"] != "maintenance" {
			t.Fatalf("regime stage = %v", r["stage"])
		}
		if ph := fmt.Sprint(r["pattern_history"]); !strings.Contains(ph, "maintenance") {
			t.Fatalf("pattern_history has no maintenance entry: %s", ph)
		}
		for _, w := range e.warningsOn(pid) {
			if strings.HasPrefix(w, dispensing.WarnFirstDoseAfterChange) || strings.HasPrefix(w, dispensing.WarnDoseChangedSinceLastVisit) ||
				strings.HasPrefix(w, dispensing.WarnInTitration) {
				t.Fatalf("day list after a stage change: %v", w)
			}
		}
		// SC3's stable dose counts from the change to 35 mg, not the stage.
		el := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil))
		if d := fmt.Sprint(criteriaOf(t, el)["stable_dose"]["detail"]); !strings.Contains(d, "2026-12-02") {
			t.Fatalf("stable_dose detail = %s, want the dose's change on 2026-12-02", d)
		}
		// At the stage now in force, the same dose is no change.
		fieldRule(t, e.do("prescriber", "POST", path, map[string]any{"to": 35, "effective_date": "2026-12-04", "reason": "stable"}), "to", "changed")
		// Reduction from tomorrow, dose unchanged: a planned stage change.
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "stage": "reduction", "effective_date": "2026-12-04",
			"reason": "wants to start reducing"}))
		// Back to titration: the prescription stands as signed, and S6
		// names the take-home Sunday it now sends home during titration.
		back := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "stage": "titration", "effective_date": "2026-12-05",
			"reason": "using on top again"}))
		if re := back["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("a stage change reissued %v", re)
		}
		if w := fmt.Sprint(back["warnings"]); !strings.Contains(w, "S6") || !strings.Contains(w, "Sun 6 Dec") {
			t.Fatalf("warnings = %s, want S6 naming Sun 6 Dec", w)
		}
		if after := e.issuedSerials(pid); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("prescriptions %v became %v", before, after)
		}
	})
}
