package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/store"
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

// closeRun drives a dayCloser on a fake clock that only sleep moves: fail
// says whether the n-th close fails; the run stops after stopAfter closes.
type closeRun struct {
	days    []string
	lookups int
	sleeps  []time.Duration
	logs    bytes.Buffer
	m       dayCloseMetrics
}

func runCloser(t *testing.T, start string, minRetry, maxRetry time.Duration, stopAfter int, fail func(n int) bool) *closeRun {
	t.Helper()
	return runCloserSince(t, start, "", 0, minRetry, maxRetry, stopAfter, fail)
}

// runCloserSince is runCloser on a database whose last day closed is
// lastClosed ("": none), read only after lookupFails failed attempts.
func runCloserSince(t *testing.T, start, lastClosed string, lookupFails int, minRetry, maxRetry time.Duration, stopAfter int, fail func(n int) bool) *closeRun {
	t.Helper()
	var last calendar.Date
	if lastClosed != "" {
		last = calendar.MustParse(lastClosed)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatal(err)
	}
	r := &closeRun{m: newDayCloseMetrics()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &dayCloser{
		close: func(ctx context.Context, day calendar.Date) ([]store.CloseDayResult, error) {
			r.days = append(r.days, day.String())
			n := len(r.days)
			if n == stopAfter {
				cancel() // the server stops
			}
			if fail(n) {
				return nil, errors.New("unavailable: the database is unavailable: connection refused")
			}
			return []store.CloseDayResult{{PharmacyID: "p1", Date: day, Missed: 2}}, nil
		},
		lastClosed: func(context.Context) (calendar.Date, error) {
			if r.lookups++; r.lookups <= lookupFails {
				return calendar.Date{}, errors.New("unavailable: the database is unavailable: connection refused")
			}
			return last, nil
		},
		head: func(context.Context) (audit.Anchor, error) { return audit.Anchor{Seq: 1, Hash: "ab"}, nil },
		now:  func() time.Time { return now },
		sleep: func(ctx context.Context, d time.Duration) error {
			if d > 0 {
				r.sleeps = append(r.sleeps, d)
				now = now.Add(d)
			}
			return ctx.Err()
		},
		zone: london, at: 23 * time.Hour,
		log:      slog.New(slog.NewJSONHandler(&r.logs, nil)),
		metrics:  r.m,
		minRetry: minRetry, maxRetry: maxRetry,
	}
	done := make(chan struct{})
	go func() { defer close(done); d.run(ctx) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the day close job did not stop")
	}
	return r
}

// A scheduled close that fails (the database away for a moment) is retried
// the same day, not tomorrow: doses are marked missed and MD1/MD2 raised
// within minutes, and "day closed" is logged only once it has been.
func TestDayCloseRetriesTheSameDay(t *testing.T) {
	t.Parallel()
	// Closes: 1 catch-up of 06-01, 2-3 fail on 06-02, 4 succeeds, 5 is
	// 06-03, and the server stops during 6 (06-04), which logs nothing.
	r := runCloser(t, "2026-06-02T12:00:00+01:00", time.Millisecond, 4*time.Millisecond, 6,
		func(n int) bool { return n == 2 || n == 3 })
	want := []string{"2026-06-01", "2026-06-02", "2026-06-02", "2026-06-02", "2026-06-03", "2026-06-04"}
	if !slices.Equal(r.days, want) {
		t.Fatalf("closed %v, want %v", r.days, want)
	}
	msgs := r.messages(t)
	wantLogs := []string{"day close catch-up done 2026-06-01", "day close failed 2026-06-02", "day close failed 2026-06-02",
		"day closed 2026-06-02", "day closed 2026-06-03"}
	if !slices.Equal(msgs, wantLogs) {
		t.Fatalf("logs %q, want %q", msgs, wantLogs)
	}
	if got := valueOf(t, r.m.failures); got != 2 {
		t.Errorf("dosebook_day_close_failures_total = %v, want 2", got)
	}
	if got := valueOf(t, r.m.lastSuccess); got == 0 {
		t.Error("dosebook_day_close_last_success_timestamp_seconds not set")
	}
}

// The start-up catch-up closes every day whose close the server missed,
// oldest first, each until it succeeds: down from Thursday night to
// Monday, it closes Friday, Saturday and Sunday, so each day's missed doses
// and alerts are as if it had been up. Two weeks at most.
func TestDayCloseCatchesUpEveryMissedDay(t *testing.T) {
	t.Parallel()
	var bounded []string
	for d := calendar.MustParse("2026-05-25"); d.Before(calendar.MustParse("2026-06-08")); d = d.AddDays(1) {
		bounded = append(bounded, d.String())
	}
	never := func(int) bool { return false }
	tests := []struct {
		name, start, lastClosed string
		lookupFails             int
		minRetry                time.Duration
		fail                    func(n int) bool
		want                    []string // the days closed, the last one the first scheduled close
		wantLogs                []string // beyond a "day close catch-up done" for each day but the last
		wantFailures            float64
	}{
		{name: "down over the weekend", start: "2026-06-08T09:00:00+01:00", lastClosed: "2026-06-04", lookupFails: 1,
			fail: func(n int) bool { return n == 2 },
			want: []string{"2026-06-05", "2026-06-06", "2026-06-06", "2026-06-07", "2026-06-08"},
			wantLogs: []string{"day close catch-up failed ", "day close catch-up done 2026-06-05", "day close catch-up failed 2026-06-06",
				"day close catch-up done 2026-06-06", "day close catch-up done 2026-06-07"},
			wantFailures: 2},
		{name: "up last night", start: "2026-06-08T09:00:00+01:00", lastClosed: "2026-06-07", fail: never,
			want: []string{"2026-06-07", "2026-06-08"}},
		{name: "nothing closed yet", start: "2026-06-08T09:00:00+01:00", fail: never,
			want: []string{"2026-06-07", "2026-06-08"}},
		{name: "a pharmacy closed today early", start: "2026-06-08T19:00:00+01:00", lastClosed: "2026-06-08", fail: never,
			want: []string{"2026-06-07", "2026-06-08"}},
		{name: "started after today's close time", start: "2026-06-08T23:30:00+01:00", lastClosed: "2026-06-06", fail: never,
			want: []string{"2026-06-07", "2026-06-08", "2026-06-09"}},
		{name: "catch-up retried past today's close time", start: "2026-06-08T22:00:00+01:00", lastClosed: "2026-06-06",
			minRetry: 2 * time.Hour, fail: func(n int) bool { return n == 1 },
			want:         []string{"2026-06-07", "2026-06-07", "2026-06-08", "2026-06-09"},
			wantLogs:     []string{"day close catch-up failed 2026-06-07", "day close catch-up done 2026-06-07", "day closed 2026-06-08"},
			wantFailures: 1},
		{name: "down for five weeks", start: "2026-06-08T09:00:00+01:00", lastClosed: "2026-05-01", fail: never,
			want:     append(bounded, "2026-06-08"),
			wantLogs: []string{"day close catch-up skips days "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			minRetry := cmp.Or(tt.minRetry, time.Millisecond)
			r := runCloserSince(t, tt.start, tt.lastClosed, tt.lookupFails, minRetry, 4*minRetry, len(tt.want), tt.fail)
			if !slices.Equal(r.days, tt.want) {
				t.Fatalf("closed %v, want %v", r.days, tt.want)
			}
			wantLogs := tt.wantLogs
			if wantLogs == nil || wantLogs[0] == "day close catch-up skips days " {
				for _, d := range tt.want[:len(tt.want)-1] {
					wantLogs = append(wantLogs, "day close catch-up done "+d)
				}
			}
			if got := r.messages(t); !slices.Equal(got, wantLogs) {
				t.Fatalf("logs %q, want %q", got, wantLogs)
			}
			if got := valueOf(t, r.m.failures); got != tt.wantFailures {
				t.Errorf("dosebook_day_close_failures_total = %v, want %v", got, tt.wantFailures)
			}
		})
	}
}

// Retries back off, doubling up to a bound, and never give up while the
// server runs; once the day closes, the next day is closed in turn even if
// the retries ran past its time.
func TestDayCloseBackoffIsBounded(t *testing.T) {
	t.Parallel()
	// From 22:00 on 06-02: wait an hour, then 06-02 fails 30 times (hours
	// each, capped at 8 h: into 06-12), then succeeds; 06-03 follows at once.
	r := runCloser(t, "2026-06-02T22:00:00+01:00", time.Hour, 8*time.Hour, 33,
		func(n int) bool { return n >= 2 && n <= 31 })
	if r.days[31] != "2026-06-02" || r.days[32] != "2026-06-03" {
		t.Fatalf("closed %v: want 06-02 until it succeeds, then 06-03", r.days)
	}
	retries := r.sleeps[1:31] // r.sleeps[0] is the wait for 23:00
	if retries[0] != time.Hour || retries[1] != 2*time.Hour || retries[2] != 4*time.Hour || retries[3] != 8*time.Hour || slices.Max(retries) != 8*time.Hour {
		t.Fatalf("retry waits %v: want 1h, 2h, 4h, then 8h at most", retries)
	}
	if len(r.sleeps) != 31 {
		t.Fatalf("waits %v: 06-03's time had passed, so it should have closed at once", r.sleeps)
	}
}

// messages are the run's log messages, each with its date, but for the
// audit heads.
func (r *closeRun) messages(t *testing.T) []string {
	t.Helper()
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(r.logs.String()), "\n") {
		var l struct{ Msg, Date string }
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		if l.Msg != "audit head" {
			msgs = append(msgs, l.Msg+" "+l.Date)
		}
	}
	return msgs
}

