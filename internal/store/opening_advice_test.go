package store

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
)

// A day refused as closed is opened again through the field that closes
// it: a day in closed_dates comes out of them (open_dates may not hold it
// as well), one closed by weekday or bank holiday goes into open_dates.
func TestReopenAdvice(t *testing.T) {
	t.Parallel()
	op := calendar.Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, ClosedDates: []calendar.Date{calendar.MustParse("2026-12-15")},
		BankHolidaysClosed: true}
	tests := []struct {
		date string
		want string
	}{
		{"2026-12-15", "take 2026-12-15 out of closed_dates"},
		{"2026-12-13", "add 2026-12-13 to open_dates"}, // a Sunday
		{"2026-12-28", "add 2026-12-28 to open_dates"}, // a bank holiday
	}
	for _, tt := range tests {
		if got := reopenAdvice(op, calendar.MustParse(tt.date)); !strings.HasPrefix(got, tt.want) {
			t.Errorf("reopenAdvice(%s) = %q, want it to start %q", tt.date, got, tt.want)
		}
	}
}
