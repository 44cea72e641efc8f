package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/store"
)

func cmdDayClose(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	var date string
	var confirmEarly bool
	var day calendar.Date
	var earlyRefusal string
	return openDBAfter(ctx, "day-close", true, args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&date, "date", "", "the day to close, YYYY-MM-DD (default: today in DOSEBOOK_TIMEZONE)")
		fs.BoolVar(&confirmEarly, "confirm-early", false, "close today before DOSEBOOK_DAY_CLOSE_AT (or a later day), marking every dose not yet recorded missed")
	}, func(cfg config.Config) error {
		// Checked before the database is opened, so that a mistyped date
		// neither creates nor migrates one.
		now := time.Now()
		day = calendar.DateOf(now, cfg.Timezone)
		if date != "" {
			d, err := calendar.Parse(date)
			if err != nil {
				return &exitError{2, fmt.Errorf("--date: %w", err)}
			}
			day = d
			// The API's rule (422 within_year): a year back is the
			// furthest a day may be closed; further is likelier a
			// mistyped year, and would mark that day's doses missed at
			// every pharmacy.
			if earliest := dispensing.EarliestRecordedDay(calendar.DateOf(now, cfg.Timezone)); day.Before(earliest) {
				return &exitError{2, fmt.Errorf("--date %s is more than a year back: it must be on or after %s; check the year", day, earliest)}
			}
		}
		if why := earlyCloseRefusal(now, cfg.Timezone, cfg.DayCloseAt, day, confirmEarly); why != "" {
			// A day not yet begun is refused before the database is
			// opened; today, before its close time, only if some pharmacy
			// has not closed it yet (read once the database is open).
			if day.After(calendar.DateOf(now, cfg.Timezone)) {
				return &exitError{2, errors.New(why)}
			}
			earlyRefusal = why
		}
		return nil
	}, func(a app) error {
		if earlyRefusal != "" {
			// Today closed already at every pharmacy (early, confirmed
			// then): asked again, the answer is that it is closed, as for
			// any day closed twice, and nothing is written.
			res, closed, err := closedEverywhere(ctx, a.db, day)
			if err != nil {
				return err
			}
			if !closed {
				return &exitError{2, errors.New(earlyRefusal)}
			}
			return json.NewEncoder(stdout).Encode(res)
		}
		// The pharmacies that closed are reported even when another failed.
		res, err := a.db.CloseDayAll(ctx, a.cfg.Policy, a.cfg.Timezone, day)
		if encErr := json.NewEncoder(stdout).Encode(res); err == nil {
			err = encErr
		}
		return err
	})
}

// closedEverywhere reports whether every pharmacy has closed day, with
// the answer a close run again gives each (already_closed).
func closedEverywhere(ctx context.Context, db *store.DB, day calendar.Date) ([]store.CloseDayResult, bool, error) {
	pharmacies, err := db.Organisations(ctx, auth.Pharmacy)
	if err != nil || len(pharmacies) == 0 {
		return nil, false, err
	}
	closed, err := db.ClosedOn(ctx, day)
	if err != nil {
		return nil, false, err
	}
	res := make([]store.CloseDayResult, 0, len(pharmacies))
	for _, ph := range pharmacies {
		if !slices.Contains(closed, ph.ID) {
			return nil, false, nil
		}
		res = append(res, store.CloseDayResult{PharmacyID: ph.ID, Date: day, AlreadyRun: true})
	}
	return res, true, nil
}

// earlyCloseRefusal says why day may not be closed now, or "": a day not
// yet begun, or today before its close time at, without confirmation,
// since every dose not yet recorded would become missed, with its alerts,
// before the patients could come for it (as the API's confirm_early).
func earlyCloseRefusal(now time.Time, zone *time.Location, at time.Duration, day calendar.Date, confirmed bool) string {
	today := calendar.DateOf(now, zone)
	switch {
	case day.Before(today) || confirmed:
		return ""
	case day.After(today):
		return fmt.Sprintf("--date %s has not begun (today is %s): closing it marks every dose due through it missed; "+
			"pass --confirm-early only to rehearse a close (a test copy of the database)", day, today)
	}
	closeAt := closeTimeOf(day, zone, at)
	if !now.Before(closeAt) {
		return ""
	}
	return fmt.Sprintf("today (%s) is closed at %s (DOSEBOOK_DAY_CLOSE_AT); closing it now, at %s, marks every dose not yet recorded today missed "+
		"and alerts the prescribers: pass --confirm-early to close it now, or --date %s to close yesterday",
		day, closeAt.Format("15:04"), now.In(zone).Format("15:04"), day.AddDays(-1))
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
	close      func(ctx context.Context, day calendar.Date) ([]store.CloseDayResult, error)
	lastClosed func(ctx context.Context) (calendar.Date, error)
	head       func(ctx context.Context) (audit.Anchor, error)
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error
	zone       *time.Location
	at         time.Duration
	log        *slog.Logger
	metrics    dayCloseMetrics
	// A failed close is retried after minRetry, doubling up to maxRetry:
	// soon enough that a database back after a moment loses no alerts,
	// seldom enough not to add to an outage.
	minRetry, maxRetry time.Duration
}

