// Package store is where Dosebook's records live: it opens PostgreSQL or the
// embedded SQLite file, runs the migrations, and keeps gorm to itself. Every
// write goes through Write, which appends the audit event in the same
// transaction.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/migrations"
)

// Dialect names the database behind a DB.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DefaultSQLiteFile is used when no database URL is configured, so that a
// newcomer needs no server.
const DefaultSQLiteFile = "dosebook.db"

// DB is an open Dosebook database.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	now     func() time.Time
}

// Options tune Open; the zero value is production behaviour.
type Options struct {
	// Now replaces the clock (tests pin it); defaults to time.Now.
	Now func() time.Time
	// MaxOpenConns caps the pool (defaults: 20 PostgreSQL, 8 SQLite).
	MaxOpenConns int
	// Zone is the service's time zone (DOSEBOOK_TIMEZONE), which says what
	// today is where a read's scope depends on it (scopePatients); UTC
	// when nil.
	Zone *time.Location
}

// SQLiteDSN builds the DSN for a SQLite file. The pragmas live in the DSN so
// every pooled connection gets them (STYLE.md point 8): foreign keys on, a
// busy timeout, WAL, and immediate transactions so that read-then-write
// transactions queue for the lock instead of failing with SQLITE_BUSY.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=foreign_keys(1)&_pragma=synchronous(normal)&_txlock=immediate&_time_format=sqlite"
}

// DialectOf tells which database a DOSEBOOK_DATABASE_URL names. sqlite://
// and file: both name a file and both get SQLiteDSN's settings: a bare
// SQLite URI would open without foreign keys, WAL, a busy timeout or
// immediate transactions (ADR 0003).
func DialectOf(databaseURL string) (Dialect, string, error) {
	switch {
	case databaseURL == "":
		return SQLite, SQLiteDSN(DefaultSQLiteFile), nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		if _, err := url.Parse(databaseURL); err != nil {
			return "", "", fmt.Errorf("database URL is not a valid URL")
		}
		return Postgres, databaseURL, nil
	case strings.HasPrefix(databaseURL, "sqlite://"), strings.HasPrefix(databaseURL, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite://"), "file:")
		if strings.TrimSpace(path) == "" {
			// SQLite would give each pooled connection its own temporary
			// database: writes would vanish between requests.
			return "", "", fmt.Errorf("%q names no file (e.g. sqlite:///var/lib/dosebook/dosebook.db)", databaseURL)
		}
		if strings.ContainsAny(path, "?#") {
			return "", "", fmt.Errorf("%q: a SQLite database URL takes no options (Dosebook sets its own); give only the file's path", databaseURL)
		}
		return SQLite, SQLiteDSN(path), nil
	}
	return "", "", fmt.Errorf("database URL must start with postgres://, postgresql://, sqlite:// or file: (or be unset for %s)", DefaultSQLiteFile)
}

// CheckSQLiteDir checks that the directory a SQLite URL's file goes in
// exists (nil for PostgreSQL, and for a URL DialectOf refuses): SQLite
// creates the file but not its directory, and its own error for that is
// "unable to open database file: out of memory (14)".
func CheckSQLiteDir(databaseURL string) error {
	if d, _, err := DialectOf(databaseURL); err != nil || d != SQLite {
		return nil
	}
	path := DefaultSQLiteFile
	if databaseURL != "" {
		path = strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite://"), "file:")
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s for the SQLite database does not exist: create it first, or name a file in a directory that exists", dir)
	case err == nil && !info.IsDir():
		return fmt.Errorf("%s, where the SQLite database would go, is not a directory", dir)
	}
	// Anything else (permissions) SQLite reports when it opens the file.
	return nil
}

// Open connects to the database named by databaseURL (empty: the embedded
// SQLite file). It does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL string, opts Options) (*DB, error) {
	dialect, dsn, err := DialectOf(databaseURL)
	if err != nil {
		return nil, err
	}
	if err := CheckSQLiteDir(databaseURL); err != nil {
		return nil, err
	}
	var dialector gorm.Dialector
	if dialect == Postgres {
		dialector = postgres.New(postgres.Config{DSN: dsn})
	} else {
		dialector = &sqlite.Dialector{Conn: sql.OpenDB(sqliteConnector{dsn: dsn})}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	g, err := openGorm(dialector, now)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if err := g.Use(zonePlugin{zone: opts.Zone}); err != nil {
		return nil, err
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	maxOpen := opts.MaxOpenConns
	if maxOpen == 0 {
		maxOpen = 20
		if dialect == SQLite {
			maxOpen = 8
		}
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return &DB{gorm: g, sql: sqlDB, dialect: dialect, now: now}, nil
}

func openGorm(dialector gorm.Dialector, now func() time.Time) (*gorm.DB, error) {
	return gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return now().UTC().Truncate(time.Microsecond) },
	})
}

