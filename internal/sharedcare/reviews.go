package sharedcare

import (
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/regimes"
)

// ReviewDue is when a party's next review under accepted shared care falls
// due (SC1: the specialist at least yearly; the GP practice every M5
// interval). set is the date fixed when the practice accepted; a review by
// that party moves it to months after the review, if that is later. A
// review made before acceptance never brings the date forward: the
// arrangement itself restarted the clock.
func ReviewDue(set, lastReview calendar.Date, months int) calendar.Date {
	if lastReview.IsZero() {
		return set
	}
	if next := regimes.AddMonths(lastReview, months); next.After(set) {
		return next
	}
	return set
}
