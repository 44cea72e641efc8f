package prescriptions

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

var (
	allSupervised = UniformPattern(PickupSupervised)
	allTakeHome   = UniformPattern(PickupTakeHome)
	// weekdaysSupervised is Monday–Friday supervised, weekend take-home.
	weekdaysSupervised = WeeklyPattern{
		time.Sunday: PickupTakeHome, time.Monday: PickupSupervised, time.Tuesday: PickupSupervised,
		time.Wednesday: PickupSupervised, time.Thursday: PickupSupervised, time.Friday: PickupSupervised,
		time.Saturday: PickupTakeHome,
	}
	// saturdayCollectsSunday supervises every day but Sunday, whose dose is
	// handed out with Saturday's.
	saturdayCollectsSunday = func() WeeklyPattern {
		p := UniformPattern(PickupSupervised)
		p[time.Sunday] = PickupEarlier
		return p
	}()
	alwaysOpen = calendar.Opening{}
)

// renderSchedule writes one line per instalment, "date S<supervised mg>
// T<take-home mg> covered MM-DD,…", so expectations read like a dispensing sheet.
func renderSchedule(s Schedule) []string {
	lines := make([]string, 0, len(s.Instalments))
	for _, in := range s.Instalments {
		covers := make([]string, len(in.Covers))
		for i, d := range in.Covers {
			covers[i] = d.Format("01-02")
		}
		lines = append(lines, fmt.Sprintf("%s S%s T%s %s", in.Date, in.Supervised.MilligramsString(),
			in.TakeHome.MilligramsString(), strings.Join(covers, ",")))
	}
	return lines
}

func TestBuildSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		in           ScheduleInput
		want         []string
		wantClosed   bool
		wantTakeHome bool
		wantTotal    dosing.Micrograms
	}{
		{
			name:      "one day",
			in:        ScheduleInput{Start: calendar.MustParse("2026-03-02"), Days: 1, Daily: dosing.Mg(30), Pattern: allSupervised, Opening: calendar.DefaultOpening()},
			want:      []string{"2026-03-02 S30 T0 03-02"},
			wantTotal: dosing.Mg(30),
		},
		{
			// Clocks go forward on Sunday 29 March 2026; the closed Sunday
			// and Good Friday (3 April) are supplied the day before.
			name: "all supervised across spring clock change and Easter",
			in:   ScheduleInput{Start: calendar.MustParse("2026-03-23"), Days: 14, Daily: dosing.Mg(30), Pattern: allSupervised, Opening: calendar.DefaultOpening()},
			want: []string{
				"2026-03-23 S30 T0 03-23",
				"2026-03-24 S30 T0 03-24",
				"2026-03-25 S30 T0 03-25",
				"2026-03-26 S30 T0 03-26",
				"2026-03-27 S30 T0 03-27",
				"2026-03-28 S30 T30 03-28,03-29",
				"2026-03-30 S30 T0 03-30",
				"2026-03-31 S30 T0 03-31",
				"2026-04-01 S30 T0 04-01",
				"2026-04-02 S30 T30 04-02,04-03",
				"2026-04-04 S30 T30 04-04,04-05",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(420),
		},
		{
			name: "spring clock change, pharmacy open every day",
			in:   ScheduleInput{Start: calendar.MustParse("2026-03-27"), Days: 5, Daily: dosing.Mg(60), Pattern: allSupervised, Opening: alwaysOpen},
			want: []string{
				"2026-03-27 S60 T0 03-27",
				"2026-03-28 S60 T0 03-28",
				"2026-03-29 S60 T0 03-29",
				"2026-03-30 S60 T0 03-30",
				"2026-03-31 S60 T0 03-31",
			},
			wantTotal: dosing.Mg(300),
		},
		{
			// Clocks go back on Sunday 25 October 2026: the 25-hour day is
			// still one dose day.
			name: "autumn clock change, pharmacy open every day",
			in:   ScheduleInput{Start: calendar.MustParse("2026-10-23"), Days: 5, Daily: dosing.Mg(60), Pattern: allSupervised, Opening: alwaysOpen},
			want: []string{
				"2026-10-23 S60 T0 10-23",
				"2026-10-24 S60 T0 10-24",
				"2026-10-25 S60 T0 10-25",
				"2026-10-26 S60 T0 10-26",
				"2026-10-27 S60 T0 10-27",
			},
			wantTotal: dosing.Mg(300),
		},
		{
			name: "autumn clock change, weekend take-home",
			in:   ScheduleInput{Start: calendar.MustParse("2026-10-21"), Days: 7, Daily: dosing.Mg(45), Pattern: weekdaysSupervised, Opening: calendar.DefaultOpening()},
			want: []string{
				"2026-10-21 S45 T0 10-21",
				"2026-10-22 S45 T0 10-22",
				"2026-10-23 S45 T0 10-23",
				"2026-10-24 S0 T90 10-24,10-25",
				"2026-10-26 S45 T0 10-26",
				"2026-10-27 S45 T0 10-27",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(315),
		},
		{
			name: "over month end",
			in:   ScheduleInput{Start: calendar.MustParse("2026-02-26"), Days: 5, Daily: dosing.Mg(40), Pattern: allSupervised, Opening: alwaysOpen},
			want: []string{
				"2026-02-26 S40 T0 02-26",
				"2026-02-27 S40 T0 02-27",
				"2026-02-28 S40 T0 02-28",
				"2026-03-01 S40 T0 03-01",
				"2026-03-02 S40 T0 03-02",
			},
			wantTotal: dosing.Mg(200),
		},
		{
			// Christmas Friday, Boxing Day substitute Monday 28th, New Year's
			// Day Friday; Saturday 26th is an ordinary open day.
			name: "over year end, all supervised",
			in:   ScheduleInput{Start: calendar.MustParse("2026-12-24"), Days: 14, Daily: dosing.Mg(30), Pattern: allSupervised, Opening: calendar.DefaultOpening()},
			want: []string{
				"2026-12-24 S30 T30 12-24,12-25",
				"2026-12-26 S30 T60 12-26,12-27,12-28",
				"2026-12-29 S30 T0 12-29",
				"2026-12-30 S30 T0 12-30",
				"2026-12-31 S30 T30 12-31,01-01",
				"2027-01-02 S30 T30 01-02,01-03",
				"2027-01-04 S30 T0 01-04",
				"2027-01-05 S30 T0 01-05",
				"2027-01-06 S30 T0 01-06",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(420),
		},
		{
			name: "over year end, weekend take-home",
			in:   ScheduleInput{Start: calendar.MustParse("2026-12-24"), Days: 15, Daily: dosing.Mg(30), Pattern: weekdaysSupervised, Opening: calendar.DefaultOpening()},
			want: []string{
				"2026-12-24 S30 T30 12-24,12-25",
				"2026-12-26 S0 T90 12-26,12-27,12-28",
				"2026-12-29 S30 T0 12-29",
				"2026-12-30 S30 T0 12-30",
				"2026-12-31 S30 T30 12-31,01-01",
				"2027-01-02 S0 T60 01-02,01-03",
				"2027-01-04 S30 T0 01-04",
				"2027-01-05 S30 T0 01-05",
				"2027-01-06 S30 T0 01-06",
				"2027-01-07 S30 T0 01-07",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(450),
		},
		{
			// Christmas 2027 is a Saturday: substitutes Monday 27 and Tuesday
			// 28, and the 25th itself is closed too (common-law holiday).
			name: "Christmas on a Saturday",
			in:   ScheduleInput{Start: calendar.MustParse("2027-12-23"), Days: 7, Daily: dosing.Mg(8), Pattern: allSupervised, Opening: calendar.DefaultOpening()},
			want: []string{
				"2027-12-23 S8 T0 12-23",
				"2027-12-24 S8 T32 12-24,12-25,12-26,12-27,12-28",
				"2027-12-29 S8 T0 12-29",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(56),
		},
		{
			// Sunday 30 May and the spring bank holiday on Monday 31 May both
			// go with Saturday 29 May.
			name: "14 days with closed Sunday and spring bank holiday",
			in:   ScheduleInput{Start: calendar.MustParse("2027-05-24"), Days: 14, Daily: dosing.Mg(70), Pattern: allSupervised, Opening: calendar.DefaultOpening()},
			want: []string{
				"2027-05-24 S70 T0 05-24",
				"2027-05-25 S70 T0 05-25",
				"2027-05-26 S70 T0 05-26",
				"2027-05-27 S70 T0 05-27",
				"2027-05-28 S70 T0 05-28",
				"2027-05-29 S70 T140 05-29,05-30,05-31",
				"2027-06-01 S70 T0 06-01",
				"2027-06-02 S70 T0 06-02",
				"2027-06-03 S70 T0 06-03",
				"2027-06-04 S70 T0 06-04",
				"2027-06-05 S70 T70 06-05,06-06",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(980),
		},
		{
			name: "Saturday collects Sunday, pharmacy open every day",
			in:   ScheduleInput{Start: calendar.MustParse("2027-05-27"), Days: 7, Daily: dosing.Mg(50), Pattern: saturdayCollectsSunday, Opening: alwaysOpen},
			want: []string{
				"2027-05-27 S50 T0 05-27",
				"2027-05-28 S50 T0 05-28",
				"2027-05-29 S50 T50 05-29,05-30",
				"2027-05-31 S50 T0 05-31",
				"2027-06-01 S50 T0 06-01",
				"2027-06-02 S50 T0 06-02",
			},
			wantTakeHome: true, wantTotal: dosing.Mg(350),
		},
		{
			// The pattern already puts Sunday with Saturday; only the bank
			// holiday is carried because of a closure.
			name: "Saturday collects Sunday, default opening over bank holiday",
			in:   ScheduleInput{Start: calendar.MustParse("2027-05-29"), Days: 3, Daily: dosing.Mg(50), Pattern: saturdayCollectsSunday, Opening: calendar.DefaultOpening()},
			want: []string{
				"2027-05-29 S50 T100 05-29,05-30,05-31",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(150),
		},
		{
			name: "Saturday collects Sunday, default opening, no holiday",
			in:   ScheduleInput{Start: calendar.MustParse("2027-06-05"), Days: 3, Daily: dosing.Mg(50), Pattern: saturdayCollectsSunday, Opening: calendar.DefaultOpening()},
			want: []string{
				"2027-06-05 S50 T50 06-05,06-06",
				"2027-06-07 S50 T0 06-07",
			},
			wantTakeHome: true, wantTotal: dosing.Mg(150),
		},
		{
			name: "all take-home daily",
			in:   ScheduleInput{Start: calendar.MustParse("2027-06-05"), Days: 3, Daily: 2500, Pattern: allTakeHome, Opening: calendar.DefaultOpening()},
			want: []string{
				"2027-06-05 S0 T5 06-05,06-06",
				"2027-06-07 S0 T2.5 06-07",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: 7500,
		},
		{
			// An explicit open date lets a pharmacy work a bank holiday.
			name: "open on a bank holiday",
			in: ScheduleInput{Start: calendar.MustParse("2027-05-29"), Days: 3, Daily: dosing.Mg(20), Pattern: allSupervised,
				Opening: calendar.Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, BankHolidaysClosed: true, OpenDates: []calendar.Date{calendar.MustParse("2027-05-31")}}},
			want: []string{
				"2027-05-29 S20 T20 05-29,05-30",
				"2027-05-31 S20 T0 05-31",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(60),
		},
		{
			name: "closed all weekend, Friday carries two days",
			in: ScheduleInput{Start: calendar.MustParse("2026-06-05"), Days: 4, Daily: dosing.Mg(10), Pattern: allSupervised,
				Opening: calendar.Opening{ClosedWeekdays: []time.Weekday{time.Saturday, time.Sunday}}},
			want: []string{
				"2026-06-05 S10 T20 06-05,06-06,06-07",
				"2026-06-08 S10 T0 06-08",
			},
			wantClosed: true, wantTakeHome: true, wantTotal: dosing.Mg(40),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := BuildSchedule(tt.in)
			if err != nil {
				t.Fatalf("BuildSchedule: %v", err)
			}
			got := renderSchedule(s)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("instalments:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if s.CarriesClosedDays != tt.wantClosed {
				t.Errorf("CarriesClosedDays = %v, want %v", s.CarriesClosedDays, tt.wantClosed)
			}
			if s.CarriesTakeHome != tt.wantTakeHome {
				t.Errorf("CarriesTakeHome = %v, want %v", s.CarriesTakeHome, tt.wantTakeHome)
			}
			if s.Total != tt.wantTotal {
				t.Errorf("Total = %s, want %s", s.Total, tt.wantTotal)
			}
			checkScheduleInvariants(t, tt.in, s)
		})
	}
}

// checkScheduleInvariants holds for every schedule: each dose day is covered
// exactly once, in order, by a collection on or before it; collections fall
// on open days; and the amounts add up to the total.
func checkScheduleInvariants(t *testing.T, in ScheduleInput, s Schedule) {
	t.Helper()
	day := in.Start
	var sum dosing.Micrograms
	for _, inst := range s.Instalments {
		if !in.Opening.IsOpen(inst.Date) {
			t.Errorf("instalment on closed day %s", inst.Date)
		}
		if len(inst.Covers) == 0 || !inst.Covers[0].Equal(inst.Date) {
			t.Errorf("instalment %s covers %v, want its own date first", inst.Date, inst.Covers)
		}
		for _, c := range inst.Covers {
			if !c.Equal(day) {
				t.Errorf("instalment %s covers %s, want %s", inst.Date, c, day)
			}
			if c.Before(inst.Date) {
				t.Errorf("instalment %s supplies %s after its day", inst.Date, c)
			}
			day = day.AddDays(1)
		}
		if got := in.Daily * dosing.Micrograms(len(inst.Covers)); inst.Amount() != got {
			t.Errorf("instalment %s amount %s, want %s", inst.Date, inst.Amount(), got)
		}
		sum += inst.Amount()
	}
	if want := in.Start.AddDays(in.Days); !day.Equal(want) {
		t.Errorf("covered up to %s, want up to %s", day, want)
	}
	if sum != s.Total || s.Total != in.Daily*dosing.Micrograms(in.Days) {
		t.Errorf("sum %s, Total %s, want %s", sum, s.Total, in.Daily*dosing.Micrograms(in.Days))
	}
}

func TestBuildScheduleErrors(t *testing.T) {
	t.Parallel()
	ok := ScheduleInput{Start: calendar.MustParse("2026-03-02"), Days: 7, Daily: dosing.Mg(30), Pattern: allSupervised, Opening: calendar.DefaultOpening()}
	with := func(f func(*ScheduleInput)) ScheduleInput {
		in := ok
		f(&in)
		return in
	}
	tests := []struct {
		name string
		in   ScheduleInput
		want []string
	}{
		{"starts on closed Sunday", with(func(in *ScheduleInput) { in.Start = calendar.MustParse("2026-03-01") }),
			[]string{"2026-03-01", "Sunday", "pharmacy is closed", "start the prescription on 2026-02-28 (Saturday), so that its first collection carries this dose"}},
		{"starts on bank holiday", with(func(in *ScheduleInput) { in.Start = calendar.MustParse("2027-05-31") }),
			[]string{"2027-05-31", "pharmacy is closed"}},
		{"starts on a day the pattern collects earlier", with(func(in *ScheduleInput) {
			in.Start = calendar.MustParse("2026-03-01")
			in.Pattern = saturdayCollectsSunday
			in.Opening = alwaysOpen
		}), []string{"2026-03-01", "earlier collection", "start the prescription on 2026-02-28 (Saturday), so that its first collection carries this dose"}},
		{"zero days", with(func(in *ScheduleInput) { in.Days = 0 }), []string{"at least 1 day, not 0"}},
		{"negative days", with(func(in *ScheduleInput) { in.Days = -3 }), []string{"at least 1 day, not -3"}},
		{"zero dose", with(func(in *ScheduleInput) { in.Daily = 0 }), []string{"more than 0 mg"}},
		{"negative dose", with(func(in *ScheduleInput) { in.Daily = -500 }), []string{"not -0.5 mg"}},
		{"total overflows", with(func(in *ScheduleInput) { in.Daily = math.MaxInt64 / 2 }), []string{"too large"}},
		{"no start", with(func(in *ScheduleInput) { in.Start = calendar.Date{} }), []string{"start date is missing"}},
		{"empty pattern", with(func(in *ScheduleInput) { in.Pattern = WeeklyPattern{} }), []string{"Sunday", `""`}},
		{"unknown pickup", with(func(in *ScheduleInput) { in.Pattern[time.Wednesday] = "posted" }), []string{"Wednesday", `"posted"`}},
		{"always closed", with(func(in *ScheduleInput) {
			in.Opening = calendar.Opening{ClosedWeekdays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
		}), []string{"pharmacy opening", "at least one weekday"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := BuildSchedule(tt.in)
			if err == nil {
				t.Fatalf("BuildSchedule = %v, want error", renderSchedule(s))
			}
			if !errors.Is(err, ErrInvalidSchedule) {
				t.Errorf("error %v does not wrap ErrInvalidSchedule", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestPickupValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Pickup
		want bool
	}{
		{PickupSupervised, true},
		{PickupTakeHome, true},
		{PickupEarlier, true},
		{"", false},
		{"Supervised", false},
		{"take-home", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.p), func(t *testing.T) {
			t.Parallel()
			if got := tt.p.Valid(); got != tt.want {
				t.Errorf("Pickup(%q).Valid() = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestCheckPeriod(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	tests := []struct {
		name       string
		prescribed calendar.Date
		start      calendar.Date
		days       int
		want       []policy.Finding // Rule, Severity and a fragment of Message
	}{
		{"same day, 14 days", d("2026-03-02"), d("2026-03-02"), 14, nil},
		{"one day", d("2026-03-02"), d("2026-03-02"), 1, nil},
		{"start 28 days later", d("2026-03-02"), d("2026-03-30"), 14, nil},
		{"start 29 days later", d("2026-03-02"), d("2026-03-31"), 14,
			[]policy.Finding{{Rule: "L3", Severity: policy.Block, Message: "is 29 days after the prescription date (2026-03-02); it must be within 28 days"}}},
		{"start before prescription", d("2026-03-02"), d("2026-03-01"), 14,
			[]policy.Finding{{Rule: "L3", Severity: policy.Block, Message: "(2026-03-01) is 1 day before the prescription date"}}},
		{"15 days", d("2026-03-02"), d("2026-03-02"), 15,
			[]policy.Finding{{Rule: "L6", Severity: policy.Block, Message: "An FP10MDA covers at most 14 days of treatment; this one covers 15, 1 too many."}}},
		{"zero days", d("2026-03-02"), d("2026-03-02"), 0,
			[]policy.Finding{{Rule: "L6", Severity: policy.Block, Message: "at least 1 day of treatment; this one covers 0"}}},
		{"negative days", d("2026-03-02"), d("2026-03-02"), -1,
			[]policy.Finding{{Rule: "L6", Severity: policy.Block, Message: "this one covers -1"}}},
		{"too long and too late", d("2026-03-02"), d("2026-04-30"), 28,
			[]policy.Finding{
				{Rule: "L6", Severity: policy.Block, Message: "this one covers 28, 14 too many"},
				{Rule: "L3", Severity: policy.Block, Message: "59 days after"},
			}},
		{"30 days: L6 only", d("2026-03-02"), d("2026-03-02"), 30,
			[]policy.Finding{{Rule: "L6", Severity: policy.Block, Message: "this one covers 30, 16 too many"}}},
		{"31 days: L6 and L5", d("2026-03-02"), d("2026-03-02"), 31,
			[]policy.Finding{
				{Rule: "L6", Severity: policy.Block, Message: "this one covers 31, 17 too many"},
				{Rule: "L5", Severity: policy.Warn, Message: "Good practice is that a controlled-drug prescription supplies at most 30 days; this one supplies 31 days."},
			}},
		{"missing prescription date", calendar.Date{}, d("2026-03-02"), 14,
			[]policy.Finding{{Rule: "L3", Severity: policy.Block, Message: "needs both a prescription date and a start date"}}},
		{"missing start date", d("2026-03-02"), calendar.Date{}, 14,
			[]policy.Finding{{Rule: "L3", Severity: policy.Block, Message: "needs both"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CheckPeriod(tt.prescribed, tt.start, calendar.Date{}, tt.days, policy.Defaults())
			if len(got) != len(tt.want) {
				t.Fatalf("CheckPeriod = %v, want %d findings", got, len(tt.want))
			}
			for i, f := range got {
				w := tt.want[i]
				if f.Rule != w.Rule || f.Severity != w.Severity || !strings.Contains(f.Message, w.Message) {
					t.Errorf("finding %d = %v, want %s (%s) containing %q", i, f, w.Rule, w.Severity, w.Message)
				}
				if f.Action == "" {
					t.Errorf("finding %d has no action", i)
				}
			}
		})
	}
}

// L3 is judged on the first instalment, which for a closed (or "earlier")
// first day is the collection day before the start (ADR 0011): a
// prescription starting 29 days after its date on a closed day is within
// the validity when its first dose is collected on day 28, and the
// findings name the collection day beside the start.
func TestCheckPeriodFirstCollection(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	tests := []struct {
		name              string
		start, first      string
		wantMsg, wantDoes string // "" for no finding
	}{
		{"closed first day 29 days out, collected on day 28", "2026-03-31", "2026-03-30", "", ""},
		{"closed first day 28 days out, collected on day 27", "2026-03-30", "2026-03-29", "", ""},
		{"collected 29 days out", "2026-04-01", "2026-03-31",
			"The first instalment (2026-03-31, collected before the prescription's first day, 2026-04-01, for its dose) is 29 days after the prescription date (2026-03-02); it must be within 28 days.",
			"Start on or before 2026-03-30, or date the prescription nearer the start."},
		{"collected before the prescription date", "2026-03-02", "2026-02-28",
			"The first instalment (2026-02-28, collected before the prescription's first day, 2026-03-02, for its dose) is 2 days before the prescription date (2026-03-02); nothing may be supplied before the prescription date.",
			"Start the prescription on a day whose first collection is on or after 2026-03-02."},
		{"start and collection before the prescription date", "2026-03-01", "2026-02-28",
			"The first instalment (2026-02-28, collected before the prescription's first day, 2026-03-01, for its dose) is 2 days before the prescription date",
			"Start on or after 2026-03-02."},
		{"a first day on the start is the start", "2026-03-31", "2026-03-31",
			"The first instalment (2026-03-31) is 29 days after", "Start on or before 2026-03-30"},
		{"a first day after the start is not the first instalment", "2026-03-31", "2026-04-01",
			"The first instalment (2026-03-31) is 29 days after", "Start on or before 2026-03-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CheckPeriod(d("2026-03-02"), d(tt.start), d(tt.first), 14, policy.Defaults())
			if tt.wantMsg == "" {
				if len(got) != 0 {
					t.Fatalf("CheckPeriod = %v, want no finding", got)
				}
				return
			}
			if len(got) != 1 || got[0].Rule != "L3" || got[0].Severity != policy.Block ||
				!strings.Contains(got[0].Message, tt.wantMsg) || !strings.Contains(got[0].Action, tt.wantDoes) {
				t.Fatalf("CheckPeriod = %+v, want one L3 block saying %q, advising %q", got, tt.wantMsg, tt.wantDoes)
			}
		})
	}
}

func TestCheckPeriodTunedNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		days       int
		startAfter int
		maxDays    int
		maxStart   int
		wantAction string
	}{
		{"tuned day limit", 8, 0, 7, 28, "Prescribe 7 days and issue a second prescription from 2026-03-09 for the remaining 1 day."},
		{"no start date, many days over", 17, -1, 14, 28, "Prescribe 14 days and issue a second prescription for the remaining 3 days."},
		{"one-day limit", 2, 0, 1, 28, "Prescribe 1 day and issue a second prescription from 2026-03-03 for the remaining 1 day."},
		{"tuned start limit", 7, 15, 14, 14, "Start on or before 2026-03-16, or date the prescription nearer the start."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := calendar.MustParse("2026-03-02")
			n := policy.Defaults()
			n.L6MaxDays, n.L3ValidDays = tt.maxDays, tt.maxStart
			start := p.AddDays(tt.startAfter)
			if tt.startAfter < 0 {
				start = calendar.Date{} // no start date: the advice cannot name one
			}
			got := CheckPeriod(p, start, calendar.Date{}, tt.days, n)
			if len(got) == 0 || got[0].Action != tt.wantAction {
				t.Fatalf("CheckPeriod = %+v, want one finding with action %q", got, tt.wantAction)
			}
		})
	}
}

// L5 warns (never blocks) past its figure, and a tuned figure is shown
// beside the clinical rules' 30 days. L6 (at most 14 days, which no
// configuration raises) would stop such a prescription first, so the
// figures are set here as L5 alone would judge them.
func TestCheckPeriodL5(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		l5, l6  int
		days    int
		wantL5  bool
		message string
	}{
		{"default, at the limit", 30, 30, 30, false, ""},
		{"default, over", 30, 30, 31, true,
			"Good practice is that a controlled-drug prescription supplies at most 30 days; this one supplies 31 days."},
		{"lowered", 14, 14, 15, true,
			"supplies at most 14 days; this one supplies 15 days. (This service's figure; the clinical rules say 30 days.)"},
		{"raised with L6", 60, 60, 45, false, ""},
		{"raised, over", 60, 60, 61, true,
			"supplies at most 60 days; this one supplies 61 days. (This service's figure; the clinical rules say 30 days.)"},
		{"one day", 1, 1, 2, true, "supplies at most 1 day; this one supplies 2 days."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := policy.Defaults()
			n.L5MaxSupplyDays, n.L6MaxDays = tt.l5, tt.l6
			p := calendar.MustParse("2026-03-02")
			var l5 *policy.Finding
			for _, f := range CheckPeriod(p, p, calendar.Date{}, tt.days, n) {
				if f.Rule == "L5" {
					l5 = &f
				}
			}
			if (l5 != nil) != tt.wantL5 {
				t.Fatalf("L5 finding = %v, want %v", l5, tt.wantL5)
			}
			if l5 == nil {
				return
			}
			if l5.Severity != policy.Warn || !strings.Contains(l5.Message, tt.message) || l5.Action == "" {
				t.Errorf("L5 finding = %+v, want a warning containing %q", *l5, tt.message)
			}
		})
	}
}

func TestScheduleJSON(t *testing.T) {
	t.Parallel()
	s, err := BuildSchedule(ScheduleInput{Start: calendar.MustParse("2026-03-28"), Days: 2, Daily: 2500, Pattern: allSupervised, Opening: calendar.DefaultOpening()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"instalment", s.Instalments[0], `{"date":"2026-03-28","covers":["2026-03-28","2026-03-29"],"supervised":2.5,"take_home":2.5}`},
		{"schedule", s, `{"instalments":[{"date":"2026-03-28","covers":["2026-03-28","2026-03-29"],"supervised":2.5,"take_home":2.5}],"total":5,"carries_closed_days":true,"carries_take_home":true}`},
		{"pattern", saturdayCollectsSunday, `["earlier","supervised","supervised","supervised","supervised","supervised","supervised"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("json = %s, want %s", b, tt.want)
			}
		})
	}
}

// A pattern change inside the period applies from its day: a reissue after
// the change keeps the days before it as they were.
func TestBuildScheduleLaterPattern(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	s, err := BuildSchedule(ScheduleInput{Start: d("2026-03-05"), Days: 5, Daily: dosing.Mg(10), Pattern: allSupervised,
		Later: []DatedPattern{{From: d("2026-03-07"), Pattern: saturdayCollectsSunday}}, Opening: alwaysOpen})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(renderSchedule(s), " | ")
	want := "2026-03-05 S10 T0 03-05 | 2026-03-06 S10 T0 03-06 | 2026-03-07 S10 T10 03-07,03-08 | 2026-03-09 S10 T0 03-09"
	if got != want {
		t.Fatalf("schedule\n got %s\nwant %s", got, want)
	}
	_, err = BuildSchedule(ScheduleInput{Start: d("2026-03-05"), Days: 5, Daily: dosing.Mg(10), Pattern: allSupervised,
		Later: []DatedPattern{{From: d("2026-03-07"), Pattern: allTakeHome}, {From: d("2026-03-06"), Pattern: allSupervised}}, Opening: alwaysOpen})
	if !errors.Is(err, ErrInvalidSchedule) {
		t.Fatalf("out-of-order changes: err = %v", err)
	}
}

// A prescription starting on a day the pharmacy is closed (or whose dose the
// pattern supplies with an earlier collection) may supply its first days on
// EarlierCollection, the collection day before its start, whose own dose is
// another prescription's: that collection covers only the days after it.
func TestBuildScheduleEarlierCollection(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	// Thu 17 Dec 2026 closed; Wed 16 Dec open.
	closed17 := calendar.Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, ClosedDates: []calendar.Date{d("2026-12-17"), d("2026-12-18")}}
	tests := []struct {
		name       string
		in         ScheduleInput
		want       string
		wantClosed bool
		wantErr    string
	}{
		{"a closed first day", ScheduleInput{Start: d("2026-12-17"), Days: 4, Daily: dosing.Mg(85), Pattern: allSupervised,
			Opening: calendar.Opening{ClosedDates: []calendar.Date{d("2026-12-17")}}, EarlierCollection: d("2026-12-16")},
			"2026-12-16 S0 T85 12-17 | 2026-12-18 S85 T0 12-18 | 2026-12-19 S85 T0 12-19 | 2026-12-20 S85 T0 12-20", true, ""},
		{"two closed first days", ScheduleInput{Start: d("2026-12-17"), Days: 3, Daily: dosing.Mg(85), Pattern: allSupervised,
			Opening: closed17, EarlierCollection: d("2026-12-16")},
			"2026-12-16 S0 T170 12-17,12-18 | 2026-12-19 S85 T0 12-19", true, ""},
		{"a first day the pattern supplies earlier", ScheduleInput{Start: d("2026-03-01"), Days: 2, Daily: dosing.Mg(30),
			Pattern: saturdayCollectsSunday, Opening: alwaysOpen, EarlierCollection: d("2026-02-28")},
			"2026-02-28 S0 T30 03-01 | 2026-03-02 S30 T0 03-02", false, ""},
		{"an open first day does not use it", ScheduleInput{Start: d("2026-12-16"), Days: 1, Daily: dosing.Mg(85), Pattern: allSupervised,
			Opening: closed17, EarlierCollection: d("2026-12-15")},
			"2026-12-16 S85 T0 12-16", false, ""},
		{"not before the start", ScheduleInput{Start: d("2026-12-17"), Days: 2, Daily: dosing.Mg(85), Pattern: allSupervised,
			Opening: closed17, EarlierCollection: d("2026-12-17")}, "", false, "before the start"},
		{"a closed day", ScheduleInput{Start: d("2026-12-17"), Days: 2, Daily: dosing.Mg(85), Pattern: allSupervised,
			Opening: closed17, EarlierCollection: d("2026-12-13")}, "", false, "closed"},
		{"more than a week before", ScheduleInput{Start: d("2026-12-17"), Days: 2, Daily: dosing.Mg(85), Pattern: allSupervised,
			Opening: closed17, EarlierCollection: d("2026-12-09")}, "", false, "week"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := BuildSchedule(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidSchedule) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(renderSchedule(s), " | "); got != tt.want {
				t.Fatalf("schedule\n got %s\nwant %s", got, tt.want)
			}
			if s.CarriesClosedDays != tt.wantClosed || s.Total != tt.in.Daily*dosing.Micrograms(tt.in.Days) {
				t.Fatalf("CarriesClosedDays = %v, Total = %s", s.CarriesClosedDays, s.Total)
			}
			if !s.SuppliesInAdvance() && s.Instalments[0].Date.Before(tt.in.Start) {
				t.Fatal("a collection before its days does not count as supplying in advance")
			}
		})
	}
	// The collection day before a start: open, and one the pattern collects on.
	in := ScheduleInput{Pattern: saturdayCollectsSunday, Opening: calendar.Opening{ClosedWeekdays: []time.Weekday{time.Sunday}}}
	if got, ok := in.CollectionDayBefore(d("2026-03-02")); !ok || got != d("2026-02-28") {
		t.Fatalf("CollectionDayBefore Mon 2 Mar = %s %v, want Sat 28 Feb", got, ok)
	}
}

func TestRemainingFrom(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	days := func(ss ...string) []calendar.Date {
		var out []calendar.Date
		for _, s := range ss {
			out = append(out, d(s))
		}
		return out
	}
	tests := []struct {
		name    string
		start   string
		today   string
		settled [][]calendar.Date
		want    string
	}{
		{"not started yet", "2026-03-10", "2026-03-05", nil, "2026-03-10"},
		{"from today when nothing supplied today", "2026-03-01", "2026-03-05", [][]calendar.Date{days("2026-03-04")}, "2026-03-05"},
		{"after today's supervised dose", "2026-03-01", "2026-03-05", [][]calendar.Date{days("2026-03-04"), days("2026-03-05")}, "2026-03-06"},
		{"after every day of a take-home collection", "2026-03-01", "2026-03-07", [][]calendar.Date{days("2026-03-07", "2026-03-08")}, "2026-03-09"},
		{"a missed day is settled too", "2026-03-01", "2026-03-05", [][]calendar.Date{days("2026-03-05")}, "2026-03-06"},
		{"order of instalments does not matter", "2026-03-01", "2026-03-07", [][]calendar.Date{days("2026-03-08"), days("2026-03-07")}, "2026-03-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RemainingFrom(d(tt.start), d(tt.today), tt.settled); got.String() != tt.want {
				t.Fatalf("RemainingFrom = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOverlap(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	tests := []struct {
		a, b     [2]string
		from, to string
	}{
		{[2]string{"2026-03-01", "2026-03-14"}, [2]string{"2026-03-01", "2026-03-14"}, "2026-03-01", "2026-03-14"},
		{[2]string{"2026-03-01", "2026-03-14"}, [2]string{"2026-03-10", "2026-03-23"}, "2026-03-10", "2026-03-14"},
		{[2]string{"2026-03-10", "2026-03-23"}, [2]string{"2026-03-01", "2026-03-10"}, "2026-03-10", "2026-03-10"},
		{[2]string{"2026-03-01", "2026-03-14"}, [2]string{"2026-03-15", "2026-03-28"}, "", ""}, // back to back
		{[2]string{"2026-03-15", "2026-03-28"}, [2]string{"2026-03-01", "2026-03-14"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.a[0]+"/"+tt.b[0], func(t *testing.T) {
			t.Parallel()
			from, to, ok := Overlap(d(tt.a[0]), d(tt.a[1]), d(tt.b[0]), d(tt.b[1]))
			if ok != (tt.from != "") || ok && (from.String() != tt.from || to.String() != tt.to) {
				t.Fatalf("Overlap = %s %s %v, want %q %q", from, to, ok, tt.from, tt.to)
			}
		})
	}
}

// L6's advice for the remaining days stays within L3: a second prescription
// that would start more than 28 days after today's date is to be dated later.
func TestCheckPeriodSecondPrescriptionAdvice(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	for _, tt := range []struct {
		start, want string
	}{
		{"2026-03-02", "issue a second prescription from 2026-03-16 for the remaining 6 days."},
		{"2026-03-20", "write the remaining 6 days, from 2026-04-03, on a second prescription dated on or after 2026-03-06"},
	} {
		fs := CheckPeriod(d("2026-03-02"), d(tt.start), calendar.Date{}, 20, policy.Defaults())
		if len(fs) != 1 || !strings.Contains(fs[0].Action, tt.want) {
			t.Errorf("start %s: %v, want the action to say %q", tt.start, fs, tt.want)
		}
	}
}
