package store_test

import (
	"context"
	"strings"
	"sync"
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
			_, _, err := tx.AdministrationEnteredInError(p, n, today, a.ID, "given to another patient")
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
			_, _, err := tx.AdministrationEnteredInError(p, n, today, a.ID, "again")
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

// BV8: an injection that answered the overdue alert and is then entered in
// error leaves the patient overdue: a new alert is raised at once, the
// resolved one staying as it was, and the day close, which raises the
// alert once per window, raises no other. The next injection resolves it.
func TestEnteredInErrorRaisesOverdueAgainOnce(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			// Each database its own clock, moved on as the days go by.
			var mu sync.Mutex
			var at time.Time
			now := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
			set := func(day string, hour int) calendar.Date {
				mu.Lock()
				defer mu.Unlock()
				d := calendar.MustParse(day)
				at = d.Start(time.UTC).Add(time.Duration(hour) * time.Hour)
				return d
			}
			set("2027-03-01", 10)
			enteredInErrorRaisesOverdueAgainOnce(t, storetest.Open(t, d, store.Options{Now: now}), set)
		})
	}
}

func enteredInErrorRaisesOverdueAgainOnce(t *testing.T, db *store.DB, set func(day string, hour int) calendar.Date) {
	ctx := context.Background()
	n := policy.Defaults()
	svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
	ph := store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy"}
	var p auth.Principal
	var pt store.Patient
	var r store.Regime
	inject := func(day string, site regimes.Site) store.Administration {
		t.Helper()
		var a store.Administration
		if err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			a, _, err = tx.RecordAdministration(p, n, r.ID, store.NewAdministration{Date: calendar.MustParse(day), Dose: dosing.Mg(16),
				Site: site, Batch: "B-16", BatchExpiry: calendar.MustParse("2027-12-01"), AdministeredBy: "Dr Z"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	closeDay := func(day string) {
		t.Helper()
		d := set(day, 22)
		if _, err := db.CloseDayAll(ctx, n, time.UTC, d); err != nil {
			t.Fatal(err)
		}
	}
	want := func(what string, total, open int) []store.AlertView {
		t.Helper()
		all, err := db.Alerts(ctx, p, store.AlertFilter{PatientID: pt.ID, Kind: store.AlertInjectionOverdue, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		o := 0
		for _, a := range all {
			if a.ResolvedAt == nil {
				o++
			}
		}
		if len(all) != total || o != open {
			t.Fatalf("%s: %d injection_overdue alerts, %d open; want %d, %d open: %+v", what, len(all), o, total, open, all)
		}
		return all
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
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
		pt = store.Patient{NHSNumber: patients.TestNHSNumber(402), GivenName: "Callum", FamilyName: "Fraser",
			DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Male, Address: "1 Canal Row, Worcester WR1 3EE", PharmacyID: &ph.ID}
		if err := tx.CreatePatient(p, &pt); err != nil {
			return err
		}
		buvidal, _ := dosing.LookupMedicine("buvidal_weekly")
		sublingual, _ := dosing.LookupMedicine("buprenorphine_sublingual_tablets")
		var err error
		r, _, err = tx.StartRegime(p, n, store.StartRegime{PatientID: pt.ID, Medicine: buvidal, Dose: dosing.Mg(16),
			StartDate: calendar.MustParse("2027-03-01"), Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID,
			PreviousMedicine: &sublingual, PreviousDose: dosing.Mg(8), TestDoseGiven: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sites := regimes.Sites()
	inject("2027-03-01", sites[0])
	set("2027-03-08", 10)
	inject("2027-03-08", sites[1])
	// The next window is 13–17 Mar.
	closeDay("2027-03-17")
	want("after the window's last day closed", 1, 1)

	set("2027-03-19", 10)
	wrong := inject("2027-03-19", sites[2])
	want("after the (wrong) injection", 1, 0)

	today := set("2027-03-22", 10)
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, _, err := tx.AdministrationEnteredInError(p, n, today, wrong.ID, "given to another patient")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	all := want("after the injection was entered in error", 2, 1)
	if !strings.Contains(all[0].Message, "the window closed on 2027-03-17") || all[0].ResolvedAt != nil {
		t.Fatalf("new overdue alert: %+v", all[0])
	}
	closeDay("2027-03-22")
	closeDay("2027-03-23")
	want("after the day closes", 2, 1)

	set("2027-03-24", 10)
	inject("2027-03-24", sites[3])
	want("after the real injection", 2, 0)
}
