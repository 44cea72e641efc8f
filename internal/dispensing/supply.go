package dispensing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/problem"
)

// Supply is an instalment whose current record handed its doses over
// (supervised or collected). A day's dose is supplied once: a supply stays
// the record of the days it covers whatever becomes of its prescription
// afterwards (cancelled for a dose change, say), so no other instalment
// may supply them again.
type Supply struct {
	InstalmentID string
	// EventID is the record that says the doses were handed over.
	EventID string
	// Serial is the instalment's prescription's serial, when known.
	Serial string
	// Date is the collection day; Covers the dose days it supplied (empty:
	// Date alone).
	Date    calendar.Date
	Covers  []calendar.Date
	Outcome Outcome
	// PharmacyID and PharmacyName are where it was handed over, and
	// OccurredAt when, for the day list's line it leaves nothing to supply
	// (SuppliedElsewhereWarning); empty where not read.
	PharmacyID   string
	PharmacyName string
	OccurredAt   time.Time
}

func (s Supply) days() []calendar.Date {
	if len(s.Covers) == 0 {
		return []calendar.Date{s.Date}
	}
	return s.Covers
}

// SuppliedDay is a dose day a supply already covers.
type SuppliedDay struct {
	Day calendar.Date
	By  Supply
}

// AlreadySupplied lists the days among days that one of supplies already
// covers, in date order and each once (by the earliest supply, should two
// cover it).
func AlreadySupplied(supplies []Supply, days []calendar.Date) []SuppliedDay {
	var out []SuppliedDay
	for _, s := range supplies {
		if !s.Outcome.Taken() {
			continue
		}
		for _, d := range s.days() {
			if !slices.ContainsFunc(days, d.Equal) {
				continue
			}
			i := slices.IndexFunc(out, func(sd SuppliedDay) bool { return sd.Day.Equal(d) })
			switch {
			case i < 0:
				out = append(out, SuppliedDay{Day: d, By: s})
			case s.Date.Before(out[i].By.Date):
				out[i].By = s
			}
		}
	}
	slices.SortFunc(out, func(a, b SuppliedDay) int { return a.Day.Compare(b.Day) })
	return out
}

// SuppliedElsewhere lists the supplies that already handed over every dose
// day an instalment dated date covering covers (empty: date alone) holds,
// by the earliest supply of each day: the line has nothing left to supply.
// A dose recorded on a prescription cancelled and reissued the same day
// (given before the dose change or move, occurred_at earlier), or at the
// pharmacy the patient moved from, leaves the reissue's line so. nil when
// any of its days is still to be supplied: that line is due, and recording
// it is refused only for the days supplied (AlreadySupplied).
func SuppliedElsewhere(supplies []Supply, date calendar.Date, covers []calendar.Date) []SuppliedDay {
	days := covers
	if len(days) == 0 {
		days = []calendar.Date{date}
	}
	supplied := AlreadySupplied(supplies, days)
	for _, d := range days {
		if !slices.ContainsFunc(supplied, func(sd SuppliedDay) bool { return sd.Day.Equal(d) }) {
			return nil
		}
	}
	return supplied
}

// SuppliedElsewhereWarning is the day-list prompt on a line whose every
// day was supplied already (SuppliedElsewhere), at the pharmacy here or
// another, with the time in zone: nothing is due, and a second dose must
// not be handed over.
func SuppliedElsewhereWarning(supplied []SuppliedDay, here string, zone *time.Location) Warning {
	var parts []string
	for i := 0; i < len(supplied); {
		j := i
		var days []string
		for ; j < len(supplied) && supplied[j].By.InstalmentID == supplied[i].By.InstalmentID; j++ {
			days = append(days, supplied[j].Day.Format("Mon 2 Jan"))
		}
		by := supplied[i].By
		when := "on " + by.Date.Format("Mon 2 Jan")
		if !by.OccurredAt.IsZero() {
			when = "at " + by.OccurredAt.In(zone).Format("15:04 on Mon 2 Jan")
		}
		where := ""
		switch {
		case by.PharmacyID == here:
			where = " at this pharmacy"
		case by.PharmacyName != "":
			where = " at " + by.PharmacyName
		case by.PharmacyID != "":
			where = " at another pharmacy"
		}
		rx := ""
		if by.Serial != "" {
			rx = " on prescription " + by.Serial
		}
		parts = append(parts, fmt.Sprintf("the dose for %s was %s %s%s%s", joinAnd(days), by.Outcome, when, rx, where))
		i = j
	}
	return Warning{Code: WarnSuppliedElsewhere,
		Message: "Already supplied: " + joinAnd(parts) + ". Nothing is due on this line: do not hand over a second dose. " +
			"If that record is wrong (the dose was not in fact given), correct it first."}
}

// DaysFrom lists the n days from start.
func DaysFrom(start calendar.Date, n int) []calendar.Date {
	out := make([]calendar.Date, 0, max(n, 0))
	for i := 0; i < n; i++ {
		out = append(out, start.AddDays(i))
	}
	return out
}

// describe says which days were supplied, by what, as a sentence's middle:
// "Thu 26 Mar 2026 (supervised on Thu 26 Mar 2026, prescription SS-000001)".
// Days supplied by one instalment are named together.
func describe(supplied []SuppliedDay) string {
	var parts []string
	for i := 0; i < len(supplied); {
		j := i
		var days []string
		for ; j < len(supplied) && supplied[j].By.InstalmentID == supplied[i].By.InstalmentID; j++ {
			days = append(days, supplied[j].Day.Format("Mon 2 Jan 2006"))
		}
		by := supplied[i].By
		rx := ""
		if by.Serial != "" {
			rx = ", prescription " + by.Serial
		}
		parts = append(parts, fmt.Sprintf("%s (%s on %s%s)", joinAnd(days), by.Outcome, by.Date.Format("Mon 2 Jan 2006"), rx))
		i = j
	}
	return joinAnd(parts)
}

func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// SuppliedDaysProblem refuses a prescription whose days include days
// already supplied, naming start_date: the pharmacy would list the patient
// twice on those days and a second dose could be handed over. The day
// after the last day supplied is where the prescription can start. nil
// when supplied is empty.
func SuppliedDaysProblem(supplied []SuppliedDay) error {
	if len(supplied) == 0 {
		return nil
	}
	last := supplied[len(supplied)-1].Day
	verb := "was"
	if len(supplied) > 1 {
		verb = "were"
	}
	return problem.Invalidf("start_date", "already_supplied",
		"the patient's dose for %s %s already supplied, and that record stands though its prescription may since have been cancelled: a day's dose is supplied once. Start this prescription on %s, the day after the last day supplied.",
		describe(supplied), verb, last.AddDays(1).Format("Mon 2 Jan 2006"))
}

// SecondSupplyMessage is why a dose handed over is refused for days
// another instalment already supplied (the record in the answer's
// existing).
func SecondSupplyMessage(supplied []SuppliedDay) string {
	return fmt.Sprintf("the patient's dose for %s was already supplied: a day's dose is supplied once, and this instalment covers that day too. "+
		"Do not hand it over. If the earlier record is wrong (that dose was not in fact given), correct it first; "+
		"otherwise ask the prescriber why two prescriptions cover the day.", describe(supplied))
}
