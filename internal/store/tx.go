package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/problem"
)

// auditLockKey serialises appends to the hash chain on PostgreSQL (SQLite's
// immediate transactions already serialise writers).
const auditLockKey = 7_250_001

// Tx is one write transaction. Audit events are buffered and appended at
// the end, under the chain lock, so the lock is held only for the append and
// never while the transaction still waits for row locks.
type Tx struct {
	g       *gorm.DB
	db      *DB
	ctx     context.Context
	pending []audit.Event
}

// Write runs fn in a transaction and commits it with its audit events. An
// error from fn rolls everything back: no partial write. A transaction that
// lost a lock race (SQLite busy between processes, a PostgreSQL deadlock)
// is rolled back and run again, so fn must only change the database and
// its own results.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	deadline := time.Now().Add(5 * time.Second)
	for attempt := 0; ; attempt++ {
		err := db.gorm.WithContext(ctx).Transaction(func(g *gorm.DB) error {
			tx := &Tx{g: g, db: db, ctx: ctx}
			if err := fn(tx); err != nil {
				return err
			}
			return tx.flushAudit()
		})
		if err == nil || !retryable(err) || time.Now().After(deadline) || ctx.Err() != nil {
			return translate(err)
		}
		time.Sleep(time.Duration(1+rand.IntN(10*(attempt+1))) * time.Millisecond)
	}
}

// retryable reports a lost lock race, not a fault in the request.
func retryable(err error) bool {
	if pe, ok := problem.As(err); ok {
		if pe.Code != problem.Unavailable || pe.Err == nil {
			return false
		}
		err = pe.Err
	}
	s := err.Error()
	for _, frag := range []string{"SQLITE_BUSY", "database is locked", "(SQLSTATE 40P01)", "(SQLSTATE 40001)"} {
		if strings.Contains(s, frag) {
			return true
		}
	}
	return false
}

// Read runs fn with a read-only view (no audit, no transaction needed).
func (db *DB) read(ctx context.Context) *gorm.DB { return db.gorm.WithContext(ctx) }

// Audit records that this transaction did action to an entity. changes is
// marshalled to JSON; it must not hold tokens.
func (tx *Tx) Audit(action, entityType, entityID string, changes any) error {
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	p, _ := auth.PrincipalFrom(tx.ctx)
	req := audit.RequestFrom(tx.ctx)
	a := audit.ActorFrom(tx.ctx)
	actorID, role, org := a.ID, a.Role, a.OrganisationID
	if p.UserID != "" {
		actorID, role, org = p.UserID, string(p.Role), p.OrgID
	}
	tx.pending = append(tx.pending, audit.Event{
		ID:             uuid.Must(uuid.NewV7()).String(),
		OccurredAt:     tx.db.Now(),
		ActorID:        actorID,
		ActorRole:      role,
		OrganisationID: org,
		Action:         action,
		EntityType:     entityType,
		EntityID:       entityID,
		RequestID:      req.ID,
		ClientIP:       req.ClientIP,
		Changes:        string(b),
	})
	return nil
}

func (tx *Tx) flushAudit() error {
	if len(tx.pending) == 0 {
		return nil
	}
	if tx.db.dialect == Postgres && len(tx.pending) == 1 {
		return tx.appendOne(&tx.pending[0])
	}
	// The chain's head, read under the chain lock on PostgreSQL (one round
	// trip: migrations/postgres/00006); SQLite's writer already holds the
	// database.
	q := tx.g.Model(&audit.Event{}).Select("seq", "hash").Order("seq DESC").Limit(1)
	if tx.db.dialect == Postgres {
		q = tx.g.Raw("SELECT seq, hash FROM audit_chain_head(?)", auditLockKey)
	}
	last := audit.Event{Seq: 0, Hash: audit.GenesisHash}
	var head []audit.Event
	if err := q.Scan(&head).Error; err != nil {
		return err
	}
	if len(head) > 0 {
		last = head[0]
	}
	for i := range tx.pending {
		e := &tx.pending[i]
		e.Seq = last.Seq + 1
		e.PrevHash = last.Hash
		e.Hash = audit.ComputeHash(*e)
		last = *e
	}
	// A night's scheduled alerts can append thousands of events at once;
	// batches keep each INSERT under PostgreSQL's 65,535 parameters.
	return tx.g.CreateInBatches(&tx.pending, auditInsertBatch).Error
}

// appendOne queues the one event of a transaction — recording a dose, the
// busiest write — for PostgreSQL to append as the transaction commits
// (migrations/postgres/00016): the chain's lock is then held only while
// COMMIT runs, not across the round trips to this process that appending
// in the body would hold it for. Every write appends under that one lock,
// so the time it is held bounds how many writes a second the service
// takes. Its sequence number and hash are set in the database.
func (tx *Tx) appendOne(e *audit.Event) error {
	e.OccurredAt = e.OccurredAt.Truncate(audit.Precision)
	return tx.g.Exec(`INSERT INTO audit_outbox (id, body, occurred_at, actor_id, actor_role, organisation_id, action,
		entity_type, entity_id, request_id, client_ip, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, audit.Body(*e), e.OccurredAt, e.ActorID, e.ActorRole, e.OrganisationID, e.Action,
		e.EntityType, e.EntityID, e.RequestID, e.ClientIP, e.Changes).Error
}

// auditInsertBatch is events per INSERT: 14 columns each.
const auditInsertBatch = 1000

// translate maps database errors to Dosebook's error vocabulary.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := problem.As(err); ok {
		return err
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &problem.Error{Code: problem.NotFound, Message: "not found", Err: err}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &problem.Error{Code: problem.Conflict, Message: "a record with the same identity already exists", Err: err}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &problem.Error{Code: problem.Invalid, Message: "refers to a record that does not exist", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &problem.Error{Code: problem.Unavailable, Message: "the database did not answer in time", Err: err}
	case errors.Is(err, context.Canceled):
		// The caller went away; the database did nothing wrong.
		return &problem.Error{Code: problem.Canceled, Message: "cancelled before the database answered", Err: err}
	}
	if sqliteInterrupted(err) {
		// SQLite stops a query whose context ended with this, not with the
		// context's error: a client that hung up, or a request out of time.
		return &problem.Error{Code: problem.Unavailable, Message: "the database query was interrupted", Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, driver.ErrBadConn) || isConnectionError(err) {
		return &problem.Error{Code: problem.Unavailable, Message: "the database is unavailable", Err: err}
	}
	return err
}

// sqliteInterrupted is SQLite's SQLITE_INTERRUPT (9), by the code the pure-Go
// driver's errors carry.
func sqliteInterrupted(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == 9
}

func isConnectionError(err error) bool {
	s := err.Error()
	for _, frag := range []string{"connection refused", "failed to connect", "conn closed", "broken pipe",
		"connection reset", "bad connection", "unexpected EOF", "SQLSTATE 08", "SQLSTATE 57P0", "the database system is shutting down", "terminating connection",
		"database is locked", "SQLITE_BUSY"} {
		if strings.Contains(s, frag) {
			return true
		}
	}
	return false
}
