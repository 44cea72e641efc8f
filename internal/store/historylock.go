package store

import (
	"context"
	"fmt"
)

// historyLockKey is the PostgreSQL advisory lock behind WithHistoryLock.
const historyLockKey = 7_250_002

// WithHistoryLock runs fn while no other process on this database holds
// the history lock. Demo seeding writes weeks of past dose records, and the
// day close marks every past instalment without an outcome missed: two
// servers started with --demo on one empty database would otherwise have
// one's catch-up day close mark the other's half-seeded history missed,
// and block every demo patient under MD1.
func (db *DB) WithHistoryLock(ctx context.Context, fn func() error) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if db.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", historyLockKey); err != nil {
			return fmt.Errorf("history lock: %w", err)
		}
		// A session lock outlives a cancelled context: release it on a
		// fresh one, or the pooled connection would keep it.
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", historyLockKey)
		return fn()
	}
	l := newSQLiteLock(sqliteHistoryLockID, "history")
	if err := l.SessionLock(ctx, conn); err != nil {
		return err
	}
	defer l.SessionUnlock(context.WithoutCancel(ctx), conn)
	return fn()
}
