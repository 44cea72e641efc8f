package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/migrations"
)

// ExecForTest runs raw SQL; tests use it to prove the database's own guards.
func (db *DB) ExecForTest(ctx context.Context, sql string, args ...any) error {
	return db.gorm.WithContext(ctx).Exec(sql, args...).Error
}

// TamperAuditForTest edits the audit table as an attacker with SQL access
// would: lifting the append-only trigger first.
func (db *DB) TamperAuditForTest(ctx context.Context, sql string) error {
	return db.TamperForTest(ctx, "audit_events", sql)
}

// TamperForTest runs sql with table's append-only triggers lifted, as
// someone with SQL access could: tests use it to prove the store copes
// with rows it would never write itself. The triggers stay lifted on
// SQLite (each test's database is thrown away).
func (db *DB) TamperForTest(ctx context.Context, table, sql string, args ...any) error {
	var steps []string
	if db.dialect == Postgres {
		steps = []string{"ALTER TABLE " + table + " DISABLE TRIGGER " + table + "_no_change", sql,
			"ALTER TABLE " + table + " ENABLE TRIGGER " + table + "_no_change"}
	} else {
		steps = []string{"DROP TRIGGER IF EXISTS " + table + "_no_update", "DROP TRIGGER IF EXISTS " + table + "_no_delete", sql}
	}
	for _, s := range steps {
		var a []any
		if s == sql {
			a = args
		}
		if err := db.gorm.WithContext(ctx).Exec(s, a...).Error; err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// AppendOnlyTablesForTest lists the tables whose rows the database itself
// refuses to change or delete (migrations 00001, 00004, 00010, 00014,
// 00021, 00022 and 00023).
var AppendOnlyTablesForTest = []string{"audit_events", "alert_acknowledgements", "alert_resolutions",
	"dose_change_withdrawals", "regime_setting_withdrawals", "administration_corrections",
	"instalments", "dose_events", "administrations", "dose_changes", "regime_settings", "rule_overrides",
	"drug_screens", "reviews", "alerts", "shared_care_events"}

// CountForTest counts a table's rows.
func (db *DB) CountForTest(ctx context.Context, table string) (int64, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Table(table).Count(&n).Error
	return n, err
}

// Columns lists "table.column" for every Dosebook table, so tests can prove
// both dialects' migrations build the same schema.
func (db *DB) Columns(ctx context.Context) ([]string, error) {
	var out []string
	g := db.gorm.WithContext(ctx)
	if db.dialect == Postgres {
		err := g.Raw(`SELECT table_name || '.' || column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`).Scan(&out).Error
		return out, err
	}
	var tables []string
	if err := g.Raw(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT IN ('goose_db_version', 'dosebook_migration_lock')`).Scan(&tables).Error; err != nil {
		return nil, err
	}
	for _, tbl := range tables {
		var cols []string
		if err := g.Raw(`SELECT name FROM pragma_table_info(?)`, tbl).Scan(&cols).Error; err != nil {
			return nil, err
		}
		for _, c := range cols {
			out = append(out, tbl+"."+c)
		}
	}
	return out, nil
}

// MigrateToForTest applies the migrations up to and including version, so a
// test can leave rows the way an older binary wrote them.
func (db *DB) MigrateToForTest(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// MigrateDownToForTest rolls the migrations after version back, so a test
// can write with today's code and then leave the schema as an older
// binary found it.
func (db *DB) MigrateDownToForTest(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// MigrationVersions lists the versions embedded for a dialect.
func MigrationVersions(d Dialect) ([]int64, error) {
	entries, err := fs.ReadDir(migrations.FS, string(d))
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range entries {
		v, err := goose.NumericComponent(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// AppendAudit appends events to the chain in one transaction, filling in
// seq, id, time, actor "system" and the hashes; benchmarks use it to build
// long trails quickly (test-only: the benchmarks).
func (l *BulkLoader) AppendAudit(ctx context.Context, events []audit.Event) error {
	if l.conn == nil {
		return l.db.Write(ctx, func(tx *Tx) error {
			for _, e := range events {
				tx.pending = append(tx.pending, systemEvent(ctx, e, l.db.Now()))
			}
			return nil
		})
	}
	return pgx.BeginFunc(ctx, l.conn, func(tx pgx.Tx) error { return appendAuditPgx(ctx, tx, l.db.Now(), events) })
}
