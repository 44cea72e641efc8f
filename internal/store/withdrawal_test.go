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

// T1 in the store: a hold withdraws the planned steps in the same
// transaction as it is recorded, audited; the withdrawn entries stay, are
// read only by TitrationHistory, and the database refuses to undo the
// withdrawal. The stage entry a withdrawn step wrote is withdrawn with it:
// read only by SettingsHistory, marked, and the regime back at its stage.
func TestWithdrawnDoseChangesStayAndAreNotRead(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2027-03-01")
	now := func() time.Time { return today.Start(time.UTC).Add(10 * time.Hour) }
	storetest.EachWith(t, store.Options{Now: now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := policy.Defaults()
		svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
		ph := store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy"}
		var regimeID, holdID string
		var prescriber auth.Principal
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, o := range []*store.Organisation{&svc, &ph} {
				if err := tx.CreateOrganisation(o); err != nil {
					return err
				}
			}
			u := store.User{OrganisationID: svc.ID, Role: auth.Prescriber, Name: "Dr Zoë Łukasz-Nguyễn"}
			if err := tx.CreateUser(&u); err != nil {
				return err
			}
			p := auth.Principal{UserID: u.ID, Role: auth.Prescriber, OrgID: svc.ID}
			prescriber = p
			pt := store.Patient{NHSNumber: patients.TestNHSNumber(400), GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
				DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE", PharmacyID: &ph.ID}
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
			for i, to := range []int64{40, 50, 60} {
				var stage regimes.Stage
				if i == 1 {
					stage = regimes.StageMaintenance
				}
				if _, err := tx.ChangeDose(p, n, r.ID, store.ChangeDose{To: dosing.Mg(to), Effective: today.AddDays(i + 1),
					Reason: "planned step", Stage: stage}, today); err != nil {
					return err
				}
			}
			res, err := tx.ChangeDose(p, n, r.ID, store.ChangeDose{To: dosing.Mg(30), Effective: today.AddDays(1),
				Reason: "drowsy, hold titration"}, today)
			holdID = res.Change.ID
			if err == nil && len(res.Withdrawn) != 3 {
				t.Errorf("withdrew %d changes, want 3", len(res.Withdrawn))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		standing, err := db.DoseChanges(ctx, regimeID)
		if err != nil {
			t.Fatal(err)
		}
		if len(standing) != 2 || standing[1].ID != holdID {
			t.Fatalf("standing entries %+v, want the start and the hold", standing)
		}
		all, err := db.TitrationHistory(ctx, regimeID)
		if err != nil {
			t.Fatal(err)
		}
		withdrawn := 0
		for _, c := range all {
			if c.Withdrawn != nil {
				withdrawn++
				if c.Withdrawn.DoseChangeID != holdID || c.Withdrawn.Reason != "drowsy, hold titration" {
					t.Errorf("withdrawn by %+v", c.Withdrawn)
				}
			}
		}
		if len(all) != 5 || withdrawn != 3 {
			t.Fatalf("history of %d entries, %d withdrawn; want 5, 3", len(all), withdrawn)
		}
		if got := store.DoseOn(all, today.AddDays(3)); got != dosing.Mg(30) {
			t.Fatalf("DoseOn over the whole history = %s, want 30 mg", got)
		}
		settings, err := db.RegimeSettings(ctx, regimeID)
		if err != nil {
			t.Fatal(err)
		}
		if len(settings) != 1 || settings[0].Stage != regimes.StageTitration {
			t.Fatalf("settings in force %+v, want the start's alone", settings)
		}
		history, err := db.SettingsHistory(ctx, regimeID)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 2 || history[1].Stage != regimes.StageMaintenance || history[1].Withdrawn == nil ||
			history[1].Withdrawn.DoseChangeID != holdID || history[0].Withdrawn != nil {
			t.Fatalf("settings history %+v, want the start and the withdrawn maintenance entry", history)
		}
		if reg, err := db.RegimeFor(ctx, prescriber, regimeID); err != nil || reg.Stage != regimes.StageTitration {
			t.Fatalf("regime stage %s (%v), want titration", reg.Stage, err)
		}
		if v, err := db.VerifyAudit(ctx); err != nil || len(v.Faults) != 0 {
			t.Fatalf("audit: %v %v", err, v.Faults)
		}
		for _, q := range []string{"DELETE FROM regime_setting_withdrawals", "UPDATE regime_setting_withdrawals SET withdrawn_by = withdrawn_by"} {
			if err := db.ExecForTest(ctx, q); err == nil {
				t.Fatalf("%s was allowed", q)
			}
		}
		// Withdrawals are appended, never undone or edited.
		if err := db.ExecForTest(ctx, "DELETE FROM dose_change_withdrawals"); err == nil {
			t.Fatal("DELETE of dose_change_withdrawals was allowed")
		}
		if err := db.ExecForTest(ctx, "UPDATE dose_change_withdrawals SET withdrawn_by = dose_change_id"); err == nil {
			t.Fatal("UPDATE of dose_change_withdrawals was allowed")
		}
	})
}
