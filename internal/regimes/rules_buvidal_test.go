package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestConvertFromSublingual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		daily           dosing.Micrograms
		weekly, monthly dosing.Micrograms
		ok              bool
	}{
		{daily: mg(1)},
		{daily: mg(2) - 1},
		{daily: mg(2), weekly: mg(8), ok: true},
		{daily: mg(6), weekly: mg(8), ok: true},
		{daily: mg(7), weekly: mg(8), ok: true}, // between bands: lower band
		{daily: mg(8), weekly: mg(16), monthly: mg(64), ok: true},
		{daily: mg(10), weekly: mg(16), monthly: mg(64), ok: true},
		{daily: mg(11), weekly: mg(16), monthly: mg(64), ok: true},
		{daily: mg(12), weekly: mg(24), monthly: mg(96), ok: true},
		{daily: mg(16), weekly: mg(24), monthly: mg(96), ok: true},
		{daily: mg(18), weekly: mg(32), monthly: mg(128), ok: true},
		{daily: mg(24), weekly: mg(32), monthly: mg(128), ok: true},
		{daily: mg(25), weekly: mg(32), monthly: mg(128), ok: true},
		{daily: mg(26), monthly: mg(160), ok: true},
		{daily: mg(32), monthly: mg(160), ok: true},
		{daily: mg(32) + 1},
	}
	for _, tt := range tests {
		t.Run(tt.daily.String(), func(t *testing.T) {
			t.Parallel()
			w, m, ok := ConvertFromSublingual(tt.daily)
			if w != tt.weekly || m != tt.monthly || ok != tt.ok {
				t.Errorf("ConvertFromSublingual(%s) = %s, %s, %v", tt.daily, w, m, ok)
			}
		})
	}
}

func TestWeeklyMonthlyEquivalents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		weekly, monthly dosing.Micrograms
	}{
		{mg(16), mg(64)}, {mg(24), mg(96)}, {mg(32), mg(128)},
	}
	for _, tt := range tests {
		t.Run(tt.weekly.String(), func(t *testing.T) {
			t.Parallel()
			if m, ok := WeeklyToMonthly(tt.weekly); !ok || m != tt.monthly {
				t.Errorf("WeeklyToMonthly = %s, %v", m, ok)
			}
			if w, ok := MonthlyToWeekly(tt.monthly); !ok || w != tt.weekly {
				t.Errorf("MonthlyToWeekly = %s, %v", w, ok)
			}
		})
	}
	if _, ok := WeeklyToMonthly(mg(8)); ok {
		t.Error("weekly 8 mg has no monthly equivalent")
	}
	if _, ok := MonthlyToWeekly(mg(160)); ok {
		t.Error("monthly 160 mg has no weekly equivalent")
	}
}

func TestSiteValid(t *testing.T) {
	t.Parallel()
	for _, s := range Sites() {
		if !s.Valid() {
			t.Errorf("%s invalid", s)
		}
	}
	for _, s := range []Site{"", "deltoid", "Thigh_left", "buttock"} {
		if s.Valid() {
			t.Errorf("%q valid", s)
		}
	}
	if len(Sites()) != 8 {
		t.Errorf("%d sites", len(Sites()))
	}
}

func TestNextDue(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	tests := []struct {
		code                    string
		due, earliest, latestOn string
	}{
		{dosing.CodeBuvidalWeekly, "2025-01-13", "2025-01-11", "2025-01-15"},
		{dosing.CodeBuvidalMonthly, "2025-02-03", "2025-01-27", "2025-02-10"},
		{dosing.CodeMethadone, "2025-01-07", "2025-01-07", "2025-01-07"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			due, earliest, latest := NextDue(medicine(t, tt.code), date("2025-01-06"), n)
			if due.String() != tt.due || earliest.String() != tt.earliest || latest.String() != tt.latestOn {
				t.Errorf("NextDue = %s %s %s", due, earliest, latest)
			}
		})
	}
}

