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
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// BV8 at day close, for several Buvidal patients in the one close: the
// administrations are read for all of them in one statement and judged a
// patient at a time, so each patient's alert must come from that patient's
// own injections, whichever patients' rows came before or after them.
func TestDayCloseJudgesEachPatientsInjectionsAlone(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
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
			dayCloseJudgesEachPatientsInjectionsAlone(t, storetest.Open(t, d, store.Options{Now: now}), set)
		})
	}
}

func dayCloseJudgesEachPatientsInjectionsAlone(t *testing.T, db *store.DB, set func(day string, hour int) calendar.Date) {
	ctx := context.Background()
	n := policy.Defaults()
	svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
	ph := store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy"}
	var p auth.Principal
	// Injected on the days given (weekly, 16 mg); none for the last.
	given := map[string][]string{
		"Ada":   {"2027-03-01", "2027-03-08"}, // next window 13–17 Mar: not yet
		"Bea":   {"2027-03-01"},               // next window 6–10 Mar: overdue at the close of the 10th
		"Cora":  nil,                          // first dose due from the start: overdue
		"Dilys": {"2027-03-01", "2027-03-08"}, // as Ada
	}
	names := []string{"Ada", "Bea", "Cora", "Dilys"}
	regimeOf := map[string]store.Regime{}
	patientOf := map[string]store.Patient{}
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
		buvidal, _ := dosing.LookupMedicine("buvidal_weekly")
		for i, name := range names {
			pt := store.Patient{NHSNumber: patients.TestNHSNumber(410 + i), GivenName: name, FamilyName: "Fraser",
				DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, Address: "1 Canal Row, Worcester WR1 3EE", PharmacyID: &ph.ID}
			if err := tx.CreatePatient(p, &pt); err != nil {
				return err
			}
			r, _, err := tx.StartRegime(p, n, store.StartRegime{PatientID: pt.ID, Medicine: buvidal, Dose: dosing.Mg(16),
				StartDate: calendar.MustParse("2027-03-01"), Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(),
				PharmacyID: ph.ID, TestDoseGiven: true})
			if err != nil {
				return err
			}
			patientOf[name], regimeOf[name] = pt, r
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2027-03-01", "2027-03-08"} {
		set(day, 10)
		for i, name := range names {
			for _, g := range given[name] {
				if g != day {
					continue
				}
				if err := db.Write(ctx, func(tx *store.Tx) error {
					_, _, err := tx.RecordAdministration(p, n, regimeOf[name].ID, store.NewAdministration{Date: calendar.MustParse(day),
						Dose: dosing.Mg(16), Site: regimes.Sites()[i%2], Batch: "B-16", BatchExpiry: calendar.MustParse("2027-12-01"), AdministeredBy: "Dr Z"})
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	closed := set("2027-03-10", 22)
	if _, err := db.CloseDayAll(ctx, n, time.UTC, closed); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		all, err := db.Alerts(ctx, p, store.AlertFilter{PatientID: patientOf[name].ID, Kind: store.AlertInjectionOverdue, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var want int
		var says string
		switch name {
		case "Bea":
			want, says = 1, "the window closed on 2027-03-10."
		case "Cora":
			want, says = 1, "its first injection, due on 2027-03-01, is not recorded"
		}
		if len(all) != want {
			t.Fatalf("%s: %d injection_overdue alerts, want %d: %+v", name, len(all), want, all)
		}
		if want > 0 && !strings.Contains(all[0].Message, says) {
			t.Errorf("%s: alert %q, want it to say %q", name, all[0].Message, says)
		}
	}
}
