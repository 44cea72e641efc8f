package regimes

import (
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// EndedRegime is what the records say the patient took of a regime that
// has ended: what decides whether a new regime follows on from it (B1, B2,
// B4, BV3–BV5).
type EndedRegime struct {
	Medicine dosing.Medicine
	EndedOn  calendar.Date
	// LastDayTaken is the last dose day of a daily medicine that the
	// pharmacy recorded as taken, supervised or collected (for a take-home
	// collection, the last day it covers), corrections applied; zero when
	// none was.
	LastDayTaken calendar.Date
	// HeldDays are the days after EndedOn whose doses a take-home
	// collection had already handed over.
	HeldDays []calendar.Date
	// Injections are the days of the regular Buvidal injections given,
	// oldest first; Extras counts the additional ones (BV6).
	Injections []calendar.Date
	Extras     int
}

// Taken reports whether the patient ever had a dose of the regime: one
// the pharmacy recorded as supervised or collected, or an injection given.
// A regime ended before any was (entered in error, never collected) is no
// treatment the patient was on: it leaves no tolerance, so a regime after
// it is judged by what came before it or what the prescriber tells (B1,
// B2 and BV3 apply again).
func (r EndedRegime) Taken() bool {
	return !r.LastDayTaken.IsZero() || len(r.HeldDays) > 0 || len(r.Injections) > 0 || r.Extras > 0
}

// OnUntil is the last day the patient was on the regime: for a daily
// medicine the last dose day taken (a regime ended weeks after the
// patient stopped coming counts from then), or the last of the days whose
// doses they still held at its end; for Buvidal the end, or the day the
// last regular injection's week or month runs out if that is later. It
// is zero when the patient never took a dose.
func (r EndedRegime) OnUntil() calendar.Date {
	if !r.Taken() {
		return calendar.Date{}
	}
	until := r.EndedOn
	if !r.Medicine.Injectable && !r.LastDayTaken.IsZero() && r.LastDayTaken.Before(until) {
		until = r.LastDayTaken
	}
	for _, d := range r.HeldDays {
		if d.After(until) {
			until = d
		}
	}
	if len(r.Injections) > 0 {
		lastGiven := r.Injections[len(r.Injections)-1]
		covered := lastGiven.AddDays(7)
		if r.Medicine.Interval == dosing.IntervalMonthly {
			covered = lastGiven.AddDays(28)
		}
		if covered.After(until) {
			until = covered
		}
	}
	return until
}

// StillOn reports whether the patient is still on the regime on start: a
// dose of it was taken, and start is at most MD1's count of missed days
// after OnUntil (after which tolerance can no longer be assumed).
func StillOn(n policy.Numbers, r EndedRegime, start calendar.Date) bool {
	if !r.Taken() {
		return false
	}
	return !start.After(r.OnUntil().AddDays(n.MD1ConsecutiveMissedDays))
}
