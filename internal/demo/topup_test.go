package demo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// The demo run again (`serve --demo` restarted) tops up prescriptions by
// each patient's treatment as it is now, not as the seed began it: Kerry
// Walsh moved from methadone to weekly Buvidal gets none (BV2: injected,
// never dispensed) and the demo starts; Aled Jones moved from Buvidal to
// sublingual buprenorphine gets them at his pharmacy; and a top-up the
// rules refuse (Callum Fraser moved the same way, his address since
// cleared: L2) is a warning naming him, not a demo that fails to start.
func TestDemoRunAgainTopsUpByTheActiveRegime(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds months of history")
	}
	t.Parallel()
	cfg := testConfig(t)
	at := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storetest.Open(t, d, store.Options{Now: func() time.Time { return at }})
			res, err := Seed(ctx, db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) > 0 {
				t.Fatalf("a first seed warned: %v", res.Warnings)
			}
			n := cfg.Policy
			today := calendar.DateOf(at, cfg.Timezone)
			prescriber := principalFor(res, "prescriber", res.ServiceID, auth.Prescriber)
			ids := map[string]string{}
			for _, p := range res.Patients {
				ids[p.Name] = p.ID
			}
			activeOf := func(pid string) store.Regime {
				t.Helper()
				regs, err := db.Regimes(ctx, prescriber, pid)
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(regs, func(r store.Regime) bool { return r.Status == store.RegimeActive })
				if i < 0 {
					t.Fatalf("patient %s has no active regime", pid)
				}
				return regs[i]
			}
			switchTo := func(name, code string, dose dosing.Micrograms, pharmacyID string, pattern regimes.WeeklyPattern) {
				t.Helper()
				pid := ids[name]
				old := activeOf(pid)
				med, _ := dosing.LookupMedicine(code)
				err := db.Write(ctx, func(tx *store.Tx) error {
					if _, err := tx.EndRegime(prescriber, n, old.ID, today, today, "Changing treatment"); err != nil {
						return err
					}
					_, _, err := tx.StartRegime(prescriber, n, store.StartRegime{PatientID: pid, Medicine: med, Dose: dose, StartDate: today,
						Stage: regimes.StageMaintenance, Pattern: pattern, PharmacyID: pharmacyID, Zone: cfg.Timezone,
						Overrides: overrideEverything()})
					return err
				})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			// As the API starts it: every day "supervised", never dispensed.
			switchTo("Kerry Walsh", dosing.CodeBuvidalWeekly, dosing.Mg(16), "", regimes.AllSupervised())
			switchTo("Aled Jones", dosing.CodeBuprenorphineSL, dosing.Mg(16), res.PharmacyID, regimes.AllSupervised())
			switchTo("Callum Fraser", dosing.CodeBuprenorphineSL, dosing.Mg(16), res.PharmacyID, regimes.AllSupervised())
			err = db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.UpdatePatient(prescriber, ids["Callum Fraser"], today, func(p *store.Patient) error { p.Address = ""; return nil })
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			written := func(name string) int {
				t.Helper()
				ps, err := db.Prescriptions(ctx, prescriber, store.PrescriptionFilter{PatientID: ids[name], Today: today, Numbers: n, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				live := 0
				for _, p := range ps {
					if p.Status == store.StatusIssued && !p.EndDate.Before(today) {
						live++
					}
				}
				return live
			}

			res, err = Seed(ctx, db, cfg)
			if err != nil {
				t.Fatalf("the demo run again after a patient moved to Buvidal: %v", err)
			}
			if got := written("Kerry Walsh"); got != 0 {
				t.Errorf("Kerry Walsh, now on Buvidal, has %d live prescriptions", got)
			}
			if got := written("Aled Jones"); got == 0 {
				t.Error("Aled Jones, now on sublingual buprenorphine, was not topped up")
			}
			if got := written("Callum Fraser"); got != 0 {
				t.Errorf("Callum Fraser, with no address, has %d live prescriptions", got)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "Callum Fraser") || !strings.Contains(res.Warnings[0], "L2") {
				t.Errorf("warnings = %q, want one naming Callum Fraser and L2", res.Warnings)
			}
		})
	}
}
