package main

import (
	"context"
	"flag"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

func TestNHSNumbersAreValidAndDistinct(t *testing.T) {
	t.Parallel()
	for _, start := range []int{0, 10000, 999990} {
		g := &nhsNumbers{base: start}
		seen := map[string]bool{}
		for range 3000 {
			n := g.next()
			if _, err := patients.NormaliseNHSNumber(n); err != nil {
				t.Fatalf("from %d: %v", start, err)
			}
			if n[:3] != "999" || seen[n] {
				t.Fatalf("from %d: %s outside the test range or repeated", start, n)
			}
			seen[n] = true
		}
	}
}

func genTestConfig(t testing.TB) config.Config {
	t.Helper()
	cfg, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestGenerateTiny generates a small service on each database and checks
// that the application reads it as its own: the audit chain verifies, every
// past instalment has exactly one current outcome, and a pharmacist can
// see the day list, a history, and record today's dose.
func TestGenerateTiny(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cfg := genTestConfig(t)
		// As dosebook generate runs it: bulk loads and tokens alike are
		// the operator's (on PostgreSQL the loads bypass store.Write).
		res, err := generate(operatorContext(ctx), db, cfg, genOptions{patients: 24, days: 30, pharmacies: 2, seed: 7, loaders: 2, checkFKs: true}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		events, err := db.AuditEvents(ctx, store.AuditFilter{Limit: 100000})
		if err != nil || len(events) == 0 {
			t.Fatalf("audit events: %d, %v", len(events), err)
		}
		for _, e := range events {
			if e.ActorID != wantOperator(t) || e.ActorRole != audit.RoleCLI || !strings.HasPrefix(e.RequestID, "cli-") {
				t.Fatalf("%s: actor %q role %q request %q, want the operator's", e.Action, e.ActorID, e.ActorRole, e.RequestID)
			}
		}
		for _, table := range []string{"patients", "regimes", "dose_changes", "prescriptions", "instalments", "dose_events", "drug_screens", "day_closes"} {
			if res.Rows[table] == 0 {
				t.Errorf("no %s generated: %v", table, res.Rows)
			}
		}
		if res.Rows["patients"] != 24 || len(res.Pharmacists) != 2 {
			t.Fatalf("rows %v, pharmacists %d", res.Rows, len(res.Pharmacists))
		}
		v, err := db.VerifyAudit(ctx)
		if err != nil || len(v.Faults) > 0 {
			t.Fatalf("audit: %v %v", err, v.Faults)
		}
		ph := res.Pharmacists[0]
		p := auth.Principal{UserID: ph.UserID, Role: auth.Pharmacist, OrgID: ph.PharmacyID}
		today := calendar.DateOf(db.Now(), cfg.Timezone)
		// Yesterday (or the last open day): every instalment has an outcome.
		past := today.AddDays(-1)
		for !calendar.DefaultOpening().IsOpen(past) {
			past = past.AddDays(-1)
		}
		list, err := db.DayList(ctx, p, cfg.Policy, ph.PharmacyID, past, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			t.Fatalf("empty day list on %s", past)
		}
		for _, e := range list {
			if e.Outcome == nil {
				t.Fatalf("instalment %s on %s has no outcome", e.InstalmentID, past)
			}
		}
		h, err := db.DoseHistory(ctx, p, cfg.Policy, list[0].PatientID, today.AddDays(-27), today, today)
		if err != nil || len(h.Instalments) == 0 {
			t.Fatalf("history: %v, %d instalments", err, len(h.Instalments))
		}
		if !calendar.DefaultOpening().IsOpen(today) {
			return
		}
		due, err := db.DayList(ctx, p, cfg.Policy, ph.PharmacyID, today, today)
		if err != nil {
			t.Fatal(err)
		}
		recorded := false
		for _, e := range due {
			if e.State != dispensing.StateDue {
				continue
			}
			outcome := dispensing.Collected
			if e.Supervised > 0 {
				outcome = dispensing.Supervised
			}
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, _, err := tx.RecordDose(p, cfg.Policy, e.InstalmentID, store.NewDoseEvent{Outcome: outcome, IdentityConfirmed: true}, today)
				return err
			})
			if err != nil {
				t.Fatalf("record today's dose: %v", err)
			}
			recorded = true
			break
		}
		if !recorded {
			t.Fatalf("nothing due today at %s among %d entries", ph.PharmacyID, len(due))
		}
		if v, err := db.VerifyAudit(ctx); err != nil || len(v.Faults) > 0 {
			t.Fatalf("audit after a recording: %v %v", err, v.Faults)
		}
	})
}

// BenchmarkGeneratePatient measures building one patient's rows (500 days)
// without a database: the generator's own share of the CPU.
func BenchmarkGeneratePatient(b *testing.B) {
	cfg := genTestConfig(b)
	today := calendar.MustParse("2026-11-23")
	w := &genWorld{o: genOptions{days: 500}, tz: cfg.Timezone, today: today, from: today.AddDays(-500),
		opening: calendar.DefaultOpening(), serviceName: "Synthetic Drug Service", serviceID: uuid.Must(uuid.NewV7()),
		pharmacies: []uuid.UUID{uuid.Must(uuid.NewV7())}, pharmacists: []uuid.UUID{uuid.Must(uuid.NewV7())}}
	rng := rand.New(rand.NewPCG(1, 2))
	nhs := &nhsNumbers{}
	var serial int64
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		var batch genBatch
		w.patient(rng, &batch, 0, nhs.next(), &serial)
		for _, n := range batch.counts() {
			rows += n
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
