// Package dispensing holds the pharmacy side of treatment: the outcome of each
// instalment collection (S1), corrections to it, missed-dose runs and the MD1
// block, prescriber alerts (MD2, S3, S4), the pharmacist's day-list warnings,
// adherence counts and the checks made before an outcome is recorded (L3, MD4,
// S7).
// Everything here is plain types and pure functions; storage and HTTP live
// elsewhere. Rule ids refer to docs/clinical-rules.md, or for the rules
// Dosebook names itself (MD4, S7) to the policy table (internal/policy).
package dispensing

import (
	"slices"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/problem"
)

// Outcome is the final result of one instalment, as S1 lists them.
type Outcome string

const (
	// Supervised: the supervised dose was consumed in front of the
	// pharmacist (and any take-home part of the instalment handed over).
	Supervised Outcome = "supervised"
	// Collected: a take-home instalment was collected.
	Collected Outcome = "collected"
	// Withheld: the pharmacist decided not to supply (S3), with a reason.
	Withheld Outcome = "withheld"
	// Refused: the patient attended and declined the dose.
	Refused Outcome = "refused"
	// Missed: the patient did not attend; only day close sets it.
	Missed Outcome = "missed"
)

// Valid reports whether o is one of the known outcomes.
func (o Outcome) Valid() bool {
	switch o {
	case Supervised, Collected, Withheld, Refused, Missed:
		return true
	}
	return false
}

// Taken reports whether the patient received the dose.
func (o Outcome) Taken() bool { return o == Supervised || o == Collected }

// notTaken reports a known outcome in which the patient went without the
// dose. Withheld and refused belong here as much as missed does: MD1 is
// about tolerance falling on "consecutive days missed", and a dose withheld
// for intoxication lowers tolerance exactly as one not collected does.
func (o Outcome) notTaken() bool { return o == Missed || o == Withheld || o == Refused }

// RecordableByPharmacist reports whether a pharmacist may record o as a new
// outcome. Missed is set by day close, never typed in, so "did not attend"
// always means the whole day passed without a visit.
func RecordableByPharmacist(o Outcome) bool { return o.Valid() && o != Missed }

// WithheldReason is why a dose was withheld (S3 requires a reason).
type WithheldReason string

const (
	ReasonIntoxicated          WithheldReason = "intoxicated"
	ReasonIdentityNotConfirmed WithheldReason = "identity_not_confirmed"
	ReasonBehaviour            WithheldReason = "behaviour"
	ReasonOther                WithheldReason = "other"
)

// Valid reports whether r is one of the known reasons.
func (r WithheldReason) Valid() bool {
	switch r {
	case ReasonIntoxicated, ReasonIdentityNotConfirmed, ReasonBehaviour, ReasonOther:
		return true
	}
	return false
}

// Because is the reason as a pharmacist says it in a sentence: "withheld
// because the patient was intoxicated".
func (r WithheldReason) Because() string {
	switch r {
	case ReasonIntoxicated:
		return "because the patient was intoxicated"
	case ReasonIdentityNotConfirmed:
		return "because the patient's identity could not be confirmed"
	case ReasonBehaviour:
		return "because of the patient's behaviour"
	}
	return "for another reason"
}

// ValidateRecord checks the outcome, reason and notes of a new record or a
// correction, naming every failing field (problem.Invalid).
//
// A correction may set Missed: a supervised or collected record made in
// error (the wrong patient, say) must be undoable to "did not attend",
// otherwise a missed day would stay hidden from MD1. A new record may not,
// because only day close decides that a day passed without a visit; for
// the same reason a correction may set it only once the instalment's day
// has ended or closed (CheckMissedCorrection).
//
// A dose withheld for reason other says what the reason was in notes: S3
// requires a reason, "other" alone is none, and the prescriber's alert
// quotes the notes (AlertForWithheld). A correction leaving notes out
// keeps the corrected record's, so its notes are checked once those are
// known (CheckNotes).
//
// A dose withheld because the patient's identity could not be confirmed
// is not recorded with identity confirmed: the record would contradict
// itself (S1).
func ValidateRecord(o Outcome, r WithheldReason, identityConfirmed bool, notes string, correction bool) error {
	var f problem.Fields
	CheckRecord(&f, o, r, identityConfirmed, notes, correction)
	return f.Err()
}

