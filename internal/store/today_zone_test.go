package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
)

// The scopes' today is the service's, by the store's clock: 23:30 UTC on a
// summer day is already the next day in London.
func TestTodayOfFollowsTheServiceZone(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip(err)
	}
	now := func() time.Time { return time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC) }
	for _, tt := range []struct {
		zone *time.Location
		want string
	}{{nil, "2026-07-01"}, {time.UTC, "2026-07-01"}, {london, "2026-07-02"}} {
		db, err := Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "x.db"), Options{Now: now, Zone: tt.zone})
		if err != nil {
			t.Fatal(err)
		}
		if got := todayOf(db.gorm); !got.Equal(calendar.MustParse(tt.want)) {
			t.Errorf("zone %v: today %s, want %s", tt.zone, got, tt.want)
		}
		db.Close()
	}
}
