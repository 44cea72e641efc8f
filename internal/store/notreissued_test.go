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

// A patient recorded with no address before L2 was checked, with a live
// prescription: a dose reduction, a pattern change and a pharmacy move are
// each recorded all the same (L8: a change is never refused for its
// reissue). The prescription is left as written, as ADR 0011 leaves one
// that cannot be reissued, and the answer says plainly, under L2, that the
// pharmacy keeps supplying the old dose until the prescriber records the
// address, cancels it and prescribes its remaining days again. Each
// decision is audited, and one alert per prescription reaches the service
// and the pharmacy, resolved when the prescription is cancelled.
func TestChangesAreRecordedForAPatientWithNoAddress(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2027-03-01")
	now := func() time.Time { return today.Start(time.UTC).Add(10 * time.Hour) }
	storetest.EachWith(t, store.Options{Now: now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := policy.Defaults()
		c := newNoAddressClinic(t, db, today)
		p, pharmacist, pt, r, other := c.prescriber, c.pharmacist, c.patient, c.regime, c.other
		var rx store.PrescriptionResult
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			rx, err = tx.CreatePrescription(p, n, store.NewPrescription{PatientID: pt.ID, PrescribedOn: today, StartDate: today,
				Days: 14, Wording: []int{1, 3}, Issue: true}, today)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c.clearAddress()
		serial := rx.Serial
		wantL2 := func(what string, warnings []policy.Finding) {
			t.Helper()
			for _, w := range warnings {
				if w.Rule != "L2" {
					continue
				}
				for _, want := range []string{serial + " was not reissued", "Bridge Pharmacy keeps supplying it as written — 60 mg a day"} {
					if !strings.Contains(w.Message, want) {
						t.Errorf("%s: L2 message %q does not say %q", what, w.Message, want)
					}
				}
				if !strings.Contains(w.Action, "Record the patient's address (or 'No fixed abode') on the patient record, then cancel "+serial) {
					t.Errorf("%s: L2 action %q", what, w.Action)
				}
				return
			}
			t.Errorf("%s: warnings %+v, want L2", what, warnings)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			res, err := tx.ChangeDose(p, n, r.ID, store.ChangeDose{To: dosing.Mg(50), Effective: today.AddDays(2), Reason: "drowsy, reduce"}, today)
			if err != nil {
				return err
			}
			if len(res.Reissued) != 0 {
				t.Errorf("reissued %+v for a patient with no address", res.Reissued)
			}
			wantL2("dose reduction", res.Outcome.Warnings)
			relaxed := regimes.AllSupervised()
			relaxed[time.Sunday] = regimes.PickupEarlier
			_, _, out, reissued, err := tx.ChangePattern(p, n, r.ID, store.PatternChange{Pattern: relaxed, Effective: today.AddDays(3),
				RelaxedReason: "Compliance assured: stable for years elsewhere", Reason: "works Sundays",
				Overrides: []policy.OverrideReason{{Rule: "M6", Reason: "stable for years at the previous service"}}}, today)
			if err != nil {
				return err
			}
			if len(reissued) != 0 {
				t.Errorf("reissued %+v on the pattern change", reissued)
			}
			wantL2("pattern change", out.Warnings)
			_, reissued, stuck, err := tx.MovePharmacy(p, n, r.ID, store.PharmacyMove{PharmacyID: other.ID, Effective: today.AddDays(5), Reason: "moved house"}, today)
			if err != nil {
				return err
			}
			if len(reissued) != 0 {
				t.Errorf("reissued %+v on the move", reissued)
			}
			wantL2("pharmacy move", stuck)
			return nil
		})
		if err != nil {
			t.Fatalf("a change refused for its reissue: %v", err)
		}
		got, err := db.PrescriptionFor(ctx, p, rx.ID)
		if err != nil || got.Status != store.StatusIssued {
			t.Fatalf("prescription %v %v, want issued as written", got.Status, err)
		}
		events, err := db.AuditEvents(ctx, store.AuditFilter{EntityID: rx.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		notReissued := 0
		for _, ev := range events {
			if ev.Action == "prescription.not_reissued" && strings.Contains(ev.Changes, `"L2"`) {
				notReissued++
			}
		}
		if notReissued != 3 {
			t.Fatalf("%d prescription.not_reissued events naming L2, want 3", notReissued)
		}
		for _, who := range []auth.Principal{p, pharmacist} {
			alerts, err := db.Alerts(ctx, who, store.AlertFilter{PatientID: pt.ID, Kind: store.AlertNotReissued, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(alerts) != 1 || alerts[0].Rule != "L2" || !strings.Contains(alerts[0].Message, serial+" was not reissued") || alerts[0].ResolvedAt != nil {
				t.Fatalf("%s sees not_reissued alerts %+v, want one", who.Role, alerts)
			}
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.CancelPrescription(p, n, rx.ID, "rewritten with the address", today)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		alerts, err := db.Alerts(ctx, p, store.AlertFilter{PatientID: pt.ID, Kind: store.AlertNotReissued, Limit: 10})
		if err != nil || len(alerts) != 1 || alerts[0].ResolvedAt == nil {
			t.Fatalf("after the cancellation: %+v %v, want the alert resolved", alerts, err)
		}
	})
}

// noAddressClinic is a service, a pharmacy (and another), their prescriber
// and pharmacist, and a patient on 60 mg of methadone from today whose
// address clearAddress takes away, as a record from before L2 was checked
// may have none: a change then cannot reissue a live prescription (ADR
// 0011).
type noAddressClinic struct {
	prescriber, pharmacist auth.Principal
	pharmacy, other        store.Organisation
	patient                store.Patient
	regime                 store.Regime
	clearAddress           func()
}

func newNoAddressClinic(t *testing.T, db *store.DB, today calendar.Date) noAddressClinic {
	t.Helper()
	ctx := context.Background()
	n := policy.Defaults()
	c := noAddressClinic{pharmacy: store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy"},
		other: store.Organisation{Kind: auth.Pharmacy, Name: "Canal Pharmacy"}}
	svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, o := range []*store.Organisation{&svc, &c.pharmacy, &c.other} {
			if err := tx.CreateOrganisation(o); err != nil {
				return err
			}
		}
		u := store.User{OrganisationID: svc.ID, Role: auth.Prescriber, Name: "Dr Zoë Łukasz-Nguyễn"}
		if err := tx.CreateUser(&u); err != nil {
			return err
		}
		pu := store.User{OrganisationID: c.pharmacy.ID, Role: auth.Pharmacist, Name: "Siân O'Brien — pharmacist"}
		if err := tx.CreateUser(&pu); err != nil {
			return err
		}
		c.prescriber = auth.Principal{UserID: u.ID, Role: auth.Prescriber, OrgID: svc.ID}
		c.pharmacist = auth.Principal{UserID: pu.ID, Role: auth.Pharmacist, OrgID: c.pharmacy.ID}
		c.patient = store.Patient{NHSNumber: patients.TestNHSNumber(410), GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
			DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE", PharmacyID: &c.pharmacy.ID}
		if err := tx.CreatePatient(c.prescriber, &c.patient); err != nil {
			return err
		}
		methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
		var err error
		c.regime, _, err = tx.StartRegime(c.prescriber, n, store.StartRegime{PatientID: c.patient.ID, Medicine: methadone, Dose: dosing.Mg(60),
			StartDate: today, Stage: regimes.StageMaintenance, Pattern: regimes.AllSupervised(), PharmacyID: c.pharmacy.ID,
			Overrides: []policy.OverrideReason{{Rule: "M1", Reason: "transfer from another service at 60 mg"}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.clearAddress = func() {
		t.Helper()
		if err := db.ExecForTest(ctx, "UPDATE patients SET address = '' WHERE id = ?", c.patient.ID); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// A prescription left as written that is never dispensed from expires
// (L3) and answers its prescription_not_reissued alert at the day close
// after the last day it could have been; one that runs its course answers
// its own when the next prescription for the patient is issued, whether
// or not a day close has run. Each resolution says why, for every
// organisation the alert went to.
func TestNotReissuedAlertsEndWithTheirPrescriptions(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2027-02-01")
	now := func() time.Time { return today.Start(time.UTC).Add(10 * time.Hour) }
	storetest.EachWith(t, store.Options{Now: now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := policy.Defaults()
		c := newNoAddressClinic(t, db, today)
		var early, later store.PrescriptionResult
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			// Written on 13 Jan: valid for a first supply until 10 Feb (L3).
			written := today.AddDays(-19)
			early, err = tx.CreatePrescription(c.prescriber, n, store.NewPrescription{PatientID: c.patient.ID, PrescribedOn: written,
				StartDate: today, Days: 14, Wording: []int{1, 3}, Issue: true}, written)
			if err != nil {
				return err
			}
			later, err = tx.CreatePrescription(c.prescriber, n, store.NewPrescription{PatientID: c.patient.ID, StartDate: today.AddDays(14),
				Days: 14, Wording: []int{1, 3}, Issue: true}, today)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c.clearAddress()
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.ChangeDose(c.prescriber, n, c.regime.ID, store.ChangeDose{To: dosing.Mg(50), Effective: today.AddDays(2), Reason: "drowsy, reduce"}, today)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		alertOf := func(who auth.Principal, rx store.PrescriptionResult) store.AlertView {
			t.Helper()
			alerts, err := db.Alerts(ctx, who, store.AlertFilter{PatientID: c.patient.ID, Kind: store.AlertNotReissued, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range alerts {
				if strings.Contains(a.Message, rx.Serial+" was not reissued") {
					return a
				}
			}
			t.Fatalf("%s has no not_reissued alert about %s: %+v", who.Role, rx.Serial, alerts)
			return store.AlertView{}
		}
		closeDay := func(day calendar.Date) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.CloseDay(n, time.UTC, c.pharmacy.ID, day)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}

		closeDay(calendar.MustParse("2027-02-09"))
		for _, rx := range []store.PrescriptionResult{early, later} {
			if a := alertOf(c.prescriber, rx); a.ResolvedAt != nil {
				t.Fatalf("%s's alert resolved on 9 Feb: %v", rx.Serial, *a.Resolution)
			}
		}
		closeDay(calendar.MustParse("2027-02-10"))
		want := "Prescription " + early.Serial + " expired unsupplied: nothing was dispensed from it within 28 days of its date, 2027-01-13 (L3)"
		for _, who := range []auth.Principal{c.prescriber, c.pharmacist} {
			if a := alertOf(who, early); a.Resolution == nil || !strings.HasPrefix(*a.Resolution, want) {
				t.Fatalf("%s: %s's alert after the close of its last valid day = %+v", who.Role, early.Serial, a)
			}
		}
		if a := alertOf(c.prescriber, later); a.ResolvedAt != nil {
			t.Fatalf("%s's alert resolved on 10 Feb: %v", later.Serial, *a.Resolution)
		}

		// The later one ran out (its last instalment, Saturday 27 Feb, carries
		// the closed Sunday); no day close has run since. The address
		// recorded, the next prescription is written on 1 Mar.
		if err := db.ExecForTest(ctx, "UPDATE patients SET address = '1 Canal Row — Worcester WR1 3EE' WHERE id = ?", c.patient.ID); err != nil {
			t.Fatal(err)
		}
		next := calendar.MustParse("2027-03-01")
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.CreatePrescription(c.prescriber, n, store.NewPrescription{PatientID: c.patient.ID, StartDate: next,
				Days: 14, Wording: []int{1, 3}, Issue: true}, next)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want = "Prescription " + later.Serial + " ran out: its last instalment was due on 2027-02-27"
		for _, who := range []auth.Principal{c.prescriber, c.pharmacist} {
			if a := alertOf(who, later); a.Resolution == nil || !strings.HasPrefix(*a.Resolution, want) {
				t.Fatalf("%s: %s's alert after the next prescription = %+v", who.Role, later.Serial, a)
			}
		}
	})
}
