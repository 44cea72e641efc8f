package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

func testConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// picture is what a newcomer sees of the demo: each pharmacy's day list,
// today and the last days, and every demo patient's dose record.
func picture(t *testing.T, ctx context.Context, db *store.DB, cfg config.Config, res Result, today calendar.Date) string {
	t.Helper()
	var b strings.Builder
	for _, ph := range []struct{ key, id string }{{"pharmacist", res.PharmacyID}, {"pharmacist_2", res.Pharmacy2}} {
		p := principalFor(res, ph.key, ph.id, auth.Pharmacist)
		for d := today.AddDays(-3); !d.After(today); d = d.AddDays(1) {
			list, err := db.DayList(ctx, p, cfg.Policy, ph.id, d, today)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range list {
				fmt.Fprintf(&b, "%s %s %s %s\n", ph.key, d, e.PatientName, e.State)
			}
		}
	}
	prescriber := principalFor(res, "prescriber", res.ServiceID, auth.Prescriber)
	for _, pt := range res.Patients {
		h, err := db.DoseHistory(ctx, prescriber, cfg.Policy, pt.ID, today.AddDays(-400), today.AddDays(30), today)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range h.Instalments {
			fmt.Fprintf(&b, "%s %s %s %s\n", pt.Name, in.Date, in.PrescriptionStatus, in.Current)
		}
	}
	return b.String()
}

// A seed interrupted part-way (SIGTERM during `serve --demo`) and run
// again leaves the demo a clean seed leaves: every patient's history
// replayed, not 252 dose events of 653 and everyone blocked by MD1.
func TestInterruptedSeedIsFinishedByTheNextRun(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds months of history")
	}
	t.Parallel()
	cfg := testConfig(t)
	at := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	today := calendar.DateOf(at, cfg.Timezone)
	opts := store.Options{Now: func() time.Time { return at }}
	ctx := context.Background()

	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			clean := storetest.Open(t, d, opts)
			res, err := Seed(ctx, clean, cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := picture(t, ctx, clean, cfg, res, today)
			for _, stop := range []struct {
				name string
				at   func(step string, n int) bool
			}{
				{"after five patients", func(step string, n int) bool { return step == "patient" && n == 5 }},
				{"after every patient, before the history", func(step string, n int) bool { return step == "patient" && n == len(demoPatients) }},
				{"half way through the history", func(step string, n int) bool { return step == "day" && n == 100 }},
			} {
				t.Run(stop.name, func(t *testing.T) {
					t.Parallel()
					db := storetest.Open(t, d, opts)
					cut, cancel := context.WithCancel(ctx)
					counts := map[string]int{}
					_, err := seed(cut, db, cfg, func(step string) {
						counts[step]++
						if stop.at(step, counts[step]) {
							cancel()
						}
					})
					cancel()
					if !errors.Is(err, context.Canceled) && !strings.Contains(fmt.Sprint(err), "cancel") {
						t.Fatalf("the interrupted seed returned %v (steps %v)", err, counts)
					}
					res, err := Seed(ctx, db, cfg)
					if err != nil {
						t.Fatal(err)
					}
					if got := picture(t, ctx, db, cfg, res, today); got != want {
						t.Fatalf("after an interrupted seed and a second run the demo differs from a clean seed:\n%s", lineDiff(want, got))
					}
				})
			}
		})
	}
}

// The demo does not run out: run again ten days later, it records the
// collections of the days nobody recorded and tops up the prescriptions
// (new ones, written that day), so that Castle Street has patients due
// through the week, and the day close `serve` runs at start blocks nobody
// new.
func TestDemoRunAgainLaterHasPatientsDue(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds months of history")
	}
	t.Parallel()
	cfg := testConfig(t)
	seeded := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			now := seeded
			db := storetest.Open(t, d, store.Options{Now: func() time.Time { return now }})
			seedAndAge(t, db, cfg, seeded, func(t time.Time) { now = t })
		})
	}
}

func seedAndAge(t *testing.T, db *store.DB, cfg config.Config, seeded time.Time, setNow func(time.Time)) {
	{
		ctx := context.Background()
		if _, err := Seed(ctx, db, cfg); err != nil {
			t.Fatal(err)
		}
		now := seeded.AddDate(0, 0, 10)
		setNow(now)
		today := calendar.DateOf(now, cfg.Timezone)
		res, err := Seed(ctx, db, cfg)
		if err != nil {
			t.Fatal(err)
		}
		// What `serve` does at start: close yesterday.
		if _, err := db.CloseDayAll(ctx, cfg.Policy, cfg.Timezone, today.AddDays(-1)); err != nil {
			t.Fatal(err)
		}
		pharmacist := principalFor(res, "pharmacist", res.PharmacyID, auth.Pharmacist)
		for _, d := range []calendar.Date{today, today.AddDays(3), today.AddDays(6)} {
			list, err := db.DayList(ctx, pharmacist, cfg.Policy, res.PharmacyID, d, today)
			if err != nil {
				t.Fatal(err)
			}
			states := map[dispensing.State]int{}
			for _, e := range list {
				states[e.State]++
			}
			if states[dispensing.StateDue] < 4 || states[dispensing.StateBlocked] != 1 {
				t.Fatalf("Castle Street on %s, ten days after the seed: states %v, want several patients due and the one MD1 blocks", d, states)
			}
		}
		// The top-up writes new prescriptions dated today, never earlier.
		prescriber := principalFor(res, "prescriber", res.ServiceID, auth.Prescriber)
		seedDay := calendar.DateOf(seeded, cfg.Timezone)
		topped := 0
		for _, pt := range res.Patients {
			ps, err := db.Prescriptions(ctx, prescriber, store.PrescriptionFilter{PatientID: pt.ID, Today: today, Numbers: cfg.Policy, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if p.PrescribedOn.After(seedDay) {
					if p.PrescribedOn != today || p.StartDate.Before(today) {
						t.Errorf("%s: a prescription written %s starting %s; the top-up writes today's (%s), starting today or later", pt.Name, p.PrescribedOn, p.StartDate, today)
					}
					topped++
				}
			}
		}
		if topped == 0 {
			t.Fatal("no prescription was topped up")
		}
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 40 {
		out = append(out[:40], fmt.Sprintf("… %d more", len(out)-40))
	}
	return strings.Join(out, "\n")
}
