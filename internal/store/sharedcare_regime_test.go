package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// A proposal whose regime ended under an earlier release, before ending
// the regime closed shared care, cannot be accepted: there is no treatment
// to take over (SC1). The refusal says why and what to do, names the rule,
// and writes nothing.
func TestAcceptingSharedCareNeedsAnActiveRegime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 10, 11, 0, 0, 0, time.UTC)
	today := calendar.MustParse("2026-06-10")
	storetest.EachWith(t, store.Options{Now: func() time.Time { return now }}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people, err := demo.SeedPeople(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		prescriber, err := db.Authenticate(ctx, people.Tokens["prescriber"])
		if err != nil {
			t.Fatal(err)
		}
		gp, err := db.Authenticate(ctx, people.Tokens["gp"])
		if err != nil {
			t.Fatal(err)
		}
		n := policy.Defaults()
		methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
		var regimeID, scID string
		err = db.Write(ctx, func(tx *store.Tx) error {
			pt := store.Patient{NHSNumber: patients.TestNHSNumber(71), GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
				DateOfBirth: calendar.MustParse("1985-04-12"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE", GPPracticeID: &people.PracticeID, PharmacyID: &people.PharmacyID}
			if err := tx.CreatePatient(prescriber, &pt); err != nil {
				return err
			}
			r, _, err := tx.StartRegime(prescriber, n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
				StartDate: today, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised()})
			if err != nil {
				return err
			}
			sc, err := tx.ProposeSharedCare(prescriber, n, store.ProposeSharedCare{PatientID: pt.ID,
				Overrides: []store.CriterionOverride{{Rule: "SC3", Reason: "MDT agreed"}}}, today)
			regimeID, scID = r.ID, sc.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// As an earlier release left it: the regime ended, the proposal open.
		if err := db.ExecForTest(ctx, "UPDATE regimes SET status = 'ended', ended_on = ?, end_reason = 'moved away' WHERE id = ?", today, regimeID); err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.AcceptSharedCare(gp, n, scID, today, nil)
			return err
		})
		pe, ok := problem.As(err)
		if !ok || pe.Code != problem.Conflict || len(pe.Findings) != 1 || pe.Findings[0].Rule != "SC1" {
			t.Fatalf("accepting without an active regime: %v", err)
		}
		for _, want := range []string{"no active regime", "withdraw this proposal"} {
			if !strings.Contains(pe.Message, want) {
				t.Errorf("refusal %q lacks %q", pe.Message, want)
			}
		}
		rec, err := db.SharedCareByID(ctx, prescriber, policy.Defaults(), scID)
		if err != nil || rec.Status != store.SharedProposed || len(rec.Timeline) != 1 {
			t.Fatalf("after the refusal: %+v, %v", rec, err)
		}
	})
}
