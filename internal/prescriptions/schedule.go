// Package prescriptions holds FP10MDA instalment prescriptions: the schedule
// of collections, the quantity in words and figures, the Home Office
// approved wording and the legal period checks (docs/clinical-rules.md L2–L8).
package prescriptions

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// Pickup says how a weekday's dose reaches the patient.
type Pickup string

const (
	// PickupSupervised is consumed under supervision at the pharmacy that day.
	PickupSupervised Pickup = "supervised"
	// PickupTakeHome is collected that day to take at home.
	PickupTakeHome Pickup = "take_home"
	// PickupEarlier is supplied with the previous collection, e.g. Sunday's
	// dose handed out on Saturday.
	PickupEarlier Pickup = "earlier"
)

// Valid reports whether p is one of the known pickups.
func (p Pickup) Valid() bool {
	switch p {
	case PickupSupervised, PickupTakeHome, PickupEarlier:
		return true
	}
	return false
}

// WeeklyPattern gives each weekday's pickup, indexed by time.Weekday
// (Sunday first).
type WeeklyPattern [7]Pickup

// Validate names the first weekday without a known pickup.
func (w WeeklyPattern) Validate() error {
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if !w[wd].Valid() {
			return fmt.Errorf("%w: pickup for %s is %q; use supervised, take_home or earlier",
				ErrInvalidSchedule, wd, w[wd])
		}
	}
	return nil
}

// ErrInvalidSchedule marks every reason BuildSchedule refuses its input, so
// callers can map it to a validation error with errors.Is.
var ErrInvalidSchedule = errors.New("invalid instalment schedule")

// Instalment is one collection at the pharmacy.
type Instalment struct {
	Date calendar.Date `json:"date"`
	// Covers lists the dose days this collection supplies; the first is Date
	// itself, the rest are later days supplied in advance. A collection on
	// the EarlierCollection day before the prescription starts covers only
	// later days: its own day's dose is another prescription's.
	Covers     []calendar.Date   `json:"covers"`
	Supervised dosing.Micrograms `json:"supervised"`
	TakeHome   dosing.Micrograms `json:"take_home"`
}

// ScheduleInput is what BuildSchedule needs to lay out a prescription.
type ScheduleInput struct {
	Start   calendar.Date
	Days    int
	Daily   dosing.Micrograms
	Pattern WeeklyPattern
	// Later are pattern changes taking effect inside the period, in date
	// order: from each From on, its Pattern replaces the one before.
	Later   []DatedPattern
	Opening calendar.Opening
	// EarlierCollection, when set, is the collection day before Start
	// (CollectionDayBefore) on which the doses of the first days are
	// supplied when the pharmacy is closed on Start, under approved wording
	// 1 (L7, L8), or the pattern supplies Start's dose with an earlier
	// collection. Its own day's dose is not this prescription's: the caller
	// sets it when another prescription supplies that day, or the day is
	// before treatment. Zero: such a first day is refused, with advice.
	EarlierCollection calendar.Date
}

// DatedPattern is a pickup pattern in force from a day.
type DatedPattern struct {
	From    calendar.Date
	Pattern WeeklyPattern
}

// patternOn is the pattern in force on d.
func (in ScheduleInput) patternOn(d calendar.Date) WeeklyPattern {
	p := in.Pattern
	for _, l := range in.Later {
		if !l.From.After(d) {
			p = l.Pattern
		}
	}
	return p
}

// Schedule is the instalments of one prescription in date order.
type Schedule struct {
	Instalments []Instalment      `json:"instalments"`
	Total       dosing.Micrograms `json:"total"`
	// CarriesClosedDays is set when a dose the pattern would collect on its
	// own day is supplied in advance because the pharmacy is closed; the
	// prescription then needs approved wording 1 (L7, L8).
	CarriesClosedDays bool `json:"carries_closed_days"`
	// CarriesTakeHome is set when any dose leaves the pharmacy unsupervised.
	CarriesTakeHome bool `json:"carries_take_home"`
}

