package store

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/regimes"
)

// restatedStages restates only the later standing entries that copied a
// withdrawn stage: not a stage decision, not one recorded before it, and
// only the last entry of a day.
func TestRestatedStages(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	entry := func(id, day string, min int, stage regimes.Stage, reason string) RegimeSetting {
		return RegimeSetting{ID: id, EffectiveDate: calendar.MustParse(day), CreatedAt: at.Add(time.Duration(min) * time.Minute),
			Stage: stage, Reason: reason}
	}
	start := entry("a", "2026-12-01", 0, regimes.StageTitration, "Regime started")
	gone := []RegimeSetting{entry("g", "2026-12-05", 1, regimes.StageMaintenance, stageWithDoseReason+"Stable")}
	tests := []struct {
		name    string
		history []RegimeSetting
		want    string
	}{
		{name: "nothing after it", history: []RegimeSetting{start}, want: ""},
		{name: "a pattern change copied it", history: []RegimeSetting{start, entry("p", "2026-12-07", 2, regimes.StageMaintenance, "Weekend")},
			want: "2026-12-07 titration"},
		{name: "a chain of copies", history: []RegimeSetting{start, entry("p", "2026-12-07", 2, regimes.StageMaintenance, "Weekend"),
			entry("m", "2026-12-09", 3, regimes.StageMaintenance, "Moved")}, want: "2026-12-07 titration, 2026-12-09 titration"},
		{name: "only the last of a day", history: []RegimeSetting{start, entry("p", "2026-12-07", 2, regimes.StageMaintenance, "Weekend"),
			entry("q", "2026-12-07", 3, regimes.StageMaintenance, "Weekend, corrected")}, want: "2026-12-07 titration"},
		{name: "its own stage decision stands", history: []RegimeSetting{start,
			entry("d", "2026-12-07", 2, regimes.StageMaintenance, stageWithDoseReason+"Stable after all")}, want: ""},
		{name: "after a standing decision to the same stage", history: []RegimeSetting{start,
			entry("d", "2026-12-06", 2, regimes.StageMaintenance, stageWithDoseReason+"Stable after all"),
			entry("p", "2026-12-07", 3, regimes.StageMaintenance, "Weekend")}, want: ""},
		{name: "recorded before the withdrawn entry", history: []RegimeSetting{start,
			entry("p", "2026-12-07", -1, regimes.StageMaintenance, "Weekend")}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range restatedStages(tt.history, gone) {
				if !strings.HasPrefix(s.Reason, "Stage restated: the planned change to maintenance from 2026-12-05 was withdrawn") {
					t.Fatalf("reason = %q", s.Reason)
				}
				got = append(got, s.EffectiveDate.String()+" "+string(s.Stage))
			}
			if g := strings.Join(got, ", "); g != tt.want {
				t.Fatalf("restated %q, want %q", g, tt.want)
			}
		})
	}
}
