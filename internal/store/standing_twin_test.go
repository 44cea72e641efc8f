package store

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/regimes"
)

// A request restates the standing entry for its day when that entry, the
// last of the day and not the starting dose, has its dose and stage.
func TestStandingTwin(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse
	mg := func(n int64) dosing.Micrograms { return dosing.Micrograms(n) * dosing.Milligram }
	entry := func(id, on string, from, to int64, stage regimes.Stage) DoseChange {
		return DoseChange{ID: id, EffectiveDate: day(on), From: mg(from), To: mg(to), Stage: stage}
	}
	start := entry("start", "2026-12-01", 0, 30, regimes.StageTitration)
	first := entry("a", "2026-12-02", 30, 35, regimes.StageTitration)
	second := entry("b", "2026-12-02", 30, 40, regimes.StageTitration)
	withdrawn := entry("w", "2026-12-04", 40, 50, regimes.StageTitration)
	withdrawn.Withdrawn = &Withdrawal{DoseChangeID: "x"}
	history := []DoseChange{start, first, second, withdrawn}
	tests := []struct {
		name   string
		on     string
		to     int64
		stage  regimes.Stage
		wantID string
	}{
		{name: "the last entry of the day", on: "2026-12-02", to: 40, stage: regimes.StageTitration, wantID: "b"},
		{name: "a superseded entry of the day", on: "2026-12-02", to: 35, stage: regimes.StageTitration},
		{name: "another stage", on: "2026-12-02", to: 40, stage: regimes.StageMaintenance},
		{name: "the starting dose", on: "2026-12-01", to: 30, stage: regimes.StageTitration},
		{name: "a withdrawn entry", on: "2026-12-04", to: 50, stage: regimes.StageTitration},
		{name: "no entry that day", on: "2026-12-03", to: 40, stage: regimes.StageTitration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := standingTwin(history, day(tt.on), mg(tt.to), tt.stage)
			if ok != (tt.wantID != "") || ok && got.ID != tt.wantID {
				t.Fatalf("standingTwin = %s, %v; want %q", got.ID, ok, tt.wantID)
			}
		})
	}
}
