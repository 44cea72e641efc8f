package regimes

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestStartNaive(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	treatment := func(t *testing.T, code string, recorded bool) *PreviousTreatment {
		p := &PreviousTreatment{Medicine: medicine(t, code), Dose: mg(8)}
		if recorded {
			p.StartedOn = date("2026-01-05")
		}
		return p
	}
	tests := []struct {
		name     string
		stated   *bool
		previous func(*testing.T) (*PreviousTreatment, *PreviousTreatment) // as judged, as told
		want     bool
		refused  string // text of the buprenorphine_naive error, "" when none
	}{
		{name: "unstated, nothing before: naive", previous: none, want: true},
		{name: "unstated, after methadone: naive", previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeMethadone, true), nil
		}, want: true},
		{name: "unstated, told methadone: naive", previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			m := treatment(t, dosing.CodeMethadone, false)
			return m, m
		}, want: true},
		{name: "unstated, recorded sublingual: not naive", previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeBuprenorphineSL, true), nil
		}, want: false},
		{name: "unstated, told naloxone/buprenorphine: not naive", previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			b := treatment(t, dosing.CodeBuprenorphineNalSL, false)
			return b, b
		}, want: false},
		{name: "unstated, told Espranor: not naive", previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			b := treatment(t, dosing.CodeEspranor, false)
			return b, b
		}, want: false},
		{name: "unstated, recorded weekly Buvidal: not naive", previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeBuvidalWeekly, true), nil
		}, want: false},
		{name: "unstated, recorded methadone but told buprenorphine: not naive", previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeMethadone, true), treatment(t, dosing.CodeBuprenorphineSL, false)
		}, want: false},
		{name: "stated false, nothing before: the prescriber's word", stated: &no, previous: none, want: false},
		{name: "stated true, nothing before", stated: &yes, previous: none, want: true},
		{name: "stated true after methadone", stated: &yes, previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeMethadone, true), nil
		}, want: true},
		{name: "stated false after buprenorphine", stated: &no, previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeBuprenorphineSL, true), nil
		}, want: false},
		{name: "stated true, recorded buprenorphine: refused", stated: &yes, previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeBuprenorphineSL, true), nil
		}, want: true, refused: "as recorded here (the regime started on 2026-01-05"},
		{name: "stated true, told Buvidal: refused", stated: &yes, previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			b := treatment(t, dosing.CodeBuvidalMonthly, false)
			return b, b
		}, want: true, refused: "as told in previous"},
		{name: "stated true, recorded methadone, told buprenorphine: refused", stated: &yes, previous: func(t *testing.T) (*PreviousTreatment, *PreviousTreatment) {
			return treatment(t, dosing.CodeMethadone, true), treatment(t, dosing.CodeEspranor, false)
		}, want: true, refused: "Espranor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			previous, told := tt.previous(t)
			got, errs := StartNaive(tt.stated, previous, told)
			if got != tt.want {
				t.Errorf("naive %v, want %v", got, tt.want)
			}
			switch {
			case tt.refused == "" && len(errs) > 0:
				t.Errorf("errors %v, want none", errs)
			case tt.refused != "" && (len(errs) != 1 || errs[0].Field != "buprenorphine_naive" || errs[0].Rule != "previous_buprenorphine" ||
				!strings.Contains(errs[0].Message, tt.refused)):
				t.Errorf("errors %v, want one buprenorphine_naive previous_buprenorphine error mentioning %q", errs, tt.refused)
			}
		})
	}
}

func none(*testing.T) (*PreviousTreatment, *PreviousTreatment) { return nil, nil }

// BV3 sets a naive patient's first weekly dose at 16 mg; BV4's table is
// for a patient on buprenorphine, so the two never advise different first
// doses (StartNaive refuses a naive patient with a buprenorphine previous
// treatment; CheckStart stays consistent even if handed one).
func TestNaiveStartHasNoConversionAdvice(t *testing.T) {
	t.Parallel()
	startAt := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		naive    bool
		previous *PreviousTreatment
		dose     int64
		want     []string
	}{
		{name: "naive from street opioids, 16 mg", naive: true, dose: 16},
		{name: "naive from street opioids, 8 mg: BV3 asks 16", naive: true, dose: 8, want: []string{"BV3:override~expected 16 mg"}},
		{name: "naive from methadone, 16 mg", naive: true, dose: 16,
			previous: &PreviousTreatment{Medicine: medicine(t, dosing.CodeMethadone), Dose: mg(30), LastDose: startAt.Add(-30 * time.Hour)}},
		{name: "naive handed 4 mg sublingual: no BV4 for 8 mg", naive: true, dose: 16,
			previous: &PreviousTreatment{Medicine: medicine(t, dosing.CodeBuprenorphineSL), Dose: mg(4)}},
		{name: "on 4 mg sublingual: BV4 converts to 8 mg", dose: 16,
			previous: &PreviousTreatment{Medicine: medicine(t, dosing.CodeBuprenorphineSL), Dose: mg(4)}, want: []string{"BV4:warn~weekly Buvidal 8 mg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := StartInput{Medicine: medicine(t, dosing.CodeBuvidalWeekly), Dose: mg(tt.dose), Start: date("2026-01-05"), PatientAge: 30,
				StartAt: startAt, LastShortActingOpioid: startAt.Add(-8 * time.Hour), Previous: tt.previous,
				BuprenorphineNaive: tt.naive, TestDoseGiven: true}
			assertFindings(t, CheckStart(policy.Defaults(), in), tt.want...)
		})
	}
}
