package dispensing

import (
	"fmt"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
)

// RecordInput is what CanRecord checks before a pharmacist's record is saved.
type RecordInput struct {
	// Today is the pharmacy's local date.
	Today calendar.Date
	// InstalmentDate is the collection date on the prescription.
	InstalmentDate     calendar.Date
	PrescriptionStatus prescriptions.Status
	// PrescribedOn is the prescription date, the "appropriate date" L3
	// counts from.
	PrescribedOn calendar.Date
	// CancelledOn is the local date a cancelled prescription was
	// cancelled; zero when it was not.
	CancelledOn calendar.Date
	// FirstSupply is the date of the prescription's earliest instalment
	// with a taken outcome now, zero when none; the instalment being
	// recorded never counts, since its own outcome is what is in question.
	FirstSupply calendar.Date
	Outcome     Outcome
	// Supervised and TakeHome are the instalment's amounts: whether it has
	// a supervised dose decides which supply outcome fits it (S7).
	Supervised, TakeHome dosing.Micrograms
	// Block is the MD1 block in force on the day the record is about:
	// today for a first record, the instalment's date for a correction.
	// nil when none.
	Block *Block
	// Correction: the record corrects an earlier one of this instalment,
	// whose current outcome is Current.
	Correction bool
	Current    Outcome
	// Given is the record's occurred_at (zero: not given), CancelledAt
	// when a cancelled prescription was cancelled (zero: not known) and
	// Zone the service's time zone (nil: UTC): a dose given on the day
	// before its prescription was cancelled was given under it (LiveAt).
	Given, CancelledAt time.Time
	Zone               *time.Location
}

// Supply reports whether the record hands a dose over that the record
// before it did not: a first record of supervised or collected, or a
// correction that turns a day without the dose into one with it. A
// correction between supervised and collected moves no dose.
func (in RecordInput) Supply() bool {
	return in.Outcome.Taken() && !(in.Correction && in.Current.Taken())
}

// CanRecord returns the findings that stop the record; none means it may
// be saved. Call ValidateRecord first for the outcome and reason fields.
//
// Only supply is stopped by MD1 and MD4: withheld and refused hand nothing
// over, so they may be recorded on a blocked day (a blocked patient turned
// away is a withheld dose worth recording) and on a past day before day
// close has marked it missed.
//
// A correction records what happened on the instalment's own day, so it may
// be made later, but never dated before the instalment. One that takes a
// dose away (supervised to missed) or fixes a withheld reason stays
// allowed on a blocked day or after the prescription ended: the record
// must be able to say what really happened. One that turns the day into a
// supply is a supply made on that day, and meets the checks a first record
// would have met then: MD1 as it stood on the instalment's date, and a
// prescription live on that date. It is not MD4's catch-up supply (the dose
// is said to have been given on its day), so it is not refused for being
// late: the pharmacist who forgot to record lets day close mark the day
// missed and then corrects it. Supervised or collected recorded late as a
// first record is refused (MD4): it cannot be told apart from a catch-up.
//
// The outcome must fit the instalment (S7), for a correction as for a first
// record: one with a supervised amount is recorded supervised, never
// collected, since a supervised dose handed over to take away is the
// diversion supervision exists to stop. Supervised fits every instalment: a
// pharmacist who watches the patient take a dose prescribed for take-home
// hands over nothing the prescription does not, and the record must be able
// to say so.
func CanRecord(n policy.Numbers, in RecordInput) []policy.Finding {
	var out []policy.Finding
	if in.Today.Before(in.InstalmentDate) {
		out = append(out, beforeTheDate(n, in))
	}
	if f, ok := fitsInstalment(n, in); !ok {
		out = append(out, f)
	}
	if in.Correction && !in.Supply() {
		// A correction that keeps the dose given (supervised to collected,
		// or a new time) moves no dose, but still says when it was handed
		// over: on a cancelled prescription, that must be while it was in
		// force, as for a first record at that time (LiveAt).
		if f, ok := keptLive(n, in); !ok {
			out = append(out, f)
		}
		return out
	}
	if f, ok := liveOn(n, in); !ok {
		out = append(out, f)
	}
	if !in.Outcome.Taken() {
		return out
	}
	if !in.Correction && in.Today.After(in.InstalmentDate) {
		out = append(out, n.Finding("MD4",
			fmt.Sprintf("This instalment was due on %s: missed doses are never supplied later.", in.InstalmentDate),
			"Supply only today's instalment. If the dose was in fact given on its day, correct the missed record after day close."))
	}
	if in.Block != nil {
		f := in.Block.Finding(n)
		if in.Correction {
			f.Message = fmt.Sprintf("On %s, %s", in.InstalmentDate, f.Message)
			f.Action = "A dose cannot be recorded as given on a day MD1 stopped supply. If a prescriber reviewed the patient that day, ask the prescriber to record the review with its date, then correct again."
		}
		out = append(out, f)
	}
	return out
}

