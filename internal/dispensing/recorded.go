package dispensing

import (
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/regimes"
)

// EarliestRecordedDay is the furthest back the day of something recorded
// as it happens or soon after (a review, a drug screen, an injection, a
// closed day) may be: a year before today. Further back, a mistyped year
// is likelier than a record made that late, and a day that old would slip
// under the rules that count back from today (MD1's missed runs, M5's
// review clock). The API (422 within_year) and `dosebook day-close --date`
// both ask it.
func EarliestRecordedDay(today calendar.Date) calendar.Date {
	return regimes.AddMonths(today, -12)
}
