package dispensing

import (
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
)

func TestCanRecord(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	block, ok := MD1Block(n, seq("2026-10-23", Missed, Missed, Missed, ""), d("2026-10-26"), calendar0)
	if !ok {
		t.Fatal("test block not built")
	}
	const today = "2026-10-25" // clocks go back: an ordinary civil day here
	tests := []struct {
		name       string
		date       string
		status     prescriptions.Status
		outcome    Outcome
		block      *Block
		correction bool
		wantRules  []string
		wantText   string
	}{
		{name: "supervised on the day", date: today, outcome: Supervised},
		{name: "collected on the day", date: today, outcome: Collected},
		{name: "withheld on the day", date: today, outcome: Withheld},
		{name: "before the date", date: "2026-10-26", outcome: Collected, wantRules: []string{"L3"}, wantText: "before the date on the prescription"},
		{name: "refusal before the date", date: "2026-10-26", outcome: Refused, wantRules: []string{"L3"}},
		{name: "supply on a past day", date: "2026-10-24", outcome: Supervised, wantRules: []string{"MD4"}, wantText: "never supplied later"},
		{name: "collection on a past day", date: "2026-03-29", outcome: Collected, wantRules: []string{"MD4"}},
		{name: "refused recorded late", date: "2026-10-24", outcome: Refused},
		{name: "withheld recorded late", date: "2026-10-24", outcome: Withheld},
		{name: "draft", date: today, status: prescriptions.StatusDraft, outcome: Supervised, wantRules: []string{"L1"}, wantText: "draft"},
		{name: "cancelled", date: today, status: prescriptions.StatusCancelled, outcome: Supervised, wantRules: []string{"L3"}, wantText: "cancelled"},
		{name: "expired, even for a refusal", date: today, status: prescriptions.StatusExpired, outcome: Refused, wantRules: []string{"L3"}, wantText: "expired"},
		{name: "completed", date: today, status: prescriptions.StatusCompleted, outcome: Collected, wantRules: []string{"L3"}, wantText: "completed"},
		{name: "unknown status", date: today, status: "paused", outcome: Collected, wantRules: []string{"L3"}, wantText: `"paused"`},
		{name: "blocked supply", date: today, outcome: Supervised, block: &block, wantRules: []string{"MD1"}, wantText: "Do not dispense"},
		{name: "blocked collection", date: today, outcome: Collected, block: &block, wantRules: []string{"MD1"}},
		{name: "withheld on a blocked day", date: today, outcome: Withheld, block: &block},
		{name: "refused on a blocked day", date: today, outcome: Refused, block: &block},
		{
			name: "everything wrong at once", date: "2026-10-20", status: prescriptions.StatusCancelled,
			outcome: Supervised, block: &block, wantRules: []string{"L3", "MD4", "MD1"},
		},
		{name: "correction missed to supervised next day", date: "2026-10-24", outcome: Supervised, correction: true},
		{name: "correction on an expired prescription while blocked", date: "2026-10-20",
			status: prescriptions.StatusExpired, outcome: Collected, block: &block, correction: true},
		{name: "correction before the date", date: "2026-10-26", outcome: Supervised, correction: true, wantRules: []string{"L3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status := tt.status
			if status == "" {
				status = prescriptions.StatusIssued
			}
			got := CanRecord(n, RecordInput{
				Today:              d(today),
				InstalmentDate:     d(tt.date),
				PrescriptionStatus: status,
				Outcome:            tt.outcome,
				Block:              tt.block,
				Correction:         tt.correction,
			})
			var rules []string
			for _, f := range got {
				rules = append(rules, f.Rule)
				if f.Severity != policy.Block || f.Message == "" || f.Action == "" {
					t.Errorf("finding %+v: want a block with message and action", f)
				}
			}
			if !slices.Equal(rules, tt.wantRules) {
				t.Fatalf("CanRecord() rules = %v, want %v (%+v)", rules, tt.wantRules, got)
			}
			if tt.wantText != "" && !strings.Contains(got[0].Message, tt.wantText) {
				t.Errorf("message %q does not contain %q", got[0].Message, tt.wantText)
			}
		})
	}
}
