package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// Migration 00004 keeps what older binaries recorded: a correction's reason
// written into its notes becomes its correction_reason, and the single
// acknowledgement an alert had becomes the acknowledging user's
// organisation's.
func TestMigration00004KeepsCorrectionsAndAcknowledgements(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateToForTest(ctx, 2); err != nil {
				t.Fatal(err)
			}
			const (
				service, pharmacy, user = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"
				patient, regime, presc  = "00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000005", "00000000-0000-4000-8000-000000000006"
				inst, orig, corr, alert = "00000000-0000-4000-8000-000000000007", "00000000-0000-4000-8000-000000000008", "00000000-0000-4000-8000-000000000009", "00000000-0000-4000-8000-00000000000a"
			)
			at := time.Date(2026, 3, 26, 10, 0, 0, 0, time.UTC)
			for _, s := range []struct {
				sql  string
				args []any
			}{
				{"INSERT INTO organisations (id, kind, name, created_at) VALUES (?, 'treatment_service', 'Service', ?), (?, 'pharmacy', 'Pharmacy', ?)",
					[]any{service, at, pharmacy, at}},
				{"INSERT INTO users (id, organisation_id, role, name, created_at) VALUES (?, ?, 'prescriber', 'Dr A', ?)", []any{user, service, at}},
				{`INSERT INTO patients (id, service_id, nhs_number, given_name, family_name, date_of_birth, sex, created_at, updated_at)
					VALUES (?, ?, '9990000018', 'Zoë', 'Łukasz-Nguyễn', '1985-04-12', 'female', ?, ?)`, []any{patient, service, at, at}},
				{`INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, pharmacy_id, start_date, created_by, created_at)
					VALUES (?, ?, ?, 'methadone_oral_solution_1mg_ml', 'titration', 'active', '[]', ?, '2026-03-26', ?, ?)`,
					[]any{regime, patient, service, pharmacy, user, at}},
				{`INSERT INTO prescriptions (id, service_id, serial, patient_id, regime_id, pharmacy_id, prescriber_id, medicine, daily_dose_ug,
					pattern, prescribed_on, start_date, days, end_date, total_ug, wording, status, created_at)
					VALUES (?, ?, 'S-1', ?, ?, ?, ?, 'methadone_oral_solution_1mg_ml', 30000, '[]', '2026-03-26', '2026-03-26', 1, '2026-03-26',
					30000, '[1]', 'issued', ?)`, []any{presc, service, patient, regime, pharmacy, user, at}},
				{`INSERT INTO instalments (id, prescription_id, patient_id, pharmacy_id, date, covers, dose_days, supervised_ug, take_home_ug)
					VALUES (?, ?, ?, ?, '2026-03-26', '["2026-03-26"]', 1, 30000, 0)`, []any{inst, presc, patient, pharmacy}},
				{`INSERT INTO dose_events (id, instalment_id, patient_id, pharmacy_id, date, outcome, identity_confirmed, occurred_at, notes, created_at)
					VALUES (?, ?, ?, ?, '2026-03-26', 'supervised', true, ?, 'seen to swallow', ?)`, []any{orig, inst, patient, pharmacy, at, at}},
				{`INSERT INTO dose_events (id, instalment_id, patient_id, pharmacy_id, date, outcome, identity_confirmed, occurred_at, notes,
					recorded_by, corrects_id, created_at)
					VALUES (?, ?, ?, ?, '2026-03-26', 'collected', true, ?, 'Correction: wrong option. carer collected', ?, ?, ?)`,
					[]any{corr, inst, patient, pharmacy, at, user, orig, at.Add(time.Hour)}},
				{`INSERT INTO alerts (id, service_id, patient_id, pharmacy_id, kind, rule, message, dedupe_key, created_at, acknowledged_at, acknowledged_by)
					VALUES (?, ?, ?, ?, 'withheld', 'S3', 'Dose withheld', 'withheld:x', ?, ?, ?)`,
					[]any{alert, service, patient, pharmacy, at, at.Add(2 * time.Hour), user}},
			} {
				if err := db.ExecForTest(ctx, s.sql, s.args...); err != nil {
					t.Fatalf("%s: %v", s.sql, err)
				}
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}

			h, err := db.DoseHistory(ctx, auth.Principal{UserID: user, Role: auth.Prescriber, OrgID: service}, policy.Defaults(), patient,
				mustDate(t, "2026-03-26"), mustDate(t, "2026-03-26"), mustDate(t, "2026-03-26"))
			if err != nil || len(h.Instalments) != 1 || len(h.Instalments[0].Events) != 2 {
				t.Fatalf("history %+v, %v", h, err)
			}
			evs := h.Instalments[0].Events
			if evs[0].CorrectionReason != "" || evs[0].Notes != "seen to swallow" ||
				evs[1].CorrectionReason != "Correction: wrong option. carer collected" || evs[1].Notes != "Correction: wrong option. carer collected" {
				t.Fatalf("events after migration: %+v", evs)
			}

			yes, no := true, false
			for _, tc := range []struct {
				p     auth.Principal
				acked *bool
				want  int
			}{
				{auth.Principal{UserID: user, Role: auth.Prescriber, OrgID: service}, &yes, 1},
				{auth.Principal{UserID: user, Role: auth.Prescriber, OrgID: service}, &no, 0},
				{auth.Principal{Role: auth.Pharmacist, OrgID: pharmacy}, &no, 1},
			} {
				got, err := db.Alerts(ctx, tc.p, store.AlertFilter{Acknowledged: tc.acked, Limit: 10})
				if err != nil || len(got) != tc.want {
					t.Fatalf("%s acknowledged=%v: %+v, %v", tc.p.Role, *tc.acked, got, err)
				}
				if tc.want == 1 && *tc.acked && (got[0].AcknowledgedBy == nil || *got[0].AcknowledgedBy != user ||
					!got[0].AcknowledgedAt.Equal(at.Add(2*time.Hour))) {
					t.Fatalf("acknowledgement after migration: %+v", got[0])
				}
			}
		})
	}
}

func mustDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Migration 00008 gives every prescription written before it one dose
// period: its daily dose from its start date.
func TestMigration00008GivesOldPrescriptionsOneDosePeriod(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateToForTest(ctx, 7); err != nil {
				t.Fatal(err)
			}
			const (
				service, pharmacy, user = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"
				patient, regime, presc  = "00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000005", "00000000-0000-4000-8000-000000000006"
			)
			at := time.Date(2026, 3, 26, 10, 0, 0, 0, time.UTC)
			const everyDaySupervised = `{"monday":"supervised","tuesday":"supervised","wednesday":"supervised","thursday":"supervised",` +
				`"friday":"supervised","saturday":"supervised","sunday":"supervised"}`
			for _, s := range []struct {
				sql  string
				args []any
			}{
				{"INSERT INTO organisations (id, kind, name, created_at) VALUES (?, 'treatment_service', 'Service', ?), (?, 'pharmacy', 'Pharmacy', ?)",
					[]any{service, at, pharmacy, at}},
				{"INSERT INTO users (id, organisation_id, role, name, created_at) VALUES (?, ?, 'prescriber', 'Dr A', ?)", []any{user, service, at}},
				{`INSERT INTO patients (id, service_id, nhs_number, given_name, family_name, date_of_birth, sex, created_at, updated_at)
					VALUES (?, ?, '9990000018', 'Zoë', 'Łukasz-Nguyễn', '1985-04-12', 'female', ?, ?)`, []any{patient, service, at, at}},
				{`INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, pharmacy_id, start_date, created_by, created_at)
					VALUES (?, ?, ?, 'methadone_oral_solution_1mg_ml', 'titration', 'active', '[]', ?, '2026-03-26', ?, ?)`,
					[]any{regime, patient, service, pharmacy, user, at}},
				{`INSERT INTO prescriptions (id, service_id, serial, patient_id, regime_id, pharmacy_id, prescriber_id, medicine, daily_dose_ug,
					pattern, prescribed_on, start_date, days, end_date, total_ug, wording, status, created_at)
					VALUES (?, ?, 'S-1', ?, ?, ?, ?, 'methadone_oral_solution_1mg_ml', 32500, ?, '2026-03-26', '2026-03-27', 3, '2026-03-29',
					97500, '[1]', 'issued', ?)`, []any{presc, service, patient, regime, pharmacy, user, everyDaySupervised, at}},
			} {
				if err := db.ExecForTest(ctx, s.sql, s.args...); err != nil {
					t.Fatalf("%s: %v", s.sql, err)
				}
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			rx, err := db.PrescriptionFor(ctx, auth.Principal{UserID: user, Role: auth.Prescriber, OrgID: service}, presc)
			if err != nil {
				t.Fatal(err)
			}
			if len(rx.DosePeriods) != 1 || !rx.DosePeriods[0].From.Equal(mustDate(t, "2026-03-27")) || rx.DosePeriods[0].DailyDose != 32500 {
				t.Fatalf("dose periods after migration: %+v", rx.DosePeriods)
			}
		})
	}
}

