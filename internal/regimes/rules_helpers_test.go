package regimes

import (
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func mg(n int64) dosing.Micrograms { return dosing.Mg(n) }

func date(s string) calendar.Date { return calendar.MustParse(s) }

func medicine(t *testing.T, code string) dosing.Medicine {
	t.Helper()
	m, ok := dosing.LookupMedicine(code)
	if !ok {
		t.Fatalf("no medicine %s", code)
	}
	return m
}

// assertFindings compares findings as "RULE:severity" labels, ignoring
// order, and checks every finding explains itself. want entries may add
// "~text" to require the message (or the action) contain text.
func assertFindings(t *testing.T, got []policy.Finding, want ...string) {
	t.Helper()
	var gotLabels, wantLabels []string
	for _, f := range got {
		gotLabels = append(gotLabels, f.Rule+":"+string(f.Severity))
		if f.Message == "" || f.Action == "" {
			t.Errorf("finding %s lacks message or action: %+v", f.Rule, f)
		}
		// The API refuses overrides of rules that cannot take one.
		if f.Severity == policy.Override && !policy.Overridable(f.Rule) {
			t.Errorf("finding %s asks for an override its rule cannot take (policy.Overridable)", f.Rule)
		}
	}
	for _, w := range want {
		label, text, _ := strings.Cut(w, "~")
		wantLabels = append(wantLabels, label)
		if text == "" {
			continue
		}
		found := false
		for _, f := range got {
			if f.Rule+":"+string(f.Severity) == label && (strings.Contains(f.Message, text) || strings.Contains(f.Action, text)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s finding mentioning %q in %v", label, text, got)
		}
	}
	slices.Sort(gotLabels)
	slices.Sort(wantLabels)
	if !slices.Equal(gotLabels, wantLabels) {
		t.Errorf("findings %v, want %v\n%v", gotLabels, wantLabels, got)
	}
}
