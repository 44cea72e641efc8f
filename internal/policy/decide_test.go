package policy

import "testing"

func TestDecide(t *testing.T) {
	t.Parallel()
	m2 := Finding{Rule: "M2", Severity: Override, Message: "step too big"}
	b3 := Finding{Rule: "B3", Severity: Block, Message: "over 32 mg"}
	m3 := Finding{Rule: "M3", Severity: Info, Message: "usual range"}
	tests := []struct {
		name              string
		findings          []Finding
		overrides         []OverrideReason
		stopping, applied int
	}{
		{"nothing fired", nil, []OverrideReason{{"M2", "why"}}, 0, 0},
		{"override needed, none given", []Finding{m2}, nil, 1, 0},
		{"override with blank reason does not count", []Finding{m2}, []OverrideReason{{"M2", "  "}}, 1, 0},
		{"override given", []Finding{m2, m3}, []OverrideReason{{"M2", "patient using on top"}}, 0, 1},
		{"block cannot be overridden", []Finding{b3}, []OverrideReason{{"B3", "please"}}, 1, 0},
		{"override for another rule", []Finding{m2}, []OverrideReason{{"M4", "x"}}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := Decide(tt.findings, tt.overrides)
			if len(d.Stopping) != tt.stopping || len(d.Applied) != tt.applied {
				t.Fatalf("got %+v", d)
			}
		})
	}
}
