package store_test

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/audit"
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

// Benchmarks of the hot paths, on SQLite and (with
// DOSEBOOK_TEST_POSTGRES_URL) PostgreSQL. Run them with
//
//	go test -run '^$' -bench . -benchmem -count 6 ./internal/store | tee new.txt
//	benchstat old.txt new.txt
//
// The fixture is one pharmacy with benchPatients patients on methadone,
// every one with 28 days of recorded history before the day measured, the
// window MD1 and the day list's warnings look back over.

const (
	benchPatients = 50
	benchHistory  = 28
)

// benchDay0 is a Wednesday (and 28 days before it no bank holiday); the clock is pinned to the day being recorded.
var benchDay0 = calendar.MustParse("2026-06-10")

type benchClinic struct {
	db         *store.DB
	n          policy.Numbers
	clock      *atomic.Int64 // unix microseconds
	prescriber auth.Principal
	pharmacist auth.Principal
	patientIDs []string
	// queue is every instalment from day0 on, by date then patient; next
	// is the first not yet recorded.
	queue []store.Instalment
	next  int
	// through is the last day prescribed so far.
	through calendar.Date
}

func (c *benchClinic) setDay(d calendar.Date) {
	c.clock.Store(d.Start(time.UTC).Add(11 * time.Hour).UnixMicro())
}

