package prescriptions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
)

// Signer says who signed a prescription, and so who may cancel it: the
// specialist service may cancel any of its patients' prescriptions, a GP
// only one their practice signed or whose days it first prescribed (SC1,
// ADR 0008). An alert is read by the service's prescribers and, under
// shared care, the practice's GPs, so it names the signer and says who
// cancels rather than telling every reader to.
type Signer struct {
	// Practice is the GP practice that signed the prescription, or one it
	// replaces; "" when the specialist service signed them all.
	Practice string
	// Replaced says the practice signed a prescription this one replaces
	// (a reissue carrying its days), not this one.
	Replaced bool
	// SharedCare says a GP practice shares the patient's care, so the
	// service may ask it to prescribe the remaining days.
	SharedCare bool
}

// ClosedDayFinding tells the prescriber that instalments of the issued
// prescription serial fall on dates its pharmacy is now closed. The
// prescription is a signed legal document (L1), so it is never rewritten to
// follow the new opening; and nothing is supplied before an instalment's
// date (L3), so the dose cannot be collected early either. Only a new
// prescription, whose schedule supplies a closed day's dose on an earlier
// open day under approved wording 1 (L7, L8), gets it to the patient; who
// cancels the old one depends on who signed it (Signer).
func ClosedDayFinding(n policy.Numbers, serial, pharmacy string, dates []calendar.Date, by Signer) policy.Finding {
	due := "an instalment is"
	if len(dates) > 1 {
		due = "instalments are"
	}
	var who string
	switch {
	case by.Practice != "" && by.Replaced:
		who = fmt.Sprintf("%s replaces a prescription %s signed, so the practice or the specialist service cancels it and prescribes its remaining days again", serial, by.Practice)
	case by.Practice != "":
		who = fmt.Sprintf("%s was signed by %s, so the practice or the specialist service cancels it and prescribes its remaining days again", serial, by.Practice)
	case by.SharedCare:
		who = fmt.Sprintf("%s was signed by the specialist service, which cancels it and prescribes its remaining days again (or asks the GP practice to prescribe them)", serial)
	default:
		who = fmt.Sprintf("%s was signed by the specialist service, which cancels it and prescribes its remaining days again", serial)
	}
	return n.Finding("L8",
		fmt.Sprintf("%s is now closed on %s, when %s due on prescription %s: the issued prescription is not changed, so the dose cannot be collected on its day, nor earlier.",
			pharmacy, dateList(dates), due, serial),
		fmt.Sprintf("A new prescription is needed: %s, so that the new schedule supplies the closed day's dose on an earlier open day (approved wording 1).", who))
}

// ClosedAfterwardsFinding tells the prescriber that the pharmacy recorded
// dates as closed on which instalments of prescription serial were due
// and already recorded missed, mostly by day close after an unexpected
// closure recorded later (ADR 0016). The dose was not supplied and a
// missed dose is never supplied later (MD4), so there is nothing to
// rewrite for those days: the prescriber hears that the patient went
// without through the pharmacy's closure, and arranges the supply from
// here on, checking with the pharmacy that it is open again.
func ClosedAfterwardsFinding(n policy.Numbers, serial, pharmacy string, dates []calendar.Date, by Signer) policy.Finding {
	due := "the instalment due then on prescription %s was"
	if len(dates) > 1 {
		due = "the instalments due then on prescription %s were"
	}
	who := "the specialist service"
	if by.Practice != "" {
		who = "the specialist service or " + by.Practice
	}
	return n.Finding("L8",
		fmt.Sprintf("%s recorded %s as closed: "+due+" not supplied and the patient went without the dose because the pharmacy was closed. The days still count as days without the dose (MD1, MD2) but not against the patient's adherence or attendance.",
			pharmacy, dateList(dates), serial),
		fmt.Sprintf("Arrange the patient's supply with the pharmacy (%s prescribes again if it stays closed); after missed days the usual dose may be too much (MD3), and a missed dose is not supplied later (MD4).", who))
}

