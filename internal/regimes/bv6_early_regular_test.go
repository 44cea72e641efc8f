package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// A regular dose dated before the BV8 window after the regular dose it
// follows opens is another dose between regular doses: BV6 refuses it,
// pointing to the one additional 8 mg dose or to the window's first day,
// and BV3 never takes it for the week 2 dose.
func TestEarlyRegularDose(t *testing.T) {
	t.Parallel()
	reg := func(d string, dose int64, site Site) Administration {
		return Administration{Date: date(d), Dose: mg(dose), Site: site}
	}
	extra := func(d string, site Site) Administration {
		return Administration{Date: date(d), Dose: mg(8), Site: site, Extra: true}
	}
	naive := func(a Administration) Administration { a.NaiveInduction = true; return a }
	tests := []struct {
		name     string
		code     string
		in       Administration
		previous []Administration
		want     []string
	}{
		// The reviewer's repro: weekly 8 mg (from 4 mg sublingual) four
		// times on one day, each passed as regular with BV8's warning.
		{name: "weekly 8 mg twice on one day", in: reg("2026-12-01", 8, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 8, SiteButtockLeft)},
			want:     []string{"BV6:block~Give the regular dose from 2026-12-06; if a dose is needed sooner, record it as an additional dose (BV6: at most one, 8 mg"}},
		{name: "weekly 8 mg a fourth time on one day", in: reg("2026-12-01", 8, SiteAbdomenLeft),
			previous: []Administration{reg("2026-12-01", 8, SiteButtockLeft), reg("2026-12-01", 8, SiteButtockRight), reg("2026-12-01", 8, SiteThighLeft)},
			want:     []string{"BV6:block~opens on 2026-12-06"}},
		{name: "weekly 8 mg then the one extra 8 mg the same day", in: extra("2026-12-01", SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 8, SiteButtockLeft)}},
		{name: "weekly the day before the window opens", in: reg("2026-12-05", 8, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 8, SiteButtockLeft)}, want: []string{"BV6:block~opens on 2026-12-06"}},
		{name: "weekly on the day the window opens", in: reg("2026-12-06", 8, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 8, SiteButtockLeft)}},
		{name: "weekly after an extra, before the window", in: reg("2026-12-03", 8, SiteThighRight),
			previous: []Administration{reg("2026-12-01", 8, SiteButtockLeft), extra("2026-12-02", SiteThighLeft)},
			want:     []string{"BV6:block~after the 8 mg dose on 2026-12-01"}},
		{name: "weekly late, still warns BV8", in: reg("2026-12-11", 8, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 8, SiteButtockLeft)}, want: []string{"BV8:warn~window 2026-12-06 to 2026-12-10"}},
		{name: "monthly 64 mg twice on one day", code: dosing.CodeBuvidalMonthly, in: reg("2026-12-01", 64, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 64, SiteButtockLeft)}, want: []string{"BV6:block~opens on 2026-12-22"}},
		{name: "monthly on the day its window opens", code: dosing.CodeBuvidalMonthly, in: reg("2026-12-22", 64, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 64, SiteButtockLeft)}},
		{name: "monthly after weekly, before the weekly window opens", code: dosing.CodeBuvidalMonthly,
			in:       Administration{Date: date("2026-12-03"), Dose: mg(64), Site: SiteThighLeft, Regime: "monthly"},
			previous: []Administration{{Date: date("2026-12-01"), Dose: mg(16), Site: SiteButtockLeft, Medicine: dosing.CodeBuvidalWeekly, Regime: "weekly"}},
			want:     []string{"BV6:block~opens on 2026-12-06 (due 2026-12-08 after the 16 mg dose on 2026-12-01)"}},
		{name: "recorded late, less than a week before a regular dose recorded", in: reg("2026-12-04", 8, SiteThighLeft),
			previous: []Administration{reg("2026-11-24", 8, SiteButtockLeft), reg("2026-12-08", 8, SiteButtockRight)},
			want:     []string{"BV6:block~before the regular 8 mg dose recorded on 2026-12-08, whose window would open on 2026-12-09"}},
		{name: "recorded late, a week before a regular dose recorded", in: reg("2026-12-01", 8, SiteThighLeft),
			previous: []Administration{reg("2026-11-24", 8, SiteButtockLeft), reg("2026-12-08", 8, SiteButtockRight)}},

		// BV3: new to buprenorphine, weekly 16 mg. A second regular 16 mg
		// the same day is no week 2 dose.
		{name: "naive 16 mg twice on one day", in: naive(reg("2026-12-01", 16, SiteThighLeft)),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft)}, want: []string{"BV6:block~opens on 2026-12-06"}},
		{name: "naive week 2 dose in its window, the week 1 total", in: naive(reg("2026-12-06", 24, SiteThighLeft)),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), extra("2026-12-03", SiteButtockRight)}},
		{name: "naive week 2 dose in its window, not the total", in: naive(reg("2026-12-06", 16, SiteThighLeft)),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), extra("2026-12-03", SiteButtockRight)},
			want:     []string{"BV3:override~Week 2 dose is 16 mg; week 1 total was 24 mg"}},
		{name: "naive week 2 dose in week 1 the day of an extra", in: naive(reg("2026-12-06", 24, SiteThighLeft)),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), extra("2026-12-06", SiteButtockRight)},
			want:     []string{"BV3:override~Week 1 doses must be at least 1 day(s) apart; the previous dose was on 2026-12-06"}},
		{name: "naive week 2 dose in week 1 a day after an extra", in: naive(reg("2026-12-06", 24, SiteThighLeft)),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), extra("2026-12-05", SiteButtockRight)}},
		{name: "naive week 2 dose on day 7 the day of an extra", in: naive(reg("2026-12-08", 24, SiteThighLeft)),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), extra("2026-12-08", SiteButtockRight)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code := tt.code
			if code == "" {
				code = dosing.CodeBuvidalWeekly
			}
			in := tt.in
			in.PatientAge = 40
			assertFindings(t, CheckAdministration(policy.Defaults(), medicine(t, code), in, tt.previous), tt.want...)
		})
	}
}
