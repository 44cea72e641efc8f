package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"github.com/dosebook/dosebook/internal/patients"
)

// goMigrations are the migrations SQL cannot write because the rule they
// apply lives in Go; each runs on both dialects, numbered among the SQL
// files of migrations/ (which skip its version).
func goMigrations(d Dialect) []*goose.Migration {
	return []*goose.Migration{
		// 00020: names are searched without accents (patients.SearchName);
		// the names stored before keep theirs until folded again here.
		goose.NewGoMigration(20, &goose.GoFunc{RunTx: refoldSearchNames(d)}, &goose.GoFunc{RunTx: noDown}),
	}
}

// refoldSearchNames stores every patient's search name as SearchName
// spells it now. It changes no clinical data: the search name is derived
// from the names, so no audit event is written.
func refoldSearchNames(d Dialect) func(context.Context, *sql.Tx) error {
	update := "UPDATE patients SET search_name = ? WHERE id = ?"
	if d == Postgres {
		update = "UPDATE patients SET search_name = $1 WHERE id = $2"
	}
	return func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, given_name, family_name, search_name FROM patients")
		if err != nil {
			return err
		}
		type change struct{ id, name string }
		var changes []change
		for rows.Next() {
			var id, given, family, stored string
			if err := rows.Scan(&id, &given, &family, &stored); err != nil {
				rows.Close()
				return err
			}
			if folded := patients.SearchName(given, family); folded != stored {
				changes = append(changes, change{id, folded})
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, update)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range changes {
			if _, err := stmt.ExecContext(ctx, c.name, c.id); err != nil {
				return fmt.Errorf("patient %s: %w", c.id, err)
			}
		}
		return nil
	}
}

// noDown leaves the folded names: an older binary, which keeps accents in
// what it searches for, then finds those names typed without accents.
func noDown(context.Context, *sql.Tx) error { return nil }
