package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// Writes that read the patient's record, check it and then insert must
// not both pass their checks when they run at the same moment. On SQLite
// immediate transactions queue writers; on PostgreSQL (READ COMMITTED) the
// patient's row lock and the database's unique indexes do. Each test runs
// raceRounds rounds, each on a patient of its own, with the two writes
// released together: before the lock, PostgreSQL let both through in most
// rounds. Nothing here measures time; every wait is bounded by raceTimeout.

const (
	raceRounds  = 16
	raceTimeout = 60 * time.Second
)

// raceDay is a Wednesday; the clock stays on it.
var raceDay = calendar.MustParse("2026-06-10")

type raceClinic struct {
	db         *store.DB
	n          policy.Numbers
	prescriber auth.Principal
	pharmacist auth.Principal
	patients   []string // one per round, each with an active regime from raceDay
}

func raceClock() time.Time { return raceDay.Start(time.UTC).Add(10 * time.Hour) }

func newRaceClinic(t *testing.T, d store.Dialect) *raceClinic {
	t.Helper()
	return raceClinicOn(t, storetest.Open(t, d, store.Options{Now: raceClock}))
}

// raceClinicOn fills db, whose clock is raceClock, with the clinic.
func raceClinicOn(t *testing.T, db *store.DB) *raceClinic {
	t.Helper()
	c := &raceClinic{db: db, n: policy.Defaults()}
	err := c.db.Write(context.Background(), func(tx *store.Tx) error {
		svc := store.Organisation{Kind: auth.TreatmentService, Name: "Severn Drug Service"}
		ph := store.Organisation{Kind: auth.Pharmacy, Name: "Canal Pharmacy"}
		for _, o := range []*store.Organisation{&svc, &ph} {
			if err := tx.CreateOrganisation(o); err != nil {
				return err
			}
		}
		for _, u := range []struct {
			org  string
			role auth.Role
			p    *auth.Principal
		}{{svc.ID, auth.Prescriber, &c.prescriber}, {ph.ID, auth.Pharmacist, &c.pharmacist}} {
			user := store.User{OrganisationID: u.org, Role: u.role, Name: "Zoë Łukasz-Nguyễn — " + string(u.role)}
			if err := tx.CreateUser(&user); err != nil {
				return err
			}
			*u.p = auth.Principal{UserID: user.ID, Role: u.role, OrgID: u.org}
		}
		methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
		for i := range raceRounds {
			pt := store.Patient{NHSNumber: patients.TestNHSNumber(400 + i), Address: "1 Canal Street, Leeds LS1 1AA", GivenName: "Zoë", FamilyName: fmt.Sprintf("Łukasz-Nguyễn %02d", i),
				DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, PharmacyID: &ph.ID}
			if err := tx.CreatePatient(c.prescriber, &pt); err != nil {
				return err
			}
			if _, _, err := tx.StartRegime(c.prescriber, c.n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
				StartDate: raceDay, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID}); err != nil {
				return err
			}
			c.patients = append(c.patients, pt.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// prescription writes a 7-day prescription for the patient from start.
func (c *raceClinic) prescription(t *testing.T, patientID string, start calendar.Date, issue bool) store.PrescriptionResult {
	t.Helper()
	var res store.PrescriptionResult
	err := c.db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		res, err = tx.CreatePrescription(c.prescriber, c.n, store.NewPrescription{PatientID: patientID, StartDate: start,
			Days: 7, Wording: []int{1, 3}, Issue: issue}, raceDay)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (c *raceClinic) issue(id string) func(tx *store.Tx) error {
	return func(tx *store.Tx) error {
		_, err := tx.IssuePrescription(c.prescriber, c.n, id, raceDay, time.UTC)
		return err
	}
}

// together runs the writes, each in its own transaction, released at once.
func together(t *testing.T, db *store.DB, writes ...func(tx *store.Tx) error) []error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), raceTimeout)
	defer cancel()
	start := make(chan struct{})
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = db.Write(ctx, w)
		}()
	}
	close(start)
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the writes did not finish within %s: %v", raceTimeout, errs)
	}
	return errs
}

