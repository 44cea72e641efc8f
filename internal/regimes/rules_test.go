package regimes

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
)

var (
	startDay = date("2025-01-06")
	startAt  = time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)
)

func TestCheckStartMethadone(t *testing.T) {
	t.Parallel()
	takeHomeSunday := pattern(map[time.Weekday]Pickup{time.Sunday: PickupTakeHome})
	tests := []struct {
		name string
		edit func(*StartInput)
		want []string
	}{
		{name: "usual start", edit: func(in *StartInput) {}},
		{name: "M1 30 mg is the warn boundary", edit: func(in *StartInput) { in.Dose = mg(30) }},
		{name: "M1 above 30 warns", edit: func(in *StartInput) { in.Dose = mg(31) }, want: []string{"M1:warn~31 mg is above 30 mg"}},
		{name: "M1 fractional above 30 warns", edit: func(in *StartInput) { in.Dose = mg(30) + 500 }, want: []string{"M1:warn~30.5 mg"}},
		{name: "M1 40 mg still only warns", edit: func(in *StartInput) { in.Dose = mg(40) }, want: []string{"M1:warn"}},
		{name: "M1 above 40 needs override", edit: func(in *StartInput) { in.Dose = mg(41) }, want: []string{"M1:override~41 mg is above 40 mg"}},
		{name: "M1 sedative at 20 is fine", edit: func(in *StartInput) { in.SedativeRisk = true; in.Dose = mg(20) }},
		{name: "M1 sedative above 20 warns", edit: func(in *StartInput) { in.SedativeRisk = true; in.Dose = mg(21) }, want: []string{"M1:warn~benzodiazepine"}},
		{name: "M1 sedative and high start", edit: func(in *StartInput) { in.SedativeRisk = true; in.Dose = mg(45) }, want: []string{"M1:override", "M1:warn~benzodiazepine"}},
		{name: "M4 high start without ECG", edit: func(in *StartInput) { in.Dose = mg(100) }, want: []string{"M1:override", "M4:override~no ECG", "M4:info~2025-07-06"}},
		{name: "M4 ECG exactly 6 months old is valid", edit: func(in *StartInput) { in.Dose = mg(100); in.ECGDate = date("2024-07-06") }, want: []string{"M1:override", "M4:info"}},
		{name: "M4 ECG one day too old", edit: func(in *StartInput) { in.Dose = mg(100); in.ECGDate = date("2024-07-05") }, want: []string{"M1:override", "M4:override~more than 6 months old", "M4:info"}},
		{name: "M6 take-home in first months", edit: func(in *StartInput) { in.Pattern = takeHomeSunday }, want: []string{"M6:override~1 unsupervised day(s)"}},
		{name: "M6 earlier counts as unsupervised", edit: func(in *StartInput) {
			in.Pattern = pattern(map[time.Weekday]Pickup{time.Sunday: PickupEarlier})
		}, want: []string{"M6:override"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := StartInput{
				Medicine: medicine(t, dosing.CodeMethadone), Dose: mg(20), Start: startDay,
				PatientAge: 30, Pattern: AllSupervised(), StartAt: startAt,
			}
			tt.edit(&in)
			if err := ValidateStart(in); err != nil {
				t.Fatal(err)
			}
			assertFindings(t, CheckStart(policy.Defaults(), in), tt.want...)
		})
	}
}

func TestCheckStartSublingual(t *testing.T) {
	t.Parallel()
	methadone := func(dose dosing.Micrograms, hoursAgo int) *PreviousTreatment {
		p := &PreviousTreatment{Medicine: dosing.Medicine{Code: dosing.CodeMethadone, Class: dosing.ClassMethadone, Name: "Methadone"}, Dose: dose}
		if hoursAgo > 0 {
			p.LastDose = startAt.Add(-time.Duration(hoursAgo) * time.Hour)
		}
		return p
	}
	sl := func(t *testing.T, code string, dose dosing.Micrograms) *PreviousTreatment {
		return &PreviousTreatment{Medicine: medicine(t, code), Dose: dose}
	}
	tests := []struct {
		name string
		code string
		edit func(*testing.T, *StartInput)
		want []string
	}{
		{name: "from heroin after 8 h", edit: func(*testing.T, *StartInput) {}},
		{name: "B1 exactly 6 h", edit: func(_ *testing.T, in *StartInput) { in.LastShortActingOpioid = startAt.Add(-6 * time.Hour) }},
		{name: "B1 5 h 30 min is too soon", edit: func(_ *testing.T, in *StartInput) {
			in.LastShortActingOpioid = startAt.Add(-330 * time.Minute)
		}, want: []string{"B1:warn~5 h 30 min"}},
		{name: "B1 unknown short-acting time", edit: func(_ *testing.T, in *StartInput) { in.LastShortActingOpioid = time.Time{} }, want: []string{"B1:warn~not recorded"}},
		{name: "B1 unknown start time", edit: func(_ *testing.T, in *StartInput) { in.StartAt = time.Time{} }, want: []string{"B1:warn~not recorded"}},
		{name: "B1 from methadone 30 mg after 24 h", edit: func(_ *testing.T, in *StartInput) {
			in.Previous, in.LastShortActingOpioid = methadone(mg(30), 24), time.Time{}
		}},
		{name: "B1 from methadone 31 mg", edit: func(_ *testing.T, in *StartInput) {
			in.Previous, in.LastShortActingOpioid = methadone(mg(31), 30), time.Time{}
		}, want: []string{"B1:warn~31 mg is above 30 mg"}},
		{name: "B1 from methadone after 23 h", edit: func(_ *testing.T, in *StartInput) {
			in.Previous, in.LastShortActingOpioid = methadone(mg(30), 23), time.Time{}
		}, want: []string{"B1:warn~23 h"}},
		{name: "B1 assumed first-dose time is named", edit: func(_ *testing.T, in *StartInput) {
			in.Previous, in.LastShortActingOpioid, in.StartAtAssumed = methadone(mg(30), 23), time.Time{}, true
		}, want: []string{"B1:warn~first dose assumed at"}},
		{name: "B1 methadone time unknown", edit: func(_ *testing.T, in *StartInput) {
			in.Previous, in.LastShortActingOpioid = methadone(mg(20), 0), time.Time{}
		}, want: []string{"B1:warn~last methadone"}},
		{name: "B1 from methadone with recent heroin", edit: func(_ *testing.T, in *StartInput) {
			in.Previous, in.LastShortActingOpioid = methadone(mg(20), 48), startAt.Add(-2*time.Hour)
		}, want: []string{"B1:warn~short-acting"}},
		{name: "B2 8 mg is the boundary", edit: func(_ *testing.T, in *StartInput) { in.Dose = mg(8) }},
		{name: "B2 above 8 mg warns", edit: func(_ *testing.T, in *StartInput) { in.Dose = mg(10) }, want: []string{"B2:warn~10 mg is above 8 mg"}},
		{name: "B3 32 mg from buprenorphine", edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = mg(32), sl(t, dosing.CodeBuprenorphineSL, mg(32))
		}},
		{name: "B3 above 32 blocks", edit: func(t *testing.T, in *StartInput) {
			in.Dose, in.Previous = dosing.Micrograms(32_400), sl(t, dosing.CodeBuprenorphineSL, mg(32))
		}, want: []string{"B3:block~32.4 mg"}},
		{name: "B4 tablets to Espranor", code: dosing.CodeEspranor, edit: func(t *testing.T, in *StartInput) {
			in.Previous = sl(t, dosing.CodeBuprenorphineSL, mg(8))
		}, want: []string{"B4:override"}},
		{name: "B4 Espranor to naloxone tablets", code: dosing.CodeBuprenorphineNalSL, edit: func(t *testing.T, in *StartInput) {
			in.Previous = sl(t, dosing.CodeEspranor, mg(8))
		}, want: []string{"B4:override"}},
		{name: "B4 tablets to naloxone tablets is fine", code: dosing.CodeBuprenorphineNalSL, edit: func(t *testing.T, in *StartInput) {
			in.Previous = sl(t, dosing.CodeBuprenorphineSL, mg(8))
		}},
		{name: "M6 applies to buprenorphine", edit: func(_ *testing.T, in *StartInput) {
			in.Pattern = pattern(map[time.Weekday]Pickup{time.Saturday: PickupTakeHome})
		}, want: []string{"M6:override"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code := tt.code
			if code == "" {
				code = dosing.CodeBuprenorphineSL
			}
			in := StartInput{
				Medicine: medicine(t, code), Dose: mg(4), Start: startDay, PatientAge: 30,
				Pattern: AllSupervised(), StartAt: startAt, LastShortActingOpioid: startAt.Add(-8 * time.Hour),
			}
			tt.edit(t, &in)
			assertFindings(t, CheckStart(policy.Defaults(), in), tt.want...)
		})
	}
}

