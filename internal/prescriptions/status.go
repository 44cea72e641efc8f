package prescriptions

import (
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
