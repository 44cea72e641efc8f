package regimes

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/problem"
)

// The dose in force is a change when the stage changes with it (a stable
// patient moved to maintenance or reduction), and not otherwise.
func TestValidateChangeOfTheStageAlone(t *testing.T) {
	t.Parallel()
	base := func(t *testing.T) ChangeInput {
		return ChangeInput{Medicine: medicine(t, dosing.CodeMethadone), Stage: StageMaintenance, StageInForce: StageTitration,
			RegimeStart: date("2025-01-01"), Current: mg(35), To: mg(35), Effective: date("2025-01-10")}
	}
	tests := []struct {
		name      string
		edit      func(*ChangeInput)
		stageOnly bool
		wantErr   string
	}{
		{name: "to maintenance", edit: func(*ChangeInput) {}, stageOnly: true},
		{name: "to reduction", edit: func(in *ChangeInput) { in.Stage = StageReduction }, stageOnly: true},
		{name: "back to titration", edit: func(in *ChangeInput) { in.Stage, in.StageInForce = StageTitration, StageMaintenance }, stageOnly: true},
		{name: "the stage in force", edit: func(in *ChangeInput) { in.Stage = StageTitration }, wantErr: "already in force on 2025-01-10, at stage titration"},
		{name: "stage in force unknown", edit: func(in *ChangeInput) { in.StageInForce = "" }, wantErr: "already in force"},
		{name: "a dose change with the stage", edit: func(in *ChangeInput) { in.To = mg(40) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base(t)
			tt.edit(&in)
			if got := in.StageOnly(); got != tt.stageOnly {
				t.Fatalf("StageOnly = %v, want %v", got, tt.stageOnly)
			}
			err := ValidateChange(in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateChange = %v", err)
				}
				return
			}
			pe, ok := problem.As(err)
			if !ok || len(pe.Fields) != 1 || pe.Fields[0].Field != "to" || pe.Fields[0].Rule != "changed" ||
				!strings.Contains(pe.Fields[0].Message, tt.wantErr) {
				t.Fatalf("ValidateChange = %v, want to/changed %q", err, tt.wantErr)
			}
		})
	}
}

func TestSameDosesFrom(t *testing.T) {
	t.Parallel()
	start := DoseChange{Effective: date("2025-01-01"), To: mg(30)}
	up := DoseChange{Effective: date("2025-01-05"), From: mg(30), To: mg(35)}
	tests := []struct {
		name          string
		before, after []DoseChange
		from          string
		want          bool
	}{
		{name: "stage only: the dose restated", before: []DoseChange{start, up},
			after: []DoseChange{start, up, {Effective: date("2025-01-08"), From: mg(35), To: mg(35)}}, from: "2025-01-08", want: true},
		{name: "same day restated", before: []DoseChange{start, up},
			after: []DoseChange{start, up, {Effective: date("2025-01-05"), From: mg(30), To: mg(35)}}, from: "2025-01-05", want: true},
		{name: "same day, another dose", before: []DoseChange{start, up},
			after: []DoseChange{start, up, {Effective: date("2025-01-05"), From: mg(30), To: mg(40)}}, from: "2025-01-05"},
		{name: "a planned step withdrawn", before: []DoseChange{start, up},
			after: []DoseChange{start, {Effective: date("2025-01-03"), From: mg(30), To: mg(30)}}, from: "2025-01-03"},
		{name: "a new step", before: []DoseChange{start},
			after: []DoseChange{start, up}, from: "2025-01-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SameDosesFrom(tt.before, tt.after, date(tt.from)); got != tt.want {
				t.Fatalf("SameDosesFrom = %v, want %v", got, tt.want)
			}
		})
	}
}