// oneWins checks that exactly one write succeeded and every other was a
// Conflict, and returns the winner's index and the losers' problems.
func oneWins(t *testing.T, round int, errs []error) (int, []*problem.Error) {
	t.Helper()
	winner := -1
	var lost []*problem.Error
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("round %d: writes %d and %d both succeeded", round, winner, i)
			}
			winner = i
			continue
		}
		pe, ok := problem.As(err)
		if !ok || pe.Code != problem.Conflict {
			t.Fatalf("round %d: write %d failed with %v, want a conflict", round, i, err)
		}
		lost = append(lost, pe)
	}
	if winner < 0 {
		t.Fatalf("round %d: no write succeeded: %v", round, errs)
	}
	return winner, lost
}

// Two overlapping drafts of one patient issued at the same moment: one is
// issued, the other refused, as when they are issued one after the other.
func TestOverlappingDraftsIssuedTogetherIssueOne(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			for round, pt := range c.patients {
				a := c.prescription(t, pt, raceDay, false)
				b := c.prescription(t, pt, raceDay.AddDays(3), false)
				_, lost := oneWins(t, round, together(t, c.db, c.issue(a.ID), c.issue(b.ID)))
				if _, ok := lost[0].Existing.(store.Prescription); !ok {
					t.Fatalf("round %d: the refusal carries %T, want the issued prescription", round, lost[0].Existing)
				}
				issued, err := c.db.Prescriptions(context.Background(), c.prescriber, store.PrescriptionFilter{PatientID: pt, Status: store.StatusIssued,
					Today: raceDay, Numbers: c.n, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(issued) != 1 {
					t.Fatalf("round %d: %d prescriptions issued, want 1", round, len(issued))
				}
			}
		})
	}
}

// One draft issued twice at the same moment is issued once, with one
// prescription.issue event in the audit trail.
func TestOneDraftIssuedTwiceTogetherIssuesOnce(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			for round, pt := range c.patients {
				draft := c.prescription(t, pt, raceDay, false)
				_, lost := oneWins(t, round, together(t, c.db, c.issue(draft.ID), c.issue(draft.ID)))
				if lost[0].Message != "only a draft can be issued; this prescription is issued" {
					t.Fatalf("round %d: refusal %q, want the one a sequential second issue gets", round, lost[0].Message)
				}
				events, err := c.db.AuditEvents(context.Background(), store.AuditFilter{EntityType: "prescription", EntityID: draft.ID, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				issues := 0
				for _, e := range events {
					if e.Action == "prescription.issue" {
						issues++
					}
				}
				if issues != 1 {
					t.Fatalf("round %d: %d prescription.issue events, want 1", round, issues)
				}
			}
		})
	}
}

// Two corrections of one dose record sent at the same moment: one is
// saved, the other refused naming the correction that won, so the record
// keeps one line of corrections (S1).
func TestTwoCorrectionsOfOneRecordTogetherSaveOne(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			for round, pt := range c.patients {
				rx := c.prescription(t, pt, raceDay, true)
				inst := rx.Instalments[0]
				var first store.DoseEvent
				if err := c.db.Write(context.Background(), func(tx *store.Tx) error {
					var err error
					first, _, err = tx.RecordDose(c.pharmacist, c.n, inst.ID, store.NewDoseEvent{Outcome: dispensing.Supervised,
						IdentityConfirmed: true}, raceDay)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				saved := make([]store.DoseEvent, 2)
				correct := func(i int) func(tx *store.Tx) error {
					return func(tx *store.Tx) error {
						var err error
						saved[i], _, err = tx.RecordDose(c.pharmacist, c.n, inst.ID, store.NewDoseEvent{Outcome: dispensing.Refused,
							CorrectsID: first.ID, CorrectionReason: fmt.Sprintf("recorded on the wrong patient's card (%d)", i)}, raceDay)
						return err
					}
				}
				won, lost := oneWins(t, round, together(t, c.db, correct(0), correct(1)))
				ex, ok := lost[0].Existing.(store.DoseEvent)
				if !ok || ex.ID != saved[won].ID {
					t.Fatalf("round %d: the refusal carries %+v, want the correction that was saved (%s)", round, lost[0].Existing, saved[won].ID)
				}
				h, err := c.db.DoseHistory(context.Background(), c.pharmacist, c.n, pt, raceDay, raceDay, raceDay)
				if err != nil {
					t.Fatal(err)
				}
				events := 0
				for _, in := range h.Instalments {
					events += len(in.Events)
				}
				if events != 2 {
					t.Fatalf("round %d: %d dose events, want the record and one correction", round, events)
				}
			}
		})
	}
}

