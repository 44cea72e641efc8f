package httpapi

import (
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/patients"
)

// A PATCH that changes nothing — an empty body, or every value sent as it
// is, however it is written — answers 200 with the patient, writes nothing
// and audits nothing; a real change is written and audited once.
func TestPatientUpdateThatChangesNothingIsNotRecorded(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(611, map[string]any{"keyworker": "Sam Ortiz", "referral_date": "2026-02-20",
			"risk_flags": map[string]any{"alcohol": true}})
		path := "/v1/patients/" + pid
		created := e.must(200, e.do("prescriber", "GET", path, nil))
		c.Set(c.Now().Add(time.Hour))
		before := e.auditCount()
		nhs := patients.TestNHSNumber(611)
		for name, body := range map[string]map[string]any{
			"empty": {},
			"the same values": {"given_name": "Zoë", "family_name": " Łukasz-Nguyễn 611 ", "keyworker": "Sam Ortiz",
				"nhs_number": nhs[:3] + " " + nhs[3:6] + " " + nhs[6:], "date_of_birth": "1985-04-12", "sex": "female",
				"address": "1 Canal Row — Worcester", "pharmacy_id": e.demo.PharmacyID, "gp_practice_id": e.demo.PracticeID,
				"referral_date": "2026-02-20", "first_contact_date": nil, "risk_flags": map[string]any{"alcohol": true}},
		} {
			got := e.must(200, e.do("prescriber", "PATCH", path, body))
			delete(got, "active_regime")
			want := map[string]any{}
			for k, v := range created {
				if k != "active_regime" {
					want[k] = v
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: answered\n%v\nwant the patient as it was\n%v", name, got, want)
			}
			if n := e.auditCount(); n != before {
				t.Fatalf("%s: %d audit events written", name, n-before)
			}
		}
		changed := e.must(200, e.do("prescriber", "PATCH", path, map[string]any{"keyworker": "Ana Reyes", "given_name": "Zoë"}))
		if changed["keyworker"] != "Ana Reyes" || changed["updated_at"] == created["updated_at"] {
			t.Fatalf("change not made: %v", changed)
		}
		if n := e.auditCount(); n != before+1 {
			t.Fatalf("%d audit events for one change, want 1", n-before)
		}
	})
}

// A duplicate NHS number is the same 409 Conflict naming nhs_number on
// PATCH as on registering, and nothing is written.
func TestDuplicateNHSNumberIsAConflictOnUpdateAsOnCreate(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		first := e.newPatient(621, nil)
		second := e.newPatient(622, nil)
		taken := patients.TestNHSNumber(621)
		onCreate := problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": taken,
			"given_name": "Ann", "family_name": "Other", "date_of_birth": "1990-01-01"}), 409)
		before := e.auditCount()
		onUpdate := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+second, map[string]any{"nhs_number": taken}), 409)
		for _, k := range []string{"type", "title", "status", "detail", "errors"} {
			if fmt.Sprint(onUpdate[k]) != fmt.Sprint(onCreate[k]) {
				t.Errorf("%s: PATCH answered %v, POST %v", k, onUpdate[k], onCreate[k])
			}
		}
		errs, _ := onUpdate["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["field"] != "nhs_number" || errs[0].(map[string]any)["rule"] != "unique" {
			t.Fatalf("errors = %v", onUpdate["errors"])
		}
		if e.auditCount() != before {
			t.Fatal("a refused change was audited")
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+second, nil))["nhs_number"]; got != patients.TestNHSNumber(622) {
			t.Fatalf("nhs_number changed to %v", got)
		}
		// The patient's own number, sent back, is no conflict.
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+first, map[string]any{"nhs_number": taken}))
	})
}

// Nothing happens to a patient before they are born: a date of care before
// the date of birth is refused, named where the request touched it.
func TestCareDatesNotBeforeBirth(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(41, nil) // born 1985-04-12
		for _, field := range []string{"naloxone_supplied_on", "referral_date", "first_contact_date", "first_dose_date"} {
			p := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{field: "1985-04-11"}), 422)
			if got := ruleList(p); len(got) != 1 || got[0] != field+"/after_birth" {
				t.Fatalf("%s before birth: errors %v", field, got)
			}
		}
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"naloxone_supplied_on": "1985-04-12"}))
		p := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"date_of_birth": "1985-04-13"}), 422)
		if got := ruleList(p); len(got) != 1 || got[0] != "date_of_birth/after_birth" {
			t.Fatalf("birth after a recorded date: errors %v", got)
		}
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients", map[string]any{"nhs_number": "9990000026", "given_name": "Zoë",
			"family_name": "Łukasz-Nguyễn", "date_of_birth": "2001-02-03", "referral_date": "2000-01-01"}), 422)
		if got := ruleList(p); len(got) != 1 || got[0] != "referral_date/after_birth" {
			t.Fatalf("new patient referred before birth: errors %v", got)
		}
	})
}

// A name or address the prescription cannot print as written (L2) is
// refused when it is recorded, not found later on the printed form.
func TestNamesArePrintable(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(42, nil)
		before := tableCounts(t, e.db)
		for _, tt := range []struct{ field, value string }{
			{"family_name", "O’Brien\u00adSmith\u200bJones"},
			{"given_name", "李小龍"},
			{"given_name", "Ann 😀"},
			{"address", "12 Quay Street\u200b\nLondon"},
			{"given_name", "Ann\nMarie"},
			{"given_name", "Ann\uFE0FMarie"},
			{"keyworker", "Jo 李 😀"},
			{"phone", "０７７００ ９００１２３"},
		} {
			p := problemOf(t, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{tt.field: tt.value}), 422)
			if got := ruleList(p); len(got) != 1 || got[0] != tt.field+"/printable" {
				t.Fatalf("%s %q: errors %v", tt.field, tt.value, got)
			}
		}
		if after := tableCounts(t, e.db); !maps.Equal(before, after) {
			t.Fatalf("refused changes wrote rows: %v → %v", before, after)
		}
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"family_name": "Łukasz-Nguyễn", "given_name": "Zoë"}))
		// An accent typed apart from its letter is kept as the one letter.
		got := e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"given_name": "Sia\u0302n"}))
		if got["given_name"] != "Siân" {
			t.Fatalf("given_name stored %q, want the composed Siân", got["given_name"])
		}
	})
}
