package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/store"
)

// Bad configuration is one clear line on stderr and exit status 2, before
// anything touches the database.
func TestBadConfigurationExitsWithStatus2(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	bin := dosebookBinary(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() }) // after the parallel subtests
	tests := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"unknown flag", []string{"serve", "--bogus"}, nil, "flag provided but not defined: -bogus"},
		{"bad address", []string{"serve", "--addr", "nonsense"}, nil, "--addr"},
		{"bad address in the environment", []string{"serve"}, []string{"DOSEBOOK_ADDR=nonsense"}, "DOSEBOOK_ADDR"},
		{"bad time zone", []string{"migrate"}, []string{"DOSEBOOK_TIMEZONE=Mars/Olympus"}, "DOSEBOOK_TIMEZONE"},
		{"bad log level", []string{"serve"}, []string{"DOSEBOOK_LOG_LEVEL=loud"}, "DOSEBOOK_LOG_LEVEL"},
		{"bad database url", []string{"serve"}, []string{"DOSEBOOK_DATABASE_URL=mysql://x"}, "DOSEBOOK_DATABASE_URL"},
		{"bad policy", []string{"serve"}, []string{"DOSEBOOK_POLICY=M2.max_step_mg=lots"}, "DOSEBOOK_POLICY"},
		{"bad day close", []string{"serve", "--day-close-at", "25:00"}, nil, "--day-close-at"},
		{"day close before pharmacies open", []string{"serve"}, []string{"DOSEBOOK_DAY_CLOSE_AT=00:30"}, "before pharmacies open"},
		{"stray argument", []string{"migrate", "now"}, nil, `unexpected argument "now"`},
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{"bad anchor", []string{"audit", "verify", "--anchor", "7:abc"}, nil, "SEQ:HASH"},
		{"proxy not an address", []string{"serve"}, []string{"DOSEBOOK_TRUSTED_PROXIES=not-an-ip"}, "DOSEBOOK_TRUSTED_PROXIES"},
		{"port out of range", []string{"serve"}, []string{"DOSEBOOK_ADDR=127.0.0.1:99999"}, "DOSEBOOK_ADDR"},
		{"sqlite url without a file", []string{"migrate"}, []string{"DOSEBOOK_DATABASE_URL=sqlite://"}, "DOSEBOOK_DATABASE_URL"},
		{"sqlite directory missing", []string{"migrate", "--database-url", "sqlite:///nonexistent/dir/x.db"}, nil,
			"--database-url: directory /nonexistent/dir for the SQLite database does not exist"},
		// A subcommand's own flags are checked before the database is
		// opened too: none of these creates or migrates one.
		{"impossible day to close", []string{"day-close", "--date", "2026-13-01"}, nil, "--date"},
		{"day to close not begun", []string{"day-close", "--date", "2999-01-01"}, nil, "has not begun"},
		{"day to close more than a year back", []string{"day-close", "--date", "2020-01-01"}, nil,
			"--date 2020-01-01 is more than a year back: it must be on or after"},
		{"day to close more than a year back, confirmed", []string{"day-close", "--date", "2020-01-01", "--confirm-early"}, nil,
			"more than a year back"},
		{"negative patients", []string{"generate", "--patients", "-1"}, nil, "--patients"},
		{"no days of history", []string{"generate", "--patients", "5", "--days", "0"}, nil, "--days"},
		{"token id not a UUID", []string{"tokens", "revoke", "--id", "not-a-uuid"}, nil, "--id"},
		{"neither token nor id", []string{"tokens", "revoke"}, nil, "--id or --token"},
		{"organisation kind unknown", []string{"orgs", "create", "--kind", "shop", "--name", "X"}, nil, "kind"},
		{"user without organisation", []string{"users", "create", "--role", "admin", "--name", "A"}, nil, "org"},
		// Not configuration as such, but said the same way, before the
		// demo is seeded or its tokens printed for a server that will not run.
		{"port in use", []string{"serve", "--demo", "--addr", taken.Addr().String()}, nil, "address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel() // a start that should have failed must not hang the suite
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			cmd.Dir = dir
			cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + dir}, tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("exit = %v, want status 2; stderr:\n%s", err, stderr.String())
			}
			out := strings.TrimSpace(stderr.String())
			if strings.Count(out, "\n") != 0 || !strings.Contains(out, tt.want) {
				t.Fatalf("stderr = %q, want one line naming %q", out, tt.want)
			}
			if stdout.Len() > 0 {
				t.Fatalf("stdout = %q, want nothing", stdout.String())
			}
			if m, _ := filepath.Glob(filepath.Join(dir, "*.db*")); len(m) > 0 {
				t.Fatalf("bad configuration created a database: %v", m)
			}
		})
	}
}

// SIGTERM (what a container runtime sends) stops the server cleanly:
// in-flight requests finish, the process exits 0 and says so.
func TestSIGTERMShutsDownGracefully(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(dosebookBinary(t), "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"dosebook serving"`) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("server did not start:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM = %v, want 0\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("server still running 30 s after SIGTERM\n%s", logs.String())
	}
	for _, want := range []string{"shutting down", `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs.String())
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// A database a newer release migrated stops serve and migrate of an older
// one, before serving, with one line naming both versions; migrate does not
// claim the migrations are current.
func TestOlderBinaryRefusesANewerSchema(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	bin := dosebookBinary(t)
	dir := t.TempDir()
	url := "sqlite://" + filepath.Join(dir, "dosebook.db")
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, args := range [][]string{{"migrate"}, {"serve", "--addr", "127.0.0.1:0"}} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel() // a serve that started after all must not hang the suite
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "DOSEBOOK_DATABASE_URL=" + url}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() == 0 {
				t.Fatalf("exit = %v, want a failure; stdout %q stderr:\n%s", err, stdout.String(), stderr.String())
			}
			want := "dosebook: database schema is at version 99999, newer than this dosebook knows"
			if !strings.Contains(stderr.String(), want) || strings.Contains(stdout.String(), "current") {
				t.Fatalf("stdout %q stderr %q, want %q", stdout.String(), stderr.String(), want)
			}
		})
	}
}
