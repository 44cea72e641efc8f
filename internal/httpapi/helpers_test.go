package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// env is one API under test with the demo organisations and users.
type env struct {
	t    *testing.T
	srv  *Server
	db   *store.DB
	demo demo.Result
	logs *bytes.Buffer
}

func testConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	cfg := testConfig(t)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(db, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	res, err := demo.SeedPeople(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, db: db, demo: res, logs: logs}
}

// eachEnv runs fn on a fresh API per configured database.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// clock is a settable test clock for the store (and so for "today").
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// eachEnvAt runs fn with the clock pinned at start (London local noon of a
// given date is a good choice); fn may move the clock.
func eachEnvAt(t *testing.T, start string, fn func(t *testing.T, e *env, c *clock)) {
	t.Helper()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := &clock{}
			c.Set(mustTime(start))
			fn(t, newEnv(t, storetest.Open(t, d, store.Options{Now: c.Now})), c)
		})
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %s", r.Body)
	}
	return m
}

// do sends a request as the demo user `who` ("" for none). body may be a
// string (sent raw) or any value (sent as JSON).
func (e *env) do(who, method, path string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		tok, ok := e.demo.Tokens[who]
		if !ok {
			tok = who // a raw token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	r := response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	checkAgainstSpec(e.t, req, r)
	return r
}

// must asserts the status and returns the JSON body.
func (e *env) must(status int, r response) map[string]any {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if len(r.Body) == 0 || r.Body[0] != '{' {
		return nil
	}
	return r.JSON(e.t)
}

// problemOf checks r is an RFC 9457 problem with the status.
func problemOf(t *testing.T, r response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	m := r.JSON(t)
	for _, k := range []string{"type", "title", "status", "detail"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("problem lacks %q: %s", k, r.Body)
		}
	}
	return m
}

// fieldsOf lists the field names of a validation problem.
func fieldsOf(m map[string]any) []string {
	var out []string
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["field"].(string))
	}
	return out
}

// rulesOf lists the rule ids a problem names.
func rulesOf(m map[string]any) []string {
	var out []string
	rules, _ := m["rules"].([]any)
	for _, r := range rules {
		out = append(out, r.(map[string]any)["rule"].(string))
	}
	return out
}
