package httpapi

import (
	"strings"
	"testing"
)

// M4's high-dose review is due M4.review_months after the dose became high,
// or after a review or ECG/QTc check since then: the dose change's M4 note
// and the regime's high_dose_review_due give the same day. A review or
// ECG before the dose was high was not a review of the high dose.
func TestHighDoseReviewDueIsOneDate(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-09T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(441, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration",
			"ecg_date": "2026-03-09"})["id"].(string)
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "settling"}))
		m4Note := func(change map[string]any) string {
			t.Helper()
			for _, w := range change["warnings"].([]any) {
				if f := w.(map[string]any); f["rule"] == "M4" && f["severity"] == "info" {
					return f["message"].(string)
				}
			}
			t.Fatalf("no M4 note: %v", change["warnings"])
			return ""
		}
		view := func() any {
			return e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["high_dose_review_due"]
		}

		e.setClock(c, mustTime("2026-04-20T12:00:00Z"))
		ch := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 100, "effective_date": "2026-04-21",
			"reason": "still using", "overrides": []map[string]any{{"rule": "M2", "reason": "MDT agreed"}}}))
		if msg := m4Note(ch); !strings.Contains(msg, "next review due 2026-10-21") {
			t.Fatalf("M4 note %q", msg)
		}
		if got := view(); got != "2026-10-21" {
			t.Fatalf("high_dose_review_due %v, want 2026-10-21 as the change said", got)
		}

		// A review once the dose is high counts, in both places.
		e.setClock(c, mustTime("2026-05-01T12:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "high dose reviewed"}))
		if got := view(); got != "2026-11-01" {
			t.Fatalf("high_dose_review_due %v after a review on 2026-05-01, want 2026-11-01", got)
		}
		ch = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 105, "effective_date": "2026-05-02",
			"reason": "cravings"}))
		if msg := m4Note(ch); !strings.Contains(msg, "next review due 2026-11-01") {
			t.Fatalf("M4 note %q after a review on 2026-05-01", msg)
		}
		if got := view(); got != "2026-11-01" {
			t.Fatalf("high_dose_review_due %v, want 2026-11-01", got)
		}

		// An ended regime's dose is no one's: no review of it is due.
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "transferred to another service"}))
		if got := view(); got != nil {
			t.Fatalf("high_dose_review_due %v on an ended regime, want none", got)
		}
	})
}