func TestCheckStartBuvidal(t *testing.T) {
	t.Parallel()
	prev := func(t *testing.T, code string, dose dosing.Micrograms, weeks int) *PreviousTreatment {
		return &PreviousTreatment{Medicine: medicine(t, code), Dose: dose, WeeklyBuvidalWeeks: weeks}
	}
	tests := []struct {
		name string
		code string
		edit func(*testing.T, *StartInput)
		want []string
	}{
		{name: "naive weekly 16 mg after test dose", edit: func(*testing.T, *StartInput) {}},
		{name: "BV1 not a strength", edit: func(_ *testing.T, in *StartInput) { in.Dose = mg(12) }, want: []string{"BV1:block~12 mg", "BV3:override~expected 16 mg"}},
		{name: "BV2 age 16 is allowed", edit: func(_ *testing.T, in *StartInput) { in.PatientAge = 16 }},
		{name: "BV2 age 15 blocks", edit: func(_ *testing.T, in *StartInput) { in.PatientAge = 15 }, want: []string{"BV2:block~15"}},
		{name: "BV2 age unknown warns", edit: func(_ *testing.T, in *StartInput) { in.PatientAge = 0 }, want: []string{"BV2:warn"}},
		{name: "BV2 never take-home", edit: func(_ *testing.T, in *StartInput) {
			in.Pattern = pattern(map[time.Weekday]Pickup{time.Monday: PickupTakeHome})
		}, want: []string{"BV2:block~take-home"}},
		{name: "BV3 naive first dose not 16", edit: func(_ *testing.T, in *StartInput) { in.Dose = mg(24) }, want: []string{"BV3:override~24 mg"}},
		{name: "BV3 no test dose", edit: func(_ *testing.T, in *StartInput) { in.TestDoseGiven = false }, want: []string{"BV3:override~test dose"}},
		{name: "B1 injection is override", edit: func(_ *testing.T, in *StartInput) {
			in.LastShortActingOpioid = startAt.Add(-5 * time.Hour)
		}, want: []string{"B1:override"}},
		{name: "BV4 from 8 mg SL to 16 weekly", edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Previous = false, prev(t, dosing.CodeBuprenorphineSL, mg(8), 0)
		}},
		{name: "BV4 from 8 mg SL to 24 weekly warns", edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(24), prev(t, dosing.CodeBuprenorphineSL, mg(8), 0)
		}, want: []string{"BV4:warn~converts to weekly Buvidal 16 mg"}},
		{name: "BV4 7 mg takes the lower band", edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(8), prev(t, dosing.CodeBuprenorphineSL, mg(7), 0)
		}},
		{name: "BV4 28 mg SL has no weekly dose", edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(32), prev(t, dosing.CodeBuprenorphineNalSL, mg(28), 0)
		}, want: []string{"BV4:warn~no weekly"}},
		{name: "BV4 monthly to weekly", edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(24), prev(t, dosing.CodeBuvidalMonthly, mg(96), 0)
		}},
		{name: "B4 from Espranor", edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Previous = false, prev(t, dosing.CodeEspranor, mg(8), 0)
		}, want: []string{"B4:override"}},
		{name: "BV5 naive monthly blocks", code: dosing.CodeBuvidalMonthly, edit: func(_ *testing.T, in *StartInput) {
			in.Dose = mg(64)
		}, want: []string{"BV5:block"}},
		{name: "BV5 monthly from SL needs override", code: dosing.CodeBuvidalMonthly, edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(64), prev(t, dosing.CodeBuprenorphineSL, mg(10), 0)
		}, want: []string{"BV5:override~without weekly"}},
		{name: "BV5 monthly after 4 weeks weekly", code: dosing.CodeBuvidalMonthly, edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(64), prev(t, dosing.CodeBuvidalWeekly, mg(16), 4)
		}},
		{name: "BV5 monthly after 3 weeks weekly", code: dosing.CodeBuvidalMonthly, edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(64), prev(t, dosing.CodeBuvidalWeekly, mg(16), 3)
		}, want: []string{"BV5:override~Only 3 whole weeks of weekly Buvidal before monthly; ideally at least 4."}},
		{name: "BV5 four injections days apart are 0 weeks", code: dosing.CodeBuvidalMonthly, edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(64), prev(t, dosing.CodeBuvidalWeekly, mg(16), 0)
			in.Previous.WeeklyBuvidalFrom, in.Previous.WeeklyBuvidalInjections = calendar.MustParse("2025-01-02"), 4
		}, want: []string{"BV5:override~Only 0 whole weeks of weekly Buvidal before monthly, counted from the first weekly injection on Thu 2 Jan 2025 to this start on Mon 6 Jan 2025, and at most one week per regular injection given (4); ideally at least 4."}},
		{name: "BV5 monthly restart after monthly", code: dosing.CodeBuvidalMonthly, edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(96), prev(t, dosing.CodeBuvidalMonthly, mg(96), 0)
		}},
		{name: "BV4 weekly 16 to monthly 96 warns", code: dosing.CodeBuvidalMonthly, edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(96), prev(t, dosing.CodeBuvidalWeekly, mg(16), 8)
		}, want: []string{"BV4:warn~64 mg"}},
		{name: "BV4 weekly 8 has no monthly", code: dosing.CodeBuvidalMonthly, edit: func(t *testing.T, in *StartInput) {
			in.BuprenorphineNaive, in.Dose, in.Previous = false, mg(64), prev(t, dosing.CodeBuvidalWeekly, mg(8), 8)
		}, want: []string{"BV4:warn~no monthly"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code := tt.code
			if code == "" {
				code = dosing.CodeBuvidalWeekly
			}
			in := StartInput{
				Medicine: medicine(t, code), Dose: mg(16), Start: startDay, PatientAge: 30,
				StartAt: startAt, LastShortActingOpioid: startAt.Add(-8 * time.Hour),
				BuprenorphineNaive: true, TestDoseGiven: true,
			}
			tt.edit(t, &in)
			assertFindings(t, CheckStart(policy.Defaults(), in), tt.want...)
		})
	}
}

