package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// A database a newer release migrated stops an older binary: Migrate
// fails naming both versions (serve and migrate exit before serving)
// rather than finding nothing to do, and MigrationsCurrent says the same
// for /readyz.
func TestMigrateRefusesANewerSchema(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storetest.Open(t, d, store.Options{})
			versions, err := store.MigrationVersions(d)
			if err != nil {
				t.Fatal(err)
			}
			latest := slices.Max(versions)
			if ok, why, err := db.MigrationsCurrent(ctx); err != nil || !ok || why != "" {
				t.Fatalf("freshly migrated: current %v %q %v", ok, why, err)
			}
			if err := db.ExecForTest(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", latest+1, true); err != nil {
				t.Fatal(err)
			}
			err = db.Migrate(ctx, nil)
			var newer *store.SchemaNewerError
			if !errors.As(err, &newer) || newer.Database != latest+1 || newer.Binary != latest {
				t.Fatalf("Migrate on a newer schema = %v, want SchemaNewerError %d > %d", err, latest+1, latest)
			}
			if !strings.Contains(err.Error(), "newer than this dosebook knows") || !strings.Contains(err.Error(), "run the newer release") {
				t.Fatalf("message %q", err)
			}
			ok, why, err := db.MigrationsCurrent(ctx)
			if err != nil || ok || why != newer.Error() {
				t.Fatalf("MigrationsCurrent = %v %q %v, want false %q", ok, why, err, newer.Error())
			}
		})
	}
}

// A schema behind the binary is reported as such, with both versions.
func TestMigrationsCurrentNamesAnOlderSchema(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateToForTest(ctx, 2); err != nil {
				t.Fatal(err)
			}
			ok, why, err := db.MigrationsCurrent(ctx)
			if err != nil || ok || !strings.Contains(why, "the schema is at version 2") {
				t.Fatalf("MigrationsCurrent = %v %q %v", ok, why, err)
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if ok, _, err := db.MigrationsCurrent(ctx); err != nil || !ok {
				t.Fatalf("after Migrate: %v %v", ok, err)
			}
		})
	}
}