// Migration 00017 tells a first dose date a prescriber entered from one the
// records made: a date with a dose record or an injection on its day (or an
// instalment collected the day before that carried it) came from the
// records; any other was entered by hand, a dose given elsewhere.
func TestMigration00017KeepsFirstDoseDatesEnteredByHand(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateToForTest(ctx, 16); err != nil {
				t.Fatal(err)
			}
			const (
				service, pharmacy, user = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"
				dispensed, injected     = "00000000-0000-4000-8000-000000000011", "00000000-0000-4000-8000-000000000012"
				carried, byHand, none   = "00000000-0000-4000-8000-000000000013", "00000000-0000-4000-8000-000000000014", "00000000-0000-4000-8000-000000000015"
				missedDay               = "00000000-0000-4000-8000-000000000016"
			)
			at := time.Date(2026, 3, 26, 10, 0, 0, 0, time.UTC)
			exec := func(sql string, args ...any) {
				t.Helper()
				if err := db.ExecForTest(ctx, sql, args...); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			exec("INSERT INTO organisations (id, kind, name, created_at) VALUES (?, 'treatment_service', 'Service', ?), (?, 'pharmacy', 'Pharmacy', ?)",
				service, at, pharmacy, at)
			exec("INSERT INTO users (id, organisation_id, role, name, created_at) VALUES (?, ?, 'prescriber', 'Dr A', ?)", user, service, at)
			// Each patient: its first_dose_date, and the dose taken on the
			// instalment dated instalment (or the injection on injection).
			for i, p := range []struct {
				id, first, instalment, outcome, injection string
			}{
				{id: dispensed, first: "2026-03-20", instalment: "2026-03-20", outcome: "supervised"},
				{id: injected, first: "2026-03-20", injection: "2026-03-20"},
				{id: carried, first: "2026-03-22", instalment: "2026-03-21", outcome: "collected"},
				{id: byHand, first: "2026-03-10", instalment: "2026-03-20", outcome: "supervised"},
				{id: missedDay, first: "2026-03-20", instalment: "2026-03-20", outcome: "missed"},
				{id: none},
			} {
				var first any
				if p.first != "" {
					first = p.first
				}
				exec(`INSERT INTO patients (id, service_id, nhs_number, given_name, family_name, date_of_birth, sex, first_dose_date, created_at, updated_at)
					VALUES (?, ?, ?, 'Zoë', 'Łukasz-Nguyễn', '1985-04-12', 'female', ?, ?, ?)`, p.id, service, fmt.Sprintf("99900000%02d", i), first, at, at)
				regime, medicine := "1"+p.id[1:], "methadone_oral_solution_1mg_ml"
				if p.injection != "" {
					medicine = "buvidal_weekly"
				}
				exec(`INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, pharmacy_id, start_date, created_by, created_at)
					VALUES (?, ?, ?, ?, 'titration', 'active', '[]', ?, '2026-03-01', ?, ?)`, regime, p.id, service, medicine, pharmacy, user, at)
				if p.injection != "" {
					exec(`INSERT INTO administrations (id, regime_id, date, dose_ug, extra, site, batch, batch_expiry, administered_by, recorded_by, created_at)
						VALUES (?, ?, ?, 24000, false, 'thigh_left', 'B-1', '2027-01-31', 'Nurse A', ?, ?)`, "2"+p.id[1:], regime, p.injection, user, at)
				}
				if p.instalment == "" {
					continue
				}
				presc, inst := "3"+p.id[1:], "4"+p.id[1:]
				exec(`INSERT INTO prescriptions (id, service_id, serial, patient_id, regime_id, pharmacy_id, prescriber_id, medicine, daily_dose_ug,
					pattern, prescribed_on, start_date, days, end_date, total_ug, wording, status, created_at, dose_periods)
					VALUES (?, ?, ?, ?, ?, ?, ?, 'methadone_oral_solution_1mg_ml', 30000, '[]', '2026-03-01', '2026-03-01', 14, '2026-03-28',
					420000, '[1]', 'issued', ?, '[]')`, presc, service, fmt.Sprintf("S-%d", i), p.id, regime, pharmacy, user, at)
				covers := fmt.Sprintf(`["%s"]`, p.first)
				exec(`INSERT INTO instalments (id, prescription_id, patient_id, pharmacy_id, date, covers, dose_days, supervised_ug, take_home_ug)
					VALUES (?, ?, ?, ?, ?, ?, 1, 30000, 0)`, inst, presc, p.id, pharmacy, p.instalment, covers)
				exec(`INSERT INTO dose_events (id, instalment_id, patient_id, pharmacy_id, date, outcome, identity_confirmed, occurred_at, created_at)
					VALUES (?, ?, ?, ?, ?, ?, true, ?, ?)`, "5"+p.id[1:], inst, p.id, pharmacy, p.instalment, p.outcome, at, at)
			}
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			prescriber := auth.Principal{UserID: user, Role: auth.Prescriber, OrgID: service}
			for id, want := range map[string]string{dispensed: "", injected: "", carried: "", byHand: "2026-03-10", missedDay: "2026-03-20", none: ""} {
				pt, err := db.PatientFor(ctx, prescriber, id)
				if err != nil {
					t.Fatal(err)
				}
				if got := pt.FirstDoseElsewhereDate; got.String() != want && !(want == "" && got.IsZero()) {
					t.Errorf("patient %s first dose %s: first_dose_elsewhere_date %s, want %q", id, pt.FirstDoseDate, got, want)
				}
			}
		})
	}
}