// BuildSchedule lays out the collections for Days dose days from Start.
// A dose on a closed day, or one the pattern marks "earlier", joins the most
// recent earlier collection of this prescription: a dose is never supplied
// after its day (missed doses are not caught up), and nothing is supplied
// before the prescription starts, except on EarlierCollection for a first
// day that needs it (still after the prescription date, L3; ADR 0011). The
// day limit (L6) is CheckPeriod's job.
func BuildSchedule(in ScheduleInput) (Schedule, error) {
	if err := in.validate(); err != nil {
		return Schedule{}, err
	}
	s := Schedule{
		Instalments: make([]Instalment, 0, in.Days),
		Total:       in.Daily * dosing.Micrograms(in.Days),
	}
	for i := range in.Days {
		// Whole civil days: a clock change cannot skip or repeat one.
		d := in.Start.AddDays(i)
		open := in.Opening.IsOpen(d)
		pickup := in.patternOn(d)[d.Weekday()]
		if open && pickup != PickupEarlier {
			inst := Instalment{Date: d, Covers: []calendar.Date{d}}
			if pickup == PickupSupervised {
				inst.Supervised = in.Daily
			} else {
				inst.TakeHome = in.Daily
				s.CarriesTakeHome = true
			}
			s.Instalments = append(s.Instalments, inst)
			continue
		}
		if len(s.Instalments) == 0 && !in.EarlierCollection.IsZero() {
			s.Instalments = append(s.Instalments, Instalment{Date: in.EarlierCollection})
		}
		if len(s.Instalments) == 0 {
			why := "the pharmacy is closed"
			if open {
				why = "the pattern supplies it with an earlier collection"
			}
			// Starting later would leave this day's dose on no
			// prescription: point at the collection day before it.
			advice := "start the prescription on an earlier day the pharmacy is open, so that its first collection carries this dose"
			if before, ok := in.CollectionDayBefore(d); ok {
				advice = fmt.Sprintf("start the prescription on %s (%s), so that its first collection carries this dose (approved wording 1); a prescription already covering %s must end the day before",
					before, before.Weekday(), before)
			}
			return Schedule{}, fmt.Errorf("%w: the dose for %s (%s) has no earlier collection day in this prescription because %s; %s",
				ErrInvalidSchedule, d, d.Weekday(), why, advice)
		}
		last := &s.Instalments[len(s.Instalments)-1]
		last.TakeHome += in.Daily
		last.Covers = append(last.Covers, d)
		s.CarriesTakeHome = true
		if !open && pickup != PickupEarlier {
			s.CarriesClosedDays = true
		}
	}
	return s, nil
}

// CollectionDayBefore is the nearest day in the week before d that the
// pharmacy is open and the pattern collects on.
func (in ScheduleInput) CollectionDayBefore(d calendar.Date) (calendar.Date, bool) {
	for back := 1; back <= 7; back++ {
		p := d.AddDays(-back)
		if in.Opening.IsOpen(p) && in.patternOn(p)[p.Weekday()] != PickupEarlier {
			return p, true
		}
	}
	return calendar.Date{}, false
}

func (in ScheduleInput) validate() error {
	if in.Start.IsZero() {
		return fmt.Errorf("%w: the start date is missing", ErrInvalidSchedule)
	}
	if in.Days < 1 {
		return fmt.Errorf("%w: a prescription covers at least 1 day, not %d", ErrInvalidSchedule, in.Days)
	}
	if in.Daily <= 0 {
		return fmt.Errorf("%w: the daily dose must be more than 0 mg, not %s mg", ErrInvalidSchedule, in.Daily.MilligramsString())
	}
	if in.Daily > dosing.Micrograms(math.MaxInt64/int64(in.Days)) {
		return fmt.Errorf("%w: %d days of %s mg is too large a total", ErrInvalidSchedule, in.Days, in.Daily.MilligramsString())
	}
	if err := in.Pattern.Validate(); err != nil {
		return err
	}
	for i, l := range in.Later {
		if err := l.Pattern.Validate(); err != nil {
			return err
		}
		if i > 0 && l.From.Before(in.Later[i-1].From) {
			return fmt.Errorf("%w: pattern changes are out of date order (%s before %s)", ErrInvalidSchedule, l.From, in.Later[i-1].From)
		}
	}
	if err := in.Opening.Validate(); err != nil {
		return fmt.Errorf("%w: pharmacy opening: %w", ErrInvalidSchedule, err)
	}
	if ec := in.EarlierCollection; !ec.IsZero() {
		switch {
		case !ec.Before(in.Start):
			return fmt.Errorf("%w: the earlier collection day %s is not before the start %s", ErrInvalidSchedule, ec, in.Start)
		case ec.AddDays(7).Before(in.Start):
			return fmt.Errorf("%w: the earlier collection day %s is more than a week before the start %s", ErrInvalidSchedule, ec, in.Start)
		case !in.Opening.IsOpen(ec):
			return fmt.Errorf("%w: the pharmacy is closed on the earlier collection day %s", ErrInvalidSchedule, ec)
		}
	}
	return nil
}

