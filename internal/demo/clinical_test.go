package demo

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestMissedSinceCountsOpenDays(t *testing.T) {
	t.Parallel()
	tests := []struct{ today, want string }{
		{"2026-06-10", "2026-06-06"}, // Wednesday: Tue, Mon, Sat (carrying Sunday)
		{"2026-06-08", "2026-06-04"}, // Monday: Sat, Fri, Thu
		{"2026-06-05", "2026-06-02"}, // Friday: Thu, Wed, Tue
		{"2026-05-27", "2026-05-22"}, // Wednesday after the spring bank holiday: Tue, Sat (carrying Sun, Mon), Fri
	}
	for _, tt := range tests {
		t.Run(tt.today, func(t *testing.T) {
			t.Parallel()
			if got := missedSince(calendar.MustParse(tt.today), 3, calendar.DefaultOpening()); got.String() != tt.want {
				t.Fatalf("missedSince(%s) = %s, want %s", tt.today, got, tt.want)
			}
		})
	}
}

// At a pharmacy open every day the last three days are simply the last three.
func TestMissedSinceEveryDayOpen(t *testing.T) {
	t.Parallel()
	for _, today := range []string{"2026-06-08", "2026-12-27", "2027-01-01"} {
		want := calendar.MustParse(today).AddDays(-3)
		if got := missedSince(calendar.MustParse(today), 3, calendar.Opening{}); got != want {
			t.Errorf("missedSince(%s) = %s, want %s", today, got, want)
		}
	}
}
