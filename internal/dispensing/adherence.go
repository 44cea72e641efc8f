package dispensing

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
)

// Adherence counts dose days by outcome over a period.
type Adherence struct {
	// Due counts dose days with a known outcome: days not closed yet, or
	// in the future, are not due yet.
	// Days missed because the pharmacy was closed (ADR 0016) are not due
	// either: they are not held against the patient.
	Due        int `json:"due"`
	Taken      int `json:"taken"`
	Supervised int `json:"supervised"`
	Collected  int `json:"collected"`
	Missed     int `json:"missed"`
	Withheld   int `json:"withheld"`
	Refused    int `json:"refused"`
	// TakenPercent is Taken/Due as a percentage with one decimal, rounded
	// half up with integer arithmetic ("92.9"), and "" when Due is 0. It is
	// for display: criteria such as SC3 compare Taken and Due themselves.
	TakenPercent string `json:"taken_percent"`
}

// ComputeAdherence counts the dose days in [from, to], both inclusive.
// Two entries for one date count once, as the missed-dose rules read them
// (speaksFor): as taken if either was, so overlapping prescriptions do not
// double the count, and otherwise as the instalment collected later says,
// so a day a withheld take-home carried but prescribed again is not due
// until its new instalment is recorded or its day closes.
func ComputeAdherence(days []DayOutcome, from, to calendar.Date) Adherence {
	var a Adherence
	for _, d := range byDay(days) {
		// A dose missed because the pharmacy was closed is not a dose the
		// patient failed to take (ADR 0016): it is not due.
		if d.Date.Before(from) || d.Date.After(to) || d.ClosedMissed() {
			continue
		}
		switch d.Outcome {
		case Supervised:
			a.Supervised++
		case Collected:
			a.Collected++
		case Missed:
			a.Missed++
		case Withheld:
			a.Withheld++
		case Refused:
			a.Refused++
		default:
			continue
		}
		a.Due++
	}
	a.Taken = a.Supervised + a.Collected
	a.TakenPercent = Percent(a.Taken, a.Due)
	return a
}

// Percent is part/whole as a percentage with one decimal, rounded half up
// in integers ("97.6"); empty when whole is 0. Every place that shows
// adherence uses it, so the eligibility check and the GP's letter agree.
func Percent(part, whole int) string {
	if whole <= 0 {
		return ""
	}
	tenths := (part*2000 + whole) / (2 * whole)
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
}
