package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// Bounds a reviewer found open: a null pattern, a change planned for the
// year 2200, a date query in year 1, and a second correction of a record
// already corrected. Each is a 4xx that names what is wrong and writes
// nothing.
func TestInputBounds(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(260, "2026-03-26")
		rid := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))["items"].([]any)[0].(map[string]any)["id"].(string)
		before := e.auditCount()
		for path, body := range map[string]map[string]any{
			"/pattern":      {"pattern": nil, "reason": "x"},
			"/dose-changes": {"to": 35, "reason": "typo in the year", "effective_date": "2200-06-01"},
		} {
			p := problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+path, body), 422)
			want := map[string]string{"/pattern": "pattern", "/dose-changes": "effective_date"}[path]
			if !slices.Contains(fieldsOf(p), want) {
				t.Errorf("%s: fields %v, want %s", path, fieldsOf(p), want)
			}
		}
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 35, "reason": "planned step", "effective_date": "2026-05-07"}))
		if e.auditCount() == before {
			t.Fatal("the change within six weeks was not recorded")
		}
		if p := problemOf(t, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses?date=0001-01-01", nil), 422); !slices.Contains(fieldsOf(p), "date") {
			t.Errorf("year 1: %v", p)
		}

		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-26") + "/events"
		first := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "intoxicated",
			"identity_confirmed": true}))["event"].(map[string]any)
		second := e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "refused", "corrects_id": first["id"],
			"correction_reason": "the patient refused it"}))["event"].(map[string]any)
		before = e.auditCount()
		p := problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"corrects_id": first["id"], "correction_reason": "fork"}), 409)
		if p["existing"].(map[string]any)["id"] != second["id"] || e.auditCount() != before {
			t.Fatalf("a second correction of one record: %v", p)
		}
		// A second first record is shown the record in force, the one a
		// correction names.
		p = problemOf(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised", "identity_confirmed": true}), 409)
		if p["existing"].(map[string]any)["id"] != second["id"] || !strings.Contains(p["detail"].(string), "corrects_id "+second["id"].(string)) {
			t.Fatalf("a second record after a correction: %v", p)
		}
		e.must(201, e.do("pharmacist", "POST", path, map[string]any{"outcome": "withheld", "reason": "behaviour",
			"corrects_id": p["existing"].(map[string]any)["id"], "correction_reason": "the patient was abusive"}))
	})
}

// An ECG is recorded once done: a future date would silence M4, and an
// older ECG recorded late does not move the regime's latest one back.
func TestReviewECGDates(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(261, "2026-03-26")
		reviews := "/v1/patients/" + pid + "/reviews"
		if p := problemOf(t, e.do("prescriber", "POST", reviews, map[string]any{"kind": "ecg", "ecg_date": "2030-01-01", "notes": "x"}), 422); !slices.Contains(fieldsOf(p), "ecg_date") {
			t.Fatalf("future ECG: %v", p)
		}
		// A review dated before the ECG it records.
		before := e.auditCount()
		p := problemOf(t, e.do("prescriber", "POST", reviews, map[string]any{"kind": "ecg", "date": "2026-03-10", "ecg_date": "2026-03-20", "notes": "x"}), 422)
		if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "ecg_date" || errs[0].(map[string]any)["rule"] != "not_after_review" {
			t.Fatalf("ECG after the review: %v", p["errors"])
		}
		if e.auditCount() != before {
			t.Fatal("a refused review was written")
		}
		// An ECG review records the ECG M4 asks for: without its date it
		// records nothing M4 can use.
		for _, body := range []map[string]any{{"kind": "ecg", "notes": "QTc 420 ms"}, {"kind": "ecg", "ecg_date": nil, "notes": "QTc 420 ms"}} {
			p := problemOf(t, e.do("prescriber", "POST", reviews, body), 422)
			if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "ecg_date" || errs[0].(map[string]any)["rule"] != "required" {
				t.Fatalf("ECG review without ecg_date %v: %v", body, p["errors"])
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused review was written")
		}
		e.must(201, e.do("prescriber", "POST", reviews, map[string]any{"kind": "ecg", "date": "2026-03-20", "ecg_date": "2026-03-20", "notes": "QTc 420 ms"}))
		e.must(201, e.do("prescriber", "POST", reviews, map[string]any{"kind": "ecg", "ecg_date": "2025-06-01", "notes": "an old ECG, filed late"}))
		rs := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))["items"].([]any)
		if got := rs[0].(map[string]any)["ecg_date"]; got != "2026-03-20" {
			t.Fatalf("regime ecg_date = %v, want the latest ECG 2026-03-20", got)
		}
	})
}