// CheckRecord is ValidateRecord adding to f, so that the HTTP layer names
// these fields in one answer with the request's others (issue 2); the
// store runs ValidateRecord again as its guard.
func CheckRecord(f *problem.Fields, o Outcome, r WithheldReason, identityConfirmed bool, notes string, correction bool) {
	switch {
	case !o.Valid():
		f.Add("outcome", "S1", "outcome %q is not supervised, collected, withheld or refused", o)
	case !correction && !RecordableByPharmacist(o):
		f.Add("outcome", "S1", "missed is set at day close; record withheld or refused if the patient attended")
	}
	switch {
	case o == Withheld && !r.Valid():
		f.Add("reason", "S3", "a withheld dose needs a reason: intoxicated, identity_not_confirmed, behaviour or other")
	case o != Withheld && r != "":
		f.Add("reason", "S1", "a reason is recorded only when the dose is withheld")
	}
	if o == Withheld && r == ReasonIdentityNotConfirmed && identityConfirmed {
		f.Add("identity_confirmed", "S1", "a dose withheld because the patient's identity could not be confirmed "+
			"cannot have identity_confirmed true: send identity_confirmed false, or, if the identity was confirmed, another reason")
	}
	// A correction leaving notes out keeps those of the record it
	// corrects, if withheld for the same reason: the store, which has
	// that record, checks them then (CheckNotes).
	if !(correction && notes == "") {
		CheckNotes(f, o, r, notes)
	}
}

// CheckMissedCorrection refuses a correction to Missed on an instalment
// dated today (instalmentDate, today in the service's time zone) whose
// day has not closed (dayClosed: the pharmacy's day close has run for
// it): missed says the whole day went by without a visit, which only the
// day's end tells (S1, as for a first record of missed). The patient may
// still come, and an MD2 alert raised now would be false. A day gone by,
// closed or not, may be corrected to missed; a day still to come is
// refused by CanRecord (S1). Other outcomes pass.
func CheckMissedCorrection(o Outcome, instalmentDate, today calendar.Date, dayClosed bool) error {
	if o != Missed || !instalmentDate.Equal(today) || dayClosed {
		return nil
	}
	return problem.Invalidf("outcome", "S1", "missed is set at day close, and %s has not closed: the patient may still come. "+
		"If the dose was recorded against the wrong patient, correct it to missed once the day has closed (day close leaves a recorded dose as it is). "+
		"If this patient does come today, correct the record's occurred_at to when the dose was given instead", instalmentDate)
}

// CheckNotes is S3's notes for a dose withheld for reason other, adding to
// f: "other" alone is no reason, so notes must say what it was.
func CheckNotes(f *problem.Fields, o Outcome, r WithheldReason, notes string) {
	if o == Withheld && r == ReasonOther && !problem.Visible(notes) {
		f.Add("notes", "required", "a dose withheld for reason other needs notes saying why: the prescriber's alert quotes them")
	}
}

// State is an instalment's line on the pharmacist's day list.
type State string

const (
	StateDue        State = "due"
	StateSupervised State = "supervised"
	StateCollected  State = "collected"
	StateMissed     State = "missed"
	StateWithheld   State = "withheld"
	StateRefused    State = "refused"
	// StateBlocked: due, but MD1 stops supply until a prescriber review.
	StateBlocked State = "blocked"
	// StateSuppliedElsewhere: nothing recorded on the line, but every day
	// it covers was supplied by another instalment (SuppliedElsewhere): a
	// cancelled predecessor's, or another pharmacy's. Nothing is due.
	StateSuppliedElsewhere State = "supplied_elsewhere"
)

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	switch s {
	case StateDue, StateSupervised, StateCollected, StateMissed, StateWithheld, StateRefused, StateBlocked, StateSuppliedElsewhere:
		return true
	}
	return false
}

