package store

import (
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
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

// A standing entry is retried only while it is the newest of the regime's
// record: a dose change recorded after it (even one withdrawn since) or a
// settings entry other than the stage it set itself makes the request a
// new decision.
func TestNewestEntry(t *testing.T) {
	t.Parallel()
	at := func(min int) time.Time { return time.Date(2026, 12, 1, 10, min, 0, 0, time.UTC) }
	day := calendar.MustParse
	twin := DoseChange{ID: "0002", EffectiveDate: day("2026-12-01"), Stage: regimes.StageMaintenance, Reason: "stable", CreatedAt: at(5)}
	own := RegimeSetting{ID: "0003", EffectiveDate: twin.EffectiveDate, Stage: twin.Stage, Reason: stageWithDoseReason + "stable", CreatedAt: at(5)}
	tests := []struct {
		name     string
		changes  []DoseChange
		settings []RegimeSetting
		want     bool
	}{
		{name: "nothing after it", changes: []DoseChange{{ID: "0001", CreatedAt: at(1)}, twin},
			settings: []RegimeSetting{{ID: "0000", CreatedAt: at(0)}}, want: true},
		{name: "the stage it set", changes: []DoseChange{twin}, settings: []RegimeSetting{own}, want: true},
		{name: "a change planned after it", changes: []DoseChange{twin, {ID: "0009", CreatedAt: at(9)}}},
		{name: "a change recorded the same instant after it", changes: []DoseChange{twin, {ID: "0004", CreatedAt: at(5)}}},
		{name: "a pattern changed after it", changes: []DoseChange{twin}, settings: []RegimeSetting{{ID: "0009", CreatedAt: at(9)}}},
		{name: "its stage set again after it", changes: []DoseChange{twin}, settings: []RegimeSetting{own, func() RegimeSetting {
			s := own
			s.ID, s.CreatedAt = "0009", at(9)
			return s
		}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newestEntry(twin, tt.changes, tt.settings); got != tt.want {
				t.Fatalf("newestEntry = %v, want %v", got, tt.want)
			}
		})
	}
}

// A retry restates the overrides recorded with the entry: the same rules
// with the same reasons. Rules sent that were not recorded are left aside:
// the entry did not need them, so neither does the same change again.
func TestSameOverrides(t *testing.T) {
	t.Parallel()
	recorded := []RuleOverride{{Rule: "M2", Reason: "agreed with the team"}}
	tests := []struct {
		name string
		sent []policy.OverrideReason
		rec  []RuleOverride
		want bool
	}{
		{name: "none", want: true},
		{name: "the same, spaced", sent: []policy.OverrideReason{{Rule: "M2", Reason: " agreed with the team "}}, rec: recorded, want: true},
		{name: "another reason", sent: []policy.OverrideReason{{Rule: "M2", Reason: "patient asked"}}, rec: recorded},
		{name: "one more", sent: []policy.OverrideReason{{Rule: "M2", Reason: "agreed with the team"}, {Rule: "M4", Reason: "x"}}, rec: recorded, want: true},
		{name: "one not needed, none recorded", sent: []policy.OverrideReason{{Rule: "M2", Reason: "Clinically indicated"}}, want: true},
		{name: "one fewer", rec: recorded},
		{name: "another rule instead", sent: []policy.OverrideReason{{Rule: "M4", Reason: "agreed with the team"}}, rec: recorded},
		{name: "the rule without its reason", sent: []policy.OverrideReason{{Rule: "M2"}}, rec: recorded},
		{name: "the rule twice, the last reason different", sent: []policy.OverrideReason{{Rule: "M2", Reason: "agreed with the team"},
			{Rule: "M2", Reason: "patient asked"}}, rec: recorded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameOverrides(tt.sent, tt.rec); got != tt.want {
				t.Fatalf("sameOverrides = %v, want %v", got, tt.want)
			}
		})
	}
}

// The stage entry a dose change wrote is the first recorded after it on
// its day, with its stage and reason, by its prescriber, before any other
// dose change was recorded.
func TestSettingWrittenBy(t *testing.T) {
	t.Parallel()
	at := func(min int) time.Time { return time.Date(2026, 12, 1, 10, min, 0, 0, time.UTC) }
	day := calendar.MustParse
	c := DoseChange{ID: "0002", EffectiveDate: day("2026-12-04"), Stage: regimes.StageMaintenance, Reason: "Stable now",
		PrescriberID: "p", CreatedAt: at(5)}
	own := RegimeSetting{ID: "0003", EffectiveDate: c.EffectiveDate, Stage: c.Stage, Reason: stageWithDoseReason + "Stable now",
		ChangedBy: "p", CreatedAt: at(5)}
	with := func(f func(*RegimeSetting)) RegimeSetting {
		s := own
		f(&s)
		return s
	}
	base := RegimeSetting{ID: "0000", EffectiveDate: day("2026-12-01"), Stage: regimes.StageTitration, Reason: "start", ChangedBy: "p", CreatedAt: at(0)}
	tests := []struct {
		name     string
		changes  []DoseChange
		settings []RegimeSetting
		want     string
	}{
		{name: "its own", settings: []RegimeSetting{base, own}, want: "0003"},
		{name: "none written (no stage change)", settings: []RegimeSetting{base}},
		{name: "recorded before it", settings: []RegimeSetting{base, with(func(s *RegimeSetting) { s.ID, s.CreatedAt = "0001", at(4) })}},
		{name: "another day", settings: []RegimeSetting{base, with(func(s *RegimeSetting) { s.EffectiveDate = day("2026-12-05") })}},
		{name: "another reason", settings: []RegimeSetting{base, with(func(s *RegimeSetting) { s.Reason = "Moved house" })}},
		{name: "another prescriber", settings: []RegimeSetting{base, with(func(s *RegimeSetting) { s.ChangedBy = "q" })}},
		{name: "another stage", settings: []RegimeSetting{base, with(func(s *RegimeSetting) { s.Stage = regimes.StageTitration })}},
		{name: "the first of two", settings: []RegimeSetting{base, with(func(s *RegimeSetting) { s.ID, s.CreatedAt = "0009", at(9) }), own}, want: "0003"},
		{name: "a later change's, not its own", changes: []DoseChange{{ID: "0007", CreatedAt: at(7)}},
			settings: []RegimeSetting{base, with(func(s *RegimeSetting) { s.ID, s.CreatedAt = "0008", at(8) })}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := settingWrittenBy(c, append([]DoseChange{c}, tt.changes...), tt.settings)
			if ok != (tt.want != "") || got.ID != tt.want {
				t.Fatalf("settingWrittenBy = %q, %v; want %q", got.ID, ok, tt.want)
			}
		})
	}
}
