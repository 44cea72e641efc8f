package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// One 422 names every failing field (issue 2), where a tester found one
// answer naming some and the next the rest: a dose record's own rules
// (S1, S3) beside its fields' types; the checks of a dose, pattern or
// pharmacy change that need the regime (after_start, not_past, the
// pharmacy) beside the request's; every weekday's problem in a pattern;
// a closed weekday listed twice; an unknown key inside a field, named by
// its path, beside its siblings' errors. Nothing is written.
func TestOneAnswerNamesEveryFailingField(t *testing.T) {
	t.Parallel()
	const today = "2026-03-26"
	eachEnvAt(t, today+"T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		pid, _ := e.dispensed(1, today)
		regime := e.activeRegimeOf(pid)
		instalment := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil)), pid)["instalment_id"].(string)
		tomorrow := dayEntry(t, e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses?date=2026-03-27", nil)), pid)["instalment_id"].(string)
		events := "/v1/instalments/" + instalment + "/events"
		long := `"` + strings.Repeat("n", 2001) + `"`
		week := `"tuesday": "supervised", "wednesday": "supervised", "thursday": "supervised", "saturday": "supervised", "sunday": "supervised"`
		tests := []struct {
			name, who, method, path, body string
			want                          []string // field/rule
		}{
			{"dose event: notes unread", "pharmacist", "POST", events,
				`{"outcome": "given", "reason": "drunk", "notes": 5}`, []string{"notes/type", "outcome/S1", "reason/S1"}},
			{"dose event: identity_confirmed unread", "pharmacist", "POST", events,
				`{"outcome": "given", "identity_confirmed": "yes"}`, []string{"identity_confirmed/type", "outcome/S1"}},
			{"dose event: occurred_at no time", "pharmacist", "POST", events,
				`{"outcome": "withheld", "reason": "drunk", "occurred_at": "yesterday"}`, []string{"occurred_at/date_time", "reason/S3"}},
			{"dose event: corrects_id no UUID", "pharmacist", "POST", events,
				`{"outcome": "given", "corrects_id": "x", "correction_reason": "typo"}`, []string{"corrects_id/format", "outcome/S1"}},
			{"dose event: notes too long", "pharmacist", "POST", events,
				`{"outcome": "withheld", "notes": ` + long + `}`, []string{"notes/max_length", "reason/S3"}},
			{"dose event: withheld for other without notes", "pharmacist", "POST", events,
				`{"outcome": "withheld", "reason": "other", "correction_reason": "typo"}`, []string{"correction_reason/correction_only", "notes/required"}},
			// A correction may set missed: one whose corrects_id could not
			// be read is not called an original record.
			{"dose event: missed, corrects_id unread", "pharmacist", "POST", events,
				`{"outcome": "missed", "corrects_id": 7, "correction_reason": "typo"}`, []string{"corrects_id/type"}},
			{"dose event: missed as an original", "pharmacist", "POST", events,
				`{"outcome": "missed", "notes": 5}`, []string{"notes/type", "outcome/S1"}},
			// Its own day, but not yet: the future is named, not S1.
			{"dose event: tomorrow's instalment at tomorrow's time", "pharmacist", "POST", "/v1/instalments/" + tomorrow + "/events",
				`{"outcome": "withheld", "reason": "intoxicated", "occurred_at": "2026-03-27T10:00:00Z"}`, []string{"occurred_at/not_future"}},
			{"dose change: no reason, a day before the start", "prescriber", "POST", "/v1/regimes/" + regime + "/dose-changes",
				`{"to": 60, "reason": "", "effective_date": "2020-01-01"}`,
				[]string{"effective_date/after_start", "effective_date/not_past", "reason/required"}},
			{"dose change: a dose no number", "prescriber", "POST", "/v1/regimes/" + regime + "/dose-changes",
				`{"to": [25], "reason": "x", "effective_date": "2020-01-01", "stage": "sprint"}`,
				[]string{"effective_date/after_start", "effective_date/not_past", "stage/enum", "to/dose"}},
			// A date that is no date is not also judged as the default it
			// was read as.
			{"dose change: a date no date", "prescriber", "POST", "/v1/regimes/" + regime + "/dose-changes",
				`{"to": 30, "reason": "x", "effective_date": "2026-02-30"}`, []string{"effective_date/date", "to/changed"}},
			{"pattern change", "prescriber", "POST", "/v1/regimes/" + regime + "/pattern",
				`{"pattern": {"Monday": "supervised", ` + week + `, "friday": "never"}, "effective_date": "2020-01-01", "reason": ` + long + `}`,
				[]string{"effective_date/not_past", "pattern/pattern", "pattern/pattern", "reason/max_length"}},
			{"pharmacy move: pharmacy_id no UUID", "prescriber", "POST", "/v1/regimes/" + regime + "/pharmacy",
				`{"pharmacy_id": "x", "reason": "", "effective_date": "2020-01-01"}`,
				[]string{"effective_date/not_past", "pharmacy_id/format", "reason/required"}},
			{"pharmacy move: no such pharmacy", "prescriber", "POST", "/v1/regimes/" + regime + "/pharmacy",
				`{"pharmacy_id": "` + e.demo.PracticeID + `", "reason": ""}`, []string{"pharmacy_id/exists", "reason/required"}},
			{"pharmacy move: the same pharmacy", "prescriber", "POST", "/v1/regimes/" + regime + "/pharmacy",
				`{"pharmacy_id": "` + ph + `", "reason": "", "effective_date": "2020-01-01"}`,
				[]string{"effective_date/not_past", "pharmacy_id/changed", "reason/required"}},
			{"opening: every list wrong", "pharmacist", "PUT", "/v1/pharmacies/" + ph + "/opening",
				`{"closed_weekdays": ["monday", "monday"], "closed_dates": ["2026-12-20", "2026-12-20"], "open_dates": ["2026-12-20"]}`,
				[]string{"closed_dates/open_and_closed", "closed_dates/unique", "closed_weekdays/unique", "open_dates/open_and_closed"}},
			{"opening: every weekday closed", "pharmacist", "PUT", "/v1/pharmacies/" + ph + "/opening",
				`{"closed_weekdays": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "Monday"]}`,
				[]string{"closed_weekdays/enum", "closed_weekdays/opening"}},
			{"shared care: an unknown key inside overrides", "prescriber", "POST", "/v1/patients/" + pid + "/shared-care",
				`{"overrides": [{"rule": "XX", "reason": "", "extra": 1}], "practice_id": "x"}`,
				[]string{"overrides[0].extra/unknown_field", "overrides[0].reason/required", "overrides[0].rule/rule_id", "practice_id/format"}},
			{"start regime: an unknown key beside a type error", "prescriber", "POST", "/v1/patients/" + pid + "/regimes",
				`{"medicine": "methadone_oral_solution_1mg_ml", "dose": true, "overrides": [{"rule": 5, "extra": 1}]}`,
				[]string{"dose/dose", "overrides.rule/type", "overrides[0].extra/unknown_field"}},
			{"update patient: unknown keys inside objects", "prescriber", "PATCH", "/v1/patients/" + pid,
				`{"risk_flags": {"foo": true}, "needs": {"housing": {"level": "x", "bar": 2}}, "colour": "red"}`,
				[]string{"colour/unknown_field", "needs.housing.bar/unknown_field", "needs.housing.level/enum", "risk_flags.foo/unknown_field"}},
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
	})
}

