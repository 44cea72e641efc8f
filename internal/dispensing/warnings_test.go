package dispensing

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestWarnings(t *testing.T) {
	t.Parallel()
	block, ok := MD1Block(policy.Defaults(), seq("2026-03-27", Missed, Missed, Missed, ""), d("2026-03-30"), noReview, nil)
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
			name:      "first dose after change carried home ahead of its day",
			in:        WarningInput{FirstDoseAfterChange: true, NewDose: dosing.Mg(40), NewDoseFrom: d("2026-12-06")},
			wantCodes: []string{WarnFirstDoseAfterChange},
			wantRules: []string{""},
			wantText:  []string{"First dose at the new dose of 40 mg, from Sun 6 Dec, taken home with this instalment: check the amount"},
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

func TestFirstAtNewDose(t *testing.T) {
	t.Parallel()
	// 35 mg until Wednesday 2 Dec, 40 mg from Thursday 3 Dec; the
	// Saturday-to-Sunday case has 40 mg from Sunday 6 Dec.
	doseFrom := func(change string) func(calendar.Date) dosing.Micrograms {
		return func(day calendar.Date) dosing.Micrograms {
			if day.Before(d(change)) {
				return dosing.Mg(35)
			}
			return dosing.Mg(40)
		}
	}
	one := func(day string, mg int64) DoseSupply { return DoseSupply{Date: d(day), Amount: dosing.Mg(mg)} }
	weekend := func(mg int64) DoseSupply {
		return DoseSupply{Date: d("2026-12-05"), Covers: dates("2026-12-05", "2026-12-06"), Amount: dosing.Mg(mg)}
	}
	tests := []struct {
		name    string
		line    DoseSupply
		earlier []DoseSupply
		change  string
		atNew   bool
		first   bool
	}{
		{"the change's own day at the new dose", one("2026-12-03", 40), []DoseSupply{one("2026-12-02", 35)}, "2026-12-03", true, true},
		// Given at 35 mg before the prescriber changed the dose from that
		// day: the remaining days were reissued from the next.
		{"the change's own day given at the old dose", one("2026-12-03", 35), []DoseSupply{one("2026-12-02", 35)}, "2026-12-03", false, false},
		{"the day after, when the change's day was the old dose", one("2026-12-04", 40),
			[]DoseSupply{one("2026-12-02", 35), one("2026-12-03", 35)}, "2026-12-03", true, true},
		{"a later day at the new dose", one("2026-12-04", 40), []DoseSupply{one("2026-12-03", 40)}, "2026-12-03", true, false},
		{"a day before the change", one("2026-12-02", 35), nil, "2026-12-03", false, false},
		{"a take-home carrying the new dose", weekend(75), []DoseSupply{one("2026-12-04", 35)}, "2026-12-06", true, true},
		{"a take-home written before the change", weekend(70), nil, "2026-12-06", false, false},
		{"the Monday after a take-home carried it", one("2026-12-07", 40), []DoseSupply{weekend(75)}, "2026-12-06", true, false},
		{"the Monday after a take-home at the old dose", one("2026-12-07", 40), []DoseSupply{weekend(70)}, "2026-12-06", true, true},
		{"a later instalment is not earlier", one("2026-12-03", 40), []DoseSupply{one("2026-12-04", 40)}, "2026-12-03", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doseOn := doseFrom(tt.change)
			if got := tt.line.AtNewDose(d(tt.change), doseOn); got != tt.atNew {
				t.Errorf("AtNewDose() = %v, want %v", got, tt.atNew)
			}
			if got := FirstAtNewDose(tt.line, tt.earlier, d(tt.change), doseOn); got != tt.first {
				t.Errorf("FirstAtNewDose() = %v, want %v", got, tt.first)
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

func TestTitrationMessage(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	sun, mon := d("2026-12-06"), d("2026-12-07")
	tests := []struct {
		name       string
		takenHome  []calendar.Date
		supervised bool
		closed     bool
		want       string
	}{
		{"every dose supervised", nil, true, false, "In titration: supervise consumption of every dose."},
		{"Saturday carrying the closed Sunday", []calendar.Date{sun}, true, true,
			"In titration: supervise consumption of today's dose; the dose for Sun 6 Dec goes home with this instalment because the pharmacy is closed that day (L7 wording 1)."},
		{"a closed Sunday and bank holiday Monday", []calendar.Date{sun, mon}, true, true,
			"In titration: supervise consumption of today's dose; the doses for Sun 6 Dec and Mon 7 Dec go home with this instalment because the pharmacy is closed on those days (L7 wording 1)."},
		{"take-home prescribed despite S6", []calendar.Date{sun}, true, false,
			"In titration: supervise consumption of today's dose; the dose for Sun 6 Dec goes home with this instalment as prescribed."},
		{"a collection dated before its closed first day (ADR 0011)", []calendar.Date{sun}, false, true,
			"In titration: nothing on this instalment is supervised; the dose for Sun 6 Dec goes home with it because the pharmacy is closed that day (L7 wording 1). Supervise every dose on the days the pharmacy is open."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TitrationMessage(tt.takenHome, tt.supervised, tt.closed); got != tt.want {
				t.Errorf("TitrationMessage() = %q, want %q", got, tt.want)
			}
		})
	}
}
