package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestWeeklyBuvidalWeeks(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	tests := []struct {
		name    string
		first   string
		regular int
		start   string
		want    int
	}{
		{"four a week apart, monthly when the fifth is due", "2026-01-05", 4, "2026-02-02", 4},
		{"four days apart", "2026-11-02", 4, "2026-11-06", 0},
		{"four three days apart", "2026-11-02", 4, "2026-11-16", 2},
		{"two a month apart", "2026-01-05", 2, "2026-02-09", 2},
		{"one day short of four weeks", "2026-01-05", 4, "2026-02-01", 3},
		{"none given", "", 0, "2026-02-02", 0},
		{"first on the start day", "2026-02-02", 1, "2026-02-02", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var first calendar.Date
			if tt.first != "" {
				first = d(tt.first)
			}
			if got := WeeklyBuvidalWeeks(first, tt.regular, d(tt.start)); got != tt.want {
				t.Errorf("WeeklyBuvidalWeeks = %d, want %d", got, tt.want)
			}
		})
	}
}