// Whoever signs a draft is its prescriber: a draft a GP wrote under shared
// care, signed by the service after the practice handed back, names the
// service's prescriber, who prints the original.
func TestSignerOfADraftIsItsPrescriber(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(262, "2026-03-26")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "stable for years elsewhere"}}}))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		draft := e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-04-09",
			"days": 14, "wording": []int{1, 3}}))
		gpID := draft["prescriber_id"]
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/hand-back", map[string]any{"reason": "moving out of the area"}))
		issued := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil))
		me := e.must(200, e.do("prescriber", "GET", "/v1/me", nil))
		if issued["prescriber_id"] != me["id"] || issued["prescriber_id"] == gpID {
			t.Fatalf("issued by %v, drafted by %v: prescriber_id %v", me["id"], gpID, issued["prescriber_id"])
		}
		if text := pdfToText(t, e.must200PDF("prescriber", draft["id"].(string))); strings.Contains(text, "COPY") || !strings.Contains(text, "Dr Priya Raman") {
			t.Fatalf("the signer's first print:\n%s", text)
		}
	})
}

// More bounds a reviewer found open, each a 4xx naming the field that
// writes nothing: a first dose in year 9999 (a 500 after the write on
// SQLite), an ECG dated ahead (it switched M4 off), the zero time (read
// as "not given"), a cursor of digits on an id-keyed list (a 500 on
// PostgreSQL) and an upper-case id (matched on PostgreSQL only).
func TestInputBoundsOnTimesCursorsAndIDs(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(262, "2026-03-26")
		rid := e.activeRegimeOf(pid)
		fresh := e.newPatient(263, nil)
		before := e.auditCount()
		for _, tc := range []struct {
			who, method, path string
			body              map[string]any
			status            int
			field             string
		}{
			{"prescriber", "POST", "/v1/patients/" + fresh + "/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20,
				"first_dose_at": "9999-12-31T23:59:59-12:00"}, 422, "first_dose_at"},
			{"prescriber", "POST", "/v1/patients/" + fresh + "/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20,
				"first_dose_at": "2026-12-01T09:00:00Z"}, 422, "first_dose_at"},
			{"prescriber", "POST", "/v1/patients/" + fresh + "/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20,
				"start_date": "2199-12-31"}, 422, "start_date"},
			{"prescriber", "POST", "/v1/patients/" + fresh + "/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20,
				"ecg_date": "2199-12-31"}, 422, "ecg_date"},
			{"prescriber", "POST", "/v1/regimes/" + rid + "/dose-changes", map[string]any{"to": 35, "reason": "step", "ecg_date": "2026-04-30"}, 422, "ecg_date"},
			{"pharmacist", "POST", "/v1/instalments/" + e.instalmentOn(prID, "2026-03-26") + "/events", map[string]any{"outcome": "supervised",
				"identity_confirmed": true, "occurred_at": "0001-01-01T00:00:00Z"}, 422, "occurred_at"},
			{"prescriber", "GET", "/v1/patients?cursor=MQ", nil, 422, "cursor"},
			{"prescriber", "GET", "/v1/prescriptions?cursor=MQ", nil, 422, "cursor"},
			{"prescriber", "GET", "/v1/alerts?cursor=MQ", nil, 422, "cursor"},
			{"prescriber", "GET", "/v1/patients/" + strings.ToUpper(pid), nil, 404, ""},
		} {
			p := problemOf(t, e.do(tc.who, tc.method, tc.path, tc.body), tc.status)
			if tc.field != "" && !slices.Contains(fieldsOf(p), tc.field) {
				t.Errorf("%s %s %v: fields %v, want %s", tc.method, tc.path, tc.body, fieldsOf(p), tc.field)
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused request wrote to the audit trail")
		}
		if got := e.must(200, e.do("admin", "GET", "/v1/audit?limit=1", nil)); got["next_cursor"] == "" {
			t.Fatal("the audit trail has no next page")
		} else {
			e.must(200, e.do("admin", "GET", "/v1/audit?limit=1&cursor="+got["next_cursor"].(string), nil))
		}
	})
}
