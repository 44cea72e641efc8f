package main

import (
	"testing"
	"time"
)

func TestNextDayCloseAcrossClockChanges(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := 23 * time.Hour
	tests := []struct {
		name, now, want, day string
	}{
		{"before close", "2026-06-01T12:00:00+01:00", "2026-06-01T23:00:00+01:00", "2026-06-01"},
		{"after close", "2026-06-01T23:30:00+01:00", "2026-06-02T23:00:00+01:00", "2026-06-02"},
		{"spring forward day", "2026-03-29T00:30:00+00:00", "2026-03-29T23:00:00+01:00", "2026-03-29"},
		{"autumn back day", "2026-10-25T01:30:00+00:00", "2026-10-25T23:00:00+00:00", "2026-10-25"},
		{"eve of autumn change", "2026-10-24T23:01:00+01:00", "2026-10-25T23:00:00+00:00", "2026-10-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now, _ := time.Parse(time.RFC3339, tt.now)
			want, _ := time.Parse(time.RFC3339, tt.want)
			got, day := nextDayClose(now, london, at)
			if !got.Equal(want) || day.String() != tt.day {
				t.Fatalf("got %s (%s), want %s (%s)", got, day, want, tt.day)
			}
		})
	}
}
