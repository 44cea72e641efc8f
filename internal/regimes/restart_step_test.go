package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// A new regime's starting dose is a step from the previous treatment of
// the same kind (B3, M2): ending a regime and starting another is no way
// round the titration steps, and a transfer at the same dose passes.
func TestCheckStartStepsFromPrevious(t *testing.T) {
	t.Parallel()
	prev := func(t *testing.T, code string, dose dosing.Micrograms) *PreviousTreatment {
		return &PreviousTreatment{Medicine: medicine(t, code), Dose: dose, LastDose: startAt.Add(-20 * 3600e9)}
	}
	tests := []struct {
		name string
		code string
		edit func(*testing.T, *StartInput)
		want []string
	}{
		{name: "B3 restart at 32 after 8 needs override", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(32), prev(t, dosing.CodeBuprenorphineSL, mg(8))
		}, want: []string{"B3:override~increase of 24 mg on the previous treatment, Buprenorphine"}},
		{name: "B3 naloxone product at 32 after tablets 8", code: dosing.CodeBuprenorphineNalSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(32), prev(t, dosing.CodeBuprenorphineSL, mg(8))
		}, want: []string{"B3:override~8 mg a day"}},
		{name: "B3 told previous 2 mg, start 32", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(32), &PreviousTreatment{Medicine: medicine(t, dosing.CodeBuprenorphineSL), Dose: mg(2)}
		}, want: []string{"B3:override~increase of 30 mg"}},
		{name: "B3 same dose transfer passes", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(16), prev(t, dosing.CodeBuprenorphineSL, mg(16))
		}},
		{name: "B3 one step up passes", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(20), prev(t, dosing.CodeBuprenorphineSL, mg(16))
		}},
		{name: "B3 reduction passes", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(4), prev(t, dosing.CodeBuprenorphineSL, mg(16))
		}},
		{name: "B3 steps from the dose last supplied when lower", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(16), prev(t, dosing.CodeBuprenorphineSL, mg(12))
			in.Previous.Supplied = mg(8)
		}, want: []string{"B3:override~last supplied 8 mg"}},
		{name: "B3 Espranor conversion names B4", code: dosing.CodeEspranor, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(24), prev(t, dosing.CodeBuprenorphineSL, mg(8))
		}, want: []string{"B4:override", "B3:override~(B4)"}},
		{name: "B2 when the previous dose is not given", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(32), &PreviousTreatment{Medicine: medicine(t, dosing.CodeBuprenorphineSL)}
		}, want: []string{"B2:warn~previous.dose"}},
		{name: "no step from Buvidal's weekly dose", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(24), prev(t, dosing.CodeBuvidalWeekly, mg(8))
		}},
		{name: "M2 methadone restart 60 to 100", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous, in.ECGDate = mg(100), prev(t, dosing.CodeMethadone, mg(60)), startDay
		}, want: []string{"M2:override~increase of 40 mg on the previous treatment", "M4:info"}},
		{name: "M2 methadone same dose", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(30), prev(t, dosing.CodeMethadone, mg(30))
		}},
		{name: "M2 rolling week counts the previous regime's increases", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(40), prev(t, dosing.CodeMethadone, mg(35))
			in.Previous.Increases = []DoseChange{
				{Effective: startDay.AddDays(-20), From: 0, To: mg(5)},
				{Effective: startDay.AddDays(-6), From: mg(5), To: mg(15)},
				{Effective: startDay.AddDays(-4), From: mg(15), To: mg(25)},
				{Effective: startDay.AddDays(-2), From: mg(25), To: mg(35)},
			}
		}, want: []string{"M2:override~would total 35 mg"}},
		{name: "M2 rolling week leaves out increases before it", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(40), prev(t, dosing.CodeMethadone, mg(35))
			in.Previous.Increases = []DoseChange{
				{Effective: startDay.AddDays(-7), From: mg(5), To: mg(15)},
				{Effective: startDay.AddDays(-4), From: mg(15), To: mg(25)},
				{Effective: startDay.AddDays(-2), From: mg(25), To: mg(35)},
			}
		}},
		// A patient still on methadone continues it: no induction, so M1's
		// first-day limits do not apply and M2 judges the step.
		{name: "M1 not for a transfer at 60 mg taken yesterday", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), prev(t, dosing.CodeMethadone, mg(60))
		}},
		{name: "M1 not for a reduction from 90 mg", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(70), prev(t, dosing.CodeMethadone, mg(90))
		}},
		{name: "M2 one step up from 60 mg", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(70), prev(t, dosing.CodeMethadone, mg(60))
		}},
		{name: "M1 not 3 days after the last methadone dose", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), prev(t, dosing.CodeMethadone, mg(60))
			in.Previous.LastDose = startAt.AddDate(0, 0, -3)
		}},
		{name: "M1 not after a regime recorded here, last dose time unknown", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), &PreviousTreatment{Medicine: medicine(t, dosing.CodeMethadone), Dose: mg(60), StartedOn: startDay.AddDays(-90)}
		}},
		{name: "M1 sedative risk still warns on a continued dose", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous, in.SedativeRisk = mg(60), prev(t, dosing.CodeMethadone, mg(60)), true
		}, want: []string{"M1:warn~continued from"}},
		{name: "M1 sedative risk at 20 mg continued", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous, in.SedativeRisk = mg(20), prev(t, dosing.CodeMethadone, mg(20)), true
		}},
		{name: "M1 when the previous methadone dose is not given", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), &PreviousTreatment{Medicine: medicine(t, dosing.CodeMethadone), LastDose: startAt.Add(-20 * 3600e9)}
		}, want: []string{"M1:override~previous.dose"}},
		{name: "M1 when the last methadone dose is not told", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), &PreviousTreatment{Medicine: medicine(t, dosing.CodeMethadone), Dose: mg(60)}
		}, want: []string{"M1:override~last_dose_at"}},
		{name: "M1 and M2 when the last methadone dose is not told", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(35), &PreviousTreatment{Medicine: medicine(t, dosing.CodeMethadone), Dose: mg(20)}
		}, want: []string{"M1:warn~last_dose_at", "M2:override~increase of 15 mg"}},
		{name: "M1 blocks a high start after a week off methadone", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), prev(t, dosing.CodeMethadone, mg(60))
			in.Previous.LastDose = startAt.AddDate(0, 0, -7)
		}, want: []string{"M1:override~new induction (MD3)"}},
		{name: "M1 when the last methadone dose is dated after the start", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), prev(t, dosing.CodeMethadone, mg(60))
			in.Previous.LastDose = startAt.AddDate(1, 0, 0)
		}, want: []string{"M1:override"}},
		{name: "M1 from buprenorphine is an induction", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(60), prev(t, dosing.CodeBuprenorphineSL, mg(16))
		}, want: []string{"M1:override"}},
		// Weeks off treatment: tolerance is lost, so the start is a new
		// induction (MD3) judged as a first start, not a step from a dose
		// the patient is no longer on.
		{name: "M1 only after weeks off methadone", code: dosing.CodeMethadone, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(30), prev(t, dosing.CodeMethadone, mg(5))
			in.Previous.LastDose = startAt.AddDate(0, 0, -49)
		}, want: []string{}},
		{name: "B2 not B3 after weeks off buprenorphine", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(8), prev(t, dosing.CodeBuprenorphineSL, mg(2))
			in.Previous.LastDose = startAt.AddDate(0, 0, -49)
		}, want: []string{}},
		{name: "B2 warns a high start after weeks off buprenorphine", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(24), prev(t, dosing.CodeBuprenorphineSL, mg(24))
			in.Previous.LastDose = startAt.AddDate(0, 0, -49)
		}, want: []string{"B2:warn~new induction (MD3)"}},
		{name: "B3 still judged 3 days after the last dose", code: dosing.CodeBuprenorphineSL, edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(16), prev(t, dosing.CodeBuprenorphineSL, mg(8))
			in.Previous.LastDose = startAt.AddDate(0, 0, -3)
		}, want: []string{"B3:override~increase of 8 mg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := StartInput{Medicine: medicine(t, tt.code), Dose: mg(4), Start: startDay, PatientAge: 30,
				Pattern: AllSupervised(), StartAt: startAt}
			tt.edit(t, &in)
			if err := ValidateStart(in); err != nil {
				t.Fatal(err)
			}
			got := CheckStart(policy.Defaults(), in)
			var rules []policy.Finding
			for _, f := range got {
				if f.Rule != "B1" { // timing is not what these cases judge
					rules = append(rules, f)
				}
			}
			assertFindings(t, rules, tt.want...)
		})
	}
}