// Migration 00019 lets a regime have no pharmacy (Buvidal is never
// dispensed, BV2). On SQLite it rebuilds the regimes table: the rows and
// everything that references them survive, and the table's guards stay.
func TestMigration00019KeepsRegimesAndTheirGuards(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.URL(t, d), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateToForTest(ctx, 18); err != nil {
				t.Fatal(err)
			}
			const (
				service, pharmacy, user = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"
				patient, regime, change = "00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000005", "00000000-0000-4000-8000-000000000006"
				buvidal, other          = "00000000-0000-4000-8000-000000000007", "00000000-0000-4000-8000-000000000008"
			)
			at := time.Date(2026, 3, 26, 10, 0, 0, 0, time.UTC)
			exec := func(sql string, args ...any) error { return db.ExecForTest(ctx, sql, args...) }
			must := func(sql string, args ...any) {
				t.Helper()
				if err := exec(sql, args...); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			must("INSERT INTO organisations (id, kind, name, created_at) VALUES (?, 'treatment_service', 'Service', ?), (?, 'pharmacy', 'Pharmacy', ?)",
				service, at, pharmacy, at)
			must("INSERT INTO users (id, organisation_id, role, name, created_at) VALUES (?, ?, 'prescriber', 'Dr A', ?)", user, service, at)
			must(`INSERT INTO patients (id, service_id, nhs_number, given_name, family_name, date_of_birth, sex, created_at, updated_at)
				VALUES (?, ?, '9990000018', 'Zoë', 'Łukasz-Nguyễn', '1985-04-12', 'female', ?, ?)`, patient, service, at, at)
			const pattern = `{"monday":"supervised","tuesday":"supervised","wednesday":"supervised","thursday":"supervised",` +
				`"friday":"supervised","saturday":"supervised","sunday":"supervised"}`
			must(`INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, pharmacy_id, start_date, created_by, created_at, buprenorphine_naive)
				VALUES (?, ?, ?, 'methadone_oral_solution_1mg_ml', 'titration', 'active', ?, ?, '2026-03-01', ?, ?, true)`, regime, patient, service, pattern, pharmacy, user, at)
			must(`INSERT INTO dose_changes (id, regime_id, from_ug, to_ug, effective_date, reason, stage, prescriber_id, created_at)
				VALUES (?, ?, 0, 30000, '2026-03-01', 'Starting dose', 'titration', ?, ?)`, change, regime, user, at)
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}

			prescriber := auth.Principal{UserID: user, Role: auth.Prescriber, OrgID: service}
			r, err := db.RegimeFor(ctx, prescriber, regime)
			if err != nil || r.PharmacyID != pharmacy || !r.BuprenorphineNaive || r.StartDate.String() != "2026-03-01" {
				t.Fatalf("regime after migration: %+v, %v", r, err)
			}
			if h, err := db.DoseChanges(ctx, regime); err != nil || len(h) != 1 || h[0].ID != change {
				t.Fatalf("dose changes after migration: %+v, %v", h, err)
			}
			// A regime may now have no pharmacy; the other guards stand.
			if err := exec(`INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, start_date, created_by, created_at)
				VALUES (?, ?, ?, 'buvidal_weekly', 'maintenance', 'ended', '[]', '2026-02-01', ?, ?)`, buvidal, patient, service, user, at); err != nil {
				t.Fatalf("a regime without a pharmacy: %v", err)
			}
			for what, sql := range map[string]string{
				"a second active regime": `INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, start_date, created_by, created_at)
					VALUES ('` + other + `', '` + patient + `', '` + service + `', 'buvidal_weekly', 'maintenance', 'active', '[]', '2026-02-01', '` + user + `', '2026-03-26')`,
				"a dose change of no regime": `INSERT INTO dose_changes (id, regime_id, from_ug, to_ug, effective_date, reason, stage, prescriber_id, created_at)
					VALUES ('` + other + `', '` + other + `', 0, 30000, '2026-03-01', 'x', 'titration', '` + user + `', '2026-03-26')`,
				"a regime at no organisation": `INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, pharmacy_id, start_date, created_by, created_at)
					VALUES ('` + other + `', '` + patient + `', '` + service + `', 'buvidal_weekly', 'maintenance', 'ended', '[]', '` + other + `', '2026-02-01', '` + user + `', '2026-03-26')`,
			} {
				if err := exec(sql); err == nil {
					t.Errorf("%s was accepted", what)
				}
			}
		})
	}
}
