package httpapi

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// HTTP benchmarks of the hot paths through the whole handler stack
// (request id, auth, JSON, store, audit, logging to a discarded sink), on
// SQLite and, with DOSEBOOK_TEST_POSTGRES_URL, PostgreSQL:
//
//	go test -run '^$' -bench HTTP -benchmem -count 6 ./internal/httpapi
//
// The fixture matches internal/store's benchmarks: one pharmacy, 50
// patients on methadone with 28 days of history before the measured day.

const (
	httpBenchPatients = 50
	httpBenchHistory  = 28
)

var httpBenchDay0 = calendar.MustParse("2026-06-10") // a Wednesday

type httpBench struct {
	srv        *Server
	db         *store.DB
	clock      *atomic.Int64
	token      string
	pharmacyID string
	patientIDs []string
	queue      []store.Instalment
	next       int
	through    calendar.Date
	prescriber auth.Principal
	pharmacist auth.Principal
	n          policy.Numbers
}

func (h *httpBench) setDay(d calendar.Date) {
	h.clock.Store(d.Start(time.UTC).Add(11 * time.Hour).UnixMicro())
}

func newHTTPBench(b *testing.B, d store.Dialect) *httpBench {
	b.Helper()
	ctx := context.Background()
	h := &httpBench{clock: &atomic.Int64{}, n: policy.Defaults()}
	h.setDay(httpBenchDay0.AddDays(-httpBenchHistory - 3))
	h.db = storetest.Open(b, d, store.Options{Now: func() time.Time { return time.UnixMicro(h.clock.Load()).UTC() }})
	cfg, err := config.Load(flag.NewFlagSet("bench", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	h.n = cfg.Policy
	if h.srv, err = New(h.db, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil))); err != nil {
		b.Fatal(err)
	}
	err = h.db.Write(ctx, func(tx *store.Tx) error {
		svc := store.Organisation{Kind: auth.TreatmentService, Name: "Bench Drug Service"}
		ph := store.Organisation{Kind: auth.Pharmacy, Name: "Bench Pharmacy"}
		for _, o := range []*store.Organisation{&svc, &ph} {
			if err := tx.CreateOrganisation(o); err != nil {
				return err
			}
		}
		pr := store.User{OrganisationID: svc.ID, Role: auth.Prescriber, Name: "Dr Zoë Łukasz-Nguyễn"}
		pu := store.User{OrganisationID: ph.ID, Role: auth.Pharmacist, Name: "Tom Hughes"}
		for _, u := range []*store.User{&pr, &pu} {
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		h.pharmacyID = ph.ID
		h.prescriber = auth.Principal{UserID: pr.ID, Role: auth.Prescriber, OrgID: svc.ID}
		h.pharmacist = auth.Principal{UserID: pu.ID, Role: auth.Pharmacist, OrgID: ph.ID}
		var err error
		if h.token, _, err = tx.IssueToken(pu.ID, "bench", 1000*24*time.Hour); err != nil {
			return err
		}
		methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
		var overrides []policy.OverrideReason
		for _, r := range policy.Table(h.n) {
			overrides = append(overrides, policy.OverrideReason{Rule: r.ID, Reason: "benchmark fixture"})
		}
		for i := range httpBenchPatients {
			pt := store.Patient{NHSNumber: patients.TestNHSNumber(200 + i), GivenName: "Zoë", FamilyName: fmt.Sprintf("Łukasz-Nguyễn %02d", i),
				DateOfBirth: calendar.MustParse("1986-02-14"), Sex: patients.Female, Address: "1 Canal Row — Worcester WR1 3EE", PharmacyID: &ph.ID}
			if err := tx.CreatePatient(h.prescriber, &pt); err != nil {
				return err
			}
			if _, _, err := tx.StartRegime(h.prescriber, h.n, store.StartRegime{PatientID: pt.ID, Medicine: methadone,
				Dose: dosing.Mg(30), StartDate: httpBenchDay0.AddDays(-httpBenchHistory), Stage: regimes.StageMaintenance,
				Pattern: regimes.AllSupervised(), PharmacyID: ph.ID, ECGDate: httpBenchDay0.AddDays(-httpBenchHistory), Overrides: overrides}); err != nil {
				return err
			}
			h.patientIDs = append(h.patientIDs, pt.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	h.through = httpBenchDay0.AddDays(-httpBenchHistory - 1)
	h.prescribe(b, 3)
	for h.queue[h.next].Date.Before(httpBenchDay0) {
		in := h.queue[h.next]
		h.next++
		h.setDay(in.Date)
		outcome, reason := dispensing.Supervised, dispensing.WithheldReason("")
		k := in.Date.Day() + int(in.PatientID[len(in.PatientID)-1])
		switch wd := in.Date.Weekday(); {
		case (wd == time.Tuesday || wd == time.Thursday) && k%7 == 0:
			outcome = dispensing.Refused
		case wd == time.Wednesday && k%9 == 0:
			outcome, reason = dispensing.Withheld, dispensing.ReasonIntoxicated
		}
		err := h.db.Write(ctx, func(tx *store.Tx) error {
			_, _, err := tx.RecordDose(h.pharmacist, h.n, in.ID, store.NewDoseEvent{Outcome: outcome, Reason: reason, IdentityConfirmed: true}, in.Date)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	h.setDay(httpBenchDay0)
	return h
}

func (h *httpBench) prescribe(b *testing.B, k int) {
	b.Helper()
	err := h.db.Write(context.Background(), func(tx *store.Tx) error {
		for range k {
			start := h.through.AddDays(1)
			for _, id := range h.patientIDs {
				res, err := tx.CreatePrescription(h.prescriber, h.n, store.NewPrescription{PatientID: id, PrescribedOn: start.AddDays(-2),
					StartDate: start, Days: 14, Wording: []int{1, 2, 3, 4}, Issue: true}, start.AddDays(-2))
				if err != nil {
					return err
				}
				h.queue = append(h.queue, res.Instalments...)
			}
			h.through = start.AddDays(13)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	rest := h.queue[h.next:]
	sort.SliceStable(rest, func(i, j int) bool {
		if c := rest[i].Date.Compare(rest[j].Date); c != 0 {
			return c < 0
		}
		return rest[i].PatientID < rest[j].PatientID
	})
}

func (h *httpBench) do(b *testing.B, method, path, body string, want int) {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	w := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(w, req)
	if w.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %s", method, path, w.Code, want, w.Body.Bytes())
	}
}

func eachHTTPBench(b *testing.B, fn func(b *testing.B, h *httpBench)) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) { fn(b, newHTTPBench(b, d)) })
	}
}

func BenchmarkHTTPRecordDose(b *testing.B) {
	eachHTTPBench(b, func(b *testing.B, h *httpBench) {
		b.ReportAllocs()
		for b.Loop() {
			if h.next == len(h.queue) {
				b.StopTimer()
				h.prescribe(b, 1)
				b.StartTimer()
			}
			in := h.queue[h.next]
			h.next++
			h.setDay(in.Date)
			h.do(b, "POST", "/v1/instalments/"+in.ID+"/events", `{"outcome":"supervised","identity_confirmed":true}`, http.StatusCreated)
		}
	})
}

func BenchmarkHTTPDayList(b *testing.B) {
	eachHTTPBench(b, func(b *testing.B, h *httpBench) {
		path := "/v1/pharmacies/" + h.pharmacyID + "/doses?date=" + httpBenchDay0.String()
		b.ReportAllocs()
		for b.Loop() {
			h.do(b, "GET", path, "", http.StatusOK)
		}
	})
}

func BenchmarkHTTPDoseHistory(b *testing.B) {
	eachHTTPBench(b, func(b *testing.B, h *httpBench) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			h.do(b, "GET", "/v1/patients/"+h.patientIDs[i%len(h.patientIDs)]+"/doses", "", http.StatusOK)
			i++
		}
	})
}
