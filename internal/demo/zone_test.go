package demo_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// The demo seeds in the service's time zone: in Auckland, or in London
// in the last hour of a summer's day UTC, the doses of the days before
// today were given in the pharmacy's working hours there, on their day
// there, and none in the future.
func TestDemoInTheServiceZone(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds months of history")
	}
	t.Parallel()
	for _, tc := range []struct{ zone, now string }{
		{"Pacific/Auckland", "2026-12-03T15:00:00Z"}, // 04:00 on the 4th in Auckland
		{"Europe/London", "2026-07-09T23:30:00Z"},    // 00:30 on the 10th in London
	} {
		t.Run(tc.zone, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(k string) string {
				if k == "DOSEBOOK_TIMEZONE" {
					return tc.zone
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			at, _ := time.Parse(time.RFC3339, tc.now)
			storetest.EachWith(t, store.Options{Now: func() time.Time { return at }, Zone: cfg.Timezone}, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				res, err := demo.Seed(ctx, db, cfg)
				if err != nil {
					t.Fatal(err)
				}
				today := calendar.DateOf(at, cfg.Timezone)
				pharmacist := principal(res, "pharmacist", res.PharmacyID, auth.Pharmacist)
				given := 0
				for _, day := range []calendar.Date{today.AddDays(-1), today.AddDays(-2)} {
					list, err := db.DayList(ctx, pharmacist, cfg.Policy, res.PharmacyID, day, today)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range list {
						if e.Outcome == nil || !e.Outcome.Outcome.Taken() {
							continue
						}
						given++
						local := e.Outcome.OccurredAt.In(cfg.Timezone)
						if !calendar.DateOf(local, cfg.Timezone).Equal(day) || local.Hour() < 9 || local.Hour() > 17 || e.Outcome.OccurredAt.After(at) {
							t.Errorf("%s's dose of %s given at %s", e.PatientName, day, local)
						}
					}
				}
				if given == 0 {
					t.Fatal("no dose given on the two days before today")
				}
			})
		})
	}
}