// beforeTheDate is the finding that stops a record made before the
// instalment's date. A supply is stopped by L3: nothing is supplied before
// the date on the prescription. A record that hands nothing over
// (withheld, refused, missed) supplies nothing, so L3 is not what stops
// it: S1 is, since the record says what happened on the instalment's own
// day, and that day has not come.
func beforeTheDate(n policy.Numbers, in RecordInput) policy.Finding {
	if in.Outcome.Taken() {
		return n.Finding("L3",
			fmt.Sprintf("This instalment is for %s: nothing is supplied before the date on the prescription, and its outcome is recorded on that day.", in.InstalmentDate),
			"Record the outcome on the instalment's date.")
	}
	return n.Finding("S1",
		fmt.Sprintf("This instalment is for %s: its record says what happened on that day, and a dose is %s only on its own day.", in.InstalmentDate, in.Outcome),
		"Record the outcome on the instalment's date; to stop a dose ahead of its day, tell the prescriber.")
}

// fitsInstalment reports whether the outcome fits the instalment's
// supervision (S7), with the finding that stops the record when not.
func fitsInstalment(n policy.Numbers, in RecordInput) (policy.Finding, bool) {
	if in.Outcome != Collected || in.Supervised == 0 {
		return policy.Finding{}, true
	}
	msg := "This instalment is a supervised dose: the prescription says it is taken in front of the pharmacist, so it cannot be recorded as collected to take away."
	if in.TakeHome > 0 {
		msg = "This instalment has a supervised dose: the prescription says it is taken in front of the pharmacist, with the take-home part handed over at the same visit, so it is recorded as supervised, not collected."
	}
	return n.Finding("S7", msg,
		"If the patient took the dose in front of you, record supervised. If not, do not hand it over: record withheld or refused (or, for a correction, what really happened), and ask the prescriber to change the pickup pattern if take-home doses are wanted."), false
}

// liveOn reports whether the prescription could be dispensed from on the
// instalment's date, with the finding that stops the record when not.
func liveOn(n policy.Numbers, in RecordInput) (policy.Finding, bool) {
	status := in.PrescriptionStatus
	// A correction speaks for the instalment's own day: a prescription
	// cancelled after it (a dose change reissues the remaining days) was
	// live then.
	if in.Correction && status == prescriptions.StatusCancelled && !in.CancelledOn.IsZero() && in.CancelledOn.After(in.InstalmentDate) {
		status = prescriptions.StatusIssued
	}
	// A supply given before a same-day cancellation (a dose change
	// reissuing today's instalment) was given under this prescription, at
	// the dose it prescribed: it is recorded here, at its time.
	if in.Outcome.Taken() && status == prescriptions.StatusCancelled && LiveAt(in.CancelledAt, in.Given, in.InstalmentDate, in.Zone) {
		status = prescriptions.StatusIssued
	}
	if status == prescriptions.StatusIssued && FirstInstalmentLapsed(n, in.PrescribedOn, in.FirstSupply, in.InstalmentDate) {
		return n.Finding("L3",
			fmt.Sprintf("This prescription has expired: it is dated %s and no instalment was supplied within %d days of that date, so nothing more may be supplied from it.",
				in.PrescribedOn, n.L3ValidDays),
			"Ask the prescriber for a new prescription."), false
	}
	f, stopped := statusFinding(n, status)
	if stopped && status == prescriptions.StatusCancelled {
		f = cancelledAt(f, in)
	}
	return f, !stopped
}

