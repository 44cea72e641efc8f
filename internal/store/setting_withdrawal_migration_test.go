package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// Migration 00021 withdraws the stage entry a dose change withdrawn before
// it wrote, and puts the regime back at the stage of its latest standing
// entry, as a withdrawal recorded since does.
func TestMigration00021WithdrawsTheStageOfWithdrawnChanges(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2027-03-01")
	now := func() time.Time { return today.Start(time.UTC).Add(10 * time.Hour) }
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			n := policy.Defaults()
			var p auth.Principal
			var regimeID, holdID string
			err = db.Write(ctx, func(tx *store.Tx) error {
				svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
				ph := store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy"}
				for _, o := range []*store.Organisation{&svc, &ph} {
					if err := tx.CreateOrganisation(o); err != nil {
						return err
					}
				}
				u := store.User{OrganisationID: svc.ID, Role: auth.Prescriber, Name: "Dr Ada Brook"}
				if err := tx.CreateUser(&u); err != nil {
					return err
				}
				p = auth.Principal{UserID: u.ID, Role: auth.Prescriber, OrgID: svc.ID}
				pt := store.Patient{NHSNumber: patients.TestNHSNumber(401), GivenName: "Ann", FamilyName: "Hale",
					DateOfBirth: calendar.MustParse("1980-05-01"), Sex: patients.Female, Address: "2 Mill Lane", PharmacyID: &ph.ID}
				if err := tx.CreatePatient(p, &pt); err != nil {
					return err
				}
				methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
				r, _, err := tx.StartRegime(p, n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
					StartDate: today, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID})
				if err != nil {
					return err
				}
				regimeID = r.ID
				if _, err := tx.ChangeDose(p, n, r.ID, store.ChangeDose{To: dosing.Mg(40), Effective: today.AddDays(3),
					Reason: "Stable now", Stage: regimes.StageMaintenance}, today); err != nil {
					return err
				}
				res, err := tx.ChangeDose(p, n, r.ID, store.ChangeDose{To: dosing.Mg(30), Effective: today.AddDays(1),
					Reason: "Hold: drowsy"}, today)
				holdID = res.Change.ID
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// As the code before 00021 left it: no withdrawal of the stage
			// entry, and the regime row at its stage.
			if err := db.MigrateDownToForTest(ctx, 20); err != nil {
				t.Fatal(err)
			}
			if err := db.ExecForTest(ctx, "UPDATE regimes SET stage = ? WHERE id = ?", regimes.StageMaintenance, regimeID); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			history, err := db.SettingsHistory(ctx, regimeID)
			if err != nil {
				t.Fatal(err)
			}
			if len(history) != 2 || history[1].Withdrawn == nil || history[1].Withdrawn.DoseChangeID != holdID || history[0].Withdrawn != nil {
				t.Fatalf("settings history %+v, want the stage entry withdrawn by the hold", history)
			}
			if reg, err := db.RegimeFor(ctx, p, regimeID); err != nil || reg.Stage != regimes.StageTitration {
				t.Fatalf("regime stage %s (%v), want titration", reg.Stage, err)
			}
		})
	}
}
