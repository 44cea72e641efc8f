package httpapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// latestChanges is the changes of the entity's latest audit event of
// action, decoded.
func (e *env) latestChanges(entityID, action string) map[string]any {
	e.t.Helper()
	var latest map[string]any
	for _, it := range e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_id="+entityID, nil))["items"].([]any) {
		if a := it.(map[string]any); a["action"] == action {
			latest = a
		}
	}
	if latest == nil {
		e.t.Fatalf("no %s audit event for %s", action, entityID)
	}
	var ch map[string]any
	if err := json.Unmarshal([]byte(latest["changes"].(string)), &ch); err != nil {
		e.t.Fatal(err)
	}
	return ch
}

// asJSON is v as a JSON value decodes, to compare with what an audit
// event holds.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A change of opening is audited from the opening the pharmacy kept, as an
// object like the new one: the default (closed Sundays and bank holidays)
// for a pharmacy that never set its own.
func TestOpeningAuditRecordsTheEffectiveOpeningReplaced(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "pharmacy", "name": "Foregate Pharmacy",
			"address": "3 Foregate Street, Worcester WR1 1DB"}))["id"].(string)
		tok := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": ph, "role": "pharmacist",
			"name": "Siân Ó Briain", "issue_token": true}))["token"].(string)
		path := "/v1/pharmacies/" + ph + "/opening"
		first := map[string]any{"closed_weekdays": []string{"sunday", "saturday"}, "bank_holidays_closed": true}
		set := e.must(200, e.do(tok, "PUT", path, first))
		ch := e.latestChanges(ph, "pharmacy.opening")
		if want := asJSON(t, calendar.DefaultOpening()); !reflect.DeepEqual(ch["from"], want) {
			t.Fatalf("from %#v, want the default opening %#v", ch["from"], want)
		}
		e.must(200, e.do(tok, "PUT", path, map[string]any{"closed_weekdays": []string{"sunday"}, "bank_holidays_closed": false}))
		ch = e.latestChanges(ph, "pharmacy.opening")
		from, ok := ch["from"].(map[string]any)
		if !ok || !reflect.DeepEqual(from["closed_weekdays"], set["closed_weekdays"]) || from["bank_holidays_closed"] != true {
			t.Fatalf("from %#v, want the opening set before %v", ch["from"], set)
		}
		if _, ok := ch["to"].(map[string]any); !ok {
			t.Fatalf("to %#v, want an object", ch["to"])
		}
	})
}

// A body of null, or any JSON that is not an object, is refused naming the
// body and changes nothing: encoding/json would read null as an empty
// request, clearing the pharmacy's closed days or reading as a patient
// update of nothing.
func TestNullBodyIsRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		path := "/v1/pharmacies/" + e.demo.PharmacyID + "/opening"
		before := e.must(200, e.do("pharmacist", "GET", path, nil))
		pid := e.newPatient(1797, nil)
		for _, tc := range []struct{ who, method, path string }{
			{"pharmacist", "PUT", path},
			{"prescriber", "PATCH", "/v1/patients/" + pid},
			{"prescriber", "POST", "/v1/patients"},
		} {
			for _, body := range []string{"null", " null ", "[]", `"x"`, "7", "true"} {
				p := problemOf(t, e.do(tc.who, tc.method, tc.path, body), 422)
				if !slices.Contains(fieldsOf(p), "body") {
					t.Fatalf("%s %s %s: fields %v lack body", tc.method, tc.path, body, fieldsOf(p))
				}
			}
		}
		if after := e.must(200, e.do("pharmacist", "GET", path, nil)); !reflect.DeepEqual(after, before) {
			t.Fatalf("a refused null changed the opening: %v, was %v", after, before)
		}
		// Not JSON at all is still malformed.
		problemOf(t, e.do("pharmacist", "PUT", path, "nul"), 400)
	})
}