// keptLive is liveOn's cancellation check for a correction that keeps the
// dose given (Taken before and after): it moves no dose, so MD1, L3's
// first-instalment limit and the other statuses, met when the dose was
// first recorded, are not asked again, but its time is the time the dose
// was handed over, and a prescription cancelled on the instalment's day
// gave nothing after its cancellation. A correction moving a supervised
// dose at 08:05 to 08:20, past an 08:19 dose change, would put the old
// dose in the CD record when the new one was in force.
func keptLive(n policy.Numbers, in RecordInput) (policy.Finding, bool) {
	if !in.Outcome.Taken() || in.PrescriptionStatus != prescriptions.StatusCancelled {
		return policy.Finding{}, true
	}
	if !in.CancelledOn.IsZero() && in.CancelledOn.After(in.InstalmentDate) {
		return policy.Finding{}, true
	}
	if LiveAt(in.CancelledAt, in.Given, in.InstalmentDate, in.Zone) {
		return policy.Finding{}, true
	}
	f, _ := statusFinding(n, prescriptions.StatusCancelled)
	return cancelledAt(f, in), false
}

// cancelledAt words the finding stopping a dose given on a prescription
// cancelled on the instalment's day with the time it was cancelled, and
// how to record a dose given before then.
func cancelledAt(f policy.Finding, in RecordInput) policy.Finding {
	if in.Outcome.Taken() && !in.CancelledAt.IsZero() && calendar.DateOf(in.CancelledAt, zoneOf(in.Zone)).Equal(in.InstalmentDate) {
		f.Message = fmt.Sprintf("This prescription was cancelled at %s: nothing may be supplied from it since.",
			in.CancelledAt.In(zoneOf(in.Zone)).Format(time.RFC3339))
		f.Action = "Record a dose given before then with occurred_at, the time it was given; otherwise record on the patient's current prescription."
	}
	return f
}

// LiveAt reports whether a prescription cancelled at cancelledAt was
// still in force when a dose was given at given on day, the instalment's
// date: given before the cancellation, on that day. A dose change made at
// 08:01 cancels the prescription a dose was given under at 08:00; that
// dose is the cancelled prescription's to record, not the reissue's, whose
// dose the patient never had.
func LiveAt(cancelledAt, given time.Time, day calendar.Date, zone *time.Location) bool {
	return !given.IsZero() && !cancelledAt.IsZero() && given.Before(cancelledAt) && calendar.DateOf(given, zoneOf(zone)).Equal(day)
}

// zoneOf is zone, or UTC for none.
func zoneOf(zone *time.Location) *time.Location {
	if zone == nil {
		return time.UTC
	}
	return zone
}

// FirstInstalmentLapsed is L3 for an instalment prescription: the first
// instalment must be supplied within n.L3ValidDays days of the prescription
// date. If none was supplied by then (firstSupply zero or later), the
// prescription is void for every day after, even though later instalments
// are still on it. on is the day a supply would be for.
func FirstInstalmentLapsed(n policy.Numbers, prescribedOn, firstSupply, on calendar.Date) bool {
	if prescribedOn.IsZero() {
		return false
	}
	limit := prescribedOn.AddDays(n.L3ValidDays)
	return on.After(limit) && (firstSupply.IsZero() || firstSupply.After(limit))
}

// statusFinding stops any record against a prescription that is not live.
func statusFinding(n policy.Numbers, s prescriptions.Status) (policy.Finding, bool) {
	switch s {
	case prescriptions.StatusIssued:
		return policy.Finding{}, false
	case prescriptions.StatusDraft:
		// L1: a draft is not yet signed and issued, so it is not a
		// prescription a pharmacy may dispense from.
		return n.Finding("L1", "This prescription is a draft: it has not been signed and issued, so nothing may be dispensed from it.",
			"Ask the prescriber to issue the prescription."), true
	case prescriptions.StatusExpired:
		return n.Finding("L3", "This prescription has expired: nothing may be supplied from it.",
			"Ask the prescriber for a new prescription."), true
	case prescriptions.StatusCancelled:
		return n.Finding("L3", "This prescription was cancelled: nothing may be supplied from it.",
			"Check the patient's current prescription or contact the prescriber."), true
	case prescriptions.StatusCompleted:
		return n.Finding("L3", "This prescription is completed: every instalment has been dealt with.",
			"Check the patient's current prescription."), true
	}
	return n.Finding("L3", fmt.Sprintf("This prescription's status %q is not issued: nothing may be supplied from it.", s),
		"Contact the prescriber."), true
}

// ClockSkew is how far ahead of the server's clock an occurred_at may be: a
// till whose clock runs a few minutes fast is not recording the future.
const ClockSkew = 5 * time.Minute

