package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"
)

// sqliteLock keeps two processes sharing one SQLite file out of the same
// critical section, where PostgreSQL would use an advisory lock: goose only
// brings a migration lock for PostgreSQL, and the history lock needs one
// too. A lock is a row: inserting it takes the lock, and a row left by a
// crashed process expires.
type sqliteLock struct {
	id     int // one row per lock: 1 migrations, 2 history
	what   string
	holder string
	wait   time.Duration
	stale  time.Duration
}

const (
	sqliteMigrationLockID = 1
	sqliteHistoryLockID   = 2
)

func newSQLiteLock(id int, what string) *sqliteLock {
	host, _ := os.Hostname()
	return &sqliteLock{id: id, what: what, holder: fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano()),
		wait: 5 * time.Minute, stale: 10 * time.Minute}
}

func (l *sqliteLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS dosebook_migration_lock (
		id integer PRIMARY KEY, holder text NOT NULL, taken_at integer NOT NULL)`); err != nil {
		return fmt.Errorf("%s lock: %w", l.what, err)
	}
	deadline := time.Now().Add(l.wait)
	for {
		now := time.Now().Unix()
		if _, err := conn.ExecContext(ctx, `DELETE FROM dosebook_migration_lock WHERE taken_at < ?`, now-int64(l.stale.Seconds())); err != nil {
			return fmt.Errorf("%s lock: %w", l.what, err)
		}
		_, err := conn.ExecContext(ctx, `INSERT INTO dosebook_migration_lock (id, holder, taken_at) VALUES (?, ?, ?)`, l.id, l.holder, now)
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "UNIQUE") && !strings.Contains(err.Error(), "constraint") {
			return fmt.Errorf("%s lock: %w", l.what, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s lock: another process has held it for %s", l.what, l.wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (l *sqliteLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, `DELETE FROM dosebook_migration_lock WHERE id = ? AND holder = ?`, l.id, l.holder)
	return err
}
