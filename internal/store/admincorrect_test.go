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
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// An injection entered in error stays, marked, but no longer makes the
// patient's first dose (rapid access), and the database refuses to undo or
// edit the correction. A second correction is a Conflict.
func TestAdministrationEnteredInErrorStaysAndIsNotRead(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2027-03-01")
	now := func() time.Time { return today.Start(time.UTC).Add(10 * time.Hour) }
	storetest.EachWith(t, store.Options{Now: now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := policy.Defaults()
		svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
		ph := store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy"}
		var p auth.Principal
		var pt store.Patient
		var r store.Regime
		var a store.Administration
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
			p = auth.Principal{UserID: u.ID, Role: auth.Prescriber, OrgID: svc.ID}
			pt = store.Patient{NHSNumber: patients.TestNHSNumber(401), GivenName: "Callum", FamilyName: "Fraser",
				DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Male, Address: "1 Canal Row, Worcester WR1 3EE", PharmacyID: &ph.ID}
			if err := tx.CreatePatient(p, &pt); err != nil {
				return err
			}
			buvidal, _ := dosing.LookupMedicine("buvidal_weekly")
			var err error
			if r, _, err = tx.StartRegime(p, n, store.StartRegime{PatientID: pt.ID, Medicine: buvidal, Dose: dosing.Mg(16),
				StartDate: today, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID, TestDoseGiven: true}); err != nil {
				return err
			}
			a, _, err = tx.RecordAdministration(p, n, r.ID, store.NewAdministration{Date: today, Dose: dosing.Mg(16),
				Site: regimes.Sites()[0], Batch: "WRONGPATIENT", BatchExpiry: calendar.MustParse("2027-06-01"), AdministeredBy: "Dr Z"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.PatientFor(ctx, p, pt.ID); !got.FirstDoseDate.Equal(today) {
			t.Fatalf("first dose %s, want %s", got.FirstDoseDate, today)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, _, err := tx.AdministrationEnteredInError(p, a.ID, "given to another patient")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.PatientFor(ctx, p, pt.ID); !got.FirstDoseDate.IsZero() {
			t.Fatalf("first dose %s after the only injection was entered in error, want none", got.FirstDoseDate)
		}
		list, err := db.Administrations(ctx, r.ID)
		if err != nil || len(list) != 1 || list[0].Correction == nil || list[0].Correction.Reason != "given to another patient" {
			t.Fatalf("administrations %+v (%v)", list, err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, _, err := tx.AdministrationEnteredInError(p, a.ID, "again")
			return err
		})
		if problem.CodeOf(err) != problem.Conflict {
			t.Fatalf("second correction: %v, want a conflict", err)
		}
		if v, err := db.VerifyAudit(ctx); err != nil || len(v.Faults) != 0 {
			t.Fatalf("audit: %v %v", err, v.Faults)
		}
		for _, q := range []string{"DELETE FROM administration_corrections", "UPDATE administration_corrections SET reason = 'x'"} {
			if err := db.ExecForTest(ctx, q); err == nil {
				t.Fatalf("%s was allowed", q)
			}
		}
	})
}
