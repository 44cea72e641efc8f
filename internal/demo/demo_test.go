package demo_test

import (
	"context"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// Whatever day someone first tries the demo — a Sunday, Christmas Day, the
// Monday after the clocks change — the demo pharmacy has patients due,
// one of them blocked by MD1; every medicine and stage is there; and a
// second run duplicates nothing.
func TestDemoOnAnyDay(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds months of history")
	}
	t.Parallel()
	cfg, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []string{
		"2026-06-07T10:00:00+01:00", // a Sunday
		"2026-12-25T10:00:00Z",      // Christmas Day
		"2026-03-30T10:00:00+01:00", // the Monday after the clocks go forward
		"2027-01-01T10:00:00Z",      // New Year's Day
	} {
		t.Run(now[:10], func(t *testing.T) {
			t.Parallel()
			at, _ := time.Parse(time.RFC3339, now)
			storetest.EachWith(t, store.Options{Now: func() time.Time { return at }}, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				res, err := demo.Seed(ctx, db, cfg)
				if err != nil {
					t.Fatal(err)
				}
				today := calendar.DateOf(at, cfg.Timezone)
				pharmacist := principal(res, "pharmacist", res.PharmacyID, auth.Pharmacist)
				list, err := db.DayList(ctx, pharmacist, cfg.Policy, res.PharmacyID, today, today)
				if err != nil {
					t.Fatal(err)
				}
				states := map[dispensing.State]int{}
				for _, e := range list {
					states[e.State]++
				}
				// One line per patient on any day: no two live prescriptions
				// of one patient cover the same day.
				for _, d := range []calendar.Date{today, today.AddDays(-1), today.AddDays(-2)} {
					l, err := db.DayList(ctx, pharmacist, cfg.Policy, res.PharmacyID, d, today)
					if err != nil {
						t.Fatal(err)
					}
					seen := map[string]bool{}
					for _, e := range l {
						if seen[e.PatientID] {
							t.Fatalf("%s is listed twice on %s", e.PatientName, d)
						}
						seen[e.PatientID] = true
					}
				}
				if states[dispensing.StateDue] < 4 || states[dispensing.StateBlocked] != 1 {
					t.Fatalf("day list on %s: states %v, want several due and one blocked (MD1)", today, states)
				}

				prescriber := principal(res, "prescriber", res.ServiceID, auth.Prescriber)
				medicines, stages := map[string]bool{}, map[regimes.Stage]bool{}
				for _, pt := range res.Patients {
					rs, err := db.Regimes(ctx, prescriber, pt.ID)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range rs {
						medicines[r.Medicine], stages[r.Stage] = true, true
					}
				}
				for _, m := range dosing.Formulary() {
					if !medicines[m.Code] {
						t.Errorf("no demo regime on %s", m.Code)
					}
				}
				for _, st := range []regimes.Stage{regimes.StageInduction, regimes.StageTitration, regimes.StageMaintenance, regimes.StageReduction} {
					if !stages[st] {
						t.Errorf("no demo regime in %s", st)
					}
				}
				for _, status := range []prescriptions.Status{store.StatusDraft, store.StatusIssued, store.StatusCancelled} {
					ps, err := db.Prescriptions(ctx, prescriber, store.PrescriptionFilter{Status: status, Today: today, Numbers: cfg.Policy, Limit: 100})
					if err != nil || len(ps) == 0 {
						t.Errorf("no %s prescription in the demo (%v)", status, err)
					}
				}

				// Run twice: the same patients, fresh working tokens, an intact trail.
				again, err := demo.Seed(ctx, db, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(res.Patients, again.Patients, func(a, b demo.PatientInfo) bool { return a.ID == b.ID }) {
					t.Fatalf("second run changed the patients: %v then %v", res.Patients, again.Patients)
				}
				if again.Tokens["pharmacist"] == res.Tokens["pharmacist"] {
					t.Fatal("second run printed the same token")
				}
				if _, err := db.Authenticate(ctx, again.Tokens["pharmacist"]); err != nil {
					t.Fatalf("second run's token: %v", err)
				}
				// Each printed token's id is there to revoke it by.
				for key := range again.Tokens {
					if again.TokenIDs[key] == "" {
						t.Fatalf("no token_id printed for %s", key)
					}
				}
				if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.RevokeToken(again.TokenIDs["gp"]); return err }); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Authenticate(ctx, again.Tokens["gp"]); err == nil {
					t.Fatal("the gp's token still works after revoking its token_id")
				}
				if v, err := db.VerifyAudit(ctx); err != nil || len(v.Faults) > 0 {
					t.Fatalf("audit: %v %v", err, v)
				}
			})
		})
	}
}

func principal(res demo.Result, key, orgID string, role auth.Role) auth.Principal {
	for _, u := range res.Users {
		if u.Key == key {
			return auth.Principal{UserID: u.ID, Name: u.Name, Role: role, OrgID: orgID}
		}
	}
	return auth.Principal{}
}
