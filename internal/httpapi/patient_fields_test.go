package httpapi

import (
	"fmt"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// fieldRules lists "field rule" for each error of a validation problem.
func fieldRules(m map[string]any) []string {
	var out []string
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		fe := e.(map[string]any)
		out = append(out, fmt.Sprint(fe["field"], " ", fe["rule"]))
	}
	return out
}

func oneFieldRule(t *testing.T, m map[string]any, want string) map[string]any {
	t.Helper()
	got := fieldRules(m)
	if len(got) != 1 || got[0] != want {
		t.Fatalf("errors %v, want [%s]", m["errors"], want)
	}
	return m["errors"].([]any)[0].(map[string]any)
}

// needs.blood_borne_virus.last_tested is checked as the other dates of
// care are: in range, not ahead of today, not before birth, and named by
// its full path.
func TestLastTestedIsCheckedAsADateOfCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(631, nil)
		path := "/v1/patients/" + pid
		const field = "needs.blood_borne_virus.last_tested"
		lt := func(d any) map[string]any {
			return map[string]any{"needs": map[string]any{"blood_borne_virus": map[string]any{"last_tested": d}}}
		}
		for d, rule := range map[string]string{"9999-12-31": "range", "0000-01-01": "range", "2099-01-01": "not_future",
			"2026-12-04": "not_future", "1985-04-11": "after_birth"} {
			oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", path, lt(d)), 422), field+" "+rule)
		}
		body := map[string]any{"nhs_number": patients.TestNHSNumber(632), "given_name": "Al", "family_name": "Test", "date_of_birth": "1980-01-01"}
		for k, v := range lt("2099-01-01") {
			body[k] = v
		}
		oneFieldRule(t, problemOf(t, e.do("prescriber", "POST", "/v1/patients", body), 422), field+" not_future")
		got := e.must(200, e.do("prescriber", "PATCH", path, lt("2000-01-01")))
		if d := got["needs"].(map[string]any)["blood_borne_virus"].(map[string]any)["last_tested"]; d != "2000-01-01" {
			t.Fatalf("last_tested = %v", d)
		}
		// A date of birth moved after it is named on date_of_birth.
		oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", path, map[string]any{"date_of_birth": "2001-01-01"}), 422), "date_of_birth after_birth")
		// A stored test date does not block an unrelated change of needs.
		e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"needs": map[string]any{"housing": map[string]any{"level": "high"}}}))
		e.must(200, e.do("prescriber", "PATCH", path, lt(nil)))
	})
}

// A first contact or first dose before the referral is refused on the
// field sent, quoting the recorded date; the same day is a self-referral.
func TestFirstContactAndDoseNotBeforeReferral(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(641, map[string]any{"first_dose_date": "2024-02-29"})
		path := "/v1/patients/" + pid
		pr := problemOf(t, e.do("prescriber", "PATCH", path, map[string]any{"first_contact_date": "2026-10-01", "referral_date": "2026-11-01"}), 422)
		got := fieldRules(pr)
		if len(got) != 2 || got[0] != "first_contact_date after_referral" || got[1] != "referral_date after_referral" {
			t.Fatalf("errors %v", pr["errors"])
		}
		if msg := pr["errors"].([]any)[1].(map[string]any)["message"].(string); msg != "referral_date 2026-11-01 is after the recorded first_dose_date 2024-02-29; check the dates" {
			t.Fatalf("message %q", msg)
		}
		other := e.newPatient(642, nil)
		opath := "/v1/patients/" + other
		fe := oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", opath, map[string]any{"referral_date": "2024-01-01", "first_contact_date": "2023-06-01"}), 422),
			"first_contact_date after_referral")
		if fe["message"] != "first_contact_date 2023-06-01 is before referral_date 2024-01-01; check the dates" {
			t.Fatalf("message %q", fe["message"])
		}
		e.must(200, e.do("prescriber", "PATCH", opath, map[string]any{"referral_date": "2024-01-01", "first_contact_date": "2024-01-01"}))
		oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", opath, map[string]any{"first_contact_date": "2023-12-31"}), 422), "first_contact_date after_referral")
		oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", opath, map[string]any{"referral_date": "2024-01-02"}), 422), "referral_date after_referral")
		// An unrelated change is not judged on dates recorded before.
		e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"keyworker": "Ana Reyes"}))
	})
}

