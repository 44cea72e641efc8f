package sharedcare

import (
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestCheckPracticeInjection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		extra         bool
		dose, current dosing.Micrograms
		refused       bool
	}{
		{name: "the current dose", dose: dosing.Mg(24), current: dosing.Mg(24)},
		{name: "a higher dose", dose: dosing.Mg(32), current: dosing.Mg(24), refused: true},
		{name: "a lower dose", dose: dosing.Mg(16), current: dosing.Mg(24), refused: true},
		{name: "an extra 8 mg dose", extra: true, dose: dosing.Mg(8), current: dosing.Mg(24), refused: true},
		{name: "an extra dose of the current dose", extra: true, dose: dosing.Mg(24), current: dosing.Mg(24), refused: true},
		{name: "no current dose known", dose: dosing.Mg(24), current: 0, refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := CheckPracticeInjection(policy.Defaults(), tt.extra, tt.dose, tt.current)
			if (len(fs) > 0) != tt.refused {
				t.Fatalf("findings %+v, refused want %v", fs, tt.refused)
			}
			for _, f := range fs {
				if f.Rule != "SC1" || f.Severity != policy.Block || f.Message == "" || f.Action == "" {
					t.Errorf("finding %+v, want a complete SC1 block", f)
				}
			}
		})
	}
}
