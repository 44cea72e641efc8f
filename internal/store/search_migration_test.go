package store_test

import (
	"context"
	"testing"

	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// Migration 00020 folds the search names stored before names were searched
// without accents: a patient registered then is found by "sian" too.
func TestMigration00020FoldsStoredSearchNames(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{Now: raceClock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			c := raceClinicOn(t, db)
			pt := c.patients[0]
			if err := db.MigrateDownToForTest(ctx, 19); err != nil {
				t.Fatal(err)
			}
			// As the code before 00020 stored it: lower case, accents kept.
			if err := db.ExecForTest(ctx, `UPDATE patients SET given_name = ?, family_name = ?, search_name = ? WHERE id = ?`,
				"Siân", "Ó Ciaráin", "siân ó ciaráin", pt); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"sian", "Siân", "o ciarain", "ciar"} {
				found, err := db.SearchPatients(ctx, c.prescriber, store.PatientSearch{Name: q, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(found) != 1 || found[0].ID != pt {
					t.Errorf("search %q found %d patients, want the one registered before 00020", q, len(found))
				}
			}
		})
	}
}
