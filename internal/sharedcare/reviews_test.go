package sharedcare

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestReviewDue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, set, last string
		months          int
		want            string
	}{
		{name: "no review yet", set: "2026-09-10", months: 3, want: "2026-09-10"},
		{name: "reviewed before acceptance", set: "2027-06-10", last: "2026-05-01", months: 12, want: "2027-06-10"},
		{name: "reviewed early moves the date on", set: "2026-09-10", last: "2026-07-01", months: 3, want: "2026-10-01"},
		{name: "reviewed on the due date", set: "2026-09-10", last: "2026-09-10", months: 3, want: "2026-12-10"},
		{name: "reviewed late", set: "2026-09-10", last: "2026-10-20", months: 3, want: "2027-01-20"},
		{name: "month end", set: "2026-09-10", last: "2026-11-30", months: 3, want: "2027-02-28"},
		{name: "yearly across a leap day", set: "2027-01-01", last: "2028-02-29", months: 12, want: "2029-02-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var last calendar.Date
			if tt.last != "" {
				last = calendar.MustParse(tt.last)
			}
			if got := ReviewDue(calendar.MustParse(tt.set), last, tt.months); got != calendar.MustParse(tt.want) {
				t.Fatalf("ReviewDue(%s, %s, %d) = %s, want %s", tt.set, tt.last, tt.months, got, tt.want)
			}
		})
	}
}
