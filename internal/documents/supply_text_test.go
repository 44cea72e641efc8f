package documents

import (
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

// The form's sentence about the instalments says what its schedule does:
// a weekday the pharmacy is closed on every time it falls in the
// prescription is folded into the pattern as the schedule folds it, so no
// collection is named on a day with none; a closure in some weeks only is
// named with its dates, as before.
func TestSupplyTextFollowsTheSchedule(t *testing.T) {
	t.Parallel()
	pattern := func(set map[time.Weekday]regimes.Pickup) regimes.WeeklyPattern {
		p := regimes.AllSupervised()
		for d, v := range set {
			p[d] = v
		}
		return p
	}
	// The reviewer's pattern: Mon's dose supplied with Sun's take-home.
	monEarlier := pattern(map[time.Weekday]regimes.Pickup{time.Monday: regimes.PickupEarlier, time.Wednesday: regimes.PickupTakeHome,
		time.Sunday: regimes.PickupTakeHome})
	weekend := pattern(map[time.Weekday]regimes.Pickup{time.Saturday: regimes.PickupTakeHome, time.Sunday: regimes.PickupEarlier})
	closed := func(days ...time.Weekday) calendar.Opening { return calendar.Opening{ClosedWeekdays: days} }
	tests := []struct {
		name    string
		pattern regimes.WeeklyPattern
		opening calendar.Opening
		start   string
		days    int
		want    string
	}{
		{"closed on Sundays, Sun take-home and Mon with it", monEarlier, closed(time.Sunday), "2026-12-08", 14,
			"Consumption supervised at the pharmacy on Tue, Thu–Sat; take-home dose collected on Wed; Sun and Mon doses supplied on Sat to take home."},
		{"a 7-day prescription alike", monEarlier, closed(time.Sunday), "2026-12-15", 7,
			"Consumption supervised at the pharmacy on Tue, Thu–Sat; take-home dose collected on Wed; Sun and Mon doses supplied on Sat to take home."},
		{"open every day: the pattern as it is", monEarlier, calendar.Opening{}, "2026-12-08", 14,
			"Consumption supervised at the pharmacy on Tue, Thu–Sat; take-home dose collected on Wed, Sun; Mon dose supplied on Sun to take home."},
		{"closed on Saturdays: the weekend goes with Friday", weekend, closed(time.Saturday), "2026-12-08", 14,
			"Consumption supervised at the pharmacy on Mon–Fri; Sat and Sun doses supplied on Fri to take home."},
		{"closed on Wednesdays, a take-home day", monEarlier, closed(time.Wednesday), "2026-12-08", 14,
			"Consumption supervised at the pharmacy on Tue, Thu–Sat; take-home dose collected on Sun; Mon dose supplied on Sun to take home; Wed dose supplied on Tue to take home."},
		// A supervised day closed stays "except as scheduled below", with its dates.
		{"closed on Sundays, every dose supervised", regimes.AllSupervised(), closed(time.Sunday), "2026-12-08", 14,
			"Consumption supervised at the pharmacy every day, except as scheduled below. Supplied to take home with an earlier collection: the dose for Sun 13 Dec with the collection on Sat 12 Dec; the dose for Sun 20 Dec with the collection on Sat 19 Dec."},
		// Closed on one Sunday of two: the pattern stands, and the date is named.
		{"closed on one Sunday of two", monEarlier, calendar.Opening{ClosedDates: []calendar.Date{calendar.MustParse("2026-12-13")}}, "2026-12-08", 14,
			"Consumption supervised at the pharmacy on Tue, Thu–Sat; take-home dose collected on Wed, Sun; Mon dose supplied on Sun to take home. Supplied to take home with an earlier collection: the doses for Sun 13 Dec and Mon 14 Dec with the collection on Sat 12 Dec."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sp prescriptions.WeeklyPattern
			for i, v := range tt.pattern {
				sp[i] = prescriptions.Pickup(v)
			}
			s, err := prescriptions.BuildSchedule(prescriptions.ScheduleInput{Start: calendar.MustParse(tt.start), Days: tt.days,
				Daily: dosing.Mg(30), Pattern: sp, Opening: tt.opening})
			if err != nil {
				t.Fatal(err)
			}
			d := store.PrescriptionDocument{}
			d.Pattern = tt.pattern
			for _, in := range s.Instalments {
				d.Instalments = append(d.Instalments, store.Instalment{Date: in.Date, Covers: in.Covers, Supervised: in.Supervised, TakeHome: in.TakeHome})
			}
			if got := supplyText(d); got != tt.want {
				t.Errorf("supplyText =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
