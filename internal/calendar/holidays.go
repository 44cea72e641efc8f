package calendar

import (
	"slices"
	"time"
)

// Holiday is one England-and-Wales bank holiday.
type Holiday struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
}

// Names as gov.uk publishes them, so a pharmacist sees the familiar label.
const (
	NewYearsDay      = "New Year's Day"
	GoodFriday       = "Good Friday"
	EasterMonday     = "Easter Monday"
	EarlyMayHoliday  = "Early May bank holiday"
	SpringHoliday    = "Spring bank holiday"
	SummerHoliday    = "Summer bank holiday"
	ChristmasDay     = "Christmas Day"
	BoxingDay        = "Boxing Day"
	substituteSuffix = " (substitute day)"
)

// oneOff is a proclaimed change to the usual pattern. When replaces names a
// rule-based holiday of that year, the holiday moves to date (keeping its
// name); otherwise date is an extra holiday called name.
type oneOff struct {
	date     Date
	name     string
	replaces string
}

// oneOffs are the royal proclamations since the early May holiday began
// (1978); the rules alone cannot know them, and a pharmacy closed on
// 19 Sep 2022 still needed doses supplied in advance (L7 wording 1).
var oneOffs = []oneOff{
	{date: NewDate(1995, time.May, 8), replaces: EarlyMayHoliday},
	{date: NewDate(1999, time.December, 31), name: "Millennium Celebrations"},
	{date: NewDate(2002, time.June, 4), replaces: SpringHoliday},
	{date: NewDate(2002, time.June, 3), name: "Golden Jubilee bank holiday"},
	{date: NewDate(2011, time.April, 29), name: "Royal wedding"},
	{date: NewDate(2012, time.June, 4), replaces: SpringHoliday},
	{date: NewDate(2012, time.June, 5), name: "Queen's Diamond Jubilee"},
	{date: NewDate(2020, time.May, 8), replaces: EarlyMayHoliday},
	{date: NewDate(2022, time.June, 2), replaces: SpringHoliday},
	{date: NewDate(2022, time.June, 3), name: "Platinum Jubilee bank holiday"},
	{date: NewDate(2022, time.September, 19), name: "State Funeral of Queen Elizabeth II"},
	{date: NewDate(2023, time.May, 8), name: "Bank holiday for the coronation of King Charles III"},
}

// BankHolidays lists the England-and-Wales bank holidays of year in date
// order. Years from 1978 follow today's statutory pattern plus the one-off
// proclamations above; earlier years are computed by the same rules, which
// did not then apply, and future proclamations must be added to the table.
func BankHolidays(year int) []Holiday {
	easter := EasterSunday(year)
	hs := []Holiday{
		newYear(year),
		{easter.AddDays(-2), GoodFriday},
		{easter.AddDays(1), EasterMonday},
		{nthWeekday(year, time.May, time.Monday, 1), EarlyMayHoliday},
		{lastWeekday(year, time.May, time.Monday), SpringHoliday},
		{lastWeekday(year, time.August, time.Monday), SummerHoliday},
	}
	hs = append(hs, christmas(year)...)

	for _, o := range oneOffs {
		if o.date.Year() != year {
			continue
		}
		if o.replaces == "" {
			hs = append(hs, Holiday{o.date, o.name})
			continue
		}
		for i := range hs {
			if hs[i].Name == o.replaces {
				hs[i].Date = o.date
			}
		}
	}
	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

// BankHoliday reports whether d is an England-and-Wales bank holiday and its name.
func BankHoliday(d Date) (name string, ok bool) {
	for _, h := range BankHolidays(d.Year()) {
		if h.Date.Equal(d) {
			return h.Name, true
		}
	}
	return "", false
}

// EasterSunday is Western Easter for year by the anonymous Gregorian
// computus (Meeus/Jones/Butcher), which holds for every Gregorian year.
func EasterSunday(year int) Date {
	a := year % 19
	b := year / 100
	c := year % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(year, time.Month(month), day)
}

// newYear moves a weekend 1 January to the following Monday, as the
// Banking and Financial Dealings Act 1971 substitutes it.
func newYear(year int) Holiday {
	d := NewDate(year, time.January, 1)
	switch d.Weekday() {
	case time.Saturday:
		return Holiday{d.AddDays(2), NewYearsDay + substituteSuffix}
	case time.Sunday:
		return Holiday{d.AddDays(1), NewYearsDay + substituteSuffix}
	}
	return Holiday{d, NewYearsDay}
}

// christmas gives Christmas and Boxing Day with their substitutes: a
// weekend day moves to the next weekday not already a holiday, which is why a
// Sunday Christmas puts Boxing Day on its own Monday and Christmas on Tuesday.
func christmas(year int) []Holiday {
	xmas := NewDate(year, time.December, 25)
	boxing := xmas.AddDays(1)
	switch xmas.Weekday() {
	case time.Friday:
		return []Holiday{{xmas, ChristmasDay}, {xmas.AddDays(3), BoxingDay + substituteSuffix}}
	case time.Saturday:
		return []Holiday{{xmas.AddDays(2), ChristmasDay + substituteSuffix}, {xmas.AddDays(3), BoxingDay + substituteSuffix}}
	case time.Sunday:
		return []Holiday{{boxing, BoxingDay}, {xmas.AddDays(2), ChristmasDay + substituteSuffix}}
	}
	return []Holiday{{xmas, ChristmasDay}, {boxing, BoxingDay}}
}

func nthWeekday(year int, month time.Month, wd time.Weekday, n int) Date {
	first := NewDate(year, month, 1)
	offset := (int(wd) - int(first.Weekday()) + 7) % 7
	return first.AddDays(offset + 7*(n-1))
}

func lastWeekday(year int, month time.Month, wd time.Weekday) Date {
	last := NewDate(year, month+1, 0)
	offset := (int(last.Weekday()) - int(wd) + 7) % 7
	return last.AddDays(-offset)
}
