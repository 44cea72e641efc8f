package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/store"
)

func TestDialectOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		dialect store.Dialect
		dsn     string // "" when the URL is refused
		err     string
	}{
		{url: "", dialect: store.SQLite, dsn: store.SQLiteDSN(store.DefaultSQLiteFile)},
		{url: "sqlite:///var/lib/dosebook/x.db", dialect: store.SQLite, dsn: store.SQLiteDSN("/var/lib/dosebook/x.db")},
		{url: "sqlite://x.db", dialect: store.SQLite, dsn: store.SQLiteDSN("x.db")},
		// file: is the same file with the same pragmas (ADR 0003), not a
		// bare SQLite URI without foreign keys, WAL or a busy timeout.
		{url: "file:/var/lib/dosebook/x.db", dialect: store.SQLite, dsn: store.SQLiteDSN("/var/lib/dosebook/x.db")},
		{url: "postgres://u@h:5432/d?sslmode=disable", dialect: store.Postgres, dsn: "postgres://u@h:5432/d?sslmode=disable"},
		{url: "postgresql://u@h/d", dialect: store.Postgres, dsn: "postgresql://u@h/d"},
		// An empty path would give each pooled connection its own
		// temporary database.
		{url: "sqlite://", err: "names no file"},
		{url: "file:", err: "names no file"},
		{url: "sqlite://  ", err: "names no file"},
		{url: "sqlite://x.db?mode=memory", err: "takes no options"},
		{url: "file:x.db?_pragma=foreign_keys(0)", err: "takes no options"},
		{url: "mysql://x", err: "must start with postgres://, postgresql://, sqlite:// or file:"},
	}
	for _, tt := range tests {
		d, dsn, err := store.DialectOf(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("DialectOf(%q) = %v, want one line saying %q", tt.url, err, tt.err)
			}
			continue
		}
		if err != nil || d != tt.dialect || dsn != tt.dsn {
			t.Errorf("DialectOf(%q) = %s %q %v, want %s %q", tt.url, d, dsn, err, tt.dialect, tt.dsn)
		}
	}
}

// A file: URL opens with the settings ADR 0003 relies on.
func TestFileURLGetsThePragmas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, "file:"+filepath.Join(t.TempDir(), "x.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "10000"} {
		var got string
		if err := db.SQL().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q %v, want %q", pragma, got, err, want)
		}
	}
}