// A day's dose is handed over once (MD4), even from two issued
// prescriptions covering it — which the store no longer lets a prescriber
// write, so the test puts the second one in place with SQL — when the
// pharmacy records both at the same moment.
func TestOneDaySuppliedOnceWhenRecordedTogether(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			ctx := context.Background()
			for round, pt := range c.patients {
				a := c.prescription(t, pt, raceDay, true)
				b := c.prescription(t, pt, raceDay, false)
				if err := c.db.ExecForTest(ctx, "UPDATE prescriptions SET status = ?, issued_at = ? WHERE id = ?",
					store.StatusIssued, raceDay.Start(time.UTC), b.ID); err != nil {
					t.Fatal(err)
				}
				supply := func(in store.Instalment) func(tx *store.Tx) error {
					return func(tx *store.Tx) error {
						_, _, err := tx.RecordDose(c.pharmacist, c.n, in.ID, store.NewDoseEvent{Outcome: dispensing.Supervised,
							IdentityConfirmed: true}, raceDay)
						return err
					}
				}
				_, lost := oneWins(t, round, together(t, c.db, supply(a.Instalments[0]), supply(b.Instalments[0])))
				if _, ok := lost[0].Existing.(store.DoseEvent); !ok {
					t.Fatalf("round %d: the refusal carries %T, want the first supply", round, lost[0].Existing)
				}
			}
		})
	}
}

