package dispensing

import (
	"fmt"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
)

// AlertsForMissed is MD2: whether the prescriber should be alerted about a
// run of consecutiveMissed days without a dose, which began on since, at
// regime stage. During induction and titration the alert comes at
// n.MD2TitrationMissed (the first missed dose by default), when stable
// (maintenance, reduction) at n.MD2StableMissed consecutive days (2 by
// default). An unknown stage gets the titration figure: the earlier alert is
// the safe side.
//
// It reports true for every length of a run at or above the figure: the
// caller sends one alert per run, keyed on since, so a run that goes on
// does not pile up alerts (MD1 speaks up when it gets long).
func AlertsForMissed(n policy.Numbers, stage regimes.Stage, consecutiveMissed int, since calendar.Date) (policy.Finding, bool) {
	threshold, when := n.MD2TitrationMissed, "during "+string(stage)
	switch stage {
	case regimes.StageMaintenance, regimes.StageReduction:
		threshold, when = n.MD2StableMissed, "on a stable dose"
	case regimes.StageInduction, regimes.StageTitration:
	default:
		when = "(treatment stage unknown, so treated as titration)"
	}
	if consecutiveMissed < 1 || consecutiveMissed < threshold {
		return policy.Finding{}, false
	}
	// The run counts days withheld or refused with days missed (MD1): a
	// patient turned away attended, so "missed" alone would misreport them.
	msg := fmt.Sprintf("%d consecutive day(s) without the dose (missed, withheld or refused) %s, the run starting %s: alert the prescriber.",
		consecutiveMissed, when, since)
	return n.Finding("MD2", msg,
		"Tell the prescriber today; after missed days the usual dose may be too much (MD3)."), true
}

// ClosedInRun lists the days from since to last that the pharmacy recorded
// as closed while the dose was missed (DayOutcome.ClosedMissed).
func ClosedInRun(days []DayOutcome, since, last calendar.Date) []calendar.Date {
	var out []calendar.Date
	for _, d := range byDay(days) {
		if !d.Date.Before(since) && !d.Date.After(last) && d.ClosedMissed() {
			out = append(out, d.Date)
		}
	}
	return out
}

// WithClosure rewords an MD2 finding for a run holding days the pharmacy
// was closed (ClosedInRun): the run still counts, since the patient went
// without the dose and may have lost tolerance (MD3), but the prescriber
// is told the pharmacy, not the patient, missed those days. No closed days
// leave f as it is.
func WithClosure(f policy.Finding, closed []calendar.Date) policy.Finding {
	if len(closed) == 0 {
		return f
	}
	f.Message += fmt.Sprintf(" The pharmacy recorded %s as closed: the patient could not collect the dose then, through no fault of their own, but still went without it.", dayList(closed))
	return f
}

// IntermittentAttendance is S4's "intermittent attendance": at least
// n.S4AttendanceMissedDays dose days missed (not attended: withheld and
// refused days were attended) within the n.S4AttendanceWindowDays days up
// to asOf, not all in one run — a run is MD2's and MD1's to speak for. It
// returns the missed days it counted.
func IntermittentAttendance(n policy.Numbers, days []DayOutcome, asOf calendar.Date) (policy.Finding, []calendar.Date, bool) {
	missed, runs := missedIn(days, asOf.AddDays(1-n.S4AttendanceWindowDays), asOf)
	if len(missed) < n.S4AttendanceMissedDays || runs < 2 {
		return policy.Finding{}, nil, false
	}
	return n.FindingAt("S4", policy.Warn,
		fmt.Sprintf("Intermittent attendance: %d dose days missed in the %d days to %s (%s).", len(missed), n.S4AttendanceWindowDays, asOf, dayList(missed)),
		"Review the patient's engagement and whether the pickup pattern and dose still suit them."), missed, true
}

// AttendanceAfterCorrection judges an intermittent attendance alert (S4)
// again after a correction said a day it may have counted was taken.
// first is the first missed day the alert counted: every day it counted
// lies in the window from first, so the alert stands while the days
// missed in that window still make intermittent attendance. When they do
// not, left says what is left of them, for the resolution.
func AttendanceAfterCorrection(n policy.Numbers, days []DayOutcome, first calendar.Date) (left string, stands bool) {
	last := first.AddDays(n.S4AttendanceWindowDays - 1)
	missed, runs := missedIn(days, first, last)
	switch {
	case len(missed) == 0:
		return fmt.Sprintf("No dose day is left missed in the %d days from %s that the alert counted.", n.S4AttendanceWindowDays, first), false
	case len(missed) < n.S4AttendanceMissedDays:
		return fmt.Sprintf("%d dose day(s) are left missed in the %d days from %s that the alert counted (%s), short of S4's %d.",
			len(missed), n.S4AttendanceWindowDays, first, dayList(missed), n.S4AttendanceMissedDays), false
	case runs < 2:
		return fmt.Sprintf("The %d dose days left missed in the %d days from %s that the alert counted (%s) are one run, for MD2 and MD1 to speak for.",
			len(missed), n.S4AttendanceWindowDays, first, dayList(missed)), false
	}
	return "", true
}