func TestCheckSupervisionBoundary(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	met, _ := dosing.LookupMedicine(dosing.CodeMethadone)
	p := pattern(map[time.Weekday]Pickup{time.Sunday: PickupTakeHome})
	tests := []struct {
		effective string
		want      []string
	}{
		{"2025-03-31", []string{"M6:override~until 2025-04-01"}},
		{"2025-04-01", nil},
	}
	for _, tt := range tests {
		t.Run(tt.effective, func(t *testing.T) {
			t.Parallel()
			assertFindings(t, CheckSupervision(n, met, date("2025-01-01"), date(tt.effective), p), tt.want...)
		})
	}
}

// A decision that compliance is assured (supervision_relaxed_reason) is
// M6's override: recorded once, only when M6 fired.
func TestRelaxedSupervision(t *testing.T) {
	t.Parallel()
	m6 := []policy.Finding{{Rule: "M1", Severity: policy.Warn}, {Rule: "M6", Severity: policy.Override}}
	other := []policy.OverrideReason{{Rule: "M1", Reason: "transfer"}}
	tests := []struct {
		name      string
		findings  []policy.Finding
		overrides []policy.OverrideReason
		relaxed   string
		want      []policy.OverrideReason
	}{
		{name: "relaxed reason overrides M6", findings: m6, overrides: other, relaxed: "Compliance assured",
			want: []policy.OverrideReason{{Rule: "M1", Reason: "transfer"}, {Rule: "M6", Reason: "Compliance assured"}}},
		{name: "no reason, no override", findings: m6, overrides: other, relaxed: "", want: other},
		{name: "an invisible reason is none", findings: m6, relaxed: " \u200b", want: nil},
		{name: "M6 did not fire", findings: m6[:1], overrides: other, relaxed: "Compliance assured", want: other},
		{name: "an M6 override sent is the decision", findings: m6, overrides: []policy.OverrideReason{{Rule: "M6", Reason: "MDT agreed"}},
			relaxed: "Compliance assured", want: []policy.OverrideReason{{Rule: "M6", Reason: "MDT agreed"}}},
		{name: "an M6 override sent without reason takes the relaxed one", findings: m6, overrides: []policy.OverrideReason{{Rule: "M6", Reason: " "}},
			relaxed: "Compliance assured", want: []policy.OverrideReason{{Rule: "M6", Reason: " "}, {Rule: "M6", Reason: "Compliance assured"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sent := slices.Clone(tt.overrides)
			got := RelaxedSupervision(tt.findings, tt.overrides, tt.relaxed)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if !slices.Equal(tt.overrides, sent) {
				t.Errorf("the overrides sent were changed: %v", tt.overrides)
			}
			// Decided, M6 is recorded once, with the decision's reason.
			d := policy.Decide(tt.findings, got)
			n := 0
			for _, a := range d.Applied {
				if a.Rule == "M6" {
					n++
				}
			}
			if want := slices.ContainsFunc(tt.want, func(o policy.OverrideReason) bool { return o.Rule == "M6" }); want && n != 1 || !want && n != 0 {
				t.Errorf("M6 applied %d times: %v", n, d.Applied)
			}
		})
	}
}

// B1's default first-dose time is local, so a switch the morning after the
// last methadone dose is judged in the service's clock, summer or winter.
func TestAssumedFirstDose(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ day, want string }{
		{"2026-01-15", "2026-01-15T09:00:00Z"},
		{"2026-07-15", "2026-07-15T08:00:00Z"},
		{"2026-03-29", "2026-03-29T08:00:00Z"}, // the spring clock change
	} {
		if got := AssumedFirstDose(date(tt.day), london).UTC().Format(time.RFC3339); got != tt.want {
			t.Errorf("AssumedFirstDose(%s) = %s, want %s", tt.day, got, tt.want)
		}
	}
}

func TestValidateStart(t *testing.T) {
	t.Parallel()
	bad := StartInput{Pattern: WeeklyPattern{PickupEarlier}}
	err := ValidateStart(bad)
	for _, want := range []string{"medicine", "dose", "start date", "monday"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateStart error %v lacks %q", err, want)
		}
	}
	// Each failing field under its own name, all in one error.
	if got := fieldNames(err); !slices.Equal(got, []string{"medicine", "dose", "start_date", "pattern"}) {
		t.Errorf("fields %v", got)
	}
}

