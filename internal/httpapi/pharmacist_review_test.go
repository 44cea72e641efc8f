package httpapi

import (
	"strings"
	"testing"
)

// Tests for the defects a pharmacist found reviewing the dispensing side.

// S3: "other" is no reason by itself. A dose withheld for reason other
// without notes is refused naming notes, and nothing is written; with
// notes, the prescriber's alert quotes them. Every withheld alert carries
// the pharmacist's notes, trimmed and bounded.
func TestWithheldOtherNeedsNotesAndTheAlertQuotesThem(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(950, "2026-02-02")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-02-02") + "/events"
		for _, notes := range []string{"", "   \n "} {
			fieldRule(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
				"identity_confirmed": true, "notes": notes}), "notes", "required")
		}
		if n := e.eventsOf(pid, "2026-02-02"); n != 0 {
			t.Fatalf("a refused record wrote %d events", n)
		}
		if got := e.alertMessages("prescriber", pid, "withheld"); len(got) != 0 {
			t.Fatalf("a refused record raised alerts %q", got)
		}
		ev := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
			"identity_confirmed": true, "notes": "  Brought a child of six to the counter;\n  asked to come back alone  "}))
		note := ev["notes"].([]any)[0].(map[string]any)["message"].(string)
		got := e.alertMessages("prescriber", pid, "withheld")
		if len(got) != 1 {
			t.Fatalf("withheld alerts %q, want 1", got)
		}
		for _, msg := range []string{got[0], note} {
			if !strings.Contains(msg, "\u201cBrought a child of six to the counter; asked to come back alone\u201d") ||
				strings.Contains(msg, "recorded in the notes") {
				t.Errorf("message %q does not quote the notes on one line", msg)
			}
		}

		// A correction to reason other needs the notes too; the alert of
		// any reason quotes them, cut to a line's length.
		evID := ev["event"].(map[string]any)["id"]
		fieldRule(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "other",
			"corrects_id": evID, "correction_reason": "wrong words"}), "notes", "required")
		long := strings.Repeat("Unsteady and slurring. ", 40)
		e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "intoxicated",
			"corrects_id": evID, "correction_reason": "it was intoxication after all", "notes": long}))
		got = e.alertMessages("prescriber", pid, "withheld")
		if len(got) != 2 {
			t.Fatalf("withheld alerts %q, want 2", got)
		}
		var quoted string
		for _, m := range got {
			if strings.Contains(m, "intoxicated") {
				quoted = m
			}
		}
		if !strings.Contains(quoted, "\u201cUnsteady and slurring.") || !strings.Contains(quoted, "\u2026\u201d") || len([]rune(quoted)) > 500 {
			t.Fatalf("intoxicated alert %q does not quote the notes bounded", quoted)
		}
	})
}
