package regimes

import (
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestPatternWhileTitrating(t *testing.T) {
	t.Parallel()
	weekend := pattern(map[time.Weekday]Pickup{time.Saturday: PickupTakeHome, time.Sunday: PickupEarlier})
	tests := []struct {
		name  string
		code  string
		stage Stage
		p     WeeklyPattern
		want  []string
	}{
		{name: "induction with take-home warns", code: dosing.CodeMethadone, stage: StageInduction, p: weekend, want: []string{"S6:warn~Saturday, Sunday"}},
		{name: "titration with take-home warns", code: dosing.CodeBuprenorphineSL, stage: StageTitration, p: weekend, want: []string{"S6:warn~stage titration"}},
		{name: "maintenance does not", code: dosing.CodeMethadone, stage: StageMaintenance, p: weekend},
		{name: "reduction does not", code: dosing.CodeMethadone, stage: StageReduction, p: weekend},
		{name: "all supervised does not", code: dosing.CodeMethadone, stage: StageTitration, p: AllSupervised()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertFindings(t, PatternWhileTitrating(policy.Defaults(), medicine(t, tt.code), tt.stage, startDay, tt.p), tt.want...)
		})
	}
}