// zonePlugin carries the service's time zone with the gorm handle, so a
// query's scope can tell today from the store's clock (todayOf) wherever
// it is built.
type zonePlugin struct{ zone *time.Location }

const zonePluginName = "dosebook:zone"

func (zonePlugin) Name() string              { return zonePluginName }
func (zonePlugin) Initialize(*gorm.DB) error { return nil }

// todayOf is today in the service's time zone by the store's clock.
func todayOf(g *gorm.DB) calendar.Date {
	return calendar.DateOf(g.Config.NowFunc(), zoneOf(g))
}

// zoneOf is the service's time zone carried with g; UTC when none is.
func zoneOf(g *gorm.DB) *time.Location {
	if pl, ok := g.Config.Plugins[zonePluginName].(zonePlugin); ok && pl.zone != nil {
		return pl.zone
	}
	return time.UTC
}

// sqliteConnector opens SQLite connections with the DSN's pragmas, retrying
// while another process holds the file busy: switching a file to WAL (or
// confirming it is) can meet SQLITE_BUSY, which the busy timeout does not
// cover, when two servers share one file.
type sqliteConnector struct{ dsn string }

func (c sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := c.Driver().Open(c.dsn)
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(5+rand.IntN(20)) * time.Millisecond):
		}
	}
}

func (c sqliteConnector) Driver() driver.Driver { return &gosqlite.Driver{} }

func (db *DB) Dialect() Dialect { return db.dialect }

// SQL exposes the pool for metrics and health checks.
func (db *DB) SQL() *sql.DB { return db.sql }

// Now is the store's clock, UTC at the precision both databases keep.
func (db *DB) Now() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// WithClock is db on the same connections with now as its clock: the demo
// writes the history it tells of (a regime started weeks ago, its dose
// changes) as recorded on the days it happened, as rules that read when an
// entry was recorded (MD3) need. Closing either closes both.
func (db *DB) WithClock(now func() time.Time) *DB {
	g := db.gorm.Session(&gorm.Session{NewDB: true, NowFunc: func() time.Time { return now().UTC().Truncate(time.Microsecond) }})
	return &DB{gorm: g, sql: db.sql, dialect: db.dialect, now: now}
}

func (db *DB) Close() error { return db.sql.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, string(db.dialect))
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithSessionLocker(newSQLiteLock(sqliteMigrationLockID, "migration"))}
	if db.dialect == Postgres {
		gd = goose.DialectPostgres
		// Two servers starting together against one database must not both
		// apply the same migration: goose holds a session advisory lock.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = []goose.ProviderOption{goose.WithSessionLocker(locker)}
	}
	opts = append(opts, goose.WithGoMigrations(goMigrations(db.dialect)...))
	return goose.NewProvider(gd, db.sql, sub, opts...)
}

// SchemaNewerError says the database was migrated by a newer release than
// this binary: its code would run against tables it does not know.
type SchemaNewerError struct{ Database, Binary int64 }

func (e *SchemaNewerError) Error() string {
	return fmt.Sprintf("database schema is at version %d, newer than this dosebook knows (%d): run the newer release", e.Database, e.Binary)
}

// Migrate applies every pending migration. It refuses a database a newer
// release has migrated (SchemaNewerError): goose would find nothing to do
// and the older code would then serve a schema it does not know.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	// A new database has no version table yet, so reading the versions
	// fails; any other failure Up reports itself.
	if current, target, err := p.GetVersions(ctx); err == nil && current > target {
		return &SchemaNewerError{Database: current, Binary: target}
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "duration_ms", r.Duration.Milliseconds())
		}
	}
	return nil
}

// MigrationsCurrent reports whether the schema is at the binary's version,
// without taking the migration lock (for /readyz); when it is not, why
// says so for an operator.
func (db *DB) MigrationsCurrent(ctx context.Context) (current bool, why string, err error) {
	p, err := db.provider()
	if err != nil {
		return false, "", err
	}
	dbVersion, target, err := p.GetVersions(ctx)
	if err != nil {
		return false, "", err
	}
	switch {
	case dbVersion > target:
		return false, (&SchemaNewerError{Database: dbVersion, Binary: target}).Error(), nil
	case dbVersion < target:
		return false, fmt.Sprintf("database migrations are not current: the schema is at version %d, this dosebook needs %d (run dosebook migrate)", dbVersion, target), nil
	}
	return true, "", nil
}
