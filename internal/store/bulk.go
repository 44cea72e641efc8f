package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/calendar"
)

// Bulk loading is for the synthetic data generator (`dosebook generate`)
// and for benchmark fixtures: millions of rows written without the
// per-record rules that Write enforces. Rows go in as they are, so the
// caller is responsible for every constraint of the schema. Each Load is
// one transaction that also appends one audit event to the hash chain,
// exactly as Write does, so `dosebook audit verify` still passes.

// BulkRows is one table's rows. Values are plain Go values; ids are
// uuid.UUID (or *uuid.UUID / nil for a nullable reference), dates
// calendar.Date (zero: NULL), instants time.Time. The loader converts them
// for the dialect: PostgreSQL COPY wants binary uuid and date values,
// SQLite stores text.
type BulkRows struct {
	Table   string
	Columns []string
	Rows    [][]any
}

// BulkAudit is the audit event that records one bulk load.
type BulkAudit struct {
	Action     string
	EntityType string
	EntityID   string
	Changes    any
}

// BulkLoader writes bulk loads. On PostgreSQL it holds its own pgx
// connection and uses COPY; on SQLite it batches multi-row INSERTs in one
// immediate transaction. A loader is not safe for concurrent use; open one
// per goroutine.
type BulkLoader struct {
	db   *DB
	conn *pgx.Conn
	opts BulkOptions
}

// BulkOptions tune a loader.
type BulkOptions struct {
	// TrustRows skips PostgreSQL's foreign-key checks while loading, for
	// rows the caller built consistent (the generator, whose tests load
	// the same rows with the checks on). SQLite always checks.
	TrustRows bool
}

// NewBulkLoader opens a loader on db.
func (db *DB) NewBulkLoader(ctx context.Context, opts BulkOptions) (*BulkLoader, error) {
	l := &BulkLoader{db: db, opts: opts}
	if db.dialect != Postgres {
		return l, nil
	}
	d, ok := db.gorm.Dialector.(*postgres.Dialector)
	if !ok || d.Config == nil || d.DSN == "" {
		return nil, errors.New("bulk load: no PostgreSQL DSN")
	}
	conn, err := pgx.Connect(ctx, d.DSN)
	if err != nil {
		return nil, fmt.Errorf("bulk load: connect: %w", err)
	}
	l.conn = conn
	return l, nil
}

// Close releases the loader's connection.
func (l *BulkLoader) Close() error {
	if l.conn != nil {
		return l.conn.Close(context.Background())
	}
	return nil
}

// Load writes the tables in order (parents first) and the audit event in
// one transaction: all of it or none.
func (l *BulkLoader) Load(ctx context.Context, tables []BulkRows, a BulkAudit) error {
	changes, err := json.Marshal(a.Changes)
	if err != nil {
		return fmt.Errorf("bulk load audit: %w", err)
	}
	if l.conn == nil {
		return l.db.Write(ctx, func(tx *Tx) error {
			for _, t := range tables {
				if err := insertSQLite(ctx, tx.g, t); err != nil {
					return err
				}
			}
			return tx.Audit(a.Action, a.EntityType, a.EntityID, json.RawMessage(changes))
		})
	}
	return pgx.BeginFunc(ctx, l.conn, func(tx pgx.Tx) error {
		if l.opts.TrustRows {
			// Skips the foreign-key triggers for this transaction only, as
			// pg_restore --disable-triggers does: it halves the load time.
			// Unique and check constraints still hold. Needs a superuser.
			if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return fmt.Errorf("trusted bulk load needs a superuser: %w", err)
			}
		}
		for _, t := range tables {
			if len(t.Rows) == 0 {
				continue
			}
			rows := make([][]any, len(t.Rows))
			for i, r := range t.Rows {
				rows[i] = pgValues(r)
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.Table}, t.Columns, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.Table, err)
			}
		}
		return appendAuditPgx(ctx, tx, l.db.Now(), []audit.Event{{Action: a.Action, EntityType: a.EntityType,
			EntityID: a.EntityID, Changes: string(changes)}})
	})
}

