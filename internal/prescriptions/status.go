package prescriptions

import (
	"fmt"
	"slices"

	"github.com/dosebook/dosebook/internal/calendar"
)

// Status is where a prescription is in its life.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusIssued    Status = "issued"
	StatusCompleted Status = "completed"
	StatusExpired   Status = "expired"
	StatusCancelled Status = "cancelled"
)

// transitions are the only moves allowed; a signed prescription is a legal
// document (L1), so nothing returns to draft and ended ones stay ended.
var transitions = map[Status][]Status{
	StatusDraft:  {StatusIssued, StatusCancelled},
	StatusIssued: {StatusCompleted, StatusExpired, StatusCancelled},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusIssued, StatusCompleted, StatusExpired, StatusCancelled:
		return true
	}
	return false
}

// Live reports whether the pharmacy may still dispense against it.
func (s Status) Live() bool { return s == StatusIssued }

// CanTransition reports whether a prescription may move from one status to another.
func CanTransition(from, to Status) bool {
	return slices.Contains(transitions[from], to)
}

// NotCancellable says why a prescription a reader sees in status s
// (EffectiveStatus) cannot be cancelled, for serial; "" when it can: a
// draft or a live issued one. Cancelling stops what is left of a
// prescription. A finished one has nothing left to stop, and what it was
// and how it ended are the record (L1): a completed one ran its course,
// its balance dispensed as the pharmacy recorded it; an expired one can no
// longer be dispensed (L3) or issued, and reads as what it is.
func NotCancellable(s Status, serial string) string {
	switch {
	case CanTransition(s, StatusCancelled):
		return ""
	case s == StatusCompleted:
		return fmt.Sprintf("prescription %s is completed: its last day has passed, and a finished prescription is not rewritten as cancelled", serial)
	case s == StatusExpired:
		return fmt.Sprintf("prescription %s has expired: it passed its validity (L3) or its last day with nothing supplied, so nothing can be dispensed from it and there is nothing left to cancel", serial)
	}
	return fmt.Sprintf("prescription %s is %s and cannot be cancelled", serial, s)
}

// End is the last dose day of a prescription of days days from start, or
// the zero Date when days < 1 since such a prescription has no dose day.
func End(start calendar.Date, days int) calendar.Date {
	if days < 1 || start.IsZero() {
		return calendar.Date{}
	}
	return start.AddDays(days - 1)
}

// SplitAt gives the part of a live prescription that a dose change taking
// effect on from must move to a new prescription: an issued FP10MDA cannot be
// amended (L1), so the old one is cancelled from that day and the remaining
// days are prescribed again at the new dose. A change before start moves the
// whole prescription; ok is false when from is after the last dose day.
func SplitAt(start calendar.Date, days int, from calendar.Date) (remainingStart calendar.Date, remainingDays int, ok bool) {
	end := End(start, days)
	if end.IsZero() || from.IsZero() || from.After(end) {
		return calendar.Date{}, 0, false
	}
	if from.Before(start) {
		from = start
	}
	return from, from.DaysUntil(end) + 1, true
}
