package store

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
)

// A change is superseded by the next standing change for the same day; the
// starting dose, a withdrawn entry and the last of a day never are.
func TestMarkSuperseded(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse
	mg := func(n int64) dosing.Micrograms { return dosing.Micrograms(n) * dosing.Milligram }
	entry := func(id, on string, from, to int64) DoseChange {
		return DoseChange{ID: id, EffectiveDate: day(on), From: mg(from), To: mg(to), Reason: "reason " + id}
	}
	withdrawn := entry("w", "2026-12-02", 60, 50)
	withdrawn.Withdrawn = &Withdrawal{DoseChangeID: "x"}
	tests := []struct {
		name    string
		history []DoseChange
		want    map[string]string // entry → the entry superseding it
	}{
		{"none", []DoseChange{entry("s", "2026-07-30", 0, 60), entry("a", "2026-12-02", 60, 55)}, map[string]string{}},
		{"a change on the first day does not supersede the starting dose",
			[]DoseChange{entry("s", "2026-12-02", 0, 60), entry("a", "2026-12-02", 60, 55)}, map[string]string{}},
		{"three on one day", []DoseChange{entry("s", "2026-07-30", 0, 60), entry("a", "2026-12-02", 60, 55),
			entry("b", "2026-12-02", 60, 50), entry("c", "2026-12-02", 60, 45), entry("d", "2026-12-03", 45, 40)},
			map[string]string{"a": "b", "b": "c"}},
		{"a withdrawn entry neither supersedes nor is superseded", []DoseChange{entry("s", "2026-07-30", 0, 60),
			entry("a", "2026-12-02", 60, 55), withdrawn, entry("b", "2026-12-02", 60, 45)},
			map[string]string{"a": "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			markSuperseded(tt.history)
			for _, c := range tt.history {
				got := ""
				if c.SupersededBy != nil {
					got = c.SupersededBy.DoseChangeID
					if c.SupersededBy.Reason != "reason "+got {
						t.Errorf("%s: superseded by %+v", c.ID, c.SupersededBy)
					}
				}
				if got != tt.want[c.ID] {
					t.Errorf("%s superseded by %q, want %q", c.ID, got, tt.want[c.ID])
				}
			}
		})
	}
}
