package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/store"
)

func cmdDayClose(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	var date string
	return withDB(ctx, "day-close", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&date, "date", "", "the day to close, YYYY-MM-DD (default: today in DOSEBOOK_TIMEZONE)")
	}, func(a app) error {
		day := calendar.DateOf(time.Now(), a.cfg.Timezone)
		if date != "" {
			d, err := calendar.Parse(date)
			if err != nil {
				return &exitError{2, err}
			}
			day = d
		}
		// The pharmacies that closed are reported even when another failed.
		res, err := a.db.CloseDayAll(ctx, a.cfg.Policy, a.cfg.Timezone, day)
		if encErr := json.NewEncoder(stdout).Encode(res); err == nil {
			err = encErr
		}
		return err
	})
}

// nextDayClose is the next local time-of-day at after now. It is built from
// the civil date each time, so a clock change does not move it.
func nextDayClose(now time.Time, loc *time.Location, at time.Duration) (time.Time, calendar.Date) {
	day := calendar.DateOf(now, loc)
	for {
		start := day.Start(loc)
		when := time.Date(start.Year(), start.Month(), start.Day(), int(at/time.Hour), int(at%time.Hour/time.Minute), 0, 0, loc)
		if when.After(now) {
			return when, day
		}
		day = day.AddDays(1)
	}
}

// runDayClose closes yesterday at start (in case the server was down at
// close time) and then every day at the configured local time. Day close
// is idempotent, so a second server running it too does no harm.
func runDayClose(ctx context.Context, db *store.DB, cfg config.Config, log *slog.Logger) {
	catchUp := calendar.DateOf(time.Now(), cfg.Timezone).AddDays(-1)
	started := time.Now()
	if res, err := db.CloseDayAll(ctx, cfg.Policy, cfg.Timezone, catchUp); err != nil && ctx.Err() == nil {
		log.Error("day close catch-up failed", "date", catchUp.String(), "error", err.Error())
	} else if err == nil {
		log.Info("day close catch-up done", "date", catchUp.String(), "pharmacies", len(res),
			"duration_ms", time.Since(started).Milliseconds())
	}
	for {
		when, day := nextDayClose(time.Now(), cfg.Timezone, cfg.DayCloseAt)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(when)):
		}
		res, err := db.CloseDayAll(ctx, cfg.Policy, cfg.Timezone, day)
		if err != nil {
			log.Error("day close failed", "date", day.String(), "closed", len(res), "error", err.Error())
		}
		missed := 0
		for _, r := range res {
			missed += r.Missed
		}
		log.Info("day closed", "date", day.String(), "pharmacies", len(res), "missed", missed)
		// The logs leave the database's reach: a head logged daily is an
		// anchor for `audit verify --anchor` (ADR 0002).
		if head, err := db.AuditHead(ctx); err == nil {
			log.Info("audit head", "anchor", head.String())
		}
	}
}