func fieldNames(err error) []string {
	var out []string
	if pe, ok := problem.As(err); ok {
		for _, f := range pe.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}

func TestCheckChange(t *testing.T) {
	t.Parallel()
	regimeStart := date("2025-01-01")
	titration := []DoseChange{
		{Effective: date("2025-01-10"), From: mg(20), To: mg(30)},
		{Effective: date("2025-01-12"), From: mg(30), To: mg(25)}, // reductions do not offset increases
		{Effective: date("2025-01-13"), From: mg(25), To: mg(40)},
	}
	weekOne := []Administration{{Date: date("2025-01-01"), Dose: mg(16)}, {Date: date("2025-01-03"), Dose: mg(8), Extra: true}}
	tests := []struct {
		name string
		in   ChangeInput
		want []string
	}{
		{name: "M2 10 mg step", in: ChangeInput{Current: mg(30), To: mg(40)}},
		{name: "M2 11 mg step", in: ChangeInput{Current: mg(30), To: mg(41)}, want: []string{"M2:override~Increase of 11 mg"}},
		{name: "M2 reduction of any size", in: ChangeInput{Current: mg(60), To: mg(20)}},
		{name: "M2 rolling 7 days at 30 mg", in: ChangeInput{Current: mg(40), To: mg(45), Effective: date("2025-01-16"), History: titration}},
		// 10 + 15 + 10 = 35 within 01-10..01-16
		{name: "M2 rolling 7 days above 30 mg", in: ChangeInput{Current: mg(40), To: mg(50), Effective: date("2025-01-16"), History: titration},
			want: []string{"M2:override~total 35 mg"}},
		// on 01-17 the 01-10 change has left the window: 15 + 10 = 25
		{name: "M2 rolling window moves on", in: ChangeInput{Current: mg(40), To: mg(50), Effective: date("2025-01-17"), History: titration}},
		{name: "M2 rolling only in first 6 weeks", in: ChangeInput{Current: mg(40), To: mg(50), Effective: date("2025-02-12"), History: []DoseChange{
			{Effective: date("2025-02-08"), From: mg(20), To: mg(30)}, {Effective: date("2025-02-10"), From: mg(30), To: mg(40)}}}},
		{name: "M2 rolling last day of 6 weeks", in: ChangeInput{Current: mg(40), To: mg(50), Effective: date("2025-02-11"), History: []DoseChange{
			{Effective: date("2025-02-08"), From: mg(15), To: mg(30)}, {Effective: date("2025-02-10"), From: mg(30), To: mg(40)}}},
			want: []string{"M2:override~35 mg"}},
		{name: "M2 sedative risk noted", in: ChangeInput{Current: mg(30), To: mg(45), SedativeRisk: true}, want: []string{"M2:override~benzodiazepine"}},
		{name: "M3 maintenance below range", in: ChangeInput{Stage: StageMaintenance, Current: mg(50), To: mg(55)}, want: []string{"M3:info~55 mg"}},
		{name: "M3 maintenance at 60", in: ChangeInput{Stage: StageMaintenance, Current: mg(55), To: mg(60)}},
		{name: "M3 only in maintenance", in: ChangeInput{Stage: StageTitration, Current: mg(50), To: mg(55)}},
		{name: "M3 above 120", in: ChangeInput{Stage: StageMaintenance, Current: mg(115), To: mg(121), ECGDate: date("2025-02-01")},
			want: []string{"M3:info~121 mg", "M4:info"}},
		{name: "M4 99 mg", in: ChangeInput{Current: mg(90), To: mg(99)}},
		{name: "M4 100 mg without ECG", in: ChangeInput{Current: mg(90), To: mg(100)}, want: []string{"M4:override", "M4:info~2025-08-20"}},
		{name: "M4 100 mg with recent ECG", in: ChangeInput{Current: mg(90), To: mg(100), ECGDate: date("2024-08-20")}, want: []string{"M4:info"}},
		{name: "M4 100 mg with old ECG", in: ChangeInput{Current: mg(90), To: mg(100), ECGDate: date("2024-08-19")}, want: []string{"M4:override~2024-08-19", "M4:info"}},
		{name: "M4 reduction still high", in: ChangeInput{Current: mg(120), To: mg(110), ECGDate: date("2025-01-01")}, want: []string{"M4:info"}},
		// M4's override is for starts and increases; a change that does not
		// raise the dose warns that the check is due and goes ahead.
		{name: "M4 reduction still high without ECG", in: ChangeInput{Current: mg(120), To: mg(110)},
			want: []string{"M4:warn~no ECG/QTc check is recorded. The change does not raise the dose", "M4:info"}},
		{name: "M4 reduction still high with old ECG", in: ChangeInput{Current: mg(120), To: mg(110), ECGDate: date("2024-08-19")},
			want: []string{"M4:warn~more than 6 months old", "M4:info"}},
		{name: "M4 stage only at a high dose without ECG", in: ChangeInput{Stage: StageReduction, StageInForce: StageMaintenance, Current: mg(110), To: mg(110)},
			want: []string{"M4:warn~the check is due", "M4:info"}},
		{name: "M4 increase at a high dose without ECG", in: ChangeInput{Current: mg(110), To: mg(115)},
			want: []string{"M4:override~or record an override reason for rule M4", "M4:info"}},
		{name: "M4 change on the first day without ECG is a start", in: ChangeInput{Current: mg(120), To: mg(110), Effective: regimeStart},
			want: []string{"M1:override", "M4:override", "M4:info"}},
		{name: "M4 review before the dose became high", in: ChangeInput{Current: mg(90), To: mg(100), ECGDate: date("2025-01-01"),
			Reviewed: date("2025-02-19")}, want: []string{"M4:info~next review due 2025-08-20"}},
		{name: "M4 high since earlier, reviewed since", in: ChangeInput{Current: mg(100), To: mg(110), ECGDate: date("2025-01-01"),
			HighDoseSince: date("2024-12-01"), Reviewed: date("2025-02-01")}, want: []string{"M4:info~next review due 2025-08-01"}},
		{name: "M4 high since earlier, not reviewed since", in: ChangeInput{Current: mg(100), To: mg(110), ECGDate: date("2024-11-20"),
			HighDoseSince: date("2024-12-01"), Reviewed: date("2024-11-15")}, want: []string{"M4:info~next review due 2025-06-01"}},

		{name: "B3 2 mg step", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL, Class: dosing.ClassBuprenorphine}, Current: mg(8), To: mg(10)}},
		{name: "B3 4 mg step", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL, Class: dosing.ClassBuprenorphine}, Current: mg(8), To: mg(12)}},
		{name: "B3 step below 2 mg", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL, Class: dosing.ClassBuprenorphine}, Current: mg(8), To: mg(8) + 400},
			want: []string{"B3:override~0.4 mg"}},
		{name: "B3 step above 4 mg", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL, Class: dosing.ClassBuprenorphine}, Current: mg(8), To: mg(16)},
			want: []string{"B3:override~8 mg"}},
		{name: "B3 32 mg", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL, Class: dosing.ClassBuprenorphine}, Current: mg(28), To: mg(32)}},
		{name: "B3 above 32 mg", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL, Class: dosing.ClassBuprenorphine}, Current: mg(30), To: dosing.Micrograms(32_400)},
			want: []string{"B3:block~32.4 mg"}},
		{name: "B3 reduction of any size", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL, Class: dosing.ClassBuprenorphine}, Current: mg(24), To: mg(4)}},

		// A change on the first day replaces the starting dose: M1 and B2 judge it.
		{name: "M1 day one, 30 to 40", in: ChangeInput{Current: mg(30), To: mg(40), Effective: regimeStart}, want: []string{"M1:warn~above 30 mg"}},
		{name: "M1 day one, 30 to 41", in: ChangeInput{Current: mg(30), To: mg(41), Effective: regimeStart},
			want: []string{"M1:override~41 mg is above 40 mg on day 1", "M2:override~Increase of 11 mg"}},
		{name: "M1 day one, 30 to 70", in: ChangeInput{Current: mg(30), To: mg(70), Effective: regimeStart},
			want: []string{"M1:override~70 mg", "M2:override~Increase of 40 mg", "M2:override~total 40 mg"}},
		{name: "M1 day one, sedative risk above 20", in: ChangeInput{Current: mg(20), To: mg(25), Effective: regimeStart, SedativeRisk: true},
			want: []string{"M1:warn~benzodiazepine"}},
		{name: "M1 day one, a reduction", in: ChangeInput{Current: mg(30), To: mg(20), Effective: regimeStart}},
		{name: "M1 not after day one", in: ChangeInput{Current: mg(30), To: mg(40), Effective: regimeStart.AddDays(1)}},
		{name: "B2 day one above 8 mg", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL}, Current: mg(8), To: mg(12), Effective: regimeStart},
			want: []string{"B2:warn~12 mg"}},
		{name: "B2 day one after buprenorphine", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL}, Current: mg(8), To: mg(12),
			Effective: regimeStart, Previous: &PreviousTreatment{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineNalSL, Class: dosing.ClassBuprenorphine}, Dose: mg(10)}}},
		{name: "B2 not after day one", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuprenorphineSL}, Current: mg(8), To: mg(12), Effective: regimeStart.AddDays(1)}},

		{name: "BV1 weekly strength", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(24)}},
		{name: "BV1 not a strength", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(20)}, want: []string{"BV1:block~20 mg"}},
		{name: "BV1 monthly strength", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalMonthly}, Current: mg(96), To: mg(128)}},
		// BV3's week 2 dose, warned of when the change is planned.
		{name: "BV3 planned week 2 dose not the week 1 total", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(32),
			Effective: date("2025-01-06"), NaiveInduction: true, Injections: weekOne},
			want: []string{"BV3:warn~would be 32 mg; week 1 so far totals 24 mg (16 mg on 2025-01-01"}},
		{name: "BV3 planned week 2 dose is the week 1 total", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(24),
			Effective: date("2025-01-06"), NaiveInduction: true, Injections: weekOne}},
		{name: "BV3 planned week 2 not naive", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(32),
			Effective: date("2025-01-06"), Injections: weekOne}},
		{name: "BV3 planned after the week 2 dose was given", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(24), To: mg(16),
			Effective: date("2025-01-12"), NaiveInduction: true, Injections: append(slices.Clone(weekOne), Administration{Date: date("2025-01-08"), Dose: mg(24)})}},
		{name: "BV3 planned after week 2's window", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(32),
			Effective: date("2025-01-11"), NaiveInduction: true, Injections: weekOne}},
		{name: "BV3 planned on the window's last day", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(32),
			Effective: date("2025-01-10"), NaiveInduction: true, Injections: weekOne}, want: []string{"BV3:warn~due 2025-01-08 (from 2025-01-06)"}},
		{name: "BV3 planned before any injection", in: ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeBuvidalWeekly}, Current: mg(16), To: mg(24),
			Effective: date("2025-01-01"), NaiveInduction: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			code := in.Medicine.Code
			if code == "" {
				code = dosing.CodeMethadone
			}
			in.Medicine = medicine(t, code)
			if in.Stage == "" {
				in.Stage = StageTitration
			}
			in.RegimeStart = regimeStart
			if in.Effective.IsZero() {
				in.Effective = date("2025-02-20")
			}
			if err := ValidateChange(in); err != nil {
				t.Fatal(err)
			}
			assertFindings(t, CheckChange(policy.Defaults(), in), tt.want...)
		})
	}
}