// BV8's next regular dose: from the last regular one, by its product; an
// extra dose moves nothing. A regime's first dose follows the patient's
// last regular injection under an earlier regime while that dose's window
// is still open when the regime starts (a weekly/monthly switch keeps the
// schedule), else it is due on the regime's start date.
func TestNextInjection(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	weekly := medicine(t, dosing.CodeBuvidalWeekly)
	monthly := medicine(t, dosing.CodeBuvidalMonthly)
	regular := func(d string) Administration { return Administration{Date: date(d), Dose: mg(16)} }
	extra := func(d string) Administration { return Administration{Date: date(d), Dose: mg(8), Extra: true} }
	earlierWeekly := func(d string) Administration {
		return Administration{Date: date(d), Dose: mg(24), Medicine: dosing.CodeBuvidalWeekly, Regime: "weekly"}
	}
	tests := []struct {
		name                  string
		med                   dosing.Medicine
		start                 string
		given                 []Administration
		due, earliest, latest string
		after                 string // the injection followed, "" for the start
	}{
		{"nothing given: due on the start, weekly window after it", weekly, "2025-01-06", nil,
			"2025-01-06", "2025-01-06", "2025-01-08", ""},
		{"nothing given, monthly", monthly, "2025-01-06", nil, "2025-01-06", "2025-01-06", "2025-01-13", ""},
		{"only an extra dose", weekly, "2025-01-06", []Administration{extra("2025-01-08")}, "2025-01-06", "2025-01-06", "2025-01-08", ""},
		{"one regular dose", weekly, "2025-01-06", []Administration{regular("2025-01-06")}, "2025-01-13", "2025-01-11", "2025-01-15", "2025-01-06"},
		{"an extra dose after it", weekly, "2025-01-06", []Administration{regular("2025-01-06"), extra("2025-01-09")},
			"2025-01-13", "2025-01-11", "2025-01-15", "2025-01-06"},
		{"the last regular dose counts", weekly, "2025-01-06",
			[]Administration{regular("2025-01-06"), extra("2025-01-09"), regular("2025-01-13"), extra("2025-01-15")},
			"2025-01-20", "2025-01-18", "2025-01-22", "2025-01-13"},
		{"monthly after weekly is due a week on", monthly, "2025-01-06",
			[]Administration{{Date: date("2025-01-06"), Dose: mg(16), Medicine: dosing.CodeBuvidalWeekly}, extra("2025-01-08")},
			"2025-01-13", "2025-01-11", "2025-01-15", "2025-01-06"},
		{"monthly", monthly, "2025-01-06", []Administration{{Date: date("2025-01-06"), Dose: mg(64)}, extra("2025-01-20")},
			"2025-02-03", "2025-01-27", "2025-02-10", "2025-01-06"},
		{"a new regime started the day of the last weekly dose", monthly, "2025-01-06", []Administration{earlierWeekly("2025-01-06")},
			"2025-01-13", "2025-01-11", "2025-01-15", "2025-01-06"},
		{"a new regime started days after the last weekly dose", monthly, "2025-01-09", []Administration{earlierWeekly("2025-01-06")},
			"2025-01-13", "2025-01-11", "2025-01-15", "2025-01-06"},
		{"due before the start, window still open: due on the start", weekly, "2025-01-14", []Administration{earlierWeekly("2025-01-06")},
			"2025-01-14", "2025-01-14", "2025-01-15", "2025-01-06"},
		{"the earlier dose's window closed before the start", weekly, "2025-01-16", []Administration{earlierWeekly("2025-01-06")},
			"2025-01-16", "2025-01-16", "2025-01-18", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := NextInjection(tt.med, date(tt.start), tt.given, n)
			if got.Due.String() != tt.due || got.Earliest.String() != tt.earliest || got.Latest.String() != tt.latest {
				t.Fatalf("NextInjection = %s (%s to %s), want %s (%s to %s)", got.Due, got.Earliest, got.Latest, tt.due, tt.earliest, tt.latest)
			}
			switch {
			case tt.after == "" && got.After != nil:
				t.Fatalf("follows %+v, want the start", *got.After)
			case tt.after != "" && (got.After == nil || got.After.Date.String() != tt.after):
				t.Fatalf("follows %+v, want the dose on %s", got.After, tt.after)
			}
		})
	}
}

