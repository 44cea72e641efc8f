package store_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// The clinical record is append-only in the database itself, not only in
// the store: someone with SQL access cannot edit or delete a dose record,
// a dose change, an alert or any other row the code only inserts
// (migration 00023), nor empty such a table with TRUNCATE on PostgreSQL.
func TestClinicalRecordsAreAppendOnlyInTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo's months of history")
	}
	t.Parallel()
	cfg, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 10, 11, 0, 0, 0, time.UTC)
	today := calendar.MustParse("2026-06-10")
	// Tables the demo leaves empty are already proved by their own tests
	// (withdrawals, corrections); the ones migration 00023 guards must
	// hold rows here, or the UPDATE and DELETE below would prove nothing.
	guarded := map[string]bool{"instalments": true, "dose_events": true, "administrations": true, "dose_changes": true,
		"regime_settings": true, "rule_overrides": true, "drug_screens": true, "reviews": true, "alerts": true,
		"shared_care_events": true}
	storetest.EachWith(t, store.Options{Now: func() time.Time { return now }}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := demo.Seed(ctx, db, cfg)
		if err != nil {
			t.Fatal(err)
		}
		// The demo has neither a rule overridden nor shared care: a
		// proposal that overrides SC3 writes both.
		prescriber, err := db.Authenticate(ctx, res.Tokens["prescriber"])
		if err != nil {
			t.Fatal(err)
		}
		n := policy.Defaults()
		methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
		err = db.Write(ctx, func(tx *store.Tx) error {
			pt := store.Patient{NHSNumber: patients.TestNHSNumber(9071), GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
				DateOfBirth: calendar.MustParse("1985-04-12"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE",
				GPPracticeID: &res.PracticeID, PharmacyID: &res.PharmacyID}
			if err := tx.CreatePatient(prescriber, &pt); err != nil {
				return err
			}
			if _, _, err := tx.StartRegime(prescriber, n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
				StartDate: today, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised()}); err != nil {
				return err
			}
			_, err := tx.ProposeSharedCare(prescriber, n, store.ProposeSharedCare{PatientID: pt.ID,
				Overrides: []store.CriterionOverride{{Rule: "SC3", Reason: "MDT agreed"}}}, today)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		cols, err := db.Columns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		column := map[string]string{}
		for _, c := range cols {
			table, name, _ := strings.Cut(c, ".")
			column[table] = name
		}
		for _, table := range store.AppendOnlyTablesForTest {
			rows, err := db.CountForTest(ctx, table)
			if err != nil {
				t.Fatal(err)
			}
			if guarded[table] && rows == 0 {
				t.Fatalf("%s has no rows to try to change", table)
			}
			want := table + " is append-only"
			for _, q := range []string{"UPDATE " + table + " SET " + column[table] + " = " + column[table], "DELETE FROM " + table} {
				err := db.ExecForTest(ctx, q)
				if rows > 0 && (err == nil || !strings.Contains(err.Error(), want)) {
					t.Errorf("%s: %v, want refused as append-only", q, err)
				}
			}
			if db.Dialect() == store.Postgres {
				// CASCADE: refused by the table's own trigger, not for want
				// of emptying the tables that refer to it.
				q := "TRUNCATE " + table + " CASCADE"
				if err := db.ExecForTest(ctx, q); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %v, want refused as append-only", q, err)
				}
			}
			if after, err := db.CountForTest(ctx, table); err != nil || after != rows {
				t.Errorf("%s: %d rows after, %d before (%v)", table, after, rows, err)
			}
		}
	})
}