// CheckPeriod checks the dates and length of an FP10MDA against L3, L5 and
// L6. The limits come from the effective policy n (14, 30 and 28 days by
// default) so a service's tuned numbers are the ones reported.
//
// first is the day of the first instalment when it is not start: a closed
// (or "earlier") first day's dose collected on the collection day before
// (BuildSchedule's EarlierCollection, ADR 0011); zero when the first
// instalment is on start. L3 is judged on that day, since it is the first
// instalment that must be supplied within the validity and not before the
// prescription date, and the findings name it.
func CheckPeriod(prescribed, start, first calendar.Date, days int, n policy.Numbers) []policy.Finding {
	maxDays, maxStartDays := n.L6MaxDays, n.L3ValidDays
	var fs []policy.Finding
	if days < 1 {
		fs = append(fs, policy.Finding{
			Rule:     "L6",
			Severity: policy.Block,
			Message:  fmt.Sprintf("A prescription must cover at least 1 day of treatment; this one covers %d.", days),
			Action:   "Enter the number of days to prescribe.",
		})
	}
	if days > maxDays {
		f := policy.Finding{
			Rule:     "L6",
			Severity: policy.Block,
			Message: fmt.Sprintf("An FP10MDA covers at most %s of treatment; this one covers %d, %d too many.",
				dayCount(maxDays), days, days-maxDays),
			// dayCount says "day" or "days": a bare "the remaining 1" read
			// as if a word were missing.
			Action: fmt.Sprintf("Prescribe %s and issue a second prescription for the remaining %s.", dayCount(maxDays), dayCount(days-maxDays)),
		}
		if next := start.AddDays(maxDays); !start.IsZero() {
			f.Action = fmt.Sprintf("Prescribe %s and issue a second prescription from %s for the remaining %s.",
				dayCount(maxDays), next, dayCount(days-maxDays))
			// A second prescription dated today could not start that late (L3).
			if !prescribed.IsZero() && prescribed.DaysUntil(next) > maxStartDays {
				f.Action = fmt.Sprintf("Prescribe %s; write the remaining %s, from %s, on a second prescription dated on or after %s (L3: its first instalment within %s of its date).",
					dayCount(maxDays), dayCount(days-maxDays), next, next.AddDays(-maxStartDays), dayCount(maxStartDays))
			}
		}
		fs = append(fs, f)
	}
	// L5 is good practice [U], so it warns at its table severity and never
	// blocks. The configuration keeps L6 at or below L5, so a prescription
	// long enough to fire it is already stopped by L6; it is named anyway,
	// so the prescriber sees the supply ceiling as well as the form's.
	if days > n.L5MaxSupplyDays {
		msg := fmt.Sprintf("Good practice is that a controlled-drug prescription supplies at most %s; this one supplies %s.",
			dayCount(n.L5MaxSupplyDays), dayCount(days))
		// A tuned figure is shown beside the one in the clinical rules, so
		// a service's change of the ceiling is never silent.
		if def := policy.Defaults().L5MaxSupplyDays; n.L5MaxSupplyDays != def {
			msg += fmt.Sprintf(" (This service's figure; the clinical rules say %s.)", dayCount(def))
		}
		fs = append(fs, n.Finding("L5", msg, fmt.Sprintf("Prescribe at most %s at a time.", dayCount(n.L5MaxSupplyDays))))
	}
	if prescribed.IsZero() || start.IsZero() {
		return append(fs, policy.Finding{
			Rule:     "L3",
			Severity: policy.Block,
			Message:  "The prescription needs both a prescription date and a start date.",
			Action:   "Enter the missing date.",
		})
	}
	// L3: the appropriate date is the prescription date, and nothing may be
	// supplied before it.
	if first.IsZero() || !first.Before(start) {
		first = start
	}
	// The first instalment named as the prescriber would look for it: with
	// its start day beside it when it is collected before the start.
	instalment := first.String()
	if first.Before(start) {
		instalment = fmt.Sprintf("%s, collected before the prescription's first day, %s, for its dose", first, start)
	}
	if first.Before(prescribed) {
		action := fmt.Sprintf("Start on or after %s.", prescribed)
		if !start.Before(prescribed) {
			action = fmt.Sprintf("Start the prescription on a day whose first collection is on or after %s.", prescribed)
		}
		fs = append(fs, policy.Finding{
			Rule:     "L3",
			Severity: policy.Block,
			Message: fmt.Sprintf("The first instalment (%s) is %s before the prescription date (%s); nothing may be supplied before the prescription date.",
				instalment, dayCount(first.DaysUntil(prescribed)), prescribed),
			Action: action,
		})
	}
	if late := prescribed.DaysUntil(first); late > maxStartDays {
		fs = append(fs, policy.Finding{
			Rule:     "L3",
			Severity: policy.Block,
			Message: fmt.Sprintf("The first instalment (%s) is %d days after the prescription date (%s); it must be within %d days.",
				instalment, late, prescribed, maxStartDays),
			Action: fmt.Sprintf("Start on or before %s, or date the prescription nearer the start.", prescribed.AddDays(maxStartDays)),
		})
	}
	return fs
}

// RemainingFrom is the first day a reissued prescription may supply: not
// before its start or today, and after every day covered by an instalment
// that is settled: it has an outcome or its day has passed. A dose handed over (a take-home instalment
// counts for every day it covers) must not be supplied again, and one
// missed, withheld or refused is never supplied later (MD4, S3).
func RemainingFrom(start, today calendar.Date, settled [][]calendar.Date) calendar.Date {
	from := start
	if from.Before(today) {
		from = today
	}
	for _, covers := range settled {
		for _, d := range covers {
			if !d.Before(from) {
				from = d.AddDays(1)
			}
		}
	}
	return from
}

// Overlap is the span of treatment days two prescriptions both supply;
// ok is false when they share none. Two live prescriptions for one day
// would put the patient's dose on the pharmacy's list twice.
func Overlap(startA, endA, startB, endB calendar.Date) (from, to calendar.Date, ok bool) {
	if endA.Before(startB) || endB.Before(startA) {
		return calendar.Date{}, calendar.Date{}, false
	}
	from, to = startA, endA
	if startB.After(from) {
		from = startB
	}
	if endB.Before(to) {
		to = endB
	}
	return from, to, true
}

// dayCount is "1 day" or "n days".
func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
