package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
)

// rawField keeps a JSON scalar's literal text so that validation can report
// a bad dose or date against its field name, together with every other
// failing field, instead of failing the whole decode on the first one.
type rawField struct {
	text    string
	present bool
	null    bool
	// notScalar: sent as true, false, an array or an object, which no
	// parse below reads; text is then empty, so no message echoes it.
	notScalar bool
}

func (r *rawField) UnmarshalJSON(b []byte) error {
	r.present = true
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		r.null = true
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		r.text = s
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		r.text = string(b)
	default:
		r.notScalar = true
	}
	return nil
}

func (r rawField) set() bool { return r.present && !r.null }

// dose parses a dose in mg; required fields must be present.
func dose(f *problem.Fields, field string, r rawField, required bool) dosing.Micrograms {
	if !r.set() {
		if required {
			f.Add(field, "required", "%s is required (milligrams, e.g. 30 or 2.5)", field)
		}
		return 0
	}
	if r.notScalar {
		f.Add(field, "dose", "%s must be a number of milligrams, e.g. 30 or 2.5", field)
		return 0
	}
	if strings.HasPrefix(r.text, "-") {
		f.Add(field, "positive", "%s must be more than 0 mg", field)
		return 0
	}
	m, err := dosing.ParseMilligrams(r.text)
	if err != nil {
		f.Add(field, "dose", "%s: %s", field, strings.TrimPrefix(err.Error(), "dosing: "))
		return 0
	}
	if m <= 0 {
		f.Add(field, "positive", "%s must be more than 0 mg", field)
	}
	return m
}

// date parses a YYYY-MM-DD field.
func date(f *problem.Fields, field string, r rawField, required bool) calendar.Date {
	if !r.set() {
		if required {
			f.Add(field, "required", "%s is required (YYYY-MM-DD)", field)
		}
		return calendar.Date{}
	}
	if r.notScalar {
		f.Add(field, "date", "%s must be a date YYYY-MM-DD", field)
		return calendar.Date{}
	}
	return parseDate(f, field, r.text)
}

// parseDate reads a YYYY-MM-DD date in the years a clinical record can
// mean; outside them a typo is far likelier than a real date.
func parseDate(f *problem.Fields, field, text string) calendar.Date {
	d, err := calendar.Parse(text)
	switch {
	case err != nil:
		f.Add(field, "date", "%s must be a date YYYY-MM-DD", field)
	case d.Year() < 1900 || d.Year() > 2200:
		f.Add(field, "range", "%s must fall between 1900-01-01 and 2200-12-31", field)
	default:
		return d
	}
	return calendar.Date{}
}

// recordedDay checks the day of something a clinician records as it
// happens or soon after (a review, a drug screen, an injection, a closed
// day): not ahead of today in the service's time zone, since it has not
// happened, nor more than a year back, where a mistyped year is likelier
// than a record made that late, and a day that old would slip under the
// rules that count back from today (MD1's missed runs, M5's review clock).
// future is the field's own sentence for a day ahead. A zero day (not
// given) passes.
func recordedDay(f *problem.Fields, field string, day, today calendar.Date, future string) {
	if day.IsZero() {
		return
	}
	if day.After(today) {
		f.Add(field, "not_future", "%s", future)
		return
	}
	notBefore(f, field, day, dispensing.EarliestRecordedDay(today))
}

// notBefore refuses a day before earliest, the furthest back a field may
// be dated (422 within_year).
func notBefore(f *problem.Fields, field string, day, earliest calendar.Date) {
	if !day.IsZero() && day.Before(earliest) {
		f.Add(field, "within_year", "%s %s is more than a year back: it must be on or after %s; check the year", field, day, earliest)
	}
}

// parseRFC3339 parses an RFC 3339 date-time. RFC 3339 §5.6 lets the "T"
// and "Z" be lowercase, which Go's layout does not: a client writing them
// so sends a valid time.
func parseRFC3339(s string) (time.Time, error) {
	if len(s) > 10 && s[10] == 't' {
		s = s[:10] + "T" + s[11:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, err
	}
	// Go reads any two digits as the offset's hours and minutes, so
	// "+00:60" moved the time an hour and "+24:00" passed; RFC 3339 §5.6
	// allows hours 00-23 and minutes 00-59.
	if !strings.HasSuffix(s, "Z") {
		off := s[len(s)-6:]
		if off[1:3] > "23" || off[4:6] > "59" {
			return time.Time{}, fmt.Errorf("time offset %s out of range", off)
		}
	}
	return t, nil
}

// instant parses an RFC 3339 time field.
func instant(f *problem.Fields, field string, r rawField) time.Time {
	if !r.set() {
		return time.Time{}
	}
	t, err := parseRFC3339(r.text)
	switch {
	case err != nil || r.notScalar:
		f.Add(field, "date_time", "%s must be an RFC 3339 time with offset, e.g. 2026-01-31T09:00:00Z", field)
	case t.Year() < 1900 || t.Year() > 2200:
		// As for dates; and year 1 would read as "not given".
		f.Add(field, "range", "%s must fall between 1900 and 2200", field)
	default:
		return t
	}
	return time.Time{}
}

type overrideRequest struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// overrides validates the override reasons a prescriber sent.
func overrides(f *problem.Fields, in []overrideRequest, n policy.Numbers) []policy.OverrideReason {
	var out []policy.OverrideReason
	seen := map[string]bool{}
	for i, o := range in {
		field := "overrides[" + itoa(i) + "]"
		if _, ok := policy.RuleByID(n, o.Rule); !ok {
			f.Add(field+".rule", "rule_id", "%q is not a rule id (see GET /v1/policy)", o.Rule)
		} else if policy.SeverityOf(o.Rule) == policy.Block && !policy.Overridable(o.Rule) {
			// A reason could never let it through: say so rather than
			// record nothing and answer with the same refusal.
			f.Add(field+".rule", "not_overridable", "%s blocks and cannot be overridden: only a rule that stops an action at severity override takes a reason (GET /v1/policy)", o.Rule)
		} else if seen[o.Rule] {
			// One reason per rule: a second would silently replace the first.
			f.Add(field+".rule", "unique", "rule %s is overridden twice; give one reason for it", o.Rule)
		}
		seen[o.Rule] = true
		switch {
		case strings.TrimSpace(o.Reason) == "":
			f.Add(field+".reason", "required", "an override needs a clinical reason")
		case !problem.Visible(o.Reason):
			f.Add(field+".reason", "required", "an override needs a clinical reason: the reason sent has no visible characters")
		}
		optionalText(f, field+".reason", o.Reason, 2000)
		out = append(out, policy.OverrideReason{Rule: o.Rule, Reason: problem.TrimText(o.Reason)})
	}
	return out
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