func TestCheckAdministration(t *testing.T) {
	t.Parallel()
	reg := func(d string, dose int64, site Site) Administration {
		return Administration{Date: date(d), Dose: mg(dose), Site: site}
	}
	extra := func(d string, site Site) Administration {
		return Administration{Date: date(d), Dose: mg(8), Site: site, Extra: true}
	}
	naive := func(a Administration) Administration { a.NaiveInduction = true; return a }
	aged := func(age int, a Administration) Administration { a.PatientAge = age; return a }
	// under is a to be given under regime "new", which started on start.
	under := func(start string, a Administration) Administration {
		a.Regime, a.RegimeStart = "new", date(start)
		return a
	}
	old := func(a Administration, code string) Administration { a.Regime, a.Medicine = "old", code; return a }
	prescribed := func(a Administration, dose int64) Administration { a.Prescribed = mg(dose); return a }
	weeklyHistory := []Administration{
		reg("2025-01-06", 24, SiteThighLeft),
		reg("2025-01-13", 24, SiteThighRight),
	}
	tests := []struct {
		name     string
		code     string
		in       Administration
		previous []Administration
		numbers  func(policy.Numbers) policy.Numbers
		want     []string
	}{
		{name: "first dose", in: reg("2025-01-06", 16, SiteAbdomenLeft)},
		{name: "on time", in: reg("2025-01-20", 24, SiteAbdomenLeft), previous: weeklyHistory},
		{name: "BV1 not a strength", in: reg("2025-01-20", 20, SiteAbdomenLeft), previous: weeklyHistory, want: []string{"BV1:block~20 mg"}},
		{name: "BV1 extra must be 8 mg", in: Administration{Date: date("2025-01-16"), Dose: mg(16), Site: SiteAbdomenLeft, Extra: true},
			previous: weeklyHistory, want: []string{"BV1:block~8 mg"}},
		{name: "BV1 names the strengths", in: reg("2025-01-20", 20, SiteAbdomenLeft), previous: weeklyHistory, want: []string{"BV1:block~8 mg, 16 mg, 24 mg, 32 mg"}},
		{name: "BV9 as prescribed", in: prescribed(reg("2025-01-20", 24, SiteAbdomenLeft), 24), previous: weeklyHistory},
		{name: "BV9 not as prescribed", in: prescribed(reg("2025-01-20", 32, SiteAbdomenLeft), 16), previous: weeklyHistory,
			want: []string{"BV9:override~32 mg recorded; the dose prescribed for 2025-01-20 is 16 mg"}},
		{name: "BV9 leaves an extra dose to BV1 and BV6", in: func() Administration { a := extra("2025-01-16", SiteAbdomenLeft); a.Prescribed = mg(24); return a }(),
			previous: weeklyHistory},
		{name: "BV2 invalid site", in: reg("2025-01-20", 24, "deltoid"), previous: weeklyHistory, want: []string{"BV2:block~deltoid"}},
		{name: "BV2 not an injection", code: dosing.CodeMethadone, in: reg("2025-01-20", 24, SiteAbdomenLeft), want: []string{"BV2:block"}},
		{name: "BV7 site reused after 7 days", in: reg("2025-01-20", 24, SiteThighRight), previous: weeklyHistory, want: []string{"BV7:warn~7 days ago"}},
		{name: "BV7 site reused after 55 days", in: reg("2025-03-02", 24, SiteThighLeft), previous: []Administration{reg("2025-01-06", 24, SiteThighLeft), reg("2025-02-23", 24, SiteThighRight)},
			want: []string{"BV7:warn~55 days"}},
		{name: "BV7 site reused after 8 weeks", in: reg("2025-03-03", 24, SiteThighLeft), previous: []Administration{reg("2025-01-06", 24, SiteThighLeft), reg("2025-02-24", 24, SiteThighRight)}},
		{name: "BV8 two days early", in: reg("2025-01-18", 24, SiteAbdomenLeft), previous: weeklyHistory},
		{name: "BV8 three days early", in: reg("2025-01-17", 16, SiteAbdomenLeft), previous: []Administration{reg("2025-01-13", 16, SiteThighRight)},
			want: []string{"BV6:block~before the window for the next regular dose opens on 2025-01-18 (due 2025-01-20 after the 16 mg dose on 2025-01-13)"}},
		// A regular dose before the previous dose's window opens is another
		// dose between regular doses (BV6): refused, whatever the total,
		// and BV8's warning does not let it through.
		{name: "BV6 regular dose early over the weekly maximum", in: reg("2025-01-17", 24, SiteAbdomenLeft), previous: weeklyHistory,
			want: []string{"BV6:block~record it as an additional dose (BV6: at most one, 8 mg"}},
		{name: "BV6 two regular 32 mg doses on one day", in: reg("2025-01-13", 32, SiteAbdomenLeft), previous: []Administration{reg("2025-01-13", 32, SiteThighLeft)},
			want: []string{"BV6:block~Give the regular dose from 2025-01-18"}},
		{name: "BV6 regular dose in its window starts a new week", in: reg("2025-01-18", 32, SiteAbdomenLeft),
			previous: []Administration{reg("2025-01-11", 32, SiteThighLeft), extra("2025-01-13", SiteThighRight)}},
		{name: "BV6 regular dose early counts the extra", in: reg("2025-01-14", 8, SiteAbdomenLeft),
			previous: []Administration{reg("2025-01-11", 32, SiteThighLeft), extra("2025-01-13", SiteThighRight)},
			want:     []string{"BV6:block~opens on 2025-01-16"}},
		{name: "BV6 monthly period with a weekly dose", code: dosing.CodeBuvidalWeekly, in: reg("2025-01-20", 32, SiteAbdomenLeft),
			previous: []Administration{{Date: date("2025-01-06"), Dose: mg(160), Site: SiteThighLeft, Medicine: dosing.CodeBuvidalMonthly}},
			want:     []string{"BV6:block~opens on 2025-01-27 (due 2025-02-03 after the 160 mg dose on 2025-01-06)"}},
		// BV7 and BV8 follow the patient across a weekly to monthly switch.
		{name: "BV7 site of the previous regime", code: dosing.CodeBuvidalMonthly, in: Administration{Date: date("2025-01-20"), Dose: mg(96), Site: SiteThighLeft, Regime: "monthly"},
			previous: []Administration{{Date: date("2025-01-13"), Dose: mg(24), Site: SiteThighLeft, Medicine: dosing.CodeBuvidalWeekly, Regime: "weekly"}},
			want:     []string{"BV7:warn~7 days ago"}},
		{name: "BV8 previous regime's weekly dose", code: dosing.CodeBuvidalMonthly, in: Administration{Date: date("2025-01-16"), Dose: mg(96), Site: SiteAbdomenLeft, Regime: "monthly"},
			previous: []Administration{{Date: date("2025-01-13"), Dose: mg(24), Site: SiteThighLeft, Medicine: dosing.CodeBuvidalWeekly, Regime: "weekly"}},
			want:     []string{"BV6:block~opens on 2025-01-18 (due 2025-01-20 after the 24 mg dose on 2025-01-13)"}},
		// BV8 judges the injection this regime follows: its own last regular
		// one, or the last one of the regime before while that dose's
		// window was still open when this regime started (a switch keeps
		// the schedule), as NextInjection says when it is due. A depot
		// that lapsed before the regime began (another treatment came
		// between) leaves its first dose due on the start, not late.
		{name: "BV8 monthly dose after a monthly regime that lapsed", code: dosing.CodeBuvidalMonthly,
			in: under("2025-02-20", reg("2025-02-20", 96, SiteAbdomenLeft)), previous: []Administration{old(reg("2025-01-01", 96, SiteThighLeft), dosing.CodeBuvidalMonthly)}},
		{name: "BV8 weekly dose after sublingual between", in: under("2025-01-20", reg("2025-01-21", 24, SiteAbdomenLeft)),
			previous: []Administration{old(reg("2025-01-06", 24, SiteThighLeft), dosing.CodeBuvidalWeekly)}},
		{name: "BV8 switch started on the last day of the window", code: dosing.CodeBuvidalMonthly, in: under("2025-01-15", reg("2025-01-20", 96, SiteAbdomenLeft)),
			previous: []Administration{old(reg("2025-01-06", 24, SiteThighLeft), dosing.CodeBuvidalWeekly)},
			want:     []string{"BV8:warn~due on 2025-01-15 (window 2025-01-15 to 2025-01-15) after the weekly dose on 2025-01-06"}},
		{name: "BV8 the regime's own previous injection, not the regime before", code: dosing.CodeBuvidalMonthly,
			in: under("2025-01-09", reg("2025-02-10", 96, SiteAbdomenLeft)),
			previous: []Administration{old(reg("2025-01-06", 24, SiteThighLeft), dosing.CodeBuvidalWeekly),
				under("2025-01-09", reg("2025-01-13", 96, SiteThighRight))}},
		{name: "BV8 the regime's own previous injection, late", code: dosing.CodeBuvidalMonthly,
			in: under("2025-01-09", reg("2025-02-18", 96, SiteAbdomenLeft)),
			previous: []Administration{old(reg("2025-01-06", 24, SiteThighLeft), dosing.CodeBuvidalWeekly),
				under("2025-01-09", reg("2025-01-13", 96, SiteThighRight))},
			want: []string{"BV8:warn~due on 2025-02-10 (window 2025-02-03 to 2025-02-17) after the monthly dose on 2025-01-13"}},
		{name: "BV8 an extra dose is not the injection followed", in: under("2025-01-06", reg("2025-01-20", 24, SiteAbdomenLeft)),
			previous: []Administration{under("2025-01-06", reg("2025-01-13", 24, SiteThighLeft)), under("2025-01-06", extra("2025-01-15", SiteThighRight))}},
		{name: "BV6 an extra dose after a lapsed depot needs a regular dose", in: under("2025-02-20", extra("2025-02-21", SiteAbdomenLeft)),
			previous: []Administration{old(reg("2025-01-06", 24, SiteThighLeft), dosing.CodeBuvidalWeekly)},
			want:     []string{"BV6:block~needs a regular dose"}},
		{name: "BV3 week 1 is the regime's own", in: Administration{Date: date("2025-01-21"), Dose: mg(8), Site: SiteAbdomenLeft, Extra: true, NaiveInduction: true, Regime: "new"},
			previous: []Administration{{Date: date("2025-01-06"), Dose: mg(16), Site: SiteButtockLeft, Regime: "old"},
				{Date: date("2025-01-13"), Dose: mg(16), Site: SiteButtockRight, Regime: "old"},
				{Date: date("2025-01-20"), Dose: mg(16), Site: SiteThighLeft, Regime: "new"},
				{Date: date("2025-01-20"), Dose: mg(8), Site: SiteThighRight, Regime: "new", Extra: true}}},
		{name: "BV8 two days late", in: reg("2025-01-22", 24, SiteAbdomenLeft), previous: weeklyHistory},
		{name: "BV8 three days late", in: reg("2025-01-23", 24, SiteAbdomenLeft), previous: weeklyHistory, want: []string{"BV8:warn"}},
		{name: "BV8 monthly seven days late", code: dosing.CodeBuvidalMonthly, in: reg("2025-02-10", 96, SiteAbdomenLeft), previous: []Administration{reg("2025-01-06", 96, SiteThighLeft)}},
		{name: "BV8 monthly eight days late", code: dosing.CodeBuvidalMonthly, in: reg("2025-02-11", 96, SiteAbdomenLeft), previous: []Administration{reg("2025-01-06", 96, SiteThighLeft)},
			want: []string{"BV8:warn"}},
		{name: "BV8 weekly to monthly uses weekly interval", code: dosing.CodeBuvidalMonthly, in: reg("2025-01-20", 96, SiteAbdomenLeft),
			previous: []Administration{{Date: date("2025-01-13"), Dose: mg(24), Site: SiteThighLeft, Medicine: dosing.CodeBuvidalWeekly}}},
		{name: "BV6 one extra", in: extra("2025-01-16", SiteAbdomenLeft), previous: weeklyHistory},
		{name: "BV6 second extra blocks", in: extra("2025-01-18", SiteAbdomenRight), previous: append(weeklyHistory[:2:2], extra("2025-01-16", SiteAbdomenLeft)),
			want: []string{"BV6:block~1 extra dose(s) already"}},
		{name: "BV6 extra resets after regular dose", in: extra("2025-01-22", SiteAbdomenRight),
			previous: []Administration{reg("2025-01-13", 24, SiteThighLeft), extra("2025-01-16", SiteAbdomenLeft), reg("2025-01-20", 24, SiteThighRight)}},
		{name: "BV6 extra without regular", in: extra("2025-01-16", SiteAbdomenLeft), want: []string{"BV6:block~needs a regular dose"}},
		{name: "BV6 weekly 32 + 8 allowed", in: extra("2025-01-16", SiteAbdomenLeft), previous: []Administration{reg("2025-01-13", 32, SiteThighLeft)}},
		// A tuned 16 mg extra on top of 32 mg exceeds the 32 + 8 mg weekly maximum.
		{name: "BV6 weekly maximum", in: Administration{Date: date("2025-01-16"), Dose: mg(16), Site: SiteAbdomenLeft, Extra: true},
			previous: []Administration{reg("2025-01-13", 32, SiteThighLeft)},
			numbers:  func(n policy.Numbers) policy.Numbers { n.BV6ExtraDose = mg(16); return n },
			want:     []string{"BV6:block~48 mg"}},
		{name: "BV6 monthly 128 + 8 allowed", code: dosing.CodeBuvidalMonthly, in: extra("2025-01-20", SiteAbdomenLeft), previous: []Administration{reg("2025-01-06", 128, SiteThighLeft)}},
		{name: "BV6 monthly 160 + 8 blocks", code: dosing.CodeBuvidalMonthly, in: extra("2025-01-20", SiteAbdomenLeft), previous: []Administration{reg("2025-01-06", 160, SiteThighLeft)},
			want: []string{"BV6:block~168 mg"}},
		{name: "BV3 naive two extras in week 1", in: naive(extra("2025-01-08", SiteAbdomenRight)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft), extra("2025-01-07", SiteAbdomenLeft)}},
		{name: "BV3 naive third extra blocks", in: naive(extra("2025-01-10", SiteButtockLeft)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft), extra("2025-01-07", SiteAbdomenLeft), extra("2025-01-08", SiteAbdomenRight)},
			want:     []string{"BV6:block~at most 2"}},
		{name: "BV3 naive extras same day", in: naive(extra("2025-01-07", SiteAbdomenRight)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft), extra("2025-01-07", SiteAbdomenLeft)},
			want:     []string{"BV3:override~at least 1 day"}},
		{name: "BV3 naive extra on day of first dose", in: naive(extra("2025-01-06", SiteAbdomenRight)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft)},
			want:     []string{"BV3:override"}},
		{name: "BV3 not naive: one extra only", in: extra("2025-01-08", SiteAbdomenRight),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft), extra("2025-01-07", SiteAbdomenLeft)},
			want:     []string{"BV6:block"}},
		{name: "BV3 week 2 equals week 1 total", in: naive(reg("2025-01-13", 32, SiteButtockLeft)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft), extra("2025-01-07", SiteAbdomenLeft), extra("2025-01-09", SiteAbdomenRight)}},
		{name: "BV3 week 2 differs", in: naive(reg("2025-01-13", 16, SiteButtockLeft)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft), extra("2025-01-08", SiteAbdomenLeft)},
			want:     []string{"BV3:override~week 1 total was 24 mg"}},
		{name: "BV3 week 3 not compared", in: naive(reg("2025-01-20", 24, SiteButtockRight)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft), extra("2025-01-08", SiteAbdomenLeft), reg("2025-01-13", 24, SiteButtockLeft)}},
		// BV2's age holds at every injection, as at the start.
		{name: "BV2 aged 15 at a regular dose", in: aged(15, reg("2025-01-13", 16, SiteThighRight)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft)}, want: []string{"BV2:block~Patient is 15"}},
		{name: "BV2 aged 15 at an extra dose", in: aged(15, extra("2025-01-08", SiteThighRight)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft)}, want: []string{"BV2:block~Patient is 15"}},
		{name: "BV2 aged 16", in: aged(16, reg("2025-01-13", 16, SiteThighRight)), previous: []Administration{reg("2025-01-06", 16, SiteThighLeft)}},
		{name: "BV2 age not known", in: aged(-1, reg("2025-01-13", 16, SiteThighRight)),
			previous: []Administration{reg("2025-01-06", 16, SiteThighLeft)}, want: []string{"BV2:warn~not recorded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := policy.Defaults()
			if tt.numbers != nil {
				n = tt.numbers(n)
			}
			code := tt.code
			if code == "" {
				code = dosing.CodeBuvidalWeekly
			}
			in := tt.in
			if in.PatientAge == 0 {
				in.PatientAge = 40
			}
			assertFindings(t, CheckAdministration(n, medicine(t, code), in, tt.previous), tt.want...)
		})
	}
}

func TestSiteLabel(t *testing.T) {
	t.Parallel()
	for site, want := range map[Site]string{SiteAbdomenRight: "abdomen (right)", SiteUpperArmLeft: "upper arm (left)", SiteButtockLeft: "buttock (left)"} {
		if got := site.Label(); got != want {
			t.Errorf("%s.Label() = %q, want %q", site, got, want)
		}
	}
}