// A correction that loses at the database's index — to a writer that did
// not queue behind the patient's lock, here a transaction of the test's
// own that is still open when the store inserts — gets the answer the
// store's check gives a second correction: 409 with the current record.
func TestCorrectionLosingAtTheIndexIsTheSameConflict(t *testing.T) {
	t.Parallel()
	if storetest.PostgresURL() == "" {
		t.Skip("needs DOSEBOOK_TEST_POSTGRES_URL: SQLite runs one writer at a time")
	}
	c := newRaceClinic(t, store.Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), raceTimeout)
	defer cancel()
	pt := c.patients[0]
	rx := c.prescription(t, pt, raceDay, true)
	inst := rx.Instalments[0]
	var first store.DoseEvent
	if err := c.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		first, _, err = tx.RecordDose(c.pharmacist, c.n, inst.ID, store.NewDoseEvent{Outcome: dispensing.Supervised, IdentityConfirmed: true}, raceDay)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	other, err := c.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	var otherPID int
	if err := other.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&otherPID); err != nil {
		t.Fatal(err)
	}
	otherID := uuid.NewString()
	at := raceDay.Start(time.UTC).Add(10 * time.Hour)
	if _, err := other.ExecContext(ctx, `INSERT INTO dose_events (id, instalment_id, patient_id, pharmacy_id, date, outcome,
		identity_confirmed, occurred_at, recorded_by, corrects_id, correction_reason, created_at)
		VALUES ($1, $2, $3, $4, $5, 'refused', false, $6, $7, $8, 'the other writer', $6)`,
		otherID, inst.ID, pt, inst.PharmacyID, inst.Date, at, c.pharmacist.UserID, first.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- c.db.Write(ctx, func(tx *store.Tx) error {
			_, _, err := tx.RecordDose(c.pharmacist, c.n, inst.ID, store.NewDoseEvent{Outcome: dispensing.Refused,
				CorrectsID: first.ID, CorrectionReason: "recorded on the wrong patient's card"}, raceDay)
			return err
		})
	}()
	// Until the store's insert waits for the other transaction's row.
	for blocked := false; !blocked; {
		if err := c.db.SQL().QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid)))",
			otherPID).Scan(&blocked); err != nil {
			t.Fatalf("waiting for the store's insert to block: %v", err)
		}
		select {
		case err := <-done:
			t.Fatalf("the correction finished before the other transaction committed: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	err = <-done
	pe, ok := problem.As(err)
	if !ok || pe.Code != problem.Conflict {
		t.Fatalf("the correction losing at the index got %v, want a conflict", err)
	}
	if ex, ok := pe.Existing.(store.DoseEvent); !ok || ex.ID != otherID ||
		pe.Message != fmt.Sprintf("that record was already corrected; correct the current record instead (corrects_id %s)", otherID) {
		t.Fatalf("the conflict is %q with %+v, want the one naming the saved correction %s", pe.Message, pe.Existing, otherID)
	}
}

// Migration 00015 refuses a database where a record was corrected twice
// (possible on PostgreSQL before the patient's lock), naming the record,
// rather than pick one account of the dose itself.
func TestMigration00015RefusesARecordCorrectedTwice(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{Now: raceClock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			// Written with today's code on today's schema, then taken back to
			// the schema before 00015 to leave what an older binary could.
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			c := raceClinicOn(t, db)
			pt := c.patients[0]
			inst := c.prescription(t, pt, raceDay, true).Instalments[0]
			var first store.DoseEvent
			if err := db.Write(ctx, func(tx *store.Tx) error {
				var err error
				first, _, err = tx.RecordDose(c.pharmacist, c.n, inst.ID, store.NewDoseEvent{Outcome: dispensing.Supervised, IdentityConfirmed: true}, raceDay)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.MigrateDownToForTest(ctx, 14); err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if err := db.ExecForTest(ctx, `INSERT INTO dose_events (id, instalment_id, patient_id, pharmacy_id, date, outcome,
					identity_confirmed, occurred_at, recorded_by, corrects_id, correction_reason, created_at)
					VALUES (?, ?, ?, ?, ?, 'refused', false, ?, ?, ?, ?, ?)`, uuid.NewString(), inst.ID, pt, inst.PharmacyID, inst.Date,
					raceClock(), c.pharmacist.UserID, first.ID, fmt.Sprintf("correction %d", i), raceClock().Add(time.Duration(i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			err = db.Migrate(ctx, nil)
			if err == nil {
				t.Fatal("migration 00015 made its index over a record corrected twice")
			}
			if d == store.Postgres && !strings.Contains(err.Error(), "dose records corrected more than once: "+first.ID) {
				t.Fatalf("migration 00015 failed with %v, want it to name the record %s", err, first.ID)
			}
		})
	}
}

// A pharmacy closing a day while a draft with an instalment on it is
// issued: either the issue is refused (the pharmacy is now closed then) or
// the change of opening finds the issued instalment and alerts (L8), as
// when the two run one after the other — never an issued instalment on a
// closed day that nobody was told about.
func TestOpeningChangedWhileADraftIsIssuedMissesNoInstalment(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			ctx := context.Background()
			thursday := raceDay.AddDays(1)
			methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
			for round := range raceRounds {
				var pharmacist auth.Principal
				var draft store.PrescriptionResult
				err := c.db.Write(ctx, func(tx *store.Tx) error {
					ph := store.Organisation{Kind: auth.Pharmacy, Name: fmt.Sprintf("Łukasz-Nguyễn Pharmacy — %d", round)}
					if err := tx.CreateOrganisation(&ph); err != nil {
						return err
					}
					u := store.User{OrganisationID: ph.ID, Role: auth.Pharmacist, Name: "Tom Hughes"}
					if err := tx.CreateUser(&u); err != nil {
						return err
					}
					pharmacist = auth.Principal{UserID: u.ID, Role: auth.Pharmacist, OrgID: ph.ID}
					pt := store.Patient{NHSNumber: patients.TestNHSNumber(500 + round), Address: "1 Canal Street, Leeds LS1 1AA", GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
						DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, PharmacyID: &ph.ID}
					if err := tx.CreatePatient(c.prescriber, &pt); err != nil {
						return err
					}
					if _, _, err := tx.StartRegime(c.prescriber, c.n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
						StartDate: raceDay, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID}); err != nil {
						return err
					}
					var err error
					draft, err = tx.CreatePrescription(c.prescriber, c.n, store.NewPrescription{PatientID: pt.ID, StartDate: raceDay,
						Days: 7, Wording: []int{1, 3}}, raceDay)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				var onThursday string
				for _, in := range draft.Instalments {
					if in.Date.Equal(thursday) {
						onThursday = in.ID
					}
				}
				closed := calendar.DefaultOpening()
				closed.ClosedDates = []calendar.Date{thursday}
				var affected []store.InstalmentOnClosedDay
				errs := together(t, c.db, c.issue(draft.ID), func(tx *store.Tx) error {
					var err error
					affected, err = tx.SetPharmacyOpening(pharmacist, c.n, pharmacist.OrgID, closed, raceDay)
					return err
				})
				if errs[1] != nil {
					t.Fatalf("round %d: the opening was not saved: %v", round, errs[1])
				}
				if errs[0] != nil {
					if problem.CodeOf(errs[0]) != problem.Conflict {
						t.Fatalf("round %d: the issue failed with %v, want a conflict", round, errs[0])
					}
					continue
				}
				found := false
				for _, a := range affected {
					found = found || a.InstalmentID == onThursday
				}
				if !found {
					t.Fatalf("round %d: the draft was issued with an instalment on %s, closed meanwhile, and the change of opening did not find it: %+v",
						round, thursday, affected)
				}
			}
		})
	}
}

// The same patient registered twice at the same moment: one is saved, the
// other gets the answer a second registration gets after the first.
func TestOnePatientRegisteredTwiceTogetherIsSavedOnce(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			for round := range raceRounds {
				register := func(tx *store.Tx) error {
					pt := store.Patient{NHSNumber: patients.TestNHSNumber(600 + round), Address: "1 Canal Street, Leeds LS1 1AA", GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
						DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female}
					return tx.CreatePatient(c.prescriber, &pt)
				}
				_, lost := oneWins(t, round, together(t, c.db, register, register))
				if len(lost[0].Fields) != 1 || lost[0].Fields[0].Field != "nhs_number" || lost[0].Fields[0].Rule != "unique" {
					t.Fatalf("round %d: the second registration got %v, want nhs_number: unique", round, lost[0])
				}
			}
		})
	}
}