// systemEvent fills in what Tx.Audit would: the actor and request are those
// of ctx (the operator who ran dosebook generate), else the system.
func systemEvent(ctx context.Context, e audit.Event, now time.Time) audit.Event {
	e.ID = uuid.Must(uuid.NewV7()).String()
	e.OccurredAt = now
	if e.ActorID == "" {
		a, r := audit.ActorFrom(ctx), audit.RequestFrom(ctx)
		e.ActorID, e.ActorRole, e.OrganisationID = a.ID, a.Role, a.OrganisationID
		e.RequestID, e.ClientIP = r.ID, r.ClientIP
	}
	return e
}

// appendAuditPgx is flushAudit for a pgx transaction: the same lock, the
// same read of the chain's end and the same hash.
func appendAuditPgx(ctx context.Context, tx pgx.Tx, now time.Time, events []audit.Event) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", auditLockKey); err != nil {
		return err
	}
	last := audit.Event{Hash: audit.GenesisHash}
	err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&last.Seq, &last.Hash)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	rows := make([][]any, len(events))
	for i, e := range events {
		e = systemEvent(ctx, e, now)
		e.Seq, e.PrevHash = last.Seq+1, last.Hash
		e.Hash = audit.ComputeHash(e)
		last = e
		rows[i] = []any{e.Seq, uuid.MustParse(e.ID), e.OccurredAt, e.ActorID, e.ActorRole, e.OrganisationID, e.Action,
			e.EntityType, e.EntityID, e.RequestID, e.ClientIP, e.Changes, e.PrevHash, e.Hash}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"audit_events"}, []string{"seq", "id", "occurred_at", "actor_id", "actor_role",
		"organisation_id", "action", "entity_type", "entity_id", "request_id", "client_ip", "changes", "prev_hash", "hash"},
		pgx.CopyFromRows(rows))
	return err
}

// pgValues converts one row for binary COPY.
func pgValues(r []any) []any {
	out := make([]any, len(r))
	for i, v := range r {
		switch x := v.(type) {
		case calendar.Date:
			if x.IsZero() {
				out[i] = nil
			} else {
				out[i] = x.Start(time.UTC)
			}
		case *uuid.UUID:
			if x == nil {
				out[i] = nil
			} else {
				out[i] = *x
			}
		default:
			out[i] = v
		}
	}
	return out
}

// sqliteValue converts one value for the SQLite driver.
func sqliteValue(v any) any {
	switch x := v.(type) {
	case uuid.UUID:
		return x.String()
	case *uuid.UUID:
		if x == nil {
			return nil
		}
		return x.String()
	case calendar.Date:
		if x.IsZero() {
			return nil
		}
		return x.String()
	case time.Time:
		return x.UTC()
	}
	return v
}

// insertSQLite writes rows as multi-row INSERTs, staying well under
// SQLite's limit on bound parameters, straight to the transaction's
// connection (gorm's placeholder expansion is not needed here).
func insertSQLite(ctx context.Context, g *gorm.DB, t BulkRows) error {
	if len(t.Rows) == 0 {
		return nil
	}
	per := max(1, 8000/len(t.Columns))
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.Columns)), ",") + ")"
	head := "INSERT INTO " + t.Table + " (" + strings.Join(t.Columns, ", ") + ") VALUES "
	for start := 0; start < len(t.Rows); start += per {
		end := min(start+per, len(t.Rows))
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*len(t.Columns))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(one)
			for _, v := range t.Rows[i] {
				args = append(args, sqliteValue(v))
			}
		}
		if _, err := g.Statement.ConnPool.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", t.Table, err)
		}
	}
	return nil
}

// Serial is how CreatePrescription numbers prescriptions within a service
// named serviceName; a bulk load that writes n prescriptions must also set
// the service's serial counter (SetSerialCounter) so later ones continue.
func Serial(serviceName string, n int64) string {
	return fmt.Sprintf("%s-%06d", initials(serviceName), n)
}

// SetSerialCounterRows is the serial_counters row saying the service has
// issued n serials.
func SetSerialCounterRows(serviceID uuid.UUID, n int64) BulkRows {
	return BulkRows{Table: "serial_counters", Columns: []string{"service_id", "next"}, Rows: [][]any{{serviceID, n}}}
}
