package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/httpapi"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// The demo's MD1-blocked patient shows MD3 too: Kerry Walsh, on methadone
// 50 mg, missed her last 3 days, and the review a prescriber records lifts
// the block and answers with the advice to give half the dose, as her
// regime does. Her dose changes were recorded weeks before the missed
// days, so none of them is taken as the prescriber's answer to them.
func TestDemoBlockedPatientShowsRetitrationAfterReview(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds months of history")
	}
	t.Parallel()
	cfg := testConfig(t)
	at := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	storetest.EachWith(t, store.Options{Now: func() time.Time { return at }}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := Seed(ctx, db, cfg)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(res.Patients, func(p PatientInfo) bool { return p.Name == "Kerry Walsh" })
		if i < 0 {
			t.Fatal("no Kerry Walsh in the demo")
		}
		kerry := res.Patients[i].ID
		srv, err := httpapi.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		call := func(method, path string, body any, out any) {
			t.Helper()
			var rd io.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				rd = bytes.NewReader(b)
			}
			req := httptest.NewRequest(method, path, rd)
			req.Header.Set("Authorization", "Bearer "+res.Tokens["prescriber"])
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, req)
			if w.Code/100 != 2 {
				t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
			}
			if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
		}
		type suggestion struct {
			Rule string            `json:"rule"`
			Dose dosing.Micrograms `json:"dose"`
		}
		var review struct {
			MD1BlockLifted bool        `json:"md1_block_lifted"`
			Retitration    *suggestion `json:"retitration"`
		}
		call("POST", "/v1/patients/"+kerry+"/reviews", map[string]string{"notes": "seen"}, &review)
		want := suggestion{Rule: "MD3", Dose: dosing.Mg(25)}
		if !review.MD1BlockLifted {
			t.Error("the review did not lift Kerry Walsh's MD1 block")
		}
		if review.Retitration == nil || *review.Retitration != want {
			t.Errorf("the review's retitration = %+v, want MD3 at 25 mg (half of 50 mg after 3 missed days)", review.Retitration)
		}

		regs, err := db.Regimes(ctx, principalFor(res, "prescriber", res.ServiceID, auth.Prescriber), kerry)
		if err != nil {
			t.Fatal(err)
		}
		j := slices.IndexFunc(regs, func(r store.Regime) bool { return r.Status == store.RegimeActive })
		if j < 0 {
			t.Fatal("Kerry Walsh has no active regime")
		}
		var regime struct {
			Retitration *suggestion `json:"retitration"`
		}
		call("GET", "/v1/regimes/"+regs[j].ID, nil, &regime)
		if regime.Retitration == nil || *regime.Retitration != want {
			t.Errorf("her regime's retitration = %+v, want MD3 at 25 mg", regime.Retitration)
		}
	})
}
