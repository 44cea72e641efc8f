package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// A client retrying a dose change it did not hear answered meets the entry
// its first attempt made: 200, already_recorded, the same entry with its
// warnings, nothing withdrawn (no T1) and no prescription reissued again.
// A later change for the same day that leaves every day's dose as it was
// (another stage) supersedes the entry but reissues nothing.
func TestRepeatedDoseChangeAnswersTheEntryItMade(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, _ := e.startMethadoneAt(532, 20, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		body := map[string]any{"to": 30, "reason": "withdrawal symptoms"}
		first := e.must(201, e.do("prescriber", "POST", path, body))
		if first["already_recorded"] != false || len(first["reissued_prescriptions"].([]any)) != 1 {
			t.Fatalf("first answer = %v", first)
		}
		id := first["dose_change"].(map[string]any)["id"]
		serials := e.issuedSerials(pid)
		for i := 0; i < 2; i++ {
			again := e.must(200, e.do("prescriber", "POST", path, body))
			if again["already_recorded"] != true || again["dose_change"].(map[string]any)["id"] != id {
				t.Fatalf("repeat answered %v", again)
			}
			if re, wd := again["reissued_prescriptions"].([]any), again["withdrawn_changes"].([]any); len(re) != 0 || len(wd) != 0 {
				t.Fatalf("repeat reissued %v, withdrew %v", re, wd)
			}
			if w := fmt.Sprint(again["warnings"]); strings.Contains(w, "T1") {
				t.Fatalf("repeat warnings = %s", w)
			}
		}
		if got := e.issuedSerials(pid); fmt.Sprint(got) != fmt.Sprint(serials) {
			t.Fatalf("prescriptions %v became %v", serials, got)
		}
		if h := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any); len(h) != 2 {
			t.Fatalf("dose history has %d entries, want the start and one change", len(h))
		}

		// A planned change repeated: the same.
		plan := map[string]any{"to": 35, "effective_date": "2026-12-03", "reason": "still withdrawing"}
		planned := e.must(201, e.do("prescriber", "POST", path, plan))
		serials = e.issuedSerials(pid)
		again := e.must(200, e.do("prescriber", "POST", path, plan))
		if again["dose_change"].(map[string]any)["id"] != planned["dose_change"].(map[string]any)["id"] {
			t.Fatalf("repeat of a planned change answered %v", again)
		}
		// An explicit stage equal to the one in force is the same request.
		plan["stage"] = "titration"
		e.must(200, e.do("prescriber", "POST", path, plan))

		// The same day and dose at another stage supersedes the entry, and
		// no day's dose changes: nothing is reissued.
		plan["stage"] = "maintenance"
		plan["reason"] = "stable at 35 mg"
		other := e.must(201, e.do("prescriber", "POST", path, plan))
		if re := other["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("a change leaving every dose as it was reissued %v", re)
		}
		if got := e.issuedSerials(pid); fmt.Sprint(got) != fmt.Sprint(serials) {
			t.Fatalf("prescriptions %v became %v", serials, got)
		}
	})
}