// Two patients given the same NHS number at the same moment: one keeps
// it, the other gets the answer it would get after the first.
func TestTwoPatientsGivenOneNHSNumberTogether(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			for round := 0; round+1 < len(c.patients); round += 2 {
				number := patients.TestNHSNumber(700 + round)
				give := func(id string) func(tx *store.Tx) error {
					return func(tx *store.Tx) error {
						_, err := tx.UpdatePatient(c.prescriber, id, calendar.Date{}, func(p *store.Patient) error { p.NHSNumber = number; return nil })
						return err
					}
				}
				errs := together(t, c.db, give(c.patients[round]), give(c.patients[round+1]))
				ok := 0
				for _, err := range errs {
					if err == nil {
						ok++
						continue
					}
					pe, isProblem := problem.As(err)
					if !isProblem || pe.Code != problem.Conflict || len(pe.Fields) != 1 || pe.Fields[0].Field != "nhs_number" || pe.Fields[0].Rule != "unique" {
						t.Fatalf("round %d: the second change got %v, want a conflict, nhs_number: unique", round, err)
					}
				}
				if ok != 1 {
					t.Fatalf("round %d: %d changes saved, want 1: %v", round, ok, errs)
				}
			}
		})
	}
}

// A pharmacy's day closed twice at the same moment is closed once: one
// pharmacy.day_close event, and the other answer says it was already run.
func TestOneDayClosedTwiceTogetherIsClosedOnce(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			ctx := context.Background()
			for round := range raceRounds {
				var ph store.Organisation // no patients, so no lock to queue on
				if err := c.db.Write(ctx, func(tx *store.Tx) error {
					ph = store.Organisation{Kind: auth.Pharmacy, Name: fmt.Sprintf("Quiet Pharmacy — %d", round)}
					return tx.CreateOrganisation(&ph)
				}); err != nil {
					t.Fatal(err)
				}
				results := make([]store.CloseDayResult, 2)
				closeDay := func(i int) func(tx *store.Tx) error {
					return func(tx *store.Tx) error {
						var err error
						results[i], err = tx.CloseDay(c.n, time.UTC, ph.ID, raceDay)
						return err
					}
				}
				for _, err := range together(t, c.db, closeDay(0), closeDay(1)) {
					if err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if results[0].AlreadyRun == results[1].AlreadyRun {
					t.Fatalf("round %d: answers %+v, want one first close and one repeat", round, results)
				}
				events, err := c.db.AuditEvents(ctx, store.AuditFilter{EntityType: "organisation", EntityID: ph.ID, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				closes := 0
				for _, e := range events {
					if e.Action == "pharmacy.day_close" {
						closes++
					}
				}
				if closes != 1 {
					t.Fatalf("round %d: %d pharmacy.day_close events, want 1", round, closes)
				}
			}
		})
	}
}