func TestCheckChangeTunedNumbers(t *testing.T) {
	t.Parallel()
	n, err := policy.ParseOverrides(policy.Defaults(), "M2.max_step_mg=5")
	if err != nil {
		t.Fatal(err)
	}
	in := ChangeInput{
		Medicine: medicine(t, dosing.CodeMethadone), Stage: StageTitration, RegimeStart: date("2025-01-01"),
		Current: mg(30), To: mg(36), Effective: date("2025-03-01"),
	}
	assertFindings(t, CheckChange(n, in), "M2:override~maximum step of 5 mg")
}

func TestValidateChange(t *testing.T) {
	t.Parallel()
	base := func(t *testing.T) ChangeInput {
		return ChangeInput{Medicine: medicine(t, dosing.CodeMethadone), Stage: StageTitration,
			RegimeStart: date("2025-01-01"), Current: mg(30), To: mg(40), Effective: date("2025-01-10")}
	}
	tests := []struct {
		name    string
		edit    func(*ChangeInput)
		wantErr string
		fields  []string
	}{
		{name: "valid", edit: func(*ChangeInput) {}},
		{name: "same dose", edit: func(in *ChangeInput) { in.To = mg(30) }, wantErr: "already in force", fields: []string{"to"}},
		{name: "zero dose", edit: func(in *ChangeInput) { in.To = 0 }, wantErr: "end the regime", fields: []string{"to"}},
		{name: "bad stage", edit: func(in *ChangeInput) { in.Stage = "stable" }, wantErr: `stage "stable"`, fields: []string{"stage"}},
		{name: "no effective date", edit: func(in *ChangeInput) { in.Effective = calendar.Date{} }, wantErr: "effective date is required", fields: []string{"effective_date"}},
		{name: "before regime", edit: func(in *ChangeInput) { in.Effective = date("2024-12-31") }, wantErr: "before the regime start", fields: []string{"effective_date"}},
		{name: "no medicine", edit: func(in *ChangeInput) { in.Medicine = dosing.Medicine{} }, wantErr: "medicine", fields: []string{"medicine"}},
		{name: "before a later recorded change", edit: func(in *ChangeInput) { in.Latest = date("2025-01-11") }, wantErr: "2025-01-11", fields: []string{"effective_date"}},
		{name: "same day as the latest change", edit: func(in *ChangeInput) { in.Latest = date("2025-01-10") }},
		{name: "withdrawing a planned change", edit: func(in *ChangeInput) { in.Latest = date("2025-01-10"); in.Supersedes = true; in.To = mg(30) }},
		{name: "a dose tablets cannot make", edit: func(in *ChangeInput) {
			in.Medicine, in.Current, in.To = medicine(t, dosing.CodeBuprenorphineSL), mg(12), dosing.Micrograms(14_300)
		}, wantErr: "14.3 mg cannot be made from whole units of Buprenorphine sublingual tablets (0.4 mg, 2 mg, 8 mg): give a multiple of 0.4 mg, e.g. 14 mg or 14.4 mg", fields: []string{"to"}},
		{name: "a dose the naloxone combination cannot make", edit: func(in *ChangeInput) {
			in.Medicine, in.Current, in.To = medicine(t, dosing.CodeBuprenorphineNalSL), mg(12), mg(13)
		}, wantErr: "multiple of 2 mg, e.g. 12 mg or 14 mg", fields: []string{"to"}},
		{name: "methadone is measured, any dose", edit: func(in *ChangeInput) { in.To = dosing.Micrograms(32_500) }},
		{name: "every field at once", edit: func(in *ChangeInput) { in.Stage = "x"; in.To = 0; in.Latest = date("2025-02-01") },
			wantErr: "stage", fields: []string{"stage", "effective_date", "to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base(t)
			tt.edit(&in)
			err := ValidateChange(in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if got := fieldNames(err); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

// StepFrom is what M2 judges a change against (the out-of-order case of
// the review: 30, then 40 from 10 Dec; a change from 3 Dec is refused by
// ValidateChange, and one on 10 Dec supersedes 40, stepping from 30).
func TestStepFrom(t *testing.T) {
	t.Parallel()
	history := []DoseChange{
		{Effective: date("2026-12-01"), From: 0, To: mg(30)},
		{Effective: date("2026-12-05"), From: mg(30), To: mg(35)},
		{Effective: date("2026-12-10"), From: mg(35), To: mg(40)},
	}
	tests := []struct {
		day       string
		from      int64
		stepCount int
	}{
		{"2026-12-01", 30, 0}, // same day as the start: the starting dose stands
		{"2026-12-04", 30, 0},
		{"2026-12-05", 30, 0}, // supersedes the 35 mg change
		{"2026-12-10", 35, 1}, // supersedes the 40 mg change
		{"2026-12-11", 40, 2},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			t.Parallel()
			from, steps := StepFrom(history, date(tt.day))
			if from != mg(tt.from) || len(steps) != tt.stepCount {
				t.Fatalf("StepFrom = %s, %d steps; want %d mg, %d", from, len(steps), tt.from, tt.stepCount)
			}
		})
	}
	// 35 mg on 5 Dec was superseded by 40 mg the same day: one step of
	// 10 mg took effect, not 5 and 10.
	superseded := append(slices.Clone(history[:2]), DoseChange{Effective: date("2026-12-05"), From: mg(30), To: mg(40)})
	if from, steps := StepFrom(superseded, date("2026-12-07")); from != mg(40) || len(steps) != 1 || steps[0].To != mg(40) {
		t.Fatalf("after a superseded change: StepFrom = %s, %v", from, steps)
	}
	// Superseding 40 on 10 Dec with 50 is a 15 mg step from 35: M2 sees it.
	from, steps := StepFrom(history, date("2026-12-10"))
	in := ChangeInput{Medicine: dosing.Medicine{Code: dosing.CodeMethadone, Class: dosing.ClassMethadone}, Stage: StageTitration,
		RegimeStart: date("2026-12-01"), Current: from, To: mg(50), Effective: date("2026-12-10"), Latest: date("2026-12-10"), History: steps}
	if err := ValidateChange(in); err != nil {
		t.Fatal(err)
	}
	// Steps in the 7 days to 10 Dec: 5 (35) + 15 (this) = 20, within 30.
	assertFindings(t, CheckChange(policy.Defaults(), in), "M2:override~15 mg (35 to 50 mg)")
}

// LastSupplied: the dose the patient last actually had before a new dose
// first reaches them. Days from the change already handed over keep their
// dose (MD4), so the new dose starts with the first day not yet supplied.
func TestLastSupplied(t *testing.T) {
	t.Parallel()
	supplied := func(day string, dose int64) SuppliedDose { return SuppliedDose{Date: date(day), Dose: mg(dose)} }
	tests := []struct {
		name      string
		supplied  []SuppliedDose
		effective string
		today     string
		want      string // "date dose" or "" for none
	}{
		{"nothing supplied", nil, "2026-12-03", "2026-12-02", ""},
		{"the day before the change was supplied", []SuppliedDose{supplied("2026-12-01", 20), supplied("2026-12-02", 20)},
			"2026-12-03", "2026-12-02", "2026-12-02 20 mg"},
		{"today's dose given before a change from today", []SuppliedDose{supplied("2026-12-02", 20)}, "2026-12-02", "2026-12-02", "2026-12-02 20 mg"},
		{"a take-home collection covering the change's first days", []SuppliedDose{supplied("2026-12-05", 30), supplied("2026-12-06", 30)},
			"2026-12-06", "2026-12-05", "2026-12-06 30 mg"},
		{"in any order", []SuppliedDose{supplied("2026-12-06", 30), supplied("2026-12-04", 25), supplied("2026-12-05", 30)},
			"2026-12-05", "2026-12-05", "2026-12-06 30 mg"},
		{"the day before is still to come: the dose in force is supplied then", []SuppliedDose{supplied("2026-12-02", 20)},
			"2026-12-05", "2026-12-02", ""},
		{"today not yet supplied: the dose in force is", []SuppliedDose{supplied("2026-12-01", 20)}, "2026-12-03", "2026-12-02", ""},
		{"the day before was missed: the last dose taken", []SuppliedDose{supplied("2026-12-01", 20)}, "2026-12-03", "2026-12-03", "2026-12-01 20 mg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := LastSupplied(tt.supplied, date(tt.effective), date(tt.today))
			text := ""
			if ok {
				text = got.Date.String() + " " + got.Dose.String()
			}
			if text != tt.want {
				t.Fatalf("LastSupplied = %q, want %q", text, tt.want)
			}
		})
	}
}

// M2 and B3 judge an increase from the lower of the dose in force and the
// dose last supplied: a change made after the day's dose was handed over
// starts with the next supply, so a second change cannot step from a dose
// the patient never had.
func TestCheckChangeFromTheDoseSupplied(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	methadone := medicine(t, dosing.CodeMethadone)
	buprenorphine := medicine(t, dosing.CodeBuprenorphineSL)
	// 20 mg given on 2 Dec, then 30 mg recorded from 2 Dec: a step in the window.
	recorded := []DoseChange{{Effective: date("2026-12-02"), From: mg(20), To: mg(30)}}
	tests := []struct {
		name string
		in   ChangeInput
		want []string
	}{
		{"30 to 40, 20 supplied: a 20 mg step", ChangeInput{Medicine: methadone, Current: mg(30), Supplied: mg(20), SuppliedOn: date("2026-12-02"),
			To: mg(40), History: recorded}, []string{"M2:override~Increase of 20 mg (20 to 40 mg) is above the maximum step of 10 mg. The patient was last supplied 20 mg, for 2026-12-02"}},
		{"30 to 40, 30 supplied", ChangeInput{Medicine: methadone, Current: mg(30), Supplied: mg(30), SuppliedOn: date("2026-12-02"),
			To: mg(40), History: recorded}, nil},
		{"nothing known supplied", ChangeInput{Medicine: methadone, Current: mg(30), To: mg(40), History: recorded}, nil},
		{"a higher dose supplied counts from the dose in force", ChangeInput{Medicine: methadone, Current: mg(30), Supplied: mg(35),
			SuppliedOn: date("2026-12-02"), To: mg(40), History: recorded}, nil},
		// 10 (10 to 20) + 10 (20 to 30) + 10 (30 to 40) = 30, within the
		// week's 30: the 20 mg step from the dose supplied is not counted
		// again.
		{"the rolling window counts the rise once", ChangeInput{Medicine: methadone, Current: mg(30), Supplied: mg(20), SuppliedOn: date("2026-12-02"),
			To: mg(40), History: append([]DoseChange{{Effective: date("2026-11-30"), From: mg(10), To: mg(20)}}, recorded...)},
			[]string{"M2:override~Increase of 20 mg"}},
		{"a cut below the recorded dose is still a rise on what was supplied", ChangeInput{Medicine: methadone, Current: mg(30), Supplied: mg(20),
			SuppliedOn: date("2026-12-02"), To: mg(25), History: recorded}, nil},
		{"B3 from the dose supplied", ChangeInput{Medicine: buprenorphine, Current: mg(12), Supplied: mg(8), SuppliedOn: date("2026-12-02"),
			To: mg(16)}, []string{"B3:override~Increase of 8 mg (8 to 16 mg)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			in.Stage, in.RegimeStart, in.Effective = StageTitration, date("2026-12-02"), date("2026-12-03")
			assertFindings(t, CheckChange(n, in), tt.want...)
		})
	}
}

func TestReviewDates(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	// A service that counts an ECG for a year but reviews the high dose
	// every six months: the ECG is due again when it stops counting.
	yearlyECG := n
	yearlyECG.M4ECGValidMonths = 12
	tests := []struct {
		name string
		got  calendar.Date
		want string
	}{
		{"M5 three months", ReviewDue(date("2025-01-15"), n), "2025-04-15"},
		{"M5 clamps to month end", ReviewDue(date("2025-01-31"), n), "2025-04-30"},
		{"M5 across the year into February", ReviewDue(date("2024-11-30"), n), "2025-02-28"},
		{"M4 ECG six months", ECGRecheckDue(date("2025-08-31"), n), "2026-02-28"},
		{"M4 ECG due again when it stops counting, not at the review", ECGRecheckDue(date("2025-08-31"), yearlyECG), "2026-08-31"},
		{"M4 review six months after the dose became high", HighDoseReviewDue(n, date("2025-08-31")), "2026-02-28"},
		{"M4 review before the dose was high does not count", HighDoseReviewDue(n, date("2025-08-31"), date("2025-08-30"), date("2025-03-01")), "2026-02-28"},
		{"M4 review once high counts", HighDoseReviewDue(n, date("2025-08-31"), date("2025-09-15"), date("2025-08-01")), "2026-03-15"},
		{"M4 ECG once high counts", HighDoseReviewDue(n, date("2025-08-31"), calendar.Date{}, date("2025-10-02")), "2026-04-02"},
		{"AddMonths backwards", AddMonths(date("2025-08-31"), -6), "2025-02-28"},
		{"AddMonths leap day", AddMonths(date("2024-02-29"), 12), "2025-02-28"},
		{"AddMonths into leap February", AddMonths(date("2024-01-31"), 1), "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got.String() != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func TestHighDoseSince(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	step := func(day string, from, to int64) DoseChange {
		return DoseChange{Effective: date(day), From: mg(from), To: mg(to)}
	}
	tests := []struct {
		name    string
		history []DoseChange
		want    string // "" when the latest dose is not high
	}{
		{"never high", []DoseChange{step("2025-01-01", 0, 30), step("2025-01-08", 30, 40)}, ""},
		{"started high", []DoseChange{step("2025-01-01", 0, 100)}, "2025-01-01"},
		{"became high", []DoseChange{step("2025-01-01", 0, 90), step("2025-02-01", 90, 100), step("2025-03-01", 100, 110)}, "2025-02-01"},
		{"high again after a dip", []DoseChange{step("2025-01-01", 0, 100), step("2025-02-01", 100, 90), step("2025-03-01", 90, 100)}, "2025-03-01"},
		{"down from high", []DoseChange{step("2025-01-01", 0, 100), step("2025-02-01", 100, 90)}, ""},
		{"same-day change supersedes a high one", []DoseChange{step("2025-01-01", 0, 90), step("2025-02-01", 90, 100), step("2025-02-01", 90, 95)}, ""},
		{"same-day change makes it high", []DoseChange{step("2025-01-01", 0, 100), step("2025-02-01", 100, 90), step("2025-02-01", 100, 105)}, "2025-01-01"},
		{"planned high dose", []DoseChange{step("2025-01-01", 0, 90), step("2025-06-01", 90, 100)}, "2025-06-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := HighDoseSince(n, tt.history)
			if want := tt.want; want == "" && !got.IsZero() || want != "" && got.String() != want {
				t.Fatalf("got %v, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckReview(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	due := date("2025-04-01")
	tests := []struct {
		today string
		want  []string
	}{
		{"2025-04-01", nil},
		{"2025-04-02", []string{"M5:warn~2025-04-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.today, func(t *testing.T) {
			t.Parallel()
			assertFindings(t, CheckReview(n, due, date(tt.today)), tt.want...)
		})
	}
}

func TestRetitrationSuggestion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    string
		current dosing.Micrograms
		missed  int
		want    dosing.Micrograms
		ok      bool
		text    string
		// sedative is a benzodiazepine or alcohol risk recorded; tune
		// sets policy numbers (M1's).
		sedative bool
		tune     string
	}{
		{name: "none missed", current: mg(60), missed: 0},
		{name: "1 day no change", current: mg(60), missed: 1, want: mg(60), ok: true, text: "no change"},
		{name: "2 days no change", current: mg(60), missed: 2, want: mg(60), ok: true, text: "no change"},
		{name: "3 days half", current: mg(60), missed: 3, want: mg(30), ok: true, text: "half"},
		{name: "3 days half rounds down", current: mg(65), missed: 3, want: mg(32), ok: true},
		{name: "3 days half of fractional", current: mg(25) + 500, missed: 3, want: mg(12), ok: true},
		{name: "4 days half below 40", current: mg(60), missed: 4, want: mg(30), ok: true},
		{name: "4 days capped at 40", current: mg(100), missed: 4, want: mg(40), ok: true, text: "lower of 40 mg"},
		{name: "4 days half exactly 40", current: mg(80), missed: 4, want: mg(40), ok: true},
		{name: "5 days induction", current: mg(80), missed: 5, want: mg(30), ok: true, text: "new induction"},
		{name: "7 days low dose kept", current: mg(20), missed: 7, want: mg(20), ok: true, text: "new induction"},
		// The new induction's dose is M1's, from the policy.
		{name: "5 days induction names M1's range", current: mg(80), missed: 5, want: mg(30), ok: true, text: "(M1, 10–30 mg), suggested 30 mg, and"},
		{name: "5 days induction, tuned M1 usual start", current: mg(80), missed: 5, want: mg(20), ok: true, text: "suggested 20 mg",
			tune: "M1.usual_start_max_mg=20"},
		{name: "5 days induction, sedative risk", current: mg(80), missed: 5, want: mg(20), ok: true, sedative: true,
			text: "suggested 20 mg (at most 20 mg with the benzodiazepine or alcohol risk recorded)"},
		{name: "5 days induction, sedative risk, lower dose kept", current: mg(15), missed: 5, want: mg(15), ok: true, sedative: true, text: "suggested 15 mg, and"},
		{name: "5 days induction, sedative risk, tuned threshold", current: mg(80), missed: 5, want: mg(25), ok: true, sedative: true,
			text: "suggested 25 mg", tune: "M1.sedative_warn_above_mg=25"},
		{name: "4 days, sedative risk leaves MD3's halving", current: mg(60), missed: 4, want: mg(30), ok: true, sedative: true},
		{name: "not methadone", code: dosing.CodeBuprenorphineSL, current: mg(8), missed: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code := tt.code
			if code == "" {
				code = dosing.CodeMethadone
			}
			n := policy.Defaults()
			if tt.tune != "" {
				var err error
				if n, err = policy.ParseOverrides(n, tt.tune); err != nil {
					t.Fatal(err)
				}
			}
			s, ok := RetitrationSuggestion(n, medicine(t, code), tt.current, tt.missed, tt.sedative)
			if ok != tt.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if s.Rule != "MD3" || s.Dose != tt.want || !strings.Contains(s.Text, tt.text) {
				t.Errorf("got %+v, want dose %s text %q", s, tt.want, tt.text)
			}
		})
	}
}

// MD3's suggestion is withdrawn once a dose entry is recorded after the
// run's last missed day became known, and comes back with a day missed
// after it.
func TestRetitration(t *testing.T) {
	t.Parallel()
	known := time.Date(2026, 3, 29, 22, 30, 0, 0, time.UTC)
	tests := []struct {
		name     string
		current  dosing.Micrograms
		run      MissedRun
		recorded time.Time
		want     dosing.Micrograms // 0: no suggestion
	}{
		{"no run", mg(50), MissedRun{}, known.Add(time.Hour), 0},
		{"3 days, last change before the run", mg(50), MissedRun{Days: 3, Known: known}, known.Add(-72 * time.Hour), mg(25)},
		{"3 days, change recorded the morning of the last missed day", mg(50), MissedRun{Days: 3, Known: known}, known.Add(-12 * time.Hour), mg(25)},
		{"3 days, change recorded as the day closed", mg(50), MissedRun{Days: 3, Known: known}, known, mg(25)},
		{"3 days, halved dose recorded after", mg(25), MissedRun{Days: 3, Known: known}, known.Add(10 * time.Hour), 0},
		{"a day missed after the change", mg(25), MissedRun{Days: 4, Known: known.Add(24 * time.Hour)}, known.Add(10 * time.Hour), mg(12)},
		{"nothing recorded", mg(50), MissedRun{Days: 3, Known: known}, time.Time{}, mg(25)},
		{"5 days with a sedative risk", mg(50), MissedRun{Days: 5, Known: known, SedativeRisk: true}, time.Time{}, mg(20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ok := Retitration(policy.Defaults(), medicine(t, dosing.CodeMethadone), tt.current, tt.run, tt.recorded)
			if ok != (tt.want != 0) || ok && s.Dose != tt.want {
				t.Fatalf("Retitration = %+v, %v; want dose %s", s, ok, tt.want)
			}
		})
	}
}

// M2's first weeks restart when the stage is set back to induction, or to
// titration after a stable spell; moving on from induction does not.
func TestTitrationStart(t *testing.T) {
	t.Parallel()
	start := date("2026-01-05")
	entry := func(d string, s Stage) StageEntry { return StageEntry{Effective: date(d), Stage: s} }
	tests := []struct {
		name   string
		stages []StageEntry
		day    string
		want   string
	}{
		{"no history", nil, "2026-03-10", "2026-01-05"},
		{"induction then titration", []StageEntry{entry("2026-01-05", StageInduction), entry("2026-01-12", StageTitration)}, "2026-03-10", "2026-01-05"},
		{"re-inducted", []StageEntry{entry("2026-01-05", StageTitration), entry("2026-03-02", StageInduction)}, "2026-03-10", "2026-03-02"},
		{"re-inducted from maintenance", []StageEntry{entry("2026-01-05", StageTitration), entry("2026-02-20", StageMaintenance),
			entry("2026-03-02", StageInduction)}, "2026-03-10", "2026-03-02"},
		{"titration again after maintenance", []StageEntry{entry("2026-01-05", StageInduction), entry("2026-02-20", StageMaintenance),
			entry("2026-03-02", StageTitration)}, "2026-03-10", "2026-03-02"},
		{"titration again after reduction", []StageEntry{entry("2026-01-05", StageMaintenance), entry("2026-02-01", StageReduction),
			entry("2026-03-02", StageTitration)}, "2026-03-10", "2026-03-02"},
		{"the latest restart counts", []StageEntry{entry("2026-01-05", StageTitration), entry("2026-02-01", StageInduction),
			entry("2026-02-20", StageMaintenance), entry("2026-03-02", StageTitration)}, "2026-03-10", "2026-03-02"},
		{"a restart planned after the day", []StageEntry{entry("2026-01-05", StageTitration), entry("2026-03-12", StageInduction)}, "2026-03-10", "2026-01-05"},
		{"restart on the day itself", []StageEntry{entry("2026-01-05", StageTitration), entry("2026-03-10", StageInduction)}, "2026-03-10", "2026-03-10"},
		{"to maintenance restarts nothing", []StageEntry{entry("2026-01-05", StageTitration), entry("2026-03-02", StageMaintenance)}, "2026-03-10", "2026-01-05"},
		{"a same-day entry superseded", []StageEntry{entry("2026-01-05", StageMaintenance), entry("2026-03-02", StageInduction),
			entry("2026-03-02", StageMaintenance)}, "2026-03-10", "2026-01-05"},
		{"a pattern change keeps the stage", []StageEntry{entry("2026-01-05", StageInduction), entry("2026-03-02", StageInduction)}, "2026-03-10", "2026-01-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := TitrationStart(start, tt.stages, date(tt.day)); got.String() != tt.want {
				t.Fatalf("TitrationStart = %s, want %s", got, tt.want)
			}
		})
	}
}

// Weeks after the regime's start, a re-inducted patient meets M2's rolling
// 7-day cap again.
func TestCheckChangeAfterReinduction(t *testing.T) {
	t.Parallel()
	history := []DoseChange{
		{Effective: date("2026-03-04"), From: mg(20), To: mg(30)},
		{Effective: date("2026-03-06"), From: mg(30), To: mg(40)},
		{Effective: date("2026-03-08"), From: mg(40), To: mg(50)},
	}
	in := ChangeInput{Medicine: medicine(t, dosing.CodeMethadone), Stage: StageInduction, RegimeStart: date("2026-01-05"),
		Current: mg(50), To: mg(60), Effective: date("2026-03-09"), History: history}
	assertFindings(t, CheckChange(policy.Defaults(), in))
	in.TitrationStart = date("2026-03-02")
	assertFindings(t, CheckChange(policy.Defaults(), in), "M2:override~restarted on 2026-03-02")
}

// T1: a change withdraws the changes planned on or after its day and not
// yet in force; changes in force and the starting dose stand.
func TestWithdraws(t *testing.T) {
	t.Parallel()
	history := []DoseChange{
		{Effective: date("2027-03-01"), From: 0, To: mg(30)},
		{Effective: date("2027-03-02"), From: mg(30), To: mg(40)},
		{Effective: date("2027-03-03"), From: mg(40), To: mg(50)},
		{Effective: date("2027-03-04"), From: mg(50), To: mg(60)},
	}
	tests := []struct {
		name       string
		day, today string
		want       []int
	}{
		{"hold from tomorrow withdraws every planned step", "2027-03-02", "2027-03-01", []int{1, 2, 3}},
		{"a change today withdraws the planned steps", "2027-03-01", "2027-03-01", []int{1, 2, 3}},
		{"from the second step on", "2027-03-03", "2027-03-01", []int{2, 3}},
		{"after every step", "2027-03-05", "2027-03-01", nil},
		{"a step in force today stands", "2027-03-02", "2027-03-02", []int{2, 3}},
		{"steps in force stand", "2027-03-03", "2027-03-03", []int{3}},
		{"all in force", "2027-03-04", "2027-03-04", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Withdraws(history, date(tt.day), date(tt.today)); !slices.Equal(got, tt.want) {
				t.Fatalf("Withdraws = %v, want %v", got, tt.want)
			}
		})
	}
	// A regime starting later keeps its starting dose: a change on its
	// first day replaces it (StepFrom), never withdraws it.
	future := []DoseChange{{Effective: date("2027-03-05"), From: 0, To: mg(30)}, {Effective: date("2027-03-07"), From: mg(30), To: mg(40)}}
	if got := Withdraws(future, date("2027-03-05"), date("2027-03-01")); !slices.Equal(got, []int{1}) {
		t.Fatalf("Withdraws before the start = %v, want [1]", got)
	}
}

func TestWithdrawalFinding(t *testing.T) {
	t.Parallel()
	f := WithdrawalFinding(policy.Defaults(), []DoseChange{
		{Effective: date("2027-03-02"), From: mg(30), To: mg(40)},
		{Effective: date("2027-03-03"), From: mg(40), To: mg(50)},
		{Effective: date("2027-03-04"), From: mg(50), To: mg(60)},
	})
	assertFindings(t, []policy.Finding{f}, "T1:info~40 mg from 2027-03-02, 50 mg from 2027-03-03 and 60 mg from 2027-03-04")
}