// StaleLayout compares a draft's schedule as it was laid out (was) with
// its days laid out again on the pharmacy's opening now (now), for the dose
// days from from on: the days still to come when it is issued. A draft is
// never edited, and once signed neither is the prescription (L1), so one
// laid out around days the pharmacy has since closed, or reopened, would
// be signed with collections the pharmacy no longer keeps: a closed day's
// dose due on it, or a reopened day's dose sent home early with an
// earlier collection (wording 1, S8 for supervised days) though it could
// be collected on its day. It names the first such day, or is "" when the
// two supply every day alike.
func StaleLayout(was, now Schedule, from calendar.Date) string {
	wasOn, nowOn := collectedOn(was), collectedOn(now)
	var days []calendar.Date
	for d := range wasOn {
		days = append(days, d)
	}
	for d := range nowOn {
		if _, ok := wasOn[d]; !ok {
			days = append(days, d)
		}
	}
	slices.SortFunc(days, calendar.Date.Compare)
	for _, d := range days {
		w, n := wasOn[d], nowOn[d]
		if d.Before(from) || w.Equal(n) {
			continue
		}
		return fmt.Sprintf("the pharmacy's opening has changed since this draft was written: it supplies the dose for %s %s, where on the opening now that dose is collected %s",
			d, collection(d, w), collection(d, n))
	}
	return ""
}

// collectedOn maps each dose day of s to the day it is collected on.
func collectedOn(s Schedule) map[calendar.Date]calendar.Date {
	out := map[calendar.Date]calendar.Date{}
	for _, in := range s.Instalments {
		for _, d := range in.Covers {
			out[d] = in.Date
		}
	}
	return out
}

// collection says how the dose for day is collected on the day on.
func collection(day, on calendar.Date) string {
	switch {
	case on.IsZero():
		return "with no collection"
	case on.Equal(day):
		return "on its own day"
	}
	return "with the collection on " + on.String()
}

// ReopenedReason answers a pharmacy_closed alert (L8) about prescription
// serial that named the dates alerted, once the pharmacy's opening op
// opens one of them again: the instalment due then is on an open day and
// is supplied as written, so the new prescription the alert asked for is
// not needed for it. still lists the alert's other dates whose
// instalments are still on closed days; they are alerted on their own.
// by names who changed the opening, on the day it was changed. It
// reports false, with no reason, when every date alerted is still closed.
func ReopenedReason(serial, pharmacy string, alerted, still []calendar.Date, op calendar.Opening, by string, on calendar.Date) (string, bool) {
	var reopened, closed []calendar.Date
	for _, d := range alerted {
		switch {
		case op.IsOpen(d):
			reopened = append(reopened, d)
		case slices.ContainsFunc(still, d.Equal):
			closed = append(closed, d)
		}
	}
	if len(reopened) == 0 {
		return "", false
	}
	due := "instalment of prescription %s due then is no longer on a closed day"
	if len(reopened) > 1 {
		due = "instalments of prescription %s due then are no longer on closed days"
	}
	why := fmt.Sprintf("%s is open again on %s (opening changed by %s on %s): the "+due+".",
		pharmacy, dateList(reopened), by, on, serial)
	switch len(closed) {
	case 0:
	case 1:
		why += fmt.Sprintf(" The instalment on %s is still on a closed day, alerted on its own.", closed[0])
	default:
		why += fmt.Sprintf(" The instalments on %s are still on closed days, alerted on their own.", dateList(closed))
	}
	return why, true
}

