package store_test

import (
	"context"
	"strings"
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

// One pharmacy whose day close fails (here: an instalment row no binary
// would write) must not stop the next pharmacy's close nor the scheduled
// alerts.
func TestCloseDayAllCarriesOnPastAFailingPharmacy(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse("2026-06-10") // a Wednesday
	now := func() time.Time { return day.Start(time.UTC).Add(22 * time.Hour) }
	storetest.EachWith(t, store.Options{Now: now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := policy.Defaults()
		svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
		// Organisations close in name order: the failing one comes first.
		broken := store.Organisation{Kind: auth.Pharmacy, Name: "Aston Pharmacy"}
		good := store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy"}
		var prescriber auth.Principal
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, o := range []*store.Organisation{&svc, &broken, &good} {
				if err := tx.CreateOrganisation(o); err != nil {
					return err
				}
			}
			u := store.User{OrganisationID: svc.ID, Role: auth.Prescriber, Name: "Dr Zoë Łukasz-Nguyễn"}
			if err := tx.CreateUser(&u); err != nil {
				return err
			}
			prescriber = auth.Principal{UserID: u.ID, Role: auth.Prescriber, OrgID: svc.ID}
			methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
			var overrides []policy.OverrideReason
			for _, r := range policy.Table(n) {
				overrides = append(overrides, policy.OverrideReason{Rule: r.ID, Reason: "test fixture"})
			}
			for i, ph := range []*store.Organisation{&broken, &good} {
				pt := store.Patient{NHSNumber: patients.TestNHSNumber(300 + i), GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
					DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE", PharmacyID: &ph.ID}
				if err := tx.CreatePatient(prescriber, &pt); err != nil {
					return err
				}
				// Started four months ago and never reviewed: M5 is due.
				if _, _, err := tx.StartRegime(prescriber, n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
					StartDate: day.AddDays(-120), Stage: regimes.StageMaintenance, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID,
					Overrides: overrides}); err != nil {
					return err
				}
				if _, err := tx.CreatePrescription(prescriber, n, store.NewPrescription{PatientID: pt.ID, PrescribedOn: day, StartDate: day,
					Days: 7, Wording: []int{1, 3}, Issue: true}, day); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.TamperForTest(ctx, "instalments", "UPDATE instalments SET covers = 'not json' WHERE pharmacy_id = ?", broken.ID); err != nil {
			t.Fatal(err)
		}

		res, err := db.CloseDayAll(ctx, n, time.UTC, day)
		if err == nil || !strings.Contains(err.Error(), broken.ID) || strings.Contains(err.Error(), good.ID) {
			t.Fatalf("CloseDayAll error = %v, want the failing pharmacy %s named", err, broken.ID)
		}
		if len(res) != 1 || res[0].PharmacyID != good.ID || res[0].Missed != 1 {
			t.Fatalf("CloseDayAll results = %+v, want the second pharmacy closed with 1 missed", res)
		}
		reviews, err := db.Alerts(ctx, prescriber, store.AlertFilter{Kind: store.AlertReviewDue, Limit: 10})
		if err != nil || len(reviews) != 2 {
			t.Fatalf("scheduled M5 alerts after a failed pharmacy = %+v, %v", reviews, err)
		}
	})
}

// The last day closed is the one every pharmacy has closed: one behind
// (its close failed, or the server stopped before it) holds it back, and
// one never closed (new) does not.
func TestLastDayClosed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := policy.Defaults()
		if last, err := db.LastDayClosed(ctx); err != nil || !last.IsZero() {
			t.Fatalf("LastDayClosed before any close = %s, %v; want none", last, err)
		}
		var ahead, behind, newer store.Organisation
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, o := range []*store.Organisation{&ahead, &behind, &newer} {
				*o = store.Organisation{Kind: auth.Pharmacy, Name: []string{"Aston Pharmacy", "Bridge Pharmacy", "Canal Pharmacy"}[i]}
				if err := tx.CreateOrganisation(o); err != nil {
					return err
				}
			}
			for _, c := range []struct {
				ph  store.Organisation
				day string
			}{{ahead, "2026-06-05"}, {behind, "2026-06-05"}, {ahead, "2026-06-06"}, {behind, "2026-06-03"}, {ahead, "2026-06-07"}} {
				if _, err := tx.CloseDay(n, time.UTC, c.ph.ID, calendar.MustParse(c.day)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if last, err := db.LastDayClosed(ctx); err != nil || last.String() != "2026-06-05" {
			t.Fatalf("LastDayClosed = %s, %v; want 2026-06-05, the latest of the pharmacy behind", last, err)
		}
	})
}