// Two changes of a pharmacy's opening at the same moment: the audit trail
// of the second records the first's opening as the one it replaced.
func TestTwoOpeningChangesTogetherAreAuditedInTurn(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			ctx := context.Background()
			for round := range raceRounds {
				var ph store.Organisation
				if err := c.db.Write(ctx, func(tx *store.Tx) error {
					ph = store.Organisation{Kind: auth.Pharmacy, Name: fmt.Sprintf("Łukasz-Nguyễn Pharmacy — %d", round)}
					return tx.CreateOrganisation(&ph)
				}); err != nil {
					t.Fatal(err)
				}
				pharmacist := auth.Principal{UserID: c.pharmacist.UserID, Role: auth.Pharmacist, OrgID: ph.ID}
				set := func(closed time.Weekday) func(tx *store.Tx) error {
					return func(tx *store.Tx) error {
						_, err := tx.SetPharmacyOpening(pharmacist, c.n, ph.ID, calendar.Opening{ClosedWeekdays: []time.Weekday{closed}}, raceDay)
						return err
					}
				}
				for _, err := range together(t, c.db, set(time.Sunday), set(time.Monday)) {
					if err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
				}
				events, err := c.db.AuditEvents(ctx, store.AuditFilter{EntityType: "organisation", EntityID: ph.ID, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var changes []struct {
					From calendar.Opening `json:"from"`
					To   calendar.Opening `json:"to"`
				}
				for _, e := range events {
					if e.Action != "pharmacy.opening" {
						continue
					}
					changes = append(changes, struct {
						From calendar.Opening `json:"from"`
						To   calendar.Opening `json:"to"`
					}{})
					if err := json.Unmarshal([]byte(e.Changes), &changes[len(changes)-1]); err != nil {
						t.Fatal(err)
					}
				}
				if len(changes) != 2 {
					t.Fatalf("round %d: %d pharmacy.opening events, want 2", round, len(changes))
				}
				// The first replaced the default opening; the second, the first's.
				if !slices.Equal(changes[0].From.ClosedWeekdays, calendar.DefaultOpening().ClosedWeekdays) {
					t.Fatalf("round %d: the first change replaced %+v, want the default", round, changes[0].From)
				}
				if !slices.Equal(changes[1].From.ClosedWeekdays, changes[0].To.ClosedWeekdays) {
					t.Fatalf("round %d: the second change replaced %+v, want the first's %+v", round, changes[1].From, changes[0].To)
				}
			}
		})
	}
}

// A prescription cancelled as its instalment is recorded: either the dose
// is recorded first and the cancellation follows, or the record is
// refused — never a dose recorded against the prescription after it was
// cancelled, as when recording read the prescription before waiting for
// the cancellation's lock.
func TestRecordingAsThePrescriptionIsCancelledKeepsTheirOrder(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			ctx := context.Background()
			for round, pt := range c.patients {
				rx := c.prescription(t, pt, raceDay, true)
				errs := together(t, c.db, func(tx *store.Tx) error {
					_, err := tx.CancelPrescription(c.prescriber, c.n, rx.ID, "dose reviewed", raceDay)
					return err
				}, func(tx *store.Tx) error {
					_, _, err := tx.RecordDose(c.pharmacist, c.n, rx.Instalments[0].ID, store.NewDoseEvent{Outcome: dispensing.Supervised,
						IdentityConfirmed: true}, raceDay)
					return err
				})
				if errs[0] != nil {
					t.Fatalf("round %d: the cancellation failed: %v", round, errs[0])
				}
				if errs[1] != nil {
					if problem.CodeOf(errs[1]) != problem.RuleBlocked {
						t.Fatalf("round %d: the record failed with %v, want it stopped by the cancellation", round, errs[1])
					}
					continue
				}
				var cancelled, recorded int64
				for _, f := range []struct {
					entity, id, action string
					seq                *int64
				}{{"prescription", rx.ID, "prescription.cancel", &cancelled}, {"instalment", rx.Instalments[0].ID, "dose_event.record", &recorded}} {
					events, err := c.db.AuditEvents(ctx, store.AuditFilter{EntityType: f.entity, EntityID: f.id, Limit: 100})
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range events {
						if e.Action == f.action {
							*f.seq = e.Seq
						}
					}
				}
				if cancelled == 0 || recorded == 0 || recorded > cancelled {
					t.Fatalf("round %d: dose recorded at audit seq %d, prescription cancelled at %d: recorded after the cancellation", round, recorded, cancelled)
				}
			}
		})
	}
}

