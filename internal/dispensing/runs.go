package dispensing

import (
	"slices"

	"github.com/dosebook/dosebook/internal/calendar"
)

// Run is a stretch of consecutive dose days without the dose (missed,
// withheld or refused), as MD2 alerts it: once per run, keyed on Since.
type Run struct {
	Days  int
	Since calendar.Date
	Last  calendar.Date
}

// Holds reports whether day falls within the run, first to last day.
func (r Run) Holds(day calendar.Date) bool {
	return !day.Before(r.Since) && !day.After(r.Last)
}

// RunsNear returns, in date order, the runs of days without the dose that
// a record of the dose days on can have made or changed: the runs holding
// one of them, and those ending on the dose day just before one or
// starting on the dose day just after. A day recorded without the dose
// joins the runs either side of it into one; a missed day corrected to a
// dose taken splits its run in two, and each part is a run of its own.
//
// Runs are counted from the days as they stand on asOf (DaysAsOf), as
// missedRun counts MD1's and MD3's: a day not yet known ends a run, and
// calendar days that are not dose days do not. A run is only as long as
// days reach back.
func RunsNear(days []DayOutcome, asOf calendar.Date, on []calendar.Date) []Run {
	sorted := DaysAsOf(days, asOf)
	starts := map[int]bool{}
	for i, d := range sorted {
		if !slices.ContainsFunc(on, d.Date.Equal) {
			continue
		}
		for _, j := range []int{i - 1, i, i + 1} {
			if j < 0 || j >= len(sorted) || !sorted[j].Outcome.notTaken() {
				continue
			}
			for j > 0 && sorted[j-1].Outcome.notTaken() {
				j--
			}
			starts[j] = true
		}
	}
	var out []Run
	for i := range sorted {
		if !starts[i] {
			continue
		}
		r := Run{Since: sorted[i].Date}
		for j := i; j < len(sorted) && sorted[j].Outcome.notTaken(); j++ {
			r.Days, r.Last = r.Days+1, sorted[j].Date
		}
		out = append(out, r)
	}
	return out
}
