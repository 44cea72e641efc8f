package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dosebook/dosebook/internal/audit"
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
		when := closeTimeOf(day, loc, at)
		if when.After(now) {
			return when, day
		}
		day = day.AddDays(1)
	}
}

// closeTimeOf is the moment day is closed: its local time-of-day at.
func closeTimeOf(day calendar.Date, loc *time.Location, at time.Duration) time.Time {
	start := day.Start(loc)
	return time.Date(start.Year(), start.Month(), start.Day(), int(at/time.Hour), int(at%time.Hour/time.Minute), 0, 0, loc)
}

// dayCloseMetrics let an operator alert on a day close that has not
// succeeded: uncollected doses stay unmarked and MD1/MD2 alerts unraised
// until one does.
type dayCloseMetrics struct {
	lastSuccess prometheus.Gauge
	failures    prometheus.Counter
}

func newDayCloseMetrics() dayCloseMetrics {
	return dayCloseMetrics{
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dosebook_day_close_last_success_timestamp_seconds",
			Help: "When a day close (scheduled or the start-up catch-up) last succeeded, as a Unix time.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dosebook_day_close_failures_total",
			Help: "Day close attempts that failed; each is retried.",
		}),
	}
}

func (m dayCloseMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.lastSuccess, m.failures}
}

// dayCloser runs the server's day closes. Its store calls and its sleep are
// plain functions so a test can fail them and skip the waiting.
type dayCloser struct {
	close   func(ctx context.Context, day calendar.Date) ([]store.CloseDayResult, error)
	head    func(ctx context.Context) (audit.Anchor, error)
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	zone    *time.Location
	at      time.Duration
	log     *slog.Logger
	metrics dayCloseMetrics
	// A failed close is retried after minRetry, doubling up to maxRetry:
	// soon enough that a database back after a moment loses no alerts,
	// seldom enough not to add to an outage.
	minRetry, maxRetry time.Duration
}

func newDayCloser(db *store.DB, cfg config.Config, log *slog.Logger, m dayCloseMetrics) *dayCloser {
	return &dayCloser{
		close: func(ctx context.Context, day calendar.Date) ([]store.CloseDayResult, error) {
			return db.CloseDayAll(ctx, cfg.Policy, cfg.Timezone, day)
		},
		head:     db.AuditHead,
		now:      time.Now,
		sleep:    sleepCtx,
		zone:     cfg.Timezone,
		at:       cfg.DayCloseAt,
		log:      log,
		metrics:  m,
		minRetry: 5 * time.Second,
		maxRetry: 5 * time.Minute,
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// run closes yesterday at start (in case the server was down at close
// time) and then every day at the configured local time, until ctx ends.
// Day close is idempotent, so a second server running it too does no harm,
// and neither does a retry of a close that half succeeded.
func (d *dayCloser) run(ctx context.Context) {
	if err := d.closeUntilDone(ctx, calendar.DateOf(d.now(), d.zone).AddDays(-1), "day close catch-up done", "day close catch-up failed"); err != nil {
		return
	}
	when, day := nextDayClose(d.now(), d.zone, d.at)
	for {
		if err := d.sleep(ctx, when.Sub(d.now())); err != nil {
			return
		}
		if err := d.closeUntilDone(ctx, day, "day closed", "day close failed"); err != nil {
			return
		}
		// The next day follows the one just closed, even when retries ran
		// past its time: it is then closed at once, never skipped.
		day = day.AddDays(1)
		when = closeTimeOf(day, d.zone, d.at)
	}
}

// closeUntilDone closes day, retrying with bounded backoff until it
// succeeds; it gives up only when ctx ends (the server stops).
func (d *dayCloser) closeUntilDone(ctx context.Context, day calendar.Date, done, failed string) error {
	wait := d.minRetry
	for attempt := 1; ; attempt++ {
		started := d.now()
		res, err := d.close(ctx, day)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			d.metrics.lastSuccess.Set(float64(d.now().UnixNano()) / 1e9)
			missed := 0
			for _, r := range res {
				missed += r.Missed
			}
			d.log.Info(done, "date", day.String(), "pharmacies", len(res), "missed", missed,
				"attempts", attempt, "duration_ms", d.now().Sub(started).Milliseconds())
			// The logs leave the database's reach: a head logged daily is
			// an anchor for `audit verify --anchor` (ADR 0002).
			if head, err := d.head(ctx); err == nil {
				d.log.Info("audit head", "anchor", head.String())
			}
			return nil
		}
		d.metrics.failures.Inc()
		d.log.Error(failed, "date", day.String(), "attempt", attempt,
			"closed", len(res), "retry_in_ms", wait.Milliseconds(), "error", err.Error())
		if err := d.sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, d.maxRetry)
	}
}