func newDayCloser(db *store.DB, cfg config.Config, log *slog.Logger, m dayCloseMetrics) *dayCloser {
	return &dayCloser{
		close: func(ctx context.Context, day calendar.Date) ([]store.CloseDayResult, error) {
			// The scheduled close is the service's own work, whoever
			// started the server: "system", with no request.
			ctx = audit.WithRequest(audit.WithActor(ctx, audit.System), audit.Request{})
			return db.CloseDayAll(ctx, cfg.Policy, cfg.Timezone, day)
		},
		lastClosed: db.LastDayClosed,
		head:       db.AuditHead,
		now:        time.Now,
		sleep:      sleepCtx,
		zone:       cfg.Timezone,
		at:         cfg.DayCloseAt,
		log:        log,
		metrics:    m,
		minRetry:   5 * time.Second,
		maxRetry:   5 * time.Minute,
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

// maxCatchUpDays bounds the start-up catch-up after a long outage. The
// oldest day it closes still marks every earlier unrecorded instalment
// within the history window missed (CloseDay), so MD1 counts them; only
// the days' own alerts are lost.
const maxCatchUpDays = 14

// run closes at start every day whose close the server missed while it
// was down, then every day at the configured local time, until ctx ends.
// Day close is idempotent, so a second server running it too does no harm,
// and neither does a retry of a close that half succeeded.
func (d *dayCloser) run(ctx context.Context) {
	// Taken before the catch-up: a catch-up that runs past today's close
	// time closes today next, at once, rather than skip it.
	when, day := nextDayClose(d.now(), d.zone, d.at)
	var last calendar.Date
	if _, err := d.untilDone(ctx, func() error {
		var err error
		last, err = d.lastClosed(ctx)
		return err
	}, func(attempt int, wait time.Duration, err error) {
		d.log.Error("day close catch-up failed", "attempt", attempt, "retry_in_ms", wait.Milliseconds(), "error", err.Error())
	}); err != nil {
		return
	}
	days, skipped := catchUpDays(last, day.AddDays(-1), maxCatchUpDays)
	if skipped > 0 {
		d.log.Warn("day close catch-up skips days", "last_closed", last.String(), "skipped", skipped,
			"from", days[0].String(), "max_days", maxCatchUpDays)
	}
	for _, c := range days {
		if err := d.closeUntilDone(ctx, c, "day close catch-up done", "day close catch-up failed"); err != nil {
			return
		}
	}
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

// catchUpDays are the days the start-up closes, oldest first: each after
// lastClosed through lastDue, the last day whose close time has passed,
// but no more than the latest max of them (skipped says how many are left
// out). With no day closed yet, or every one, it is lastDue alone: closing
// it again does no harm, and takes in a pharmacy added since.
func catchUpDays(lastClosed, lastDue calendar.Date, max int) (days []calendar.Date, skipped int) {
	from := lastDue
	if !lastClosed.IsZero() && lastClosed.Before(lastDue) {
		from = lastClosed.AddDays(1)
	}
	if oldest := lastDue.AddDays(1 - max); from.Before(oldest) {
		skipped = from.DaysUntil(oldest)
		from = oldest
	}
	for c := from; !c.After(lastDue); c = c.AddDays(1) {
		days = append(days, c)
	}
	return days, skipped
}

// closeUntilDone closes day, retrying with bounded backoff until it
// succeeds; it gives up only when ctx ends (the server stops).
func (d *dayCloser) closeUntilDone(ctx context.Context, day calendar.Date, done, failed string) error {
	var (
		res  []store.CloseDayResult
		took time.Duration
	)
	attempts, err := d.untilDone(ctx, func() error {
		started := d.now()
		var err error
		res, err = d.close(ctx, day)
		took = d.now().Sub(started)
		return err
	}, func(attempt int, wait time.Duration, err error) {
		d.log.Error(failed, "date", day.String(), "attempt", attempt,
			"closed", len(res), "retry_in_ms", wait.Milliseconds(), "error", err.Error())
	})
	if err != nil {
		return err
	}
	d.metrics.lastSuccess.Set(float64(d.now().UnixNano()) / 1e9)
	missed := 0
	for _, r := range res {
		missed += r.Missed
	}
	d.log.Info(done, "date", day.String(), "pharmacies", len(res), "missed", missed,
		"attempts", attempts, "duration_ms", took.Milliseconds())
	// The logs leave the database's reach: a head logged daily is an
	// anchor for `audit verify --anchor` (ADR 0002).
	if head, err := d.head(ctx); err == nil {
		d.log.Info("audit head", "anchor", head.String())
	}
	return nil
}

// untilDone runs try until it succeeds, reporting each failure to failed
// with the wait before the next attempt: minRetry, doubling up to
// maxRetry. It gives up only when ctx ends (the server stops), and then
// reports nothing.
func (d *dayCloser) untilDone(ctx context.Context, try func() error, failed func(attempt int, wait time.Duration, err error)) (attempts int, err error) {
	wait := d.minRetry
	for attempt := 1; ; attempt++ {
		err := try()
		if ctx.Err() != nil {
			return attempt, ctx.Err()
		}
		if err == nil {
			return attempt, nil
		}
		d.metrics.failures.Inc()
		failed(attempt, wait, err)
		if err := d.sleep(ctx, wait); err != nil {
			return attempt, err
		}
		wait = min(2*wait, d.maxRetry)
	}
}