// What the errors say: a dose sent as true or an array is named without
// echoing it (it once carried a NUL byte); a weekday key in another case
// is named as such, not as its day missing; an unknown key inside a field
// is named by its path.
func TestFieldErrorMessages(t *testing.T) {
	t.Parallel()
	const today = "2026-03-26"
	eachEnvAt(t, today+"T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(1, today)
		regime := e.activeRegimeOf(pid)
		message := func(p map[string]any, field string) string {
			for _, x := range p["errors"].([]any) {
				if m := x.(map[string]any); m["field"] == field {
					return m["message"].(string)
				}
			}
			t.Fatalf("no error about %s: %v", field, p)
			return ""
		}
		for _, body := range []string{`{"to": true, "reason": "x"}`, `{"to": [25], "reason": "x"}`, `{"to": {"mg": 25}, "reason": "x"}`} {
			p := problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+regime+"/dose-changes", body), 422)
			if got := message(p, "to"); got != "to must be a number of milligrams, e.g. 30 or 2.5" {
				t.Errorf("%s: %q", body, got)
			}
		}
		p := problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+regime+"/pattern",
			`{"pattern": {"Monday": "supervised", "tuesday": "supervised", "wednesday": "supervised", "thursday": "supervised", "friday": "supervised", "saturday": "supervised", "sunday": "supervised"}}`), 422)
		if got := message(p, "pattern"); got != `pattern: "Monday" is not a weekday key: keys are lower case; use "monday"` || len(fieldsOf(p)) != 1 {
			t.Errorf("pattern: %v", p)
		}
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", `{"overrides": [{"rule": "SC3", "reason": "r", "extra": 1}]}`), 422)
		if got := message(p, "overrides[0].extra"); got != `"extra" is not a field of overrides[0]` {
			t.Errorf("unknown key: %q", got)
		}
	})
}
