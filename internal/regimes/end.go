package regimes

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
)

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