// null on a PATCH field the record holds as text or a link is not read as
// absent: it clears an optional one, as "" does, with the same refusals
// (a pharmacy under an active regime, a practice under shared care), and
// is refused, naming the field, for one the record cannot be without.
func TestPatientNullClearsOrIsRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(651, map[string]any{"phone": "01905 000000", "keyworker": "Sam Ortiz"})
		path := "/v1/patients/" + pid
		for _, field := range []string{"nhs_number", "given_name", "family_name", "sex", "date_of_birth"} {
			before := e.auditCount()
			oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", path, map[string]any{field: nil}), 422), field+" required")
			if e.auditCount() != before {
				t.Fatalf("%s: a refused change was audited", field)
			}
		}
		got := e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"phone": nil, "keyworker": nil, "address": nil,
			"gp_practice_id": nil, "pharmacy_id": nil}))
		for _, k := range []string{"phone", "keyworker", "address"} {
			if got[k] != "" {
				t.Errorf("%s = %q after null, want cleared", k, got[k])
			}
		}
		for _, k := range []string{"gp_practice_id", "pharmacy_id"} {
			if got[k] != nil {
				t.Errorf("%s = %v after null, want null", k, got[k])
			}
		}
		// The store's refusals hold for null as for "".
		other := e.newPatient(652, nil)
		opath := "/v1/patients/" + other
		e.startRegime(other, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		for _, v := range []any{"", nil} {
			p := problemOf(t, e.do("prescriber", "PATCH", opath, map[string]any{"pharmacy_id": v}), 422)
			oneFieldRule(t, p, "pharmacy_id regime_pharmacy")
			// Clearing names no other pharmacy, so the answer says why it stays.
			assertText(t, errorMessages(p), "cannot be cleared")
		}
		e.must(201, e.do("prescriber", "POST", opath+"/shared-care", map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "test"}}}))
		for _, v := range []any{"", nil} {
			oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", opath, map[string]any{"gp_practice_id": v}), 409), "gp_practice_id shared_care")
		}
		// On registering, null for a required field is "required" too.
		pr := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": patients.TestNHSNumber(653),
			"given_name": nil, "family_name": "Test", "date_of_birth": "1980-01-01", "sex": nil, "phone": nil}), 422)
		if got := fieldRules(pr); len(got) != 2 || got[0] != "given_name required" || got[1] != "sex required" {
			t.Fatalf("errors %v", pr["errors"])
		}
	})
}

// A date that is no date is named by its full path, inside an object or a
// list, and a null item of a list is refused, not read as 0001-01-01.
func TestDateErrorsNameTheirPath(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(661, nil)
		fe := oneFieldRule(t, problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"needs": map[string]any{
			"blood_borne_virus": map[string]any{"last_tested": "2026-13-01"}}}), 422), "needs.blood_borne_virus.last_tested format")
		if fe["message"] != `date "2026-13-01" is not YYYY-MM-DD` {
			t.Errorf("message %q", fe["message"])
		}
		opening := "/v1/pharmacies/" + e.demo.PharmacyID + "/opening"
		oneFieldRule(t, problemOf(t, e.do("pharmacist", "PUT", opening, map[string]any{"closed_dates": []any{"2026-12-24", "2026-02-30"}}), 422),
			"closed_dates[1] format")
		fe = oneFieldRule(t, problemOf(t, e.do("pharmacist", "PUT", opening, map[string]any{"closed_dates": []any{nil}}), 422), "closed_dates[0] type")
		if fe["message"] != "closed_dates[0] must be a date YYYY-MM-DD, not null" {
			t.Errorf("message %q", fe["message"])
		}
		pr := problemOf(t, e.do("pharmacist", "PUT", opening, map[string]any{"closed_dates": []any{"2026-12-24", nil}, "open_dates": []any{"2026-02-30"}}), 422)
		if got := fieldRules(pr); len(got) != 2 || got[0] != "open_dates[0] format" || got[1] != "closed_dates[1] type" {
			t.Fatalf("errors %v", pr["errors"])
		}
		e.must(200, e.do("pharmacist", "PUT", opening, map[string]any{"closed_dates": []any{"2026-12-24"}, "open_dates": nil}))
	})
}
