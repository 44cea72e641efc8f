// Package calendar holds the civil dates Dosebook reasons in: a dose is due on
// a pharmacy's local date, not at an instant, so dates never carry a time zone.
package calendar

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day (YYYY-MM-DD) with no time of day or zone.
// The zero Date is "no date".
type Date struct {
	t time.Time // always midnight UTC
}

const layout = "2006-01-02"

// NewDate builds a Date from its parts; out-of-range parts normalise as time.Date does.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// DateOf is the local date of instant t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// Parse reads a YYYY-MM-DD date strictly.
func Parse(s string) (Date, error) {
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustParse is Parse for constants and tests.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) IsZero() bool                { return d.t.IsZero() }
func (d Date) String() string              { return d.t.Format(layout) }
func (d Date) Year() int                   { return d.t.Year() }
func (d Date) Month() time.Month           { return d.t.Month() }
func (d Date) Day() int                    { return d.t.Day() }
func (d Date) Weekday() time.Weekday       { return d.t.Weekday() }
func (d Date) AddDays(n int) Date          { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) Before(o Date) bool          { return d.t.Before(o.t) }
func (d Date) After(o Date) bool           { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool           { return d.t.Equal(o.t) }
func (d Date) Format(layout string) string { return d.t.Format(layout) }

// DaysUntil counts calendar days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

// Start is the instant the date begins in loc; across a clock change this is
// still local midnight, which is why dates are kept apart from instants.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// Compare orders dates for sorting: -1, 0 or +1.
func (d Date) Compare(o Date) int { return d.t.Compare(o.t) }

func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string YYYY-MM-DD")
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Value stores a date as YYYY-MM-DD text, which PostgreSQL's date type and
// SQLite's text both accept; the zero Date is NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan accepts what either database hands back for a date column.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = NewDate(v.Year(), v.Month(), v.Day())
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("calendar: cannot scan %T into Date", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > len(layout) {
		s = s[:len(layout)] // SQLite may hand back "2025-01-02 00:00:00+00:00"
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