// CheckNotFuture refuses an occurred_at ahead of now (beyond ClockSkew). It
// needs the clock alone, so the HTTP layer checks it with the request's
// other fields, before a rule about the instalment's date (S1, L3) speaks
// of a time that has not come; OccurredAt checks it again. A zero time
// (not given) passes.
func CheckNotFuture(f *problem.Fields, given, now time.Time) {
	if !given.IsZero() && given.After(now.Add(ClockSkew)) {
		f.Add("occurred_at", "not_future", "occurred_at %s is in the future", given.UTC().Format(time.RFC3339))
	}
}

// OccurredInput is what OccurredAt checks.
type OccurredInput struct {
	Outcome        Outcome
	InstalmentDate calendar.Date
	// Given is the time the pharmacist says it happened; zero when the
	// request left it out.
	Given time.Time
	Now   time.Time
	// Zone is the service's time zone, whose local date an instalment's
	// date is (nil: UTC).
	Zone *time.Location
	// IssuedAt is when the instalment's prescription was issued (zero:
	// not known) and PrescribedOn the date it bears (InService).
	IssuedAt     time.Time
	PrescribedOn calendar.Date
	// Reissues is what the prescription, a reissue, carries on from: the
	// prescription it replaced, then the one that one replaced, back to
	// the first (nil for a prescription that replaced none). PharmacyID
	// is the prescription's pharmacy and Covers the instalment's dose
	// days (nil: its date). See InServiceFor.
	Reissues   []Issue
	PharmacyID string
	Covers     []calendar.Date
	// Supervised and TakeHome are the instalment's amounts: a reissue
	// lends its predecessor's time only for a day the predecessor gave
	// the same (SameDose).
	Supervised, TakeHome dosing.Micrograms
}

// Issue is a prescription as InServiceFor reads it: when it was issued,
// the date it bears, the pharmacy it is addressed to, and the days it
// covers (Start to End, both included).
type Issue struct {
	IssuedAt     time.Time
	PrescribedOn calendar.Date
	PharmacyID   string
	Start, End   calendar.Date
	// Serial names the prescription. InstalmentID is its instalment of
	// the same date and dose days as the one being recorded ("" when it
	// has none), and Supervised and TakeHome that instalment's amounts
	// (for the prescription being recorded, its instalment's).
	Serial, InstalmentID string
	Supervised, TakeHome dosing.Micrograms
}

// SameDose reports whether a predecessor's instalment for the day gave
// what the reissue's gives: the same supervised and take-home amounts for
// the same dose days. A pattern change that keeps the day's amounts
// reissues the same dose; a dose change does not, and a dose given under
// the predecessor is the predecessor's dose, never the reissue's.
func SameDose(own, pr Issue) bool {
	return pr.InstalmentID != "" && pr.Supervised == own.Supervised && pr.TakeHome == own.TakeHome
}

// DoseText is an instalment's amounts as a message names them: "20 mg
// supervised", "10 mg supervised and 20 mg take-home".
func DoseText(supervised, takeHome dosing.Micrograms) string {
	switch {
	case takeHome == 0:
		return supervised.String() + " supervised"
	case supervised == 0:
		return takeHome.String() + " take-home"
	}
	return supervised.String() + " supervised and " + takeHome.String() + " take-home"
}

// InServiceFor is the first moment an instalment's days could be supplied:
// its own prescription's in-service time (own, whose days are not read),
// or, for a reissue, the earliest of the prescriptions it carries on from
// (reissues, nearest first) that covered every one of those days at the
// same pharmacy with the same dose (SameDose). A reissue that changes only
// how the week's doses are given (a pattern change keeping the day's
// amounts) does not change whether there was a prescription for the day's
// dose: a dose supervised at 07:31 under a prescription reissued at 07:32
// had one behind it, and the record says 07:31. The chain stops at the
// first predecessor that did not cover the days, was addressed to another
// pharmacy (a move), whose authority did not reach this supply, or gave
// another dose that day (a dose change): a dose given under it was its
// dose, recorded on its instalment (InForceAt). by is the index in
// reissues of the prescription whose time it is, -1 for own.
func InServiceFor(own Issue, reissues []Issue, covers []calendar.Date, zone *time.Location) (at time.Time, by int) {
	at, by = InService(own.IssuedAt, own.PrescribedOn, zone), -1
	for i, pr := range reissues[:chainReach(own, reissues, covers)] {
		if !SameDose(own, pr) {
			break
		}
		if t := InService(pr.IssuedAt, pr.PrescribedOn, zone); t.Before(at) {
			at, by = t, i
		}
	}
	return at, by
}

