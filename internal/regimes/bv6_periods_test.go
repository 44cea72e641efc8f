package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// BV6's maxima hold for every period a dose falls in. A regular dose given
// before the previous one's window opens falls in that dose's period, and
// so does every dose after it until then: doses given one after another
// cannot each start a fresh period. A dose recorded late, dated before
// doses already recorded, is judged against the doses on both sides of it
// (BV6's extra count and periods, BV7's sites).
func TestBV6PeriodsAndLateRecords(t *testing.T) {
	t.Parallel()
	reg := func(d string, dose int64, site Site) Administration {
		return Administration{Date: date(d), Dose: mg(dose), Site: site}
	}
	extra := func(d string, site Site) Administration {
		return Administration{Date: date(d), Dose: mg(8), Site: site, Extra: true}
	}
	naive := func(a Administration) Administration { a.NaiveInduction = true; return a }
	// weekly builds regular doses of dose mg every 7 days from first,
	// rotating sites.
	weekly := func(first string, dose int64, count int) []Administration {
		var out []Administration
		for i, d := 0, date(first); i < count; i, d = i+1, d.AddDays(7) {
			out = append(out, Administration{Date: d, Dose: mg(dose), Site: Sites()[i%len(Sites())]})
		}
		return out
	}
	monthlyEvery28 := func(first string, dose int64, count int) []Administration {
		var out []Administration
		for i, d := 0, date(first); i < count; i, d = i+1, d.AddDays(28) {
			out = append(out, Administration{Date: d, Dose: mg(dose), Site: Sites()[i%len(Sites())]})
		}
		return out
	}
	// Aled Jones (demo): weekly 24 mg on 29 Oct, 5 Nov, 12 Nov, 19 Nov.
	aled := []Administration{reg("2026-10-29", 24, SiteButtockLeft), reg("2026-11-05", 24, SiteButtockRight),
		reg("2026-11-12", 24, SiteThighLeft), reg("2026-11-19", 24, SiteThighRight)}
	with := func(h []Administration, more ...Administration) []Administration {
		out := append([]Administration(nil), h...)
		for _, m := range more {
			i := len(out)
			for i > 0 && out[i-1].Date.After(m.Date) {
				i--
			}
			out = append(out[:i], append([]Administration{m}, out[i:]...)...)
		}
		return out
	}
	tests := []struct {
		name     string
		code     string
		in       Administration
		previous []Administration
		want     []string
	}{
		// Chains of early regular doses on one day.
		{name: "weekly 16 then 16 on one day is 32", in: reg("2026-12-01", 16, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft)}, want: []string{"BV6:block~opens on 2026-12-06"}},
		{name: "weekly 16+16+16 on one day blocks the third", in: reg("2026-12-01", 16, SiteThighRight),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), reg("2026-12-01", 16, SiteThighLeft)},
			want:     []string{"BV6:block~A regular dose on 2026-12-01 comes before the window"}},
		{name: "weekly 16 x4 on one day blocks the fourth too", in: reg("2026-12-01", 16, SiteAbdomenLeft),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), reg("2026-12-01", 16, SiteThighLeft), reg("2026-12-01", 16, SiteThighRight)},
			want:     []string{"BV6:block~after the 16 mg dose on 2026-12-01"}},
		{name: "weekly chain across days counts from the first", in: reg("2026-12-03", 16, SiteThighRight),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), reg("2026-12-02", 16, SiteThighLeft)},
			want:     []string{"BV6:block~opens on 2026-12-07 (due 2026-12-09 after the 16 mg dose on 2026-12-02)"}},
		{name: "extra after a chain of regular doses counts the chain", in: extra("2026-12-01", SiteAbdomenLeft),
			previous: []Administration{reg("2026-12-01", 16, SiteButtockLeft), reg("2026-12-01", 16, SiteThighLeft), reg("2026-12-01", 8, SiteThighRight)},
			want:     []string{"BV6:block~48 mg in the week that began with the 16 mg dose on 2026-12-01"}},
		{name: "monthly 64 then 64 on one day is 128", code: dosing.CodeBuvidalMonthly, in: reg("2026-12-01", 64, SiteThighLeft),
			previous: []Administration{reg("2026-12-01", 64, SiteButtockLeft)}, want: []string{"BV6:block~opens on 2026-12-22"}},
		{name: "monthly 64 x3 on one day blocks the third", code: dosing.CodeBuvidalMonthly, in: reg("2026-12-01", 64, SiteThighRight),
			previous: []Administration{reg("2026-12-01", 64, SiteButtockLeft), reg("2026-12-01", 64, SiteThighLeft)},
			want:     []string{"BV6:block~opens on 2026-12-22"}},

		// Legitimate schedules still pass.
		{name: "weekly 32 every 7 days", in: reg("2026-12-29", 32, SiteButtockLeft), previous: weekly("2026-11-03", 32, 8)},
		{name: "weekly dose 2 days early starts its own week", in: reg("2026-11-15", 32, SiteThighRight),
			previous: []Administration{reg("2026-11-03", 32, SiteButtockLeft), reg("2026-11-10", 32, SiteButtockRight)}},
		{name: "one extra between weeklies: 32 + 8", in: extra("2026-11-12", SiteThighLeft),
			previous: []Administration{reg("2026-11-03", 32, SiteButtockLeft), reg("2026-11-10", 32, SiteButtockRight)}},
		{name: "regular dose after an extra, in its window", in: reg("2026-11-15", 32, SiteThighRight),
			previous: []Administration{reg("2026-11-10", 32, SiteButtockRight), extra("2026-11-12", SiteThighLeft)}},
		{name: "monthly 160 every 28 days", code: dosing.CodeBuvidalMonthly, in: reg("2027-03-02", 160, SiteAbdomenRight),
			previous: monthlyEvery28("2026-11-10", 160, 4)},
		{name: "monthly 160 a week early starts its own month", code: dosing.CodeBuvidalMonthly, in: reg("2026-12-01", 160, SiteThighLeft),
			previous: []Administration{reg("2026-11-10", 160, SiteButtockLeft)}},
		{name: "BV3 naive week 1: 16 and two extras", in: naive(extra("2026-11-05", SiteThighRight)),
			previous: []Administration{reg("2026-11-03", 16, SiteButtockLeft), extra("2026-11-04", SiteThighLeft)}},
		{name: "BV3 naive week 2 after two extras", in: naive(reg("2026-11-10", 32, SiteAbdomenLeft)),
			previous: []Administration{reg("2026-11-03", 16, SiteButtockLeft), extra("2026-11-04", SiteThighLeft), extra("2026-11-05", SiteThighRight)}},

		// Recorded late, dated before doses already recorded.
		{name: "late extra, the first in its interval", in: extra("2026-11-07", SiteAbdomenLeft), previous: aled},
		{name: "late extra before an extra already recorded", in: extra("2026-11-06", SiteAbdomenRight),
			previous: with(aled, extra("2026-11-07", SiteAbdomenLeft)),
			want:     []string{"BV6:block~1 extra dose(s) already given between the regular dose on 2026-11-05"}},
		{name: "late extra in another interval than the one recorded", in: extra("2026-11-14", SiteAbdomenRight),
			previous: with(aled, extra("2026-11-07", SiteAbdomenLeft))},
		{name: "late regular dose before the next one's window", in: reg("2026-11-10", 24, SiteUpperArmLeft), previous: aled,
			want: []string{"BV6:block~before the regular 24 mg dose recorded on 2026-11-12, whose window would open on 2026-11-15"}},
		{name: "late regular dose in the period before, with its extra", in: reg("2026-11-08", 16, SiteUpperArmLeft),
			previous: with(aled, extra("2026-11-06", SiteAbdomenLeft)),
			want:     []string{"BV6:block~opens on 2026-11-10 (due 2026-11-12 after the 24 mg dose on 2026-11-05)"}},
		{name: "late regular 32 mg dose falls in the period before", in: reg("2026-11-08", 32, SiteUpperArmLeft),
			previous: aled, want: []string{"BV6:block~opens on 2026-11-10"}},
		{name: "late regular dose as the first, with the week's doses recorded after", in: reg("2026-11-01", 32, SiteUpperArmLeft),
			previous: []Administration{reg("2026-11-03", 16, SiteButtockLeft)},
			want:     []string{"BV6:block~before the regular 16 mg dose recorded on 2026-11-03"}},
		{name: "late extra counts the period's later doses", in: extra("2026-11-04", SiteUpperArmLeft),
			previous: []Administration{reg("2026-11-03", 32, SiteButtockLeft), reg("2026-11-07", 8, SiteButtockRight)},
			want:     []string{"BV6:block~48 mg in the week that began with the 32 mg dose on 2026-11-03"}},
		{name: "BV7 a site used after the late dose", in: extra("2026-11-07", SiteThighLeft), previous: aled,
			want: []string{"BV7:warn~used on 2026-11-12, 5 days after this injection"}},
		{name: "BV7 a site used 8 weeks after the late dose", in: reg("2026-11-05", 24, SiteAbdomenLeft),
			previous: []Administration{reg("2026-10-29", 24, SiteButtockLeft), reg("2026-12-31", 24, SiteAbdomenLeft)}},
		{name: "BV3 naive late extra next to a later one", in: naive(extra("2026-11-04", SiteThighRight)),
			previous: []Administration{reg("2026-11-03", 16, SiteButtockLeft), extra("2026-11-04", SiteThighLeft)},
			want:     []string{"BV3:override~2026-11-04"}},
		{name: "BV3 naive late extra a day before a later one", in: naive(extra("2026-11-04", SiteThighRight)),
			previous: []Administration{reg("2026-11-03", 16, SiteButtockLeft), extra("2026-11-05", SiteThighLeft)}},
		{name: "BV3 naive late third extra", in: naive(extra("2026-11-04", SiteThighRight)),
			previous: []Administration{reg("2026-11-03", 16, SiteButtockLeft), extra("2026-11-05", SiteThighLeft), extra("2026-11-07", SiteAbdomenLeft)},
			want:     []string{"BV6:block~at most 2"}},
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
