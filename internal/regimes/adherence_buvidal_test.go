package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// every returns regular injections every `days` days from start, count of them.
func every(start string, days, count int) []Administration {
	var out []Administration
	for i := range count {
		out = append(out, Administration{Date: date(start).AddDays(i * days), Dose: mg(24), Site: SiteAbdomenLeft})
	}
	return out
}

func TestInjectionsOnTime(t *testing.T) {
	t.Parallel()
	// The SC3 window: 12 weeks up to, and not including, 2026-06-29.
	from, to := date("2026-04-06"), date("2026-06-29")
	monthly := func(as []Administration) []Administration {
		for i := range as {
			as[i].Medicine = dosing.CodeBuvidalMonthly
		}
		return as
	}
	with := func(as []Administration, edit func([]Administration) []Administration) []Administration {
		return edit(as)
	}
	tests := []struct {
		name        string
		medicine    string
		given       []Administration
		due, onTime int
	}{
		{name: "none given", medicine: dosing.CodeBuvidalWeekly},
		{name: "weekly, every one on its day", medicine: dosing.CodeBuvidalWeekly,
			// From 2026-03-30: due 04-06 … 06-22 (12 in the window); the
			// one due 06-29 is not yet.
			given: every("2026-03-30", 7, 13), due: 12, onTime: 12},
		{name: "the first injection is not due after anything", medicine: dosing.CodeBuvidalWeekly,
			given: every("2026-04-06", 7, 12), due: 11, onTime: 11},
		{name: "weekly, two days late is on time", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-08")}, {Date: date("2026-06-17")}, {Date: date("2026-06-24")}}, due: 2, onTime: 2},
		{name: "weekly, two days early is on time", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-08")}, {Date: date("2026-06-13")}, {Date: date("2026-06-20")}, {Date: date("2026-06-27")}},
			due:   3, onTime: 3},
		{name: "weekly, three days late is not", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-08")}, {Date: date("2026-06-18")}, {Date: date("2026-06-25")}}, due: 2, onTime: 1},
		{name: "weekly, three days early is not", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-08")}, {Date: date("2026-06-12")}, {Date: date("2026-06-19")}, {Date: date("2026-06-26")}},
			due:   3, onTime: 2},
		{name: "weeks without an injection count as weeks", medicine: dosing.CodeBuvidalWeekly,
			// Due 05-11 (given 06-08: late), 05-18, 05-25, 06-01 missed
			// (windows closed before 06-08), 06-15 on time, 06-22 on time.
			given: []Administration{{Date: date("2026-05-04")}, {Date: date("2026-06-08")}, {Date: date("2026-06-15")}, {Date: date("2026-06-22")}},
			due:   6, onTime: 2},
		{name: "a window closed with none given counts as due", medicine: dosing.CodeBuvidalWeekly,
			// Due 06-15 (window to 06-17, closed) and 06-22 (to 06-24, closed).
			given: []Administration{{Date: date("2026-06-01")}, {Date: date("2026-06-08")}}, due: 3, onTime: 1},
		{name: "a window still open counts for nothing", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-15")}, {Date: date("2026-06-23")}}, due: 1, onTime: 1},
		{name: "a window closing the day before the end counts", medicine: dosing.CodeBuvidalWeekly,
			// Due 06-26, window to 06-28, the window's last day.
			given: []Administration{{Date: date("2026-06-12")}, {Date: date("2026-06-19")}}, due: 2, onTime: 1},
		{name: "extra doses count for nothing", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-08")}, {Date: date("2026-06-10"), Dose: mg(8), Extra: true},
				{Date: date("2026-06-15")}, {Date: date("2026-06-22")}}, due: 2, onTime: 2},
		{name: "injections before the window anchor it, and fall outside it", medicine: dosing.CodeBuvidalWeekly,
			given: append(every("2026-02-02", 7, 8), every("2026-03-30", 7, 13)...), due: 12, onTime: 12},
		{name: "injections on or after the end are not looked at", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-15")}, {Date: date("2026-06-22")}, {Date: date("2026-06-29")}}, due: 1, onTime: 1},
		{name: "out of order input is sorted", medicine: dosing.CodeBuvidalWeekly,
			given: []Administration{{Date: date("2026-06-22")}, {Date: date("2026-06-08")}, {Date: date("2026-06-15")}}, due: 2, onTime: 2},
		{name: "monthly, every 28 days", medicine: dosing.CodeBuvidalMonthly,
			// Due 04-06, 05-04, 06-01; the next due 06-29.
			given: monthly(every("2026-03-09", 28, 4)), due: 3, onTime: 3},
		{name: "monthly, a week late is on time", medicine: dosing.CodeBuvidalMonthly,
			given: monthly([]Administration{{Date: date("2026-04-06")}, {Date: date("2026-05-11")}, {Date: date("2026-06-08")}}), due: 2, onTime: 2},
		{name: "monthly, eight days late is not", medicine: dosing.CodeBuvidalMonthly,
			given: monthly([]Administration{{Date: date("2026-04-06")}, {Date: date("2026-05-12")}, {Date: date("2026-06-09")}}), due: 2, onTime: 1},
		{name: "monthly, a missed month", medicine: dosing.CodeBuvidalMonthly,
			// Due 05-04 (window closed 05-11), then 06-01 (closed 06-08).
			given: monthly([]Administration{{Date: date("2026-04-06")}}), due: 2, onTime: 0},
		{name: "weekly to monthly: the first monthly dose is due a week after the last weekly", medicine: dosing.CodeBuvidalMonthly,
			given: with(every("2026-04-06", 7, 6), func(as []Administration) []Administration {
				for i := range as {
					as[i].Medicine = dosing.CodeBuvidalWeekly
				}
				// Weekly 04-06 … 05-11; monthly 05-18, then due 06-15.
				return append(as, Administration{Date: date("2026-05-18"), Medicine: dosing.CodeBuvidalMonthly},
					Administration{Date: date("2026-06-15"), Medicine: dosing.CodeBuvidalMonthly})
			}), due: 7, onTime: 7},
		{name: "not an injectable", medicine: dosing.CodeMethadone, given: every("2026-03-30", 7, 13)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := InjectionsOnTime(policy.Defaults(), medicine(t, tt.medicine), tt.given, from, to)
			if got.Due != tt.due || got.OnTime != tt.onTime {
				t.Errorf("InjectionsOnTime = %d of %d on time, want %d of %d", got.OnTime, got.Due, tt.onTime, tt.due)
			}
			if got.OnTime > got.Due {
				t.Errorf("more on time than due: %+v", got)
			}
		})
	}
}

// The window the count is made over moves the count: an injection due
// on the first day counts, one due the day before does not.
func TestInjectionsOnTimeEdges(t *testing.T) {
	t.Parallel()
	weekly := medicine(t, dosing.CodeBuvidalWeekly)
	given := []Administration{{Date: date("2026-03-30")}, {Date: date("2026-04-06")}}
	for _, tt := range []struct {
		from string
		due  int
	}{{"2026-04-06", 1}, {"2026-04-07", 0}} {
		got := InjectionsOnTime(policy.Defaults(), weekly, given, calendar.MustParse(tt.from), date("2026-04-10"))
		if got.Due != tt.due {
			t.Errorf("from %s: due %d, want %d", tt.from, got.Due, tt.due)
		}
	}
}