// chainReach is how many of reissues (nearest first) carried the days of
// covers on at own's pharmacy, whatever the dose: the chain stops at the
// first that did not cover them all or was at another pharmacy.
func chainReach(own Issue, reissues []Issue, covers []calendar.Date) int {
	if len(covers) == 0 {
		return 0
	}
	for i, pr := range reissues {
		if pr.PharmacyID != own.PharmacyID {
			return i
		}
		for _, d := range covers {
			if d.Before(pr.Start) || d.After(pr.End) {
				return i
			}
		}
	}
	return len(reissues)
}

// InForceAt is the index in reissues (nearest first) of the prescription
// whose instalment was the day's dose at the moment at: the nearest of
// the chain reaching the days (chainReach) in service by then; -1 when
// none was. A dose given then is that prescription's to record, even
// once it is cancelled (CanRecord's LiveAt).
func InForceAt(own Issue, reissues []Issue, covers []calendar.Date, at time.Time, zone *time.Location) int {
	for i, pr := range reissues[:chainReach(own, reissues, covers)] {
		if !at.Before(InService(pr.IssuedAt, pr.PrescribedOn, zone)) {
			return i
		}
	}
	return -1
}

// InService is the first moment a prescription can be supplied from: its
// issue. One dated before the day it was issued was signed on that date
// and entered later (L1 lets its date be earlier), so it was in being
// from the start of that date, at a time Dosebook does not know.
func InService(issuedAt time.Time, prescribedOn calendar.Date, zone *time.Location) time.Time {
	if issuedAt.IsZero() || (!prescribedOn.IsZero() && prescribedOn.Before(calendar.DateOf(issuedAt, zone))) {
		return prescribedOn.Start(zone)
	}
	return issuedAt
}

// inService is InServiceFor of the input's prescription.
func (in OccurredInput) inService(zone *time.Location) time.Time {
	at, _ := in.inServiceBy(zone)
	return at
}

// inServiceBy is InServiceFor of the input's prescription, with the index
// in Reissues of the prescription whose time it is (-1: its own).
func (in OccurredInput) inServiceBy(zone *time.Location) (time.Time, int) {
	return InServiceFor(in.own(), in.Reissues, in.covers(), zone)
}

// own is the input's prescription as InServiceFor reads it.
func (in OccurredInput) own() Issue {
	return Issue{IssuedAt: in.IssuedAt, PrescribedOn: in.PrescribedOn, PharmacyID: in.PharmacyID,
		Supervised: in.Supervised, TakeHome: in.TakeHome}
}

// covers is the instalment's dose days, its date when not given.
func (in OccurredInput) covers() []calendar.Date {
	if in.Covers == nil {
		return []calendar.Date{in.InstalmentDate}
	}
	return in.Covers
}

