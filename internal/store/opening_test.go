package store

import (
	"fmt"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// A pharmacy_closed alert's key gives back the prescription and dates it
// was made from, numbered or not.
func TestClosedKeyDates(t *testing.T) {
	t.Parallel()
	const pr = "01a23a3f-387c-748d-8692-cb87a140acd2"
	d := calendar.MustParse
	tests := []struct {
		key   string
		dates []calendar.Date
		bad   bool
	}{
		{key: closedKey(pr, []calendar.Date{d("2026-12-22")}), dates: []calendar.Date{d("2026-12-22")}},
		{key: closedKey(pr, []calendar.Date{d("2026-12-22"), d("2026-12-23")}), dates: []calendar.Date{d("2026-12-22"), d("2026-12-23")}},
		{key: closedKey(pr, []calendar.Date{d("2026-12-22")}) + ":3", dates: []calendar.Date{d("2026-12-22")}},
		{key: "pharmacy_closed:" + pr, bad: true},
		{key: "pharmacy_closed:" + pr + ":tomorrow", bad: true},
		{key: "missed:" + pr + ":2026-12-22", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			id, dates, err := closedKeyDates(tt.key)
			if tt.bad {
				if err == nil {
					t.Fatalf("closedKeyDates() = %s, %v, want an error", id, dates)
				}
				return
			}
			if err != nil || id != pr || fmt.Sprint(dates) != fmt.Sprint(tt.dates) {
				t.Fatalf("closedKeyDates() = %s, %v, %v; want %s, %v", id, dates, err, pr, tt.dates)
			}
		})
	}
}
