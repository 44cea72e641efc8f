package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestEndedRegimeStillOn(t *testing.T) {
	t.Parallel()
	days := func(ds ...string) []calendar.Date {
		var out []calendar.Date
		for _, d := range ds {
			out = append(out, date(d))
		}
		return out
	}
	// MD1's default count is 3 days.
	tests := []struct {
		name    string
		code    string
		regime  EndedRegime
		start   string
		taken   bool
		onUntil string // "" for zero
		stillOn bool
	}{
		{name: "sublingual ended the day it started, no dose taken", code: dosing.CodeBuprenorphineSL,
			regime: EndedRegime{EndedOn: date("2026-03-02")}, start: "2026-03-02"},
		{name: "Buvidal ended before its first injection", code: dosing.CodeBuvidalWeekly,
			regime: EndedRegime{EndedOn: date("2026-03-02")}, start: "2026-03-02"},
		{name: "sublingual taken until its end, restarted the next day", code: dosing.CodeBuprenorphineSL,
			regime: EndedRegime{EndedOn: date("2026-03-02"), LastDayTaken: date("2026-03-02")}, start: "2026-03-03",
			taken: true, onUntil: "2026-03-02", stillOn: true},
		{name: "methadone last taken three weeks before its end", code: dosing.CodeMethadone,
			regime: EndedRegime{EndedOn: date("2026-03-23"), LastDayTaken: date("2026-03-02")}, start: "2026-03-23",
			taken: true, onUntil: "2026-03-02"},
		{name: "methadone last taken MD1's days before", code: dosing.CodeMethadone,
			regime: EndedRegime{EndedOn: date("2026-03-23"), LastDayTaken: date("2026-03-20")}, start: "2026-03-23",
			taken: true, onUntil: "2026-03-20", stillOn: true},
		{name: "take-home doses held past the end", code: dosing.CodeMethadone,
			regime: EndedRegime{EndedOn: date("2026-03-06"), LastDayTaken: date("2026-03-08"), HeldDays: days("2026-03-07", "2026-03-08")},
			start:  "2026-03-11", taken: true, onUntil: "2026-03-08", stillOn: true},
		{name: "weekly Buvidal covers its week", code: dosing.CodeBuvidalWeekly,
			regime: EndedRegime{EndedOn: date("2026-03-03"), Injections: days("2026-02-23", "2026-03-02")}, start: "2026-03-12",
			taken: true, onUntil: "2026-03-09", stillOn: true},
		{name: "monthly Buvidal covers its month", code: dosing.CodeBuvidalMonthly,
			regime: EndedRegime{EndedOn: date("2026-03-03"), Injections: days("2026-03-02")}, start: "2026-04-03",
			taken: true, onUntil: "2026-03-30"},
		{name: "Buvidal extra dose alone is a dose taken", code: dosing.CodeBuvidalWeekly,
			regime: EndedRegime{EndedOn: date("2026-03-03"), Extras: 1}, start: "2026-03-04",
			taken: true, onUntil: "2026-03-03", stillOn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.regime
			r.Medicine = medicine(t, tt.code)
			if got := r.Taken(); got != tt.taken {
				t.Errorf("Taken %v, want %v", got, tt.taken)
			}
			var want calendar.Date
			if tt.onUntil != "" {
				want = date(tt.onUntil)
			}
			if got := r.OnUntil(); !got.Equal(want) {
				t.Errorf("OnUntil %s, want %s", got, want)
			}
			if got := StillOn(policy.Defaults(), r, date(tt.start)); got != tt.stillOn {
				t.Errorf("StillOn %v, want %v", got, tt.stillOn)
			}
		})
	}
}
