package httpapi

import (
	"fmt"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
)

// The day of something recorded as it happens — a review, a drug screen,
// an injection, a closed day — is today or up to a year back; an ECG as far
// back as M4 counts one, if the policy counts longer than a year.
func TestRecordedDayPlausibility(t *testing.T) {
	t.Parallel()
	longM4 := policy.Defaults()
	longM4.M4ECGValidMonths = 24
	for _, tc := range []struct {
		today, day string
		ecg        bool
		n          policy.Numbers
		rule       string
	}{
		{today: "2026-03-02", day: "2026-03-02"},
		{today: "2026-03-02", day: "2025-03-02"},
		{today: "2026-03-02", day: "2025-03-01", rule: "within_year"},
		{today: "2026-03-02", day: "1901-01-01", rule: "within_year"},
		{today: "2026-03-02", day: "2026-03-03", rule: "not_future"},
		{today: "2026-03-02", day: "2199-12-31", rule: "not_future"},
		{today: "2028-02-29", day: "2027-02-28"},
		{today: "2028-02-29", day: "2027-02-27", rule: "within_year"},
		{today: "2026-03-02", day: "", rule: ""},
		{today: "2026-03-02", day: "2025-03-01", ecg: true, n: policy.Defaults(), rule: "within_year"},
		{today: "2026-03-02", day: "2026-03-03", ecg: true, n: policy.Defaults(), rule: "not_future"},
		{today: "2026-03-02", day: "2024-03-02", ecg: true, n: longM4},
		{today: "2026-03-02", day: "2024-03-01", ecg: true, n: longM4, rule: "within_year"},
	} {
		t.Run(fmt.Sprintf("%s/%s/ecg=%v", tc.today, tc.day, tc.ecg), func(t *testing.T) {
			var f problem.Fields
			var day calendar.Date
			if tc.day != "" {
				day = calendar.MustParse(tc.day)
			}
			today := calendar.MustParse(tc.today)
			field := "date"
			if tc.ecg {
				field = "ecg_date"
				ecgDay(&f, day, today, tc.n)
			} else {
				recordedDay(&f, field, day, today, "not yet")
			}
			var got string
			if pe, ok := problem.As(f.Err()); ok {
				if len(pe.Fields) != 1 || pe.Fields[0].Field != field {
					t.Fatalf("fields %v, want one naming %s", pe.Fields, field)
				}
				got = pe.Fields[0].Rule
			}
			if got != tc.rule {
				t.Fatalf("rule %q, want %q", got, tc.rule)
			}
		})
	}
}

// Reviews, drug screens, injections, day closes and ECGs dated in 1901, a
// year and a day back, or tomorrow in the service's time zone are refused
// with a 422 naming the field and the rule, and nothing is written. A day
// today in London (still yesterday in UTC) or a year back is accepted.
func TestClinicianEnteredDatesArePlausible(t *testing.T) {
	t.Parallel()
	// 00:30 on 2 July in London (BST), still 1 July in UTC.
	eachEnvAt(t, "2026-07-01T23:30:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(631, "2026-07-02")
		rid := e.activeRegimeOf(pid)
		fresh := e.newPatient(632, nil)
		reviews := "/v1/patients/" + pid + "/reviews"
		screens := "/v1/patients/" + pid + "/drug-screens"
		dayClose := "/v1/pharmacies/" + e.demo.PharmacyID + "/day-close"
		review := func(field, day string) map[string]any {
			if field == "date" {
				return map[string]any{"kind": "clinical", "notes": "seen", field: day}
			}
			return map[string]any{"kind": "ecg", "notes": "QTc 430 ms", field: day}
		}
		screen := func(day string) map[string]any {
			return map[string]any{"date": day, "sample_type": "urine", "results": map[string]any{"opiates": "negative"}}
		}
		injection := map[string]any{"date": "1901-07-02", "dose": 16, "site": "thigh_left", "batch": "B1", "batch_expiry": "2027-01-31"}
		before := e.auditCount()
		for _, tc := range []struct {
			who, path string
			body      map[string]any
			field     string
			rule      string
		}{
			{"prescriber", reviews, review("date", "1901-07-02"), "date", "within_year"},
			{"prescriber", reviews, review("date", "2025-07-01"), "date", "within_year"},
			{"prescriber", reviews, review("date", "2026-07-03"), "date", "not_future"},
			{"prescriber", reviews, review("ecg_date", "1901-07-02"), "ecg_date", "within_year"},
			{"prescriber", screens, screen("1901-07-02"), "date", "within_year"},
			{"prescriber", screens, screen("2026-07-03"), "date", "not_future"},
			{"pharmacist", dayClose, map[string]any{"date": "1901-07-02"}, "date", "within_year"},
			{"pharmacist", dayClose, map[string]any{"date": "2025-07-01"}, "date", "within_year"},
			{"pharmacist", dayClose, map[string]any{"date": "2026-07-03"}, "date", "not_future"},
			{"prescriber", "/v1/regimes/" + rid + "/administrations", injection, "date", "within_year"},
			{"prescriber", "/v1/patients/" + fresh + "/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20,
				"ecg_date": "1901-07-02"}, "ecg_date", "within_year"},
			{"prescriber", "/v1/regimes/" + rid + "/dose-changes", map[string]any{"to": 35, "reason": "step", "ecg_date": "2025-07-01"},
				"ecg_date", "within_year"},
		} {
			p := problemOf(t, e.do(tc.who, "POST", tc.path, tc.body), 422)
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["field"] != tc.field || errs[0].(map[string]any)["rule"] != tc.rule {
				t.Errorf("%s %v: errors %v, want %s %s", tc.path, tc.body, p["errors"], tc.field, tc.rule)
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused date was written")
		}
		for _, day := range []string{"2026-07-02", "2025-07-02"} {
			if got := e.must(201, e.do("prescriber", "POST", reviews, review("date", day)))["date"]; got != day {
				t.Fatalf("review dated %v, want %s", got, day)
			}
			e.must(201, e.do("prescriber", "POST", screens, screen(day)))
			// Today, at 00:30, is closed early only when confirmed (TestEarlyDayClose).
			if got := e.must(200, e.do("pharmacist", "POST", dayClose, map[string]any{"date": day, "confirm_early": true}))["date"]; got != day {
				t.Fatalf("closed %v, want %s", got, day)
			}
		}
		e.must(201, e.do("prescriber", "POST", reviews, review("ecg_date", "2025-07-02")))
	})
}
