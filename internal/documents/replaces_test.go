package documents

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// A reissue names the days of the cancelled prescription it takes over.
func TestReplacesText(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	tests := []struct {
		serial, from, to, want string
	}{
		{"", "2026-12-03", "2026-12-06", ""},
		{"RCDS-000093", "2026-12-03", "2026-12-06", "RCDS-000093, cancelled: its days from Thu 3 Dec 2026 to Sun 6 Dec 2026 are dispensed from this prescription only."},
		{"RCDS-000093", "2026-12-07", "2026-12-07", "RCDS-000093, cancelled: its day Mon 7 Dec 2026 is dispensed from this prescription only."},
	}
	for _, tt := range tests {
		if got := replacesText(tt.serial, d(tt.from), d(tt.to)); got != tt.want {
			t.Errorf("replacesText(%q, %s, %s) = %q, want %q", tt.serial, tt.from, tt.to, got, tt.want)
		}
	}
}