// newBenchClinic builds the fixture through the ordinary store API, so
// every row is one the application itself would write.
func newBenchClinic(b *testing.B, d store.Dialect) *benchClinic {
	b.Helper()
	ctx := context.Background()
	clock := &atomic.Int64{}
	c := &benchClinic{clock: clock, n: policy.Defaults()}
	c.setDay(benchDay0.AddDays(-3))
	c.db = storetest.Open(b, d, store.Options{Now: func() time.Time { return time.UnixMicro(clock.Load()).UTC() }})
	err := c.db.Write(ctx, func(tx *store.Tx) error {
		svc := store.Organisation{Kind: auth.TreatmentService, Name: "Bench Drug Service"}
		ph := store.Organisation{Kind: auth.Pharmacy, Name: "Bench Pharmacy"}
		for _, o := range []*store.Organisation{&svc, &ph} {
			if err := tx.CreateOrganisation(o); err != nil {
				return err
			}
		}
		pr := store.User{OrganisationID: svc.ID, Role: auth.Prescriber, Name: "Dr Zoë Łukasz-Nguyễn"}
		ph1 := store.User{OrganisationID: ph.ID, Role: auth.Pharmacist, Name: "Tom Hughes"}
		for _, u := range []*store.User{&pr, &ph1} {
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		c.prescriber = auth.Principal{UserID: pr.ID, Role: auth.Prescriber, OrgID: svc.ID}
		c.pharmacist = auth.Principal{UserID: ph1.ID, Role: auth.Pharmacist, OrgID: ph.ID}
		methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
		var overrides []policy.OverrideReason
		for _, r := range policy.Table(c.n) {
			overrides = append(overrides, policy.OverrideReason{Rule: r.ID, Reason: "benchmark fixture"})
		}
		for i := range benchPatients {
			pt := store.Patient{NHSNumber: patients.TestNHSNumber(100 + i), GivenName: "Zoë", FamilyName: fmt.Sprintf("Łukasz-Nguyễn %02d", i),
				DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE", PharmacyID: &ph.ID}
			if err := tx.CreatePatient(c.prescriber, &pt); err != nil {
				return err
			}
			if _, _, err := tx.StartRegime(c.prescriber, c.n, store.StartRegime{PatientID: pt.ID, Medicine: methadone,
				Dose: dosing.Mg(30), StartDate: benchDay0.AddDays(-benchHistory), Stage: regimes.StageMaintenance,
				Pattern: regimes.AllSupervised(), PharmacyID: ph.ID, ECGDate: benchDay0.AddDays(-benchHistory), Overrides: overrides}); err != nil {
				return err
			}
			c.patientIDs = append(c.patientIDs, pt.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	c.through = benchDay0.AddDays(-benchHistory - 1)
	c.prescribe(b, 3) // history plus two weeks ahead
	// Record the history: mostly supervised, some refused or withheld.
	for c.queue[c.next].Date.Before(benchDay0) {
		if err := c.recordNext(ctx); err != nil {
			b.Fatal(err)
		}
	}
	c.setDay(benchDay0)
	return c
}

// prescribe issues k more 14-day prescriptions per patient.
func (c *benchClinic) prescribe(b *testing.B, k int) {
	b.Helper()
	ctx := context.Background()
	err := c.db.Write(ctx, func(tx *store.Tx) error {
		for range k {
			start := c.through.AddDays(1)
			for _, id := range c.patientIDs {
				res, err := tx.CreatePrescription(c.prescriber, c.n, store.NewPrescription{PatientID: id, PrescribedOn: start.AddDays(-2),
					StartDate: start, Days: 14, Wording: []int{1, 2, 3, 4}, Issue: true}, start.AddDays(-2))
				if err != nil {
					return err
				}
				c.queue = append(c.queue, res.Instalments...)
			}
			c.through = start.AddDays(13)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// By date, then patient: the order a pharmacy works through its days.
	rest := c.queue[c.next:]
	sortInstalments(rest)
}

func sortInstalments(s []store.Instalment) {
	sort.SliceStable(s, func(i, j int) bool {
		if c := s[i].Date.Compare(s[j].Date); c != 0 {
			return c < 0
		}
		return s[i].PatientID < s[j].PatientID
	})
}

// recordNext records the next instalment on its own day.
func (c *benchClinic) recordNext(ctx context.Context) error {
	in := c.queue[c.next]
	c.next++
	c.setDay(in.Date)
	outcome, reason := dispensing.Supervised, dispensing.WithheldReason("")
	// About one dose in twenty is refused or withheld, never three days
	// running (that would be an MD1 block).
	k := in.Date.Day() + int(in.PatientID[len(in.PatientID)-1])
	switch wd := in.Date.Weekday(); {
	case (wd == time.Tuesday || wd == time.Thursday) && k%7 == 0:
		outcome = dispensing.Refused
	case wd == time.Wednesday && k%9 == 0:
		outcome, reason = dispensing.Withheld, dispensing.ReasonIntoxicated
	}
	return c.db.Write(ctx, func(tx *store.Tx) error {
		_, _, err := tx.RecordDose(c.pharmacist, c.n, in.ID, store.NewDoseEvent{Outcome: outcome, Reason: reason, IdentityConfirmed: true}, in.Date)
		return err
	})
}

func eachBenchDialect(b *testing.B, fn func(b *testing.B, d store.Dialect)) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) { fn(b, d) })
	}
}

// BenchmarkRecordDose is one pharmacist record (S1) in its transaction
// with its audit row: instalment lookup, scoping, MD1 history, insert.
func BenchmarkRecordDose(b *testing.B) {
	eachBenchDialect(b, func(b *testing.B, d store.Dialect) {
		c := newBenchClinic(b, d)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if c.next == len(c.queue) {
				b.StopTimer()
				c.prescribe(b, 1)
				b.StartTimer()
			}
			if err := c.recordNext(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDayList is the pharmacy's list for a day with 50 patients due,
// each with 28 days of history.
func BenchmarkDayList(b *testing.B) {
	eachBenchDialect(b, func(b *testing.B, d store.Dialect) {
		c := newBenchClinic(b, d)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			list, err := c.db.DayList(ctx, c.pharmacist, c.n, c.pharmacist.OrgID, benchDay0, benchDay0)
			if err != nil || len(list) != benchPatients {
				b.Fatalf("%d entries, %v", len(list), err)
			}
		}
	})
}

// BenchmarkDoseHistory is one patient's last 28 days with adherence.
func BenchmarkDoseHistory(b *testing.B) {
	eachBenchDialect(b, func(b *testing.B, d store.Dialect) {
		c := newBenchClinic(b, d)
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			h, err := c.db.DoseHistory(ctx, c.pharmacist, policy.Defaults(), c.patientIDs[i%len(c.patientIDs)], benchDay0.AddDays(-27), benchDay0, benchDay0)
			if err != nil || len(h.Instalments) == 0 {
				b.Fatalf("%d instalments, %v", len(h.Instalments), err)
			}
			i++
		}
	})
}

// BenchmarkVerifyAudit walks a chain of 100,000 events.
func BenchmarkVerifyAudit(b *testing.B) {
	eachBenchDialect(b, func(b *testing.B, d store.Dialect) {
		db := storetest.Open(b, d, store.Options{})
		ctx := context.Background()
		l, err := db.NewBulkLoader(ctx, store.BulkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		const total, per = 100_000, 2_000 // SQLite binds at most 32,766 values per statement
		for start := 0; start < total; start += per {
			events := make([]audit.Event, per)
			for i := range events {
				events[i] = audit.Event{Action: "dose_event.record", EntityType: "instalment",
					EntityID: fmt.Sprintf("0190a0b0-0000-7000-8000-%012d", start+i), RequestID: "bench", ClientIP: "127.0.0.1",
					Changes: `{"outcome":"supervised","identity_confirmed":true,"notes":""}`}
			}
			if err := l.AppendAudit(ctx, events); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			v, err := db.VerifyAudit(ctx)
			if err != nil || v.Count != total || len(v.Faults) > 0 {
				b.Fatalf("count %d faults %d: %v", v.Count, len(v.Faults), err)
			}
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