// dateList reads "a", "a and b", "a, b and c".
func dateList(dates []calendar.Date) string {
	s := make([]string, len(dates))
	for i, d := range dates {
		s[i] = d.String()
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// NotReissued is a live prescription a change of dose, pattern or pharmacy
// could not reissue (ADR 0011). It stands as written, not cancelled, since
// cancelling it would leave its days on no prescription at all; the
// prescriber cancels it and prescribes its days again.
type NotReissued struct {
	Serial string
	// Periods are its dose periods and Pharmacy the pharmacy dispensing
	// it: what the pharmacy goes on supplying until it is cancelled.
	Periods  []DosePeriod
	Pharmacy string
	// First is its first remaining day, End its last day.
	First, End calendar.Date
	// Rewrite is what to prescribe again in its place: one prescription
	// for each part.
	Rewrite []Rewrite
}

// Rewrite is a run of days to prescribe again on one prescription: a
// prescription never spans a move to another pharmacy, so the days before
// a move and the days from it are two.
type Rewrite struct {
	From, To calendar.Date
	Pharmacy string
}

// Unbuildable is L8 for a reissue that cannot be laid out: the dose for
// stuck, the first day of a part, can no longer be supplied (why: no
// earlier collection can still be made for a closed day). The parts of
// Rewrite are the days that still can be: the prescriber writes them, and
// nothing for the days in between.
func (nr NotReissued) Unbuildable(stuck calendar.Date, why string) policy.Finding {
	lost := "The dose for " + stuck.String() + " cannot be supplied, neither on its day nor earlier."
	for _, part := range nr.Rewrite {
		if part.From.After(stuck) {
			if to := part.From.AddDays(-1); to.After(stuck) {
				lost = fmt.Sprintf("The doses for %s to %s cannot be supplied, neither on their days nor earlier.", stuck, to)
			}
			break
		}
	}
	if len(nr.Rewrite) == 0 {
		lost = "None of its remaining days can be supplied."
	}
	return policy.Finding{Rule: "L8", Severity: policy.Warn,
		Message: fmt.Sprintf("%s was not reissued and still stands as written, so the change is recorded but this prescription does not carry it: the dose for %s cannot be laid out, as %s. %s",
			nr.Serial, stuck, why, nr.keepsSupplying()),
		Action: nr.rewriteAction("") + " " + lost}
}

// NoAddress is L2 for a reissue refused because the patient has no address
// recorded (a record from before L2 was checked): a prescription without
// it cannot be dispensed from (reg 15(1)(e), 16(1A)).
func (nr NotReissued) NoAddress() policy.Finding {
	return policy.Finding{Rule: "L2", Severity: policy.Warn,
		Message: fmt.Sprintf("%s was not reissued and still stands as written, so the change is recorded but this prescription does not carry it: the patient has no address recorded, and a controlled-drug prescription must state it (Misuse of Drugs Regulations 2001 reg 15(1)(e)). %s",
			nr.Serial, nr.keepsSupplying()),
		Action: nr.rewriteAction("Record the patient's address (or '" + NoFixedAbode + "') on the patient record, then")}
}

// keepsSupplying says plainly what the pharmacy goes on handing over: for
// a dose reduction, the higher dose.
func (nr NotReissued) keepsSupplying() string {
	var doses []string
	for i, p := range nr.Periods {
		if PeriodEnd(nr.Periods, i, nr.End).Before(nr.First) {
			continue
		}
		if len(doses) == 0 {
			doses = append(doses, p.DailyDose.String()+" a day")
			continue
		}
		doses = append(doses, fmt.Sprintf("%s a day from %s", p.DailyDose, p.From))
	}
	return fmt.Sprintf("Until it is cancelled, %s keeps supplying it as written — %s, on the collection days it states, to %s — not as changed.",
		nr.Pharmacy, strings.Join(doses, ", then "), nr.End)
}

// rewriteAction tells the prescriber to cancel the prescription and write
// the parts of Rewrite, after first (a step that must come before, or "").
func (nr NotReissued) rewriteAction(first string) string {
	cancel := "Cancel"
	if first != "" {
		cancel = first + " cancel"
	}
	if len(nr.Rewrite) == 0 {
		return fmt.Sprintf("%s %s.", cancel, nr.Serial)
	}
	parts := make([]string, len(nr.Rewrite))
	for i, p := range nr.Rewrite {
		parts[i] = fmt.Sprintf("from %s to %s (%d days) at %s", p.From, p.To, p.From.DaysUntil(p.To)+1, p.Pharmacy)
	}
	last := len(parts) - 1
	list := parts[0]
	if last > 0 {
		list = strings.Join(parts[:last], ", ") + " and " + parts[last] + ", one prescription for each pharmacy"
	}
	return fmt.Sprintf("%s %s and prescribe its remaining days again: %s.", cancel, nr.Serial, list)
}