// missedIn lists the missed (not attended) dose days from..to and counts
// the runs they make.
func missedIn(days []DayOutcome, from, to calendar.Date) (missed []calendar.Date, runs int) {
	inRun := false
	for _, d := range byDay(days) {
		// A day the pharmacy was closed is not the patient's absence
		// (ADR 0016): it neither counts nor breaks a run.
		if d.Date.Before(from) || d.Date.After(to) || d.ClosedMissed() {
			continue
		}
		if d.Outcome == Missed {
			missed = append(missed, d.Date)
			if !inRun {
				runs++
			}
		}
		inRun = d.Outcome == Missed
	}
	return missed, runs
}

func dayList(days []calendar.Date) string {
	list := make([]string, len(days))
	for i, d := range days {
		list[i] = d.Format("Mon 2 Jan")
	}
	return strings.Join(list, ", ")
}

// AlertForWithheld is the prescriber notification for a withheld dose: S3
// when the patient was intoxicated, S4 for any other reason. The
// pharmacist's notes go with it (NotesExcerpt), so the prescriber reads
// what the pharmacist saw without opening the record: for reason other
// they are the reason.
//
// on is the instalment's date and today the day the record is made. S3's
// "do not dispense today" speaks of today only when the instalment is
// today's: a record of a day gone by (a correction made later) says the
// dose was not to be dispensed on that day, and implies no stop now.
func AlertForWithheld(reason WithheldReason, notes string, on, today calendar.Date) policy.Finding {
	said := ""
	if n := NotesExcerpt(notes); n != "" {
		said = fmt.Sprintf(" The pharmacist's notes: “%s”", n)
	}
	if reason == ReasonIntoxicated {
		if !on.Equal(today) {
			return policy.Finding{
				Rule:     "S3",
				Severity: policy.SeverityOf("S3"),
				Message: fmt.Sprintf("Dose withheld because the patient was intoxicated: it was not to be dispensed on %s.",
					on.Format("Mon 2 Jan 2006")) + said,
				Action: "Notify the prescriber.",
			}
		}
		return policy.Finding{
			Rule:     "S3",
			Severity: policy.SeverityOf("S3"),
			Message:  "Dose withheld because the patient was intoxicated: do not dispense today." + said,
			Action:   "Notify the prescriber today.",
		}
	}
	return policy.Finding{
		Rule:     "S4",
		Severity: policy.SeverityOf("S4"),
		Message:  fmt.Sprintf("Dose withheld %s.%s", reason.Because(), said),
		Action:   "Notify the prescriber.",
	}
}

// KeepsIntoxicationAlert reports whether a correction of a record with
// outcome from and reason to a record with outcome to leaves the
// prescriber's alert of the withholding open: a dose withheld because the
// patient was intoxicated (S3) and then handed over. One outcome per
// instalment means "turned away at 10:00 intoxicated, dosed at 14:00
// after reassessment" can only be recorded by correcting the withholding,
// and a correction carries no kind telling that from a withholding
// recorded in error: the prescriber is still to hear of the intoxication
// (S4), so the alert stands until the prescriber acknowledges it.
func KeepsIntoxicationAlert(from Outcome, reason WithheldReason, to Outcome) bool {
	return from == Withheld && reason == ReasonIntoxicated && to.Taken()
}

// DosedAfterIntoxication is the S3 warning answering such a correction
// (KeepsIntoxicationAlert): the dose was withheld at withheldAt because the
// patient was intoxicated and is now recorded as handed over (outcome) at
// givenAt. Times read in zone, with the day when the two differ.
func DosedAfterIntoxication(withheldAt, givenAt time.Time, outcome Outcome, zone *time.Location) policy.Finding {
	if zone == nil {
		zone = time.UTC
	}
	w, g := withheldAt.In(zone), givenAt.In(zone)
	layout := "15:04"
	if calendar.DateOf(w, zone) != calendar.DateOf(g, zone) {
		layout = "Mon 2 Jan 2006 15:04"
	}
	return policy.Finding{
		Rule:     "S3",
		Severity: policy.Warn,
		Message: fmt.Sprintf("This dose was withheld at %s because the patient was intoxicated and is now recorded %s at %s. "+
			"The prescriber's alert of the intoxication stays open.", w.Format(layout), outcome, g.Format(layout)),
		Action: "Hand a dose over only after reassessing the patient as no longer intoxicated; say in the notes how, and tell the prescriber.",
	}
}

// NotesExcerptRunes bounds the notes an alert quotes: an alert is a line
// on a list, and the whole record is a click away.
const NotesExcerptRunes = 300

// NotesExcerpt is a record's notes as an alert quotes them: on one line,
// trimmed, and cut at NotesExcerptRunes with an ellipsis.
func NotesExcerpt(notes string) string {
	s := strings.Join(strings.Fields(notes), " ")
	if r := []rune(s); len(r) > NotesExcerptRunes {
		s = strings.TrimSpace(string(r[:NotesExcerptRunes-1])) + "…"
	}
	return s
}