// OccurredAt is the time a record says its outcome happened: the given
// time, or now when none was given. It must not be in the future (beyond
// ClockSkew), and what a pharmacist saw (supervised, collected, withheld,
// refused) happened on the instalment's own date in the service's zone: a
// dose is not given before its day (L3) and is never recorded as given
// after it (MD4: missed doses are never supplied later); a patient turned
// away was turned away on that day too, not before it nor after (S1: the
// record's date and time; nothing is supplied, so L3 is not the rule). So
// a record made after the instalment's day, a correction above all, must
// say when on that day it happened: now would date it to the wrong day.
// Missed is the day passing without a visit, not a moment anyone saw: its
// time is when it was marked, on the instalment's day or later; the future
// and the days before are refused for it.
//
// A dose given is not recorded at a time before its prescription was
// issued either (L3, InService): a correction dated early in the morning
// of a prescription issued later that day is refused.
//
// Comparing local dates, not instants, keeps the clock-change days right:
// the last Sunday of March has 23 hours in London and the last Sunday of
// October 25, and each is one instalment's day.
func OccurredAt(in OccurredInput) (time.Time, error) {
	zone := in.Zone
	if zone == nil {
		zone = time.UTC
	}
	at, given := in.Given, !in.Given.IsZero()
	if !given {
		at = in.Now
	}
	if given {
		var f problem.Fields
		CheckNotFuture(&f, at, in.Now)
		if err := f.Err(); err != nil {
			return at, err
		}
	}
	day := calendar.DateOf(at, zone)
	if in.Outcome == Missed {
		if day.Before(in.InstalmentDate) {
			return at, problem.Invalidf("occurred_at", "not_before_date",
				"occurred_at is on %s, before this instalment's date %s: a dose is missed only once its day has come; check the date",
				day, in.InstalmentDate)
		}
		return at, nil
	}
	switch {
	case day.Before(in.InstalmentDate) && in.Outcome.Taken():
		return at, problem.Invalidf("occurred_at", "L3",
			"occurred_at is on %s, before this instalment's date %s: nothing is supplied, nor recorded, before the date on the prescription",
			day, in.InstalmentDate)
	case day.Before(in.InstalmentDate):
		return at, problem.Invalidf("occurred_at", "S1",
			"occurred_at is on %s, before this instalment's date %s: the record says what happened on the instalment's own day", day, in.InstalmentDate)
	case !day.After(in.InstalmentDate) && in.Outcome.Taken() && at.Before(in.inService(zone)):
		// A supply at a time before the prescription was issued would put
		// a dose in the CD record with no prescription behind it.
		from, by := in.inServiceBy(zone)
		if i := InForceAt(in.own(), in.Reissues, in.covers(), at, zone); i >= 0 {
			return at, otherDoseInForce(in, at, in.Reissues[i], zone)
		}
		pr, whose := Issue{IssuedAt: in.IssuedAt, PrescribedOn: in.PrescribedOn}, "this prescription"
		if by >= 0 {
			pr, whose = in.Reissues[by], "the prescription this one reissues"
		}
		when := "was issued, at " + pr.IssuedAt.In(zone).Format(time.RFC3339)
		if !from.Equal(pr.IssuedAt) {
			when = "is dated, " + pr.PrescribedOn.String()
		}
		return at, problem.Invalidf("occurred_at", "L3",
			"occurred_at %s is before %s %s: nothing is supplied before there is a prescription to supply it from",
			at.In(zone).Format(time.RFC3339), whose, when)
	case !day.After(in.InstalmentDate):
		return at, nil
	case !given:
		return at, problem.Invalidf("occurred_at", "S1",
			"this instalment was due on %s: a record made after its day gives occurred_at, the time on %s it happened", in.InstalmentDate, in.InstalmentDate)
	case in.Outcome.Taken():
		return at, problem.Invalidf("occurred_at", "MD4",
			"occurred_at is on %s, after this instalment's date %s: a dose is recorded as given only on its own day, since missed doses are never supplied later",
			day, in.InstalmentDate)
	}
	return at, problem.Invalidf("occurred_at", "S1",
		"occurred_at is on %s, after this instalment's date %s: the record says what happened on the instalment's own day", day, in.InstalmentDate)
}

// otherDoseInForce refuses a dose given at a time a predecessor of the
// instalment's prescription was in force with another dose for the day
// (InServiceFor lends its time only for the same dose): the patient was
// given the predecessor's dose, and the record on this instalment would
// say they had a dose decided after it was given. It names the dose in
// force then and where to record the dose actually given.
func otherDoseInForce(in OccurredInput, at time.Time, pr Issue, zone *time.Location) error {
	then := "no instalment of the same dose days"
	where := fmt.Sprintf("on prescription %s's instalment that supplied %s", pr.Serial, in.InstalmentDate)
	if pr.InstalmentID != "" {
		then = DoseText(pr.Supervised, pr.TakeHome)
		where = fmt.Sprintf("on prescription %s's instalment for %s (instalment %s)", pr.Serial, in.InstalmentDate, pr.InstalmentID)
	}
	return problem.Invalidf("occurred_at", "L3",
		"occurred_at %s is before this prescription was issued, at %s: the prescription in force then was %s, issued at %s, with %s for %s, not this instalment's %s. "+
			"Record the dose actually given %s with this occurred_at: it was in force at that time, so it takes the record though it has since been cancelled",
		at.In(zone).Format(time.RFC3339), in.IssuedAt.In(zone).Format(time.RFC3339), pr.Serial, pr.IssuedAt.In(zone).Format(time.RFC3339),
		then, in.InstalmentDate, DoseText(in.Supervised, in.TakeHome), where)
}
