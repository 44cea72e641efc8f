package policy

import (
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	m2 := Finding{Rule: "M2", Severity: Override, Message: "step too big"}
	b3 := Finding{Rule: "B3", Severity: Block, Message: "over 32 mg", Action: "Prescribe 32 mg a day or less."}
	b3Step := Finding{Rule: "B3", Severity: Override, Message: "step outside 2–8 mg",
		Action: "Titrate in steps of 2–8 mg, or record an override reason for rule B3."}
	bv1 := Finding{Rule: "BV1", Severity: Block, Message: "not a Buvidal strength", Action: "Choose a strength."}
	m3 := Finding{Rule: "M3", Severity: Info, Message: "usual range"}
	tests := []struct {
		name              string
		findings          []Finding
		overrides         []OverrideReason
		stopping, applied int
		unused            []string
		notOverridable    bool // the stopping block says it cannot be overridden
	}{
		{"nothing fired", nil, []OverrideReason{{"M2", "why"}}, 0, 0, []string{"M2"}, false},
		{"override needed, none given", []Finding{m2}, nil, 1, 0, nil, false},
		{"override with blank reason does not count", []Finding{m2}, []OverrideReason{{"M2", "  "}}, 1, 0, nil, false},
		{"override given", []Finding{m2, m3}, []OverrideReason{{"M2", "patient using on top"}}, 0, 1, nil, false},
		{"block cannot be overridden", []Finding{b3}, []OverrideReason{{"B3", "please"}}, 1, 0, nil, true},
		{"block of a rule that only blocks says nothing of overrides", []Finding{bv1}, nil, 1, 0, nil, false},
		{"block of a rule with an override level says so at once", []Finding{b3}, nil, 1, 0, nil, true},
		{"block beside its rule's override level, nothing sent", []Finding{b3Step, b3}, nil, 2, 0, nil, true},
		{"the rule's override level is, its block is not", []Finding{b3Step, b3}, []OverrideReason{{"B3", "MDT agreed"}}, 1, 1, nil, true},
		{"override for another rule", []Finding{m2}, []OverrideReason{{"M4", "x"}}, 1, 0, []string{"M4"}, false},
		{"override of a rule that only informs", []Finding{m3}, []OverrideReason{{"M3", "x"}}, 0, 0, []string{"M3"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := Decide(tt.findings, tt.overrides)
			if len(d.Stopping) != tt.stopping || len(d.Applied) != tt.applied {
				t.Fatalf("got %+v", d)
			}
			var unused []string
			for _, u := range d.Unused {
				if u.Severity != Info || !strings.Contains(u.Message, "The override sent for "+u.Rule+" does not apply") {
					t.Errorf("unused %+v", u)
				}
				unused = append(unused, u.Rule)
			}
			if strings.Join(unused, ",") != strings.Join(tt.unused, ",") {
				t.Errorf("unused %v, want %v", unused, tt.unused)
			}
			said := false
			for _, f := range d.Stopping {
				said = said || f.Severity == Block && strings.Contains(f.Action, NotOverridable(f.Rule))
			}
			for _, f := range d.Stopping {
				// A rule that blocks here invites no override at any level.
				if blocked(d.Stopping, f.Rule) && strings.Contains(f.Action, "record an override reason") {
					t.Errorf("%s invites an override its block refuses: %q", f.Rule, f.Action)
				}
			}
			if said != tt.notOverridable {
				t.Errorf("stopping %+v: says cannot be overridden = %v, want %v", d.Stopping, said, tt.notOverridable)
			}
		})
	}
}

func blocked(fs []Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule && f.Severity == Block {
			return true
		}
	}
	return false
}
