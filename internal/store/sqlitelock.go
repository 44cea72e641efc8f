package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"
)

// sqliteMigrationLock keeps two processes sharing one SQLite file from
// applying the same migration at once; goose only brings a lock for
// PostgreSQL. The lock is a row: inserting it takes the lock, and a row
// left by a crashed process expires.
type sqliteMigrationLock struct {
	holder string
	wait   time.Duration
	stale  time.Duration
}

func newSQLiteMigrationLock() *sqliteMigrationLock {
	host, _ := os.Hostname()
	return &sqliteMigrationLock{holder: fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano()),
		wait: 5 * time.Minute, stale: 10 * time.Minute}
}

func (l *sqliteMigrationLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS dosebook_migration_lock (
		id integer PRIMARY KEY, holder text NOT NULL, taken_at integer NOT NULL)`); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	deadline := time.Now().Add(l.wait)
	for {
		now := time.Now().Unix()
		if _, err := conn.ExecContext(ctx, `DELETE FROM dosebook_migration_lock WHERE taken_at < ?`, now-int64(l.stale.Seconds())); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		_, err := conn.ExecContext(ctx, `INSERT INTO dosebook_migration_lock (id, holder, taken_at) VALUES (1, ?, ?)`, l.holder, now)
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "UNIQUE") && !strings.Contains(err.Error(), "constraint") {
			return fmt.Errorf("migration lock: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("migration lock: another process has held it for %s", l.wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (l *sqliteMigrationLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, `DELETE FROM dosebook_migration_lock WHERE holder = ?`, l.holder)
	return err
}