// A pharmacy closing a day while a dose change reissues a prescription with
// an instalment that day leaves no pharmacy_closed alert standing for the
// cancelled prescription: either the change's reissue follows the new
// opening, or the alert names the reissue.
func TestOpeningChangedWhileADoseChangeReissuesAlertsTheLivePrescription(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := newRaceClinic(t, d)
			ctx := context.Background()
			thursday := raceDay.AddDays(1)
			methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
			for round := range raceRounds {
				var pharmacist auth.Principal
				var regimeID, patientID string
				err := c.db.Write(ctx, func(tx *store.Tx) error {
					ph := store.Organisation{Kind: auth.Pharmacy, Name: fmt.Sprintf("Łukasz-Nguyễn Pharmacy — %d", round)}
					if err := tx.CreateOrganisation(&ph); err != nil {
						return err
					}
					u := store.User{OrganisationID: ph.ID, Role: auth.Pharmacist, Name: "Tom Hughes"}
					if err := tx.CreateUser(&u); err != nil {
						return err
					}
					pharmacist = auth.Principal{UserID: u.ID, Role: auth.Pharmacist, OrgID: ph.ID}
					pt := store.Patient{NHSNumber: patients.TestNHSNumber(700 + round), Address: "1 Canal Street, Leeds LS1 1AA", GivenName: "Zoë", FamilyName: "Łukasz-Nguyễn",
						DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, PharmacyID: &ph.ID}
					if err := tx.CreatePatient(c.prescriber, &pt); err != nil {
						return err
					}
					r, _, err := tx.StartRegime(c.prescriber, c.n, store.StartRegime{PatientID: pt.ID, Medicine: methadone, Dose: dosing.Mg(30),
						StartDate: raceDay, Stage: regimes.StageTitration, Pattern: regimes.AllSupervised(), PharmacyID: ph.ID})
					if err != nil {
						return err
					}
					regimeID, patientID = r.ID, pt.ID
					_, err = tx.CreatePrescription(c.prescriber, c.n, store.NewPrescription{PatientID: pt.ID, StartDate: raceDay,
						Days: 7, Wording: []int{1, 3}, Issue: true}, raceDay)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				closed := calendar.DefaultOpening()
				closed.ClosedDates = []calendar.Date{thursday}
				errs := together(t, c.db, func(tx *store.Tx) error {
					_, err := tx.ChangeDose(c.prescriber, c.n, regimeID, store.ChangeDose{To: dosing.Mg(35), Effective: raceDay.AddDays(2),
						Reason: "cravings"}, raceDay)
					return err
				}, func(tx *store.Tx) error {
					_, err := tx.SetPharmacyOpening(pharmacist, c.n, pharmacist.OrgID, closed, raceDay)
					return err
				})
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d: write %d failed: %v", round, i, err)
					}
				}
				open := false
				alerts, err := c.db.Alerts(ctx, c.prescriber, store.AlertFilter{PatientID: patientID, Kind: store.AlertPharmacyClosed, Resolved: &open, Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				list, err := c.db.Prescriptions(ctx, c.prescriber, store.PrescriptionFilter{PatientID: patientID, Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range alerts {
					for _, pr := range list {
						if pr.Status == prescriptions.StatusCancelled && strings.Contains(a.Message, pr.Serial) {
							t.Fatalf("round %d: an open pharmacy_closed alert names %s, already cancelled: %s", round, pr.Serial, a.Message)
						}
					}
				}
			}
		})
	}
}
