package dispensing

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestEarliestRecordedDay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ today, want string }{
		{"2026-03-02", "2025-03-02"},
		{"2026-12-03", "2025-12-03"},
		{"2028-02-29", "2027-02-28"}, // no 29th: the month's last day
		{"2026-01-01", "2025-01-01"},
	} {
		if got := EarliestRecordedDay(calendar.MustParse(tt.today)); got.String() != tt.want {
			t.Errorf("EarliestRecordedDay(%s) = %s, want %s", tt.today, got, tt.want)
		}
	}
}
