package regimes

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// B1 states the gap truthfully: a first dose planned before the last use
// (or the last methadone dose) is not "0 h" after it.
func TestInductionTimingGapIsTruthful(t *testing.T) {
	t.Parallel()
	first := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		edit     func(*StartInput)
		want     string
		notWant  string
		severity policy.Severity
	}{
		{"last use after the first dose", func(in *StartInput) {
			in.LastShortActingOpioid = time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)
		}, "The first buprenorphine dose at 2026-12-02 09:00 would be before the last short-acting opioid use at 2026-12-02 20:00; it must be at least 6 hours after it", "0 h", policy.Warn},
		{"last use 2 h before", func(in *StartInput) {
			in.LastShortActingOpioid = first.Add(-2 * time.Hour)
		}, "Only 2 h since the last short-acting opioid use", "", policy.Warn},
		{"last methadone after the first dose", func(in *StartInput) {
			in.LastShortActingOpioid = time.Time{}
			in.Previous = &PreviousTreatment{Medicine: medicine(t, dosing.CodeMethadone), Dose: mg(30), LastDose: first.Add(3 * time.Hour)}
		}, "The first buprenorphine dose at 2026-12-02 09:00 would be before the last methadone dose at 2026-12-02 12:00; it must be at least 24 hours after it", "0 h", policy.Warn},
		{"Buvidal: the same, overridable", func(in *StartInput) {
			in.Medicine = medicine(t, dosing.CodeBuvidalWeekly)
			in.Dose = mg(16)
			in.LastShortActingOpioid = time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)
		}, "would be before the last short-acting opioid use at 2026-12-02 20:00", "0 h", policy.Override},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := StartInput{Medicine: medicine(t, dosing.CodeBuprenorphineSL), Dose: mg(4), Start: date("2026-12-02"), PatientAge: 30,
				Pattern: AllSupervised(), StartAt: first, TestDoseGiven: true}
			tt.edit(&in)
			var b1 []policy.Finding
			for _, f := range CheckStart(policy.Defaults(), in) {
				if f.Rule == "B1" {
					b1 = append(b1, f)
				}
			}
			if len(b1) != 1 || b1[0].Severity != tt.severity || !strings.Contains(b1[0].Message, tt.want) ||
				tt.notWant != "" && strings.Contains(b1[0].Message, tt.notWant) {
				t.Fatalf("B1 findings %v, want one %s saying %q", b1, tt.severity, tt.want)
			}
		})
	}
}

// The message and the action give times in one zone, the first dose's:
// a last dose entered with another offset is not shown an hour apart.
func TestB1ActionInTheFirstDosesZone(t *testing.T) {
	t.Parallel()
	first := time.Date(2026, 12, 9, 11, 0, 0, 0, time.UTC)
	last := time.Date(2026, 12, 9, 15, 0, 0, 0, time.FixedZone("+01:00", 3600)) // 14:00 UTC
	in := StartInput{Medicine: medicine(t, dosing.CodeBuprenorphineSL), Dose: mg(4), Start: date("2026-12-09"), PatientAge: 30,
		Pattern: AllSupervised(), StartAt: first, TestDoseGiven: true,
		Previous: &PreviousTreatment{Medicine: medicine(t, dosing.CodeMethadone), Dose: mg(30), LastDose: last}}
	for _, f := range CheckStart(policy.Defaults(), in) {
		if f.Rule == "B1" {
			if !strings.Contains(f.Message, "2026-12-09 14:00") || !strings.Contains(f.Action, "Start buprenorphine at 2026-12-10 14:00") {
				t.Fatalf("B1 = %q / %q, want both in UTC", f.Message, f.Action)
			}
			return
		}
	}
	t.Fatal("no B1 finding")
}
