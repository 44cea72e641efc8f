package prescriptions

import (
	"errors"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
)

var fuzzPickups = []Pickup{PickupSupervised, PickupTakeHome, PickupEarlier, "", "collect"}

// FuzzBuildSchedule: any start, length, pattern and opening either is
// refused with ErrInvalidSchedule or gives a schedule in which every dose
// day is covered exactly once, on or after its collection day and within
// the prescription, no collection falls on a closed day, and the total is
// days × daily.
func FuzzBuildSchedule(f *testing.F) {
	// start as days from 2026-01-01, pattern as 7 base-5 digits, closed
	// weekdays as a bit mask, closed/open date offsets from the start.
	f.Add(int32(0), 14, int64(30000), uint32(0), uint8(1), true, int16(-1), int16(-1))
	f.Add(int32(144), 14, int64(70000), uint32(2), uint8(1), true, int16(6), int16(-1))
	f.Add(int32(355), 14, int64(25000), uint32(0), uint8(65), true, int16(3), int16(4))
	f.Add(int32(87), 7, int64(1), uint32(78124), uint8(0), false, int16(0), int16(0))
	f.Add(int32(-800000), 1, int64(1000), uint32(0), uint8(127), false, int16(-1), int16(2))
	f.Add(int32(3), 400, int64(1<<62), uint32(1), uint8(0), false, int16(-1), int16(-1))
	f.Fuzz(func(t *testing.T, startOff int32, days int, daily int64, pattern uint32, closedMask uint8, bankHolidays bool, closedAt, openAt int16) {
		if days > 1000 {
			days = 1000 // bounded: a long schedule proves nothing more
		}
		start := calendar.NewDate(2026, time.January, 1).AddDays(int(startOff))
		var p WeeklyPattern
		for i := range p {
			p[i] = fuzzPickups[pattern%uint32(len(fuzzPickups))]
			pattern /= uint32(len(fuzzPickups))
		}
		op := calendar.Opening{BankHolidaysClosed: bankHolidays}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			if closedMask&(1<<wd) != 0 {
				op.ClosedWeekdays = append(op.ClosedWeekdays, wd)
			}
		}
		if closedAt >= 0 {
			op.ClosedDates = append(op.ClosedDates, start.AddDays(int(closedAt)))
		}
		if openAt >= 0 {
			op.OpenDates = append(op.OpenDates, start.AddDays(int(openAt)))
		}
		in := ScheduleInput{Start: start, Days: days, Daily: dosing.Micrograms(daily), Pattern: p, Opening: op}
		s, err := BuildSchedule(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidSchedule) {
				t.Fatalf("BuildSchedule(%+v): %v is not ErrInvalidSchedule", in, err)
			}
			return
		}
		end := start.AddDays(days - 1)
		covered := map[calendar.Date]int{}
		var sum dosing.Micrograms
		for i, inst := range s.Instalments {
			if !op.IsOpen(inst.Date) {
				t.Fatalf("instalment %d on %s, a closed day", i, inst.Date)
			}
			if inst.Date.Before(start) || inst.Date.After(end) {
				t.Fatalf("instalment %d on %s, outside %s..%s", i, inst.Date, start, end)
			}
			if i > 0 && !s.Instalments[i-1].Date.Before(inst.Date) {
				t.Fatalf("instalments out of order: %s then %s", s.Instalments[i-1].Date, inst.Date)
			}
			if len(inst.Covers) == 0 || !inst.Covers[0].Equal(inst.Date) {
				t.Fatalf("instalment %d on %s covers %v, not starting with its own day", i, inst.Date, inst.Covers)
			}
			if inst.Supervised < 0 || inst.TakeHome < 0 || inst.Amount() != in.Daily*dosing.Micrograms(len(inst.Covers)) {
				t.Fatalf("instalment %d: %d supervised + %d take-home for %d days of %d", i, inst.Supervised, inst.TakeHome, len(inst.Covers), in.Daily)
			}
			for _, d := range inst.Covers {
				if d.Before(inst.Date) {
					t.Fatalf("instalment on %s supplies %s after its day", inst.Date, d)
				}
				if d.Before(start) || d.After(end) {
					t.Fatalf("instalment on %s covers %s, outside %s..%s", inst.Date, d, start, end)
				}
				covered[d]++
			}
			sum += inst.Amount()
		}
		for i := 0; i < days; i++ {
			if d := start.AddDays(i); covered[d] != 1 {
				t.Fatalf("dose day %s covered %d times", d, covered[d])
			}
		}
		if len(covered) != days {
			t.Fatalf("%d days covered, want %d", len(covered), days)
		}
		if s.Total != in.Daily*dosing.Micrograms(days) || sum != s.Total {
			t.Fatalf("total %d, instalments sum to %d, want %d × %d", s.Total, sum, days, in.Daily)
		}
	})
}
