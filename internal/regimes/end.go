package regimes

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
)

// NotStarted reports whether a regime starting on start has not started
// by today: nothing of it can have been supplied or given yet.
func NotStarted(start, today calendar.Date) bool { return start.After(today) }

// Withdrawn reports whether a regime ended on ended was withdrawn before
// its start (ValidateEnd): it never took effect, so it is no treatment
// the patient was on.
func Withdrawn(start, ended calendar.Date) bool { return !ended.IsZero() && ended.Before(start) }

// ValidateEnd checks the day a regime starting on start is ended, ended,
// recorded today (the caller has refused an end after today). A regime is
// ended on or after its start; one planned for a later start is withdrawn
// before it starts, ended today, so that a changed plan can always be
// undone (and another regime started) without waiting for the start. The
// record stays: the regime is ended, and its end before its start says it
// never took effect.
func ValidateEnd(start, ended, today calendar.Date) error {
	switch {
	case !ended.Before(start):
		return nil
	case NotStarted(start, today) && !ended.Equal(today):
		return problem.Invalidf("ended_on", "withdrawn_today",
			"the regime has not started (it starts on %s): it is withdrawn today, %s; leave ended_on out or send today", start, today)
	case NotStarted(start, today):
		return nil
	}
	return problem.Invalidf("ended_on", "after_start", "ended_on must not be before the regime start %s", start)
}

// TakenHomeAfterEnd tells the prescriber ending a regime on ended that the
// patient already holds the doses for days after it: a take-home
// collection handed them over on or before that day. The end stands (the
// patient may die, be taken into custody or be discharged that day), but
// those doses are not supplied again (MD4's "each day's dose once") and
// are still with the patient, which matters for what is started next (B1
// times buprenorphine from the last methadone dose). days are in date
// order; ok is false when there are none.
func TakenHomeAfterEnd(n policy.Numbers, ended calendar.Date, days []calendar.Date) (policy.Finding, bool) {
	if len(days) == 0 {
		return policy.Finding{}, false
	}
	return n.FindingAt("MD4", policy.Warn,
		fmt.Sprintf("The patient was already given the doses for %s to take home: they hold them after the regime's end on %s, and nothing more is supplied.",
			calendar.DayRun(days), ended.Format("Mon 2 Jan 2006")),
		"Ask the patient to return the unused doses to the pharmacy, and count them as doses the patient may take when starting another treatment (B1 times buprenorphine from the last methadone dose)."), true
}

// heldNote is B1's note that the last methadone dose is judged from doses
// the patient took home for days after the regime ended (days, in date
// order): they may take the last of them at any time on its day.
func heldNote(days []calendar.Date) string {
	if len(days) == 0 {
		return ""
	}
	return fmt.Sprintf(" (the patient holds the methadone doses for %s, taken home before the previous regime ended, and may take the last of them at any time that day)",
		calendar.DayRun(days))
}
