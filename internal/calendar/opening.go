package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Opening says on which days a pharmacy hands out doses. Instalments due on a
// closed day are supplied on an earlier open day (L7 wording 1, L8), so the
// schedule builder asks this, never the clock.
type Opening struct {
	ClosedWeekdays []time.Weekday `json:"closed_weekdays"`
	ClosedDates    []Date         `json:"closed_dates"`
	// OpenDates are exceptions that win over everything else, e.g. a
	// pharmacy that opens on a bank holiday or one particular Sunday.
	OpenDates          []Date `json:"open_dates"`
	BankHolidaysClosed bool   `json:"bank_holidays_closed"`
}

// DefaultOpening is the usual community pharmacy: closed on Sundays and bank holidays.
func DefaultOpening() Opening {
	return Opening{
		ClosedWeekdays:     []time.Weekday{time.Sunday},
		BankHolidaysClosed: true,
	}
}

// IsOpen reports whether the pharmacy can hand out doses on d.
func (o Opening) IsOpen(d Date) bool {
	if containsDate(o.OpenDates, d) {
		return true
	}
	if containsDate(o.ClosedDates, d) || slices.Contains(o.ClosedWeekdays, d.Weekday()) {
		return false
	}
	if o.BankHolidaysClosed {
		if _, ok := BankHoliday(d); ok {
			return false
		}
		// Christmas Day is a holiday by common law whatever its weekday;
		// on a weekend the bank holiday moves to a weekday, but the
		// pharmacy does not open on the 25th itself.
		if d.Month() == time.December && d.Day() == 25 {
			return false
		}
	}
	return true
}

// RecordedClosed reports whether the pharmacy recorded d itself as a
// closed date (closed_dates, and not opened again by open_dates). Only a
// dated closure says the pharmacy was shut on that very day: a weekday or
// bank holiday rule set later says nothing of the days before it, so a
// dose missed on such a day then stays the patient's (ADR 0016).
func (o Opening) RecordedClosed(d Date) bool {
	return containsDate(o.ClosedDates, d) && !containsDate(o.OpenDates, d)
}

// Validate rejects an opening no schedule could be built on: with every
// weekday closed there is never a day to supply doses in advance.
func (o Opening) Validate() error {
	seen := map[time.Weekday]bool{}
	for _, wd := range o.ClosedWeekdays {
		if wd < time.Sunday || wd > time.Saturday {
			return fmt.Errorf("closed weekday %d is not a weekday", int(wd))
		}
		if seen[wd] {
			return fmt.Errorf("closed weekday %s is listed twice", weekdayName(wd))
		}
		seen[wd] = true
	}
	if len(seen) == 7 {
		return errors.New("the pharmacy must be open on at least one weekday")
	}
	for _, d := range o.ClosedDates {
		if d.IsZero() {
			return errors.New("closed dates must not be empty")
		}
		if containsDate(o.OpenDates, d) {
			return fmt.Errorf("%s is listed as both open and closed", d)
		}
	}
	for _, d := range o.OpenDates {
		if d.IsZero() {
			return errors.New("open dates must not be empty")
		}
	}
	return nil
}

// NewlyClosed lists, in date order, the days up to today that op closes
// and old left open, among the days a pharmacy may already hold records
// for: today, whatever closes it, and the earlier dates op lists as
// closed or old listed as open. A pharmacy that recorded doses on a day
// was open that day, so such a day is not closed afterwards (S1: the
// record says what happened on the day). Closed weekdays and bank
// holidays set the hours from today on: reading every past week again
// would stop any change of hours at a pharmacy that has dispensed for a
// while.
func (o Opening) NewlyClosed(old Opening, today Date) []Date {
	var out []Date
	add := func(d Date) {
		if !d.After(today) && old.IsOpen(d) && !o.IsOpen(d) && !containsDate(out, d) {
			out = append(out, d)
		}
	}
	add(today)
	for _, d := range o.ClosedDates {
		add(d)
	}
	for _, d := range old.OpenDates {
		add(d)
	}
	slices.SortFunc(out, Date.Compare)
	return out
}

// Reopened lists, in date order, the days up to today that old recorded
// closed (RecordedClosed) and o no longer does: the closure taken out of
// closed_dates. Such a day's missed
// records lose their "pharmacy closed" mark (ADR 0016), so what was said
// of them for the closure is said again without it.
func (o Opening) Reopened(old Opening, today Date) []Date {
	var out []Date
	for _, d := range old.ClosedDates {
		if !d.After(today) && old.RecordedClosed(d) && !o.RecordedClosed(d) && !containsDate(out, d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, Date.Compare)
	return out
}

// ClosingField names the field that closes d under o when old left it
// open, as a request names it: the closed date, the open date taken
// away, the closed weekday, or else the bank holidays.
func (o Opening) ClosingField(old Opening, d Date) string {
	switch {
	case containsDate(o.ClosedDates, d):
		return "closed_dates"
	case containsDate(old.OpenDates, d) && !containsDate(o.OpenDates, d):
		return "open_dates"
	case slices.Contains(o.ClosedWeekdays, d.Weekday()):
		return "closed_weekdays"
	}
	return "bank_holidays_closed"
}

// openingJSON carries weekdays as lowercase names: clients and config files
// should not have to know Go's Sunday-is-0 numbering.
type openingJSON struct {
	ClosedWeekdays     []string `json:"closed_weekdays"`
	ClosedDates        []Date   `json:"closed_dates"`
	OpenDates          []Date   `json:"open_dates"`
	BankHolidaysClosed bool     `json:"bank_holidays_closed"`
}

func (o Opening) MarshalJSON() ([]byte, error) {
	j := openingJSON{
		ClosedWeekdays:     make([]string, 0, len(o.ClosedWeekdays)),
		ClosedDates:        nonNilDates(o.ClosedDates),
		OpenDates:          nonNilDates(o.OpenDates),
		BankHolidaysClosed: o.BankHolidaysClosed,
	}
	for _, wd := range o.ClosedWeekdays {
		if wd < time.Sunday || wd > time.Saturday {
			return nil, fmt.Errorf("closed weekday %d is not a weekday", int(wd))
		}
		j.ClosedWeekdays = append(j.ClosedWeekdays, weekdayName(wd))
	}
	return json.Marshal(j)
}

func (o *Opening) UnmarshalJSON(b []byte) error {
	var j openingJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	out := Opening{
		ClosedDates:        j.ClosedDates,
		OpenDates:          j.OpenDates,
		BankHolidaysClosed: j.BankHolidaysClosed,
	}
	for _, s := range j.ClosedWeekdays {
		wd, err := ParseWeekday(s)
		if err != nil {
			return err
		}
		out.ClosedWeekdays = append(out.ClosedWeekdays, wd)
	}
	*o = out
	return nil
}

// ParseWeekday reads a weekday name as the API spells it, in lower case
// ("sunday"): one spelling, so that what a client sends is what it reads
// back and what the spec's enum lists.
func ParseWeekday(s string) (time.Weekday, error) {
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if s == weekdayName(wd) {
			return wd, nil
		}
	}
	return 0, fmt.Errorf("%q is not a weekday name: monday, tuesday, wednesday, thursday, friday, saturday or sunday, in lower case", s)
}

func weekdayName(wd time.Weekday) string { return strings.ToLower(wd.String()) }

func containsDate(ds []Date, d Date) bool {
	return slices.ContainsFunc(ds, d.Equal)
}

// nonNilDates makes an empty list encode as [] rather than null.
func nonNilDates(ds []Date) []Date {
	if ds == nil {
		return []Date{}
	}
	return ds
}