// StateOf is the day-list state of an instalment with current outcome o
// ("" when none yet). A recorded outcome always shows as itself, so a
// withheld record on a blocked day reads "withheld", not "blocked". One
// with no record whose days another instalment supplied (elsewhere,
// SuppliedElsewhere) has nothing to block: the dose was given.
func StateOf(o Outcome, blocked, elsewhere bool) State {
	if o.Valid() {
		return State(o)
	}
	if elsewhere {
		return StateSuppliedElsewhere
	}
	if blocked {
		return StateBlocked
	}
	return StateDue
}

// MissedAtClose reports whether day close on closing turns an instalment
// dated instalmentDate, whose current outcome is current ("" = none), into
// Missed. The caller leaves out instalments of prescriptions that were not
// live on their date (draft, cancelled before it).
func MissedAtClose(instalmentDate, closing calendar.Date, current Outcome) bool {
	return current == "" && !instalmentDate.After(closing)
}

// Event is one pharmacist record for one instalment. Records are append
// only: a correction is a new Event whose CorrectsID names the original or
// an earlier correction.
type Event struct {
	ID         string         `json:"id"`
	Outcome    Outcome        `json:"outcome"`
	Reason     WithheldReason `json:"reason,omitempty"`
	CorrectsID string         `json:"corrects_id,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
}

// CurrentOutcome resolves the corrections of one instalment's events: the
// original is the event with no CorrectsID, the chain is the original plus
// every event correcting a member of the chain, and the latest of the chain
// by CreatedAt wins (on a tie, the later in events). It reports false when
// there is no original.
//
// Storage keeps one original per instalment (the unique index
// dose_events_one_outcome), and a correction names a record of the same
// instalment (store.RecordDose). Should it ever hold two, the earliest is taken as the original so the answer is at least
// deterministic; events outside the chain never count.
func CurrentOutcome(events []Event) (Outcome, bool) {
	i, ok := current(events)
	if !ok {
		return "", false
	}
	return events[i].Outcome, true
}

// CurrentEvent is CurrentOutcome returning the winning event itself, for
// its reason and id.
func CurrentEvent(events []Event) (Event, bool) {
	i, ok := current(events)
	if !ok {
		return Event{}, false
	}
	return events[i], true
}

func current(events []Event) (int, bool) {
	root := original(events)
	if root < 0 {
		return 0, false
	}
	inChain := chain(events, root)
	best := root
	for i, e := range events {
		if inChain[i] && !e.CreatedAt.Before(events[best].CreatedAt) {
			best = i
		}
	}
	return best, true
}

// KnownSince is when an instalment's current outcome became known as MD1
// counts it, taken or not: the first of the latest run of chain events on
// the same side. A correction from one outcome without the dose to another
// (missed to refused) tells a prescriber who has reviewed the patient
// nothing new, so the day stays known from the first; one that takes the
// dose away is news from its own time. Zero when there is no record.
func KnownSince(events []Event) time.Time {
	cur, ok := current(events)
	if !ok {
		return time.Time{}
	}
	inChain := chain(events, original(events))
	var members []Event
	for i, e := range events {
		if inChain[i] {
			members = append(members, e)
		}
	}
	slices.SortStableFunc(members, func(a, b Event) int { return a.CreatedAt.Compare(b.CreatedAt) })
	taken := events[cur].Outcome.Taken()
	since := events[cur].CreatedAt
	for i := len(members) - 1; i >= 0 && members[i].Outcome.Taken() == taken; i-- {
		if members[i].CreatedAt.Before(since) {
			since = members[i].CreatedAt
		}
	}
	return since
}

// original is the index of the earliest event without CorrectsID, or -1.
func original(events []Event) int {
	root := -1
	for i, e := range events {
		if e.CorrectsID == "" && (root < 0 || e.CreatedAt.Before(events[root].CreatedAt)) {
			root = i
		}
	}
	return root
}

// chain marks the events reachable from events[root] through CorrectsID.
func chain(events []Event, root int) []bool {
	inChain := make([]bool, len(events))
	inChain[root] = true
	ids := map[string]bool{events[root].ID: true}
	// Grow to a fixed point, so a correction listed before the event it
	// corrects is still found.
	for grew := true; grew; {
		grew = false
		for i, e := range events {
			if !inChain[i] && e.CorrectsID != "" && ids[e.CorrectsID] {
				inChain[i], ids[e.ID], grew = true, true, true
			}
		}
	}
	return inChain
}
