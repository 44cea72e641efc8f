package regimes

import (
	"slices"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// InjectionAdherence is how the regular Buvidal injections that fell due in
// a period went: SC3's adherence for a patient who is given injections, not
// dispensed doses.
type InjectionAdherence struct {
	// Due counts the regular injections that fell due in the period: each
	// one given after an earlier regular injection, and each whose BV8
	// window closed before the period's end with none given.
	Due int `json:"due"`
	// OnTime counts those given within the BV8 window of the regular
	// injection before them.
	OnTime int `json:"on_time"`
}

// InjectionsOnTime counts the regular injections due in [from, to) and how
// many were given on time (BV8), from the patient's Buvidal injections
// oldest first, whatever regime they were given under (med is the product
// of an injection that names none). An injection falls due by the product
// of the regular injection before it, as CheckAdministration times it:
//
//   - a regular injection after another counts once, due on that one's due
//     date, and on time when given within its window, early or late
//     otherwise;
//   - when a window closes with no injection given, the injection counts
//     as due and not given, and the next one is due an interval later, so
//     that weeks without treatment count as weeks, not as one late dose;
//   - a window still open at the end of the period counts for nothing yet.
//
// Extra doses (BV6) are not regular and count for nothing. The first
// injection has no earlier one to fall due after, so it counts for nothing
// either: treatment starts there.
func InjectionsOnTime(n policy.Numbers, med dosing.Medicine, given []Administration, from, to calendar.Date) InjectionAdherence {
	var out InjectionAdherence
	if !med.Injectable {
		return out
	}
	var regular []Administration
	for _, a := range given {
		if !a.Extra && a.Date.Before(to) {
			regular = append(regular, a)
		}
	}
	slices.SortStableFunc(regular, func(a, b Administration) int { return b.Date.DaysUntil(a.Date) })
	inPeriod := func(d calendar.Date) bool { return !d.Before(from) && d.Before(to) }
	// missed counts the slots after the one due on due (timed by m) whose
	// windows closed before until with nothing given.
	missed := func(m dosing.Medicine, due, until calendar.Date) {
		for {
			next, _, latest := NextDue(m, due, n)
			if !latest.Before(until) {
				return
			}
			if inPeriod(next) {
				out.Due++
			}
			due = next
		}
	}
	for i, a := range regular {
		m := a.medicineOf(med)
		due, earliest, latest := NextDue(m, a.Date, n)
		if i+1 == len(regular) {
			// After the last injection: the slot due next, and any after
			// it, count once their windows have closed in the period.
			if latest.Before(to) {
				if inPeriod(due) {
					out.Due++
				}
				missed(m, due, to)
			}
			break
		}
		next := regular[i+1]
		if inPeriod(due) {
			out.Due++
			if !next.Date.Before(earliest) && !next.Date.After(latest) {
				out.OnTime++
			}
		}
		// A late injection answers the slot it was due in; slots after
		// that one whose windows closed before it was given were missed.
		missed(m, due, next.Date)
	}
	return out
}