// A dose change on the first day replaces the starting dose, so it is
// judged from the previous treatment too.
func TestCheckChangeDayOneStepsFromPrevious(t *testing.T) {
	t.Parallel()
	sl := medicine(t, dosing.CodeBuprenorphineSL)
	meth := medicine(t, dosing.CodeMethadone)
	tests := []struct {
		name string
		in   ChangeInput
		want []string
	}{
		{name: "B3 12 to 16 on day one after 8", in: ChangeInput{Medicine: sl, Stage: StageTitration, RegimeStart: startDay, Effective: startDay,
			Current: mg(12), To: mg(16), Previous: &PreviousTreatment{Medicine: sl, Dose: mg(8)}},
			want: []string{"B3:override~previous treatment"}},
		{name: "B3 same step judged once", in: ChangeInput{Medicine: sl, Stage: StageTitration, RegimeStart: startDay, Effective: startDay,
			Current: mg(8), To: mg(24), Previous: &PreviousTreatment{Medicine: sl, Dose: mg(8)}},
			want: []string{"B3:override~(8 to 24 mg)"}},
		{name: "M2 40 to 50 on day one after 30", in: ChangeInput{Medicine: meth, Stage: StageTitration, RegimeStart: startDay, Effective: startDay,
			Current: mg(40), To: mg(50), Previous: &PreviousTreatment{Medicine: meth, Dose: mg(30)}},
			want: []string{"M1:override", "M2:override~increase of 20 mg"}},
		// A regime recorded here that the patient is still on makes the
		// first day's dose a continuation, not an induction (M1).
		{name: "M2 not M1 on day one after a recorded regime", in: ChangeInput{Medicine: meth, Stage: StageTitration, RegimeStart: startDay, Effective: startDay,
			Current: mg(60), To: mg(70), Previous: &PreviousTreatment{Medicine: meth, Dose: mg(60), StartedOn: startDay.AddDays(-90)}}},
		{name: "M2 on day one after a recorded regime, step too big", in: ChangeInput{Medicine: meth, Stage: StageTitration, RegimeStart: startDay, Effective: startDay,
			Current: mg(60), To: mg(80), Previous: &PreviousTreatment{Medicine: meth, Dose: mg(60), StartedOn: startDay.AddDays(-90)}},
			want: []string{"M2:override~Increase of 20 mg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertFindings(t, CheckChange(policy.Defaults(), tt.in), tt.want...)
		})
	}
}
