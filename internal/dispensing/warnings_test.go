package dispensing

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestWarnings(t *testing.T) {
	t.Parallel()
	block, ok := MD1Block(policy.Defaults(), seq("2026-03-27", Missed, Missed, Missed, ""), d("2026-03-30"), noReview)
	if !ok {
		t.Fatal("test block not built")
	}
	tests := []struct {
		name      string
		in        WarningInput
		wantCodes []string
		wantRules []string
		wantText  []string
	}{
		{name: "nothing"},
		{
			name:      "md1 block",
			in:        WarningInput{Blocked: &block},
			wantCodes: []string{WarnMD1DoNotDispense},
			wantRules: []string{"MD1"},
			wantText:  []string{"Do not dispense: 3 or more consecutive days missed, contact the prescriber (3 days without a dose since 2026-03-27)."},
		},
		{
			name:      "first dose after change names the dose",
			in:        WarningInput{FirstDoseAfterChange: true, NewDose: dosing.Mg(45)},
			wantCodes: []string{WarnFirstDoseAfterChange},
			wantRules: []string{""},
			wantText:  []string{"new dose of 45 mg"},
		},
		{
			name:      "dose changed without a dose given",
			in:        WarningInput{DoseChangedSinceLastVisit: true},
			wantCodes: []string{WarnDoseChangedSinceLastVisit},
			wantRules: []string{""},
			wantText:  []string{"(now): tell the patient"},
		},
		{
			name:      "titration",
			in:        WarningInput{InTitration: true},
			wantCodes: []string{WarnInTitration},
			wantRules: []string{"S6"},
			wantText:  []string{"supervise"},
		},
		{
			name:      "missed yesterday",
			in:        WarningInput{MissedYesterday: true},
			wantCodes: []string{WarnMissedYesterday},
			wantRules: []string{"MD2"},
			wantText:  []string{"Yesterday"},
		},
		{
			name: "everything, most serious first",
			in: WarningInput{Blocked: &block, FirstDoseAfterChange: true, DoseChangedSinceLastVisit: true,
				NewDose: dosing.Mg(60), InTitration: true, MissedYesterday: true},
			wantCodes: []string{WarnMD1DoNotDispense, WarnFirstDoseAfterChange, WarnDoseChangedSinceLastVisit, WarnInTitration, WarnMissedYesterday},
			wantRules: []string{"MD1", "", "", "S6", "MD2"},
			wantText:  []string{"Do not dispense", "60 mg", "now of 60 mg", "titration", "intoxication"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Warnings(tt.in)
			if got == nil {
				t.Fatal("Warnings() = nil, want an empty slice")
			}
			if len(got) != len(tt.wantCodes) {
				t.Fatalf("Warnings() = %+v, want codes %v", got, tt.wantCodes)
			}
			for i, w := range got {
				if w.Code != tt.wantCodes[i] || w.Rule != tt.wantRules[i] || !strings.Contains(w.Message, tt.wantText[i]) {
					t.Errorf("warning %d = %+v, want %s/%s containing %q", i, w, tt.wantCodes[i], tt.wantRules[i], tt.wantText[i])
				}
			}
		})
	}
}

func TestWarningsJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   WarningInput
		want string
	}{
		{"empty is a list", WarningInput{}, `[]`},
		{"rule omitted when none", WarningInput{DoseChangedSinceLastVisit: true},
			`[{"code":"dose_changed_since_last_visit","message":"The dose has changed since the patient's last visit (now): tell the patient before dispensing."}]`},
		{"snake case keys", WarningInput{InTitration: true},
			`[{"code":"in_titration","rule":"S6","message":"In titration: supervise consumption of every dose."}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(Warnings(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("JSON = %s, want %s", b, tt.want)
			}
		})
	}
}

func TestSameNHSNumber(t *testing.T) {
	w := SameNHSNumber(1)
	if w.Code != WarnSameNHSNumber || !strings.Contains(w.Message, "1 other line(s)") {
		t.Fatalf("warning = %+v", w)
	}
}
