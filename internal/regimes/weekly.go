package regimes

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
)

// WeeklyBuvidalWeeks is how long a patient has had weekly Buvidal before
// start, for BV5's "ideally at least 4 weeks": whole weeks from the first
// regular weekly injection to start, and no more than the regular
// injections given, one a week. Counting injections alone would let four
// given days apart pass for a month of weekly treatment; counting the span
// alone would let two injections a month apart pass for it too.
func WeeklyBuvidalWeeks(first calendar.Date, regular int, start calendar.Date) int {
	if regular <= 0 || first.IsZero() || !first.Before(start) {
		return 0
	}
	return min(first.DaysUntil(start)/7, regular)
}

// wholeWeeks is "1 whole week" or "n whole weeks".
func wholeWeeks(n int) string {
	if n == 1 {
		return "1 whole week"
	}
	return fmt.Sprintf("%d whole weeks", n)
}
