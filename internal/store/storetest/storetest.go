// Package storetest opens throwaway Dosebook databases for tests: a temp
// SQLite file always, and a fresh PostgreSQL schema when
// DOSEBOOK_TEST_POSTGRES_URL names a server (CI always sets it).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // for creating and dropping test schemas

	"github.com/dosebook/dosebook/internal/store"
)

// PostgresURL is the server tests use, empty when none is configured.
func PostgresURL() string { return os.Getenv("DOSEBOOK_TEST_POSTGRES_URL") }

// Dialects lists the databases a test must pass on.
func Dialects() []store.Dialect {
	if PostgresURL() != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// URL returns a database URL for a fresh, empty database of dialect d,
// removed when the test ends.
func URL(tb testing.TB, d store.Dialect) string {
	tb.Helper()
	if d == store.SQLite {
		return "sqlite://" + filepath.Join(tb.TempDir(), "dosebook.db")
	}
	base := PostgresURL()
	if base == "" {
		tb.Skip("DOSEBOOK_TEST_POSTGRES_URL is not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("postgres at DOSEBOOK_TEST_POSTGRES_URL: create schema: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("DOSEBOOK_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated, empty database of dialect d.
func Open(tb testing.TB, d store.Dialect, opts store.Options) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, URL(tb, d), opts)
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx, nil); err != nil {
		tb.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// Each runs fn as a subtest on every configured database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	EachWith(t, store.Options{}, fn)
}

// EachWith is Each with store options, e.g. a pinned clock.
func EachWith(t *testing.T, opts store.Options, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, d, opts))
		})
	}
}
