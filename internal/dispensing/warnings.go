package dispensing

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
)

// Warning is one line shown to the pharmacist beside an instalment on the
// day list. Rule is empty for safety prompts that no rule in
// clinical-rules.md requires.
type Warning struct {
	Code    string `json:"code"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

// Warning codes; stable so clients can show their own labels or icons.
const (
	WarnMD1DoNotDispense          = "md1_do_not_dispense"
	WarnFirstDoseAfterChange      = "first_dose_after_change"
	WarnDoseChangedSinceLastVisit = "dose_changed_since_last_visit"
	WarnInTitration               = "in_titration"
	WarnMissedYesterday           = "missed_yesterday"
	WarnSameNHSNumber             = "same_nhs_number"
	WarnSuppliedElsewhere         = "supplied_elsewhere"
)

// SameNHSNumber warns that another patient record on the day's list has
// this line's NHS number: one person registered with two services, each
// prescribing. Dispensing both would double the dose.
func SameNHSNumber(others int) Warning {
	return Warning{Code: WarnSameNHSNumber,
		Message: fmt.Sprintf("Do not dispense until checked: %d other line(s) today carry the same NHS number under another patient record; "+
			"confirm identity and contact the prescribers, as one person must not receive two prescriptions.", others)}
}

// DoseSupply is an instalment as the dose-change prompts read it: its
// collection day, the dose days it covers and the amount it holds.
type DoseSupply struct {
	Date calendar.Date
	// Covers are the dose days; empty means Date alone.
	Covers []calendar.Date
	// Amount is the supervised and take-home amounts together.
	Amount dosing.Micrograms
}

func (s DoseSupply) days() []calendar.Date {
	if len(s.Covers) == 0 {
		return []calendar.Date{s.Date}
	}
	return s.Covers
}

// Last is the last dose day the instalment covers.
func (s DoseSupply) Last() calendar.Date {
	last := s.Date
	for _, d := range s.days() {
		if d.After(last) {
			last = d
		}
	}
	return last
}

// AtNewDose reports whether s supplies the dose a change effective on
// effective set: it covers a day from then on and holds the dose in force
// on each day it covers (doseOn). An instalment written before the change
// holds the old dose for those days — today's dose given before the
// prescriber changed it from today, say, whose remaining days were
// reissued from tomorrow — so it is not the new dose, whatever its date.
func (s DoseSupply) AtNewDose(effective calendar.Date, doseOn func(calendar.Date) dosing.Micrograms) bool {
	var want dosing.Micrograms
	reaches := false
	for _, d := range s.days() {
		want += doseOn(d)
		reaches = reaches || !d.Before(effective)
	}
	return reaches && s.Amount == want
}

// FirstAtNewDose reports whether line is the first instalment to supply
// the dose a change effective on effective set: it does (AtNewDose), and
// none of earlier, the patient's instalments dated before it, did. The
// first supply of a new dose may be a take-home collected the day before
// the change (Saturday's instalment carrying Sunday's dose), and it may
// come the day after the change when the change's own day was supplied
// at the old dose.
func FirstAtNewDose(line DoseSupply, earlier []DoseSupply, effective calendar.Date, doseOn func(calendar.Date) dosing.Micrograms) bool {
	if !line.AtNewDose(effective, doseOn) {
		return false
	}
	for _, e := range earlier {
		if e.Date.Before(line.Date) && e.AtNewDose(effective, doseOn) {
			return false
		}
	}
	return true
}

// WarningInput is what the caller knows about one patient's instalment today.
type WarningInput struct {
	// Blocked is the MD1 block in force, nil when none (see MD1Block).
	Blocked *Block
	// FirstDoseAfterChange: the instalment is the first to supply a new
	// dose (FirstAtNewDose).
	FirstDoseAfterChange bool
	// NewDoseFrom is the day the new dose starts when that is a later day
	// the instalment covers (a take-home carrying it); zero otherwise.
	NewDoseFrom calendar.Date
	// DoseChangedSinceLastVisit: the dose changed after the patient's last
	// visit to the pharmacy (for example during take-home days), so they
	// may not know yet.
	DoseChangedSinceLastVisit bool
	// NewDose is the current daily dose, named in the dose-change messages
	// when more than zero.
	NewDose dosing.Micrograms
	// InTitration: the regime is in induction or titration.
	InTitration bool
	// TakenHome are the dose days the line hands over to take home: in
	// titration, the later days a collection carries because the pharmacy
	// is closed on them (L7 wording 1, S8), or the days the prescriber
	// prescribed take-home despite S6's warning. SupervisedToday says the
	// line's own day's dose is supervised (not when it is a collection
	// dated before its days, ADR 0011); TakenHomeClosed that the pharmacy
	// is closed on every day of TakenHome.
	TakenHome       []calendar.Date
	SupervisedToday bool
	TakenHomeClosed bool
	// MissedYesterday: the previous dose day had no dose taken.
	MissedYesterday bool
	// YesterdayClosed: the previous dose day was missed because the
	// pharmacy recorded it as closed (DayOutcome.ClosedMissed).
	YesterdayClosed bool
}

// Warnings lists the day-list warnings, most serious first. It never returns
// nil, so the JSON is [] rather than null.
func Warnings(in WarningInput) []Warning {
	out := []Warning{}
	if b := in.Blocked; b != nil {
		out = append(out, Warning{
			Code: WarnMD1DoNotDispense,
			Rule: "MD1",
			Message: fmt.Sprintf("Do not dispense: %d or more consecutive days missed, contact the prescriber (%d days without a dose since %s).",
				b.Threshold, b.Missed, b.Since),
		})
	}
	dose := ""
	if in.NewDose > 0 {
		dose = " of " + in.NewDose.String()
	}
	if in.FirstDoseAfterChange {
		from := ""
		if !in.NewDoseFrom.IsZero() {
			from = fmt.Sprintf(", from %s, taken home with this instalment", in.NewDoseFrom.Format("Mon 2 Jan"))
		}
		out = append(out, Warning{
			Code:    WarnFirstDoseAfterChange,
			Message: fmt.Sprintf("First dose at the new dose%s%s: check the amount against the prescription and tell the patient.", dose, from),
		})
	}
	if in.DoseChangedSinceLastVisit {
		out = append(out, Warning{
			Code:    WarnDoseChangedSinceLastVisit,
			Message: fmt.Sprintf("The dose has changed since the patient's last visit (now%s): tell the patient before dispensing.", dose),
		})
	}
	if in.InTitration {
		out = append(out, Warning{
			Code:    WarnInTitration,
			Rule:    "S6",
			Message: TitrationMessage(in.TakenHome, in.SupervisedToday, in.TakenHomeClosed),
		})
	}
	if in.MissedYesterday && in.YesterdayClosed {
		// Not the patient's doing: asking them why would blame them for
		// the pharmacy's closure (ADR 0016). The dose was still missed.
		out = append(out, Warning{
			Code:    WarnMissedYesterday,
			Rule:    "MD2",
			Message: "Yesterday's dose was not taken because the pharmacy was closed: tell the patient, and check for intoxication before dispensing.",
		})
	} else if in.MissedYesterday {
		out = append(out, Warning{
			Code:    WarnMissedYesterday,
			Rule:    "MD2",
			Message: "Yesterday's dose was not taken: ask the patient why and check for intoxication before dispensing.",
		})
	}
	return out
}

// TitrationMessage is S6's prompt for a line in titration: supervise
// consumption of every dose. A line that carries other days' doses home
// says which, and why, rather than telling the pharmacist to supervise
// doses it hands over: a closed day's dose goes home with the collection
// before it (L7 wording 1, S8, ADR 0011); any other take-home day was
// prescribed so, the prescriber having been warned (S6).
func TitrationMessage(takenHome []calendar.Date, supervisedToday, closed bool) string {
	if len(takenHome) == 0 {
		return "In titration: supervise consumption of every dose."
	}
	days := make([]string, len(takenHome))
	for i, d := range takenHome {
		days[i] = d.Format("Mon 2 Jan")
	}
	what := "the dose for " + joinAnd(days) + " goes"
	if len(days) > 1 {
		what = "the doses for " + joinAnd(days) + " go"
	}
	why := "as prescribed"
	if closed {
		why = "because the pharmacy is closed that day (L7 wording 1)"
		if len(days) > 1 {
			why = "because the pharmacy is closed on those days (L7 wording 1)"
		}
	}
	if supervisedToday {
		return fmt.Sprintf("In titration: supervise consumption of today's dose; %s home with this instalment %s.", what, why)
	}
	return fmt.Sprintf("In titration: nothing on this instalment is supervised; %s home with it %s. Supervise every dose on the days the pharmacy is open.", what, why)
}