func valueOf(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}

// /metrics carries the day close's health, so an operator can alert on a
// close that has not succeeded.
func TestServeExportsDayCloseMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	dir := t.TempDir()
	srv := startServer(t, dir, "sqlite://"+dir+"/metrics.db")
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body := call(t, "GET", srv.base+"/metrics", "", nil)
		text := string(body)
		if status == 200 && strings.Contains(text, "dosebook_day_close_failures_total 0") &&
			strings.Contains(text, "dosebook_day_close_last_success_timestamp_seconds ") &&
			!strings.Contains(text, "dosebook_day_close_last_success_timestamp_seconds 0\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics: %d, no successful catch-up day close shown:\n%s", status, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The CLI's day close asks, as the API does (confirm_early), before it
// closes today ahead of its time: every dose not yet recorded would become
// missed before the patients could come for it.
func TestEarlyCloseRefusal(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := 23 * time.Hour
	morning := time.Date(2026, 12, 3, 8, 40, 0, 0, london)
	tests := []struct {
		name      string
		now       time.Time
		day       string
		confirmed bool
		want      string // "" when allowed
	}{
		{"today in the morning", morning, "2026-12-03", false, "pass --confirm-early to close it now, or --date 2026-12-02"},
		{"today in the morning, confirmed", morning, "2026-12-03", true, ""},
		{"yesterday", morning, "2026-12-02", false, ""},
		{"today at its close time", time.Date(2026, 12, 3, 23, 0, 0, 0, london), "2026-12-03", false, ""},
		{"just after midnight, today by default", time.Date(2026, 12, 4, 0, 30, 0, 0, london), "2026-12-04", false, "--date 2026-12-03 to close yesterday"},
		{"tomorrow", morning, "2026-12-04", false, "--date 2026-12-04 has not begun"},
		{"tomorrow, confirmed (a rehearsal on a copy)", morning, "2026-12-04", true, ""},
		{"summer time: 22:30 BST is before 23:00", time.Date(2026, 7, 1, 22, 30, 0, 0, london), "2026-07-01", false, "closed at 23:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := earlyCloseRefusal(tt.now, london, at, calendar.MustParse(tt.day), tt.confirmed)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("earlyCloseRefusal = %q, want %q", got, tt.want)
			}
		})
	}
}

// Closing today a second time needs no --confirm-early: the day is closed
// already, so the command says so (already_closed for every pharmacy) and
// writes nothing, as the API's day close does.
func TestDayCloseAgainAnswersAlreadyClosed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"Castle Street Pharmacy", "Market Square Pharmacy"} {
		if _, code, msg := cli(t, dir, "orgs", "create", "--kind", "pharmacy", "--name", name, "--address", "1 High St"); code != 0 {
			t.Fatalf("orgs create: %d %s", code, msg)
		}
	}
	if _, code, msg := cli(t, dir, "day-close", "--confirm-early"); code != 0 {
		t.Fatalf("day-close --confirm-early: %d %s", code, msg)
	}
	out, code, msg := cli(t, dir, "day-close")
	if code != 0 {
		t.Fatalf("day-close again: %d %s", code, msg)
	}
	var res []store.CloseDayResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) != 2 {
		t.Fatalf("day-close again printed %s", out)
	}
	for _, r := range res {
		if !r.AlreadyRun || r.Missed != 0 {
			t.Fatalf("day-close again: %+v", r)
		}
	}
}
