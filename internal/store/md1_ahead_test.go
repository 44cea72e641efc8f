package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// A block standing for a patient due on the pharmacy's next open day with
// no MD1 alert — left so by an older binary, which judged Saturday's
// withheld dose without the closed Sunday it carried — is raised by the
// day close before that day, once.
func TestDayCloseRaisesTheMD1AlertForAPatientBlockedWhenNextDue(t *testing.T) {
	t.Parallel()
	thu := calendar.MustParse("2026-03-26")
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			now := thu.Start(time.UTC).Add(10 * time.Hour)
			set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
			db := storetest.Open(t, d, store.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
			blockedWhenNextDue(t, db, thu, set)
		})
	}
}

// blockedWhenNextDue is the test on one database, whose clock set moves.
func blockedWhenNextDue(t *testing.T, db *store.DB, thu calendar.Date, set func(time.Time)) {
	ctx := context.Background()
	n := policy.Defaults()
	svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
	ph := store.Organisation{Kind: auth.Pharmacy, Name: "Canal Pharmacy"} // closed on Sundays
	var prescriber, pharmacist auth.Principal
	var pt store.Patient
	var rx store.PrescriptionResult
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, o := range []*store.Organisation{&svc, &ph} {
			if err := tx.CreateOrganisation(o); err != nil {
				return err
			}
		}
		for _, u := range []struct {
			org  string
			role auth.Role
			p    *auth.Principal
		}{{svc.ID, auth.Prescriber, &prescriber}, {ph.ID, auth.Pharmacist, &pharmacist}} {
			user := store.User{OrganisationID: u.org, Role: u.role, Name: "Zoë Łukasz-Nguyễn — " + string(u.role)}
			if err := tx.CreateUser(&user); err != nil {
				return err
			}
			*u.p = auth.Principal{UserID: user.ID, Role: u.role, OrgID: u.org}
		}
		pt = store.Patient{NHSNumber: patients.TestNHSNumber(310), GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
			DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE", PharmacyID: &ph.ID}
		if err := tx.CreatePatient(prescriber, &pt); err != nil {
			return err
		}
		methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
		if _, _, err := tx.StartRegime(prescriber, n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
			StartDate: thu, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID}); err != nil {
			return err
		}
		var err error
		rx, err = tx.CreatePrescription(prescriber, n, store.NewPrescription{PatientID: pt.ID, StartDate: thu,
			Days: 7, Wording: []int{1, 3}, Issue: true}, thu)
		if err != nil {
			return err
		}
		_, _, err = tx.RecordDose(pharmacist, n, rx.Instalments[0].ID, store.NewDoseEvent{Outcome: dispensing.Supervised,
			IdentityConfirmed: true}, thu)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	closeDay := func(day calendar.Date) store.CloseDayResult {
		t.Helper()
		set(day.Start(time.UTC).Add(22 * time.Hour))
		var res store.CloseDayResult
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			res, err = tx.CloseDay(n, time.UTC, ph.ID, day)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	md1 := func() []store.AlertView {
		t.Helper()
		alerts, err := db.Alerts(ctx, prescriber, store.AlertFilter{PatientID: pt.ID, Kind: store.AlertMD1Block, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return alerts
	}
	closeDay(thu)
	closeDay(thu.AddDays(1)) // Friday missed
	sat := thu.AddDays(2)
	var satID string
	for _, in := range rx.Instalments {
		if in.Date.Equal(sat) {
			satID = in.ID
		}
	}
	at := sat.Start(time.UTC).Add(10 * time.Hour)
	if err := db.ExecForTest(ctx, `INSERT INTO dose_events (id, instalment_id, patient_id, pharmacy_id, date, outcome, reason,
		identity_confirmed, occurred_at, notes, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, 'withheld', 'intoxicated', true, ?, '', ?, ?)`,
		uuid.NewString(), satID, pt.ID, ph.ID, sat, at, pharmacist.UserID, at); err != nil {
		t.Fatal(err)
	}
	if got := md1(); len(got) != 0 {
		t.Fatalf("MD1 alerts before the day close: %+v", got)
	}
	if res := closeDay(sat); res.Missed != 0 || res.Alerts != 1 {
		t.Fatalf("Saturday's close = %+v, want nothing missed and one alert", res)
	}
	got := md1()
	if len(got) != 1 || !strings.Contains(got[0].Message, "3 consecutive days missed since 2026-03-27 (the last on 2026-03-29)") {
		t.Fatalf("MD1 alerts after Saturday's close: %+v", got)
	}
	if res := closeDay(sat.AddDays(1)); res.Alerts != 0 || len(md1()) != 1 {
		t.Fatalf("Sunday's close = %+v, %d MD1 alerts; want no more", res, len(md1()))
	}
}
