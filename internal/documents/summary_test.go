package documents

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

func TestDayList(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return calendar.MustParse(s) }
	for _, tc := range []struct {
		days []calendar.Date
		want string
	}{
		{nil, ""},
		{[]calendar.Date{d("2026-12-09")}, "9 Dec 2026"},
		{[]calendar.Date{d("2026-12-09"), d("2026-12-10"), d("2026-12-11"), d("2026-12-12"), d("2026-12-13")}, "9–13 Dec 2026"},
		{[]calendar.Date{d("2026-11-30"), d("2026-12-01")}, "30 Nov – 1 Dec 2026"},
		{[]calendar.Date{d("2026-12-31"), d("2027-01-01")}, "31 Dec 2026 – 1 Jan 2027"},
		{[]calendar.Date{d("2026-12-09"), d("2026-12-11"), d("2026-12-12")}, "9 Dec 2026 and 11–12 Dec 2026"},
	} {
		if got := dayList(tc.days); got != tc.want {
			t.Errorf("dayList(%v) = %q, want %q", tc.days, got, tc.want)
		}
	}
}

// The letter's supervision names the pharmacy's closed days, as the
// prescription does, except those whose dose the pattern supplies earlier
// anyway; "when it is open" only when a supervised day may be closed.
func TestSupervisionText(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-12-02")
	weekendsHome := regimes.AllSupervised()
	weekendsHome[time.Saturday] = regimes.PickupTakeHome
	weekendsHome[time.Sunday] = regimes.PickupEarlier
	tests := []struct {
		name    string
		pattern regimes.WeeklyPattern
		opening string
		want    string
	}{
		{"default opening", regimes.WeeklyPattern{}, "",
			"Consumption supervised at the pharmacy every day when it is open. The pharmacy is closed on Sundays and bank holidays: those days' doses are supplied to take home with the instalment before."},
		{"open every day", regimes.AllSupervised(), `{"closed_weekdays":[],"bank_holidays_closed":false}`,
			"Consumption supervised at the pharmacy every day."},
		{"closed dates from today on", regimes.AllSupervised(),
			`{"closed_weekdays":["saturday","sunday"],"closed_dates":["2026-12-29","2026-12-01","2026-12-30","2027-01-05"],"open_dates":["2027-01-05"],"bank_holidays_closed":false}`,
			"Consumption supervised at the pharmacy every day when it is open. The pharmacy is closed on Saturdays, Sundays and 29–30 Dec 2026: those days' doses are supplied to take home with the instalment before."},
		{"a closed Sunday supplied on Saturday anyway", weekendsHome, `{"closed_weekdays":["sunday"],"bank_holidays_closed":false}`,
			"Consumption supervised at the pharmacy on Mon–Fri; take-home dose collected on Sat; Sun dose supplied on Sat to take home."},
		{"a closed take-home day", weekendsHome, `{"closed_weekdays":["saturday"],"bank_holidays_closed":false}`,
			"Consumption supervised at the pharmacy on Mon–Fri; take-home dose collected on Sat; Sun dose supplied on Sat to take home. The pharmacy is closed on Saturdays: those days' doses are supplied to take home with the instalment before."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := supervisionText(tt.pattern, tt.opening, today); got != tt.want {
				t.Errorf("supervisionText = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A maintenance dose is called stable only while it has not changed since
// the stage began, nor changes today, and no change is planned.
func TestStageText(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	var none calendar.Date
	today := d("2026-12-02")
	tests := []struct {
		name                     string
		stage                    regimes.Stage
		since, adjusted, planned calendar.Date
		want                     string
	}{
		{"stable", regimes.StageMaintenance, d("2026-07-31"), d("2026-07-31"), none, "Maintenance since 31 Jul 2026: a stable dose."},
		{"adjusted since", regimes.StageMaintenance, d("2026-07-31"), d("2026-09-01"), none,
			"Maintenance since 31 Jul 2026: the dose was last adjusted on 1 Sep 2026."},
		{"change planned", regimes.StageMaintenance, d("2026-07-31"), d("2026-07-31"), d("2026-12-14"),
			"Maintenance since 31 Jul 2026: a change of dose is planned from 14 Dec 2026."},
		{"adjusted and planned", regimes.StageMaintenance, d("2026-07-31"), d("2026-09-01"), d("2026-12-14"),
			"Maintenance since 31 Jul 2026: the dose was last adjusted on 1 Sep 2026; a change of dose is planned from 14 Dec 2026."},
		{"reduction with a planned step", regimes.StageReduction, d("2026-07-31"), d("2026-09-01"), d("2026-12-14"),
			"Planned reduction since 31 Jul 2026: the dose is lowered step by step, as the service decides."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := stageText(tt.stage, tt.since, tt.adjusted, tt.planned, today); got != tt.want {
				t.Errorf("stageText = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A dose history entry shows the stage it set, and from which when it
// changed it, so that a stage changed alone (the dose the same) reads as
// such in the letter's table.
func TestEntryStage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		prev, st regimes.Stage
		want     string
	}{
		{"", regimes.StageTitration, "Titration"},
		{regimes.StageTitration, regimes.StageTitration, "Titration"},
		{regimes.StageTitration, regimes.StageMaintenance, "Titration → maintenance"},
		{regimes.StageMaintenance, regimes.StageReduction, "Maintenance → reduction"},
		{regimes.StageReduction, regimes.StageInduction, "Reduction → induction"},
		{regimes.StageTitration, "", ""}, // an entry that names none
	} {
		if got := entryStage(tt.prev, tt.st); got != tt.want {
			t.Errorf("entryStage(%q, %q) = %q, want %q", tt.prev, tt.st, got, tt.want)
		}
	}
}

// The letter's dose changes name each entry's stage, a change of stage
// counted from the entry before that stood: not one the same day replaced,
// and for an earlier regime, not only those within the letter's period.
func TestSummaryTitrationStages(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	mg := func(n int) dosing.Micrograms { return dosing.Micrograms(n) * dosing.Milligram }
	today := d("2026-11-18")
	superseded := &store.Withdrawal{DoseChangeID: "c3"}
	earlier := store.Regime{ID: "r0", Medicine: dosing.CodeBuprenorphineSL, StartDate: d("2026-01-05"), EndedOn: d("2026-05-31"),
		Status: store.RegimeEnded}
	current := store.Regime{ID: "r1", Medicine: "methadone_oral_solution_1mg_ml", StartDate: d("2026-06-01"), Status: store.RegimeActive,
		Stage: regimes.StageReduction}
	rec := store.SummaryRecords{Regime: current, History: []store.DoseChange{
		{ID: "c1", To: mg(30), EffectiveDate: d("2026-06-01"), Stage: regimes.StageTitration, Reason: "Starting dose"},
		{ID: "c2", From: mg(30), To: mg(40), EffectiveDate: d("2026-06-08"), Stage: regimes.StageMaintenance, Reason: "entered in error",
			SupersededBy: superseded},
		{ID: "c3", From: mg(30), To: mg(40), EffectiveDate: d("2026-06-08"), Stage: regimes.StageTitration, Reason: "Withdrawal"},
		{ID: "c4", From: mg(40), To: mg(40), EffectiveDate: d("2026-07-07"), Stage: regimes.StageMaintenance, Reason: "stable"},
		{ID: "c5", From: mg(40), To: mg(40), EffectiveDate: d("2026-11-25"), Stage: regimes.StageReduction, Reason: "Wants to reduce"},
	}}
	more := store.SummaryContext{Stage: regimes.StageMaintenance, StageSince: d("2026-07-07"), Earlier: []store.SummaryRegime{{Regime: earlier,
		History: []store.DoseChange{
			{ID: "e1", To: mg(8), EffectiveDate: d("2026-01-05"), Stage: regimes.StageTitration, Reason: "Starting dose"},
			{ID: "e2", From: mg(8), To: mg(12), EffectiveDate: d("2026-03-02"), Stage: regimes.StageMaintenance, Reason: "Cravings"},
			{ID: "e3", From: mg(12), To: mg(12), EffectiveDate: d("2026-05-25"), Stage: regimes.StageReduction, Reason: "Wants to stop"},
		}}}}
	v := SharedCareSummary(rec, more, policy.Defaults(), time.UTC, today)
	var got []string
	for _, r := range v.Titrations {
		got = append(got, r.Date.String()+" "+r.From+" "+r.To+" "+r.Stage)
	}
	want := []string{
		// The period starts on 18 May: the earlier regime's entry before it
		// still says what the stage was.
		"2026-05-25 12 mg 12 mg Maintenance → reduction",
		"2026-06-01 12 mg 30 mg Titration",
		"2026-06-08 30 mg 40 mg Titration",
		"2026-07-07 40 mg 40 mg Titration → maintenance",
		"2026-11-25 40 mg 40 mg Maintenance → reduction",
	}
	if !slices.Equal(got, want) {
		t.Errorf("dose changes =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEveryMonths(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{1: "every month", 3: "every 3 months", 12: "every 12 months"} {
		if got := everyMonths(n); got != want {
			t.Errorf("everyMonths(%d) = %q, want %q", n, got, want)
		}
	}
}
