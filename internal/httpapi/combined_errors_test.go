package httpapi

import (
	"slices"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// ruleList lists a validation problem's errors as field/rule, sorted.
func ruleList(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out = append(out, m["field"].(string)+"/"+m["rule"].(string))
	}
	return sorted(out)
}

// One 422 names every failing field (issue 2): a field whose value could
// not be read (a wrong JSON type, an unknown field) together with every
// check the other fields fail, and the unread field once, by why it could
// not be read, not also as "required". Nothing is written, even when the
// unread field is the only fault.
func TestOneAnswerNamesDecodeAndValueErrors(t *testing.T) {
	t.Parallel()
	const today = "2026-03-26"
	eachEnvAt(t, today+"T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(1, today)
		regime := e.activeRegimeOf(pid)
		instalment := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil)), pid)["instalment_id"].(string)
		nhs := patients.TestNHSNumber(2)
		tests := []struct {
			name, who, method, path, body string
			want                          []string // field/rule
		}{
			{"create patient", "prescriber", "POST", "/v1/patients",
				`{"nhs_number": "` + nhs + `", "given_name": 12, "date_of_birth": "2031-01-01", "sex": "dragon"}`,
				[]string{"date_of_birth/not_future", "family_name/required", "given_name/type", "sex/enum"}},
			{"create patient: the issue's example", "prescriber", "POST", "/v1/patients",
				`{"nhs_number": "` + nhs + `", "given_name": "Ann", "date_of_birth": 12}`,
				[]string{"date_of_birth/date", "family_name/required"}},
			{"create patient: a field wrong inside", "prescriber", "POST", "/v1/patients",
				`{"nhs_number": "12", "given_name": "Ann", "date_of_birth": "1980-01-01", "needs": {"housing": {"level": 5}}}`,
				[]string{"family_name/required", "needs.housing.level/type", "nhs_number/ID1"}},
			{"create patient: only the unread field", "prescriber", "POST", "/v1/patients",
				`{"nhs_number": "` + nhs + `", "given_name": "Ann", "family_name": 7, "date_of_birth": "1980-01-01"}`,
				[]string{"family_name/type"}},
			{"update patient", "prescriber", "PATCH", "/v1/patients/" + pid,
				`{"given_name": ["Ann"], "family_name": " ", "pharmacy_id": "x", "colour": "red"}`,
				[]string{"colour/unknown_field", "family_name/required", "given_name/type", "pharmacy_id/format"}},
			{"update patient: only the unread field", "prescriber", "PATCH", "/v1/patients/" + pid,
				`{"keyworker": 12}`, []string{"keyworker/type"}},
			{"start regime", "prescriber", "POST", "/v1/patients/" + pid + "/regimes",
				`{"medicine": 5, "stage": "sprint", "pharmacy_id": "x", "start_date": "2026-03-20"}`,
				[]string{"dose/required", "medicine/type", "pharmacy_id/format", "stage/enum", "start_date/not_past"}},
			{"start regime: overrides unread", "prescriber", "POST", "/v1/patients/" + pid + "/regimes",
				`{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "overrides": [{"rule": 1, "reason": "x"}], "ecg_date": "2031-01-01"}`,
				[]string{"ecg_date/not_future", "overrides.rule/type"}},
			{"start regime: only the unread field", "prescriber", "POST", "/v1/patients/" + pid + "/regimes",
				`{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "test_dose_given": "yes"}`,
				[]string{"test_dose_given/type"}},
			{"dose change", "prescriber", "POST", "/v1/regimes/" + regime + "/dose-changes",
				`{"to": "lots", "reason": 7, "stage": "sprint", "effective_date": "2026-02-30"}`,
				[]string{"effective_date/date", "reason/type", "stage/enum", "to/dose"}},
			{"dose change: only the unread field", "prescriber", "POST", "/v1/regimes/" + regime + "/dose-changes",
				`{"to": 35, "reason": ["settling"]}`, []string{"reason/type"}},
			{"record dose event", "pharmacist", "POST", "/v1/instalments/" + instalment + "/events",
				`{"outcome": 5, "corrects_id": 7, "correction_reason": "typo", "notes": "a\u0000b", "occurred_at": "yesterday"}`,
				// corrects_id is named once: correction_reason is not called
				// a stray on an original record.
				[]string{"corrects_id/type", "notes/characters", "occurred_at/date_time", "outcome/type"}},
			{"record dose event: only the unread field", "pharmacist", "POST", "/v1/instalments/" + instalment + "/events",
				`{"outcome": "supervised", "identity_confirmed": "yes"}`, []string{"identity_confirmed/type"}},
			{"create prescription", "prescriber", "POST", "/v1/prescriptions",
				`{"patient_id": "x", "days": "7", "wording": ["one"], "prescribed_on": "2031-01-01"}`,
				[]string{"days/type", "patient_id/format", "prescribed_on/not_future", "start_date/required", "wording/type"}},
			{"create prescription: only the unread field", "prescriber", "POST", "/v1/prescriptions",
				`{"patient_id": "` + pid + `", "start_date": "2026-03-27", "days": "7"}`, []string{"days/type"}},
			{"shared-care proposal", "prescriber", "POST", "/v1/patients/" + pid + "/shared-care",
				`{"practice_id": 5, "overrides": [{"rule": "nope", "reason": ""}]}`,
				[]string{"overrides[0].reason/required", "overrides[0].rule/rule_id", "practice_id/type"}},
			{"shared-care proposal: overrides unread", "prescriber", "POST", "/v1/patients/" + pid + "/shared-care",
				`{"practice_id": "x", "overrides": [{"rule": 5, "reason": "r"}]}`,
				[]string{"overrides.rule/type", "practice_id/format"}},
			{"shared-care proposal: only the unread field", "prescriber", "POST", "/v1/patients/" + pid + "/shared-care",
				`{"practice_id": "` + e.demo.PracticeID + `", "overrides": {"rule": "SC3"}}`, []string{"overrides/type"}},
			{"create user", "admin", "POST", "/v1/users",
				`{"organisation_id": "x", "role": 3, "name": ""}`,
				[]string{"name/required", "organisation_id/format", "role/type"}},
			{"drug screen", "prescriber", "POST", "/v1/patients/" + pid + "/drug-screens",
				// other_substances may be what the screen found: results
				// are not called missing.
				`{"sample_type": "blood", "other_substances": "cocaine"}`,
				[]string{"other_substances/type", "sample_type/enum"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := tableCounts(t, e.db)
				p := problemOf(t, e.do(tt.who, tt.method, tt.path, tt.body), 422)
				if got := ruleList(p); !slices.Equal(got, tt.want) {
					t.Errorf("errors %v, want %v", got, tt.want)
				}
				if d := countsDiff(before, tableCounts(t, e.db)); len(d) > 0 {
					t.Errorf("wrote %v", d)
				}
			})
		}
		// A request refused so keeps its Idempotency-Key free: the same key
		// with the request put right records the dose.
		path := "/v1/instalments/" + instalment + "/events"
		problemOf(t, e.do("pharmacist", "POST", path, `{"outcome": "supervised", "identity_confirmed": 1}`, "Idempotency-Key", "till-7"), 422)
		e.must(201, e.do("pharmacist", "POST", path, `{"outcome": "supervised", "identity_confirmed": true}`, "Idempotency-Key", "till-7"))
	})
}

// What is not about one field is answered alone, at once, as before: the
// value-rule errors of a body that cannot be read as a request mean
// nothing.
func TestUnreadableBodyIsAnsweredAlone(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		for _, tt := range []struct{ body, problemType string }{
			{`{"given_name": 12`, "/problems/malformed"},
			{`{"given_name": 12} {}`, "/problems/malformed"},
			{`[{"given_name": 12}]`, "/problems/invalid"},
			{`{"given_name": 12, "given_name": "Ann"}`, "/problems/invalid"},
		} {
			p := problemOf(t, e.do("prescriber", "POST", "/v1/patients", tt.body), statusFor(tt.problemType))
			if p["type"] != tt.problemType || len(fieldsOf(p)) > 1 {
				t.Errorf("%s: %v", tt.body, p)
			}
		}
	})
}

func statusFor(problemType string) int {
	if problemType == "/problems/malformed" {
		return 400
	}
	return 422
}
