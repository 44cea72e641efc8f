package httpapi

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/dosebook/dosebook/internal/store"
)

// A PATCH of risk_flags or needs changes the keys it sends and keeps every
// other (JSON merge patch, RFC 7386): recording alcohol use keeps the
// benzodiazepine and QTc flags that lower M1's threshold and make M4 warn,
// and a housing need keeps the mental-health notes and the blood-borne
// virus status. null clears a need, a note or a date; a flag is set to
// false, and null for one is refused. The audit's before and after differ
// in what was sent only.
func TestPatientPatchMergesRiskFlagsAndNeeds(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		bbv := map[string]any{"hepatitis_b_vaccination": "complete", "hepatitis_c": "antibody_positive", "hiv": "negative",
			"last_tested": "2026-01-05"}
		pid := e.newPatient(631, map[string]any{
			"risk_flags": map[string]any{"benzodiazepines": true, "cardiac_qtc": true},
			"needs": map[string]any{"mental_health": map[string]any{"level": "some", "notes": "Sees the CMHT fortnightly"},
				"housing": map[string]any{"level": "some", "notes": "Sofa surfing"}, "blood_borne_virus": bbv},
		})
		path := "/v1/patients/" + pid
		patch := func(body string) map[string]any {
			t.Helper()
			return e.must(200, e.do("prescriber", "PATCH", path, body))
		}

		got := patch(`{"risk_flags": {"alcohol": true}}`)
		wantFlags := map[string]any{"benzodiazepines": true, "alcohol": true, "cardiac_qtc": true, "children_in_household": false,
			"recent_overdose": false, "recent_prison_release": false, "injecting": false}
		if !reflect.DeepEqual(got["risk_flags"], wantFlags) {
			t.Errorf("risk_flags = %v, want %v", got["risk_flags"], wantFlags)
		}
		if risks := got["risks"].([]any); len(risks) != 3 {
			t.Errorf("risks = %v, want the three set", risks)
		}
		// The audit records the one flag as changed.
		before, after := lastPatientUpdate(t, e, pid)
		var bf, af map[string]any
		_ = json.Unmarshal(before["risk_flags"], &bf)
		_ = json.Unmarshal(after["risk_flags"], &af)
		if bf["alcohol"] != false || af["alcohol"] != true || bf["benzodiazepines"] != true || af["benzodiazepines"] != true ||
			af["cardiac_qtc"] != true {
			t.Errorf("audit risk_flags before %v after %v", bf, af)
		}
		if string(before["needs"]) != string(after["needs"]) {
			t.Errorf("audit shows needs changed by a risk_flags patch: %s → %s", before["needs"], after["needs"])
		}

		got = patch(`{"risk_flags": {"benzodiazepines": false}}`)
		if f := got["risk_flags"].(map[string]any); f["benzodiazepines"] != false || f["alcohol"] != true || f["cardiac_qtc"] != true {
			t.Errorf("risk_flags after clearing one = %v", f)
		}

		got = patch(`{"needs": {"housing": {"level": "high"}}}`)
		needs := got["needs"].(map[string]any)
		if h := needs["housing"].(map[string]any); h["level"] != "high" || h["notes"] != "Sofa surfing" {
			t.Errorf("housing = %v, want level high with its notes kept", h)
		}
		if mh := needs["mental_health"].(map[string]any); mh["level"] != "some" || mh["notes"] != "Sees the CMHT fortnightly" {
			t.Errorf("mental_health = %v, want it kept", mh)
		}
		if !reflect.DeepEqual(needs["blood_borne_virus"], bbv) {
			t.Errorf("blood_borne_virus = %v, want %v", needs["blood_borne_virus"], bbv)
		}
		before, after = lastPatientUpdate(t, e, pid)
		var bn, an map[string]map[string]any
		_ = json.Unmarshal(before["needs"], &bn)
		_ = json.Unmarshal(after["needs"], &an)
		if bn["housing"]["level"] != "some" || an["housing"]["level"] != "high" || !reflect.DeepEqual(bn["mental_health"], an["mental_health"]) ||
			!reflect.DeepEqual(bn["blood_borne_virus"], an["blood_borne_virus"]) {
			t.Errorf("audit needs before %v after %v", bn, an)
		}

		// A key in another case is the same key, as decoding reads it.
		got = patch(`{"needs": {"Blood_Borne_Virus": {"HIV": "not_tested"}}}`)
		b := got["needs"].(map[string]any)["blood_borne_virus"].(map[string]any)
		if b["hiv"] != "not_tested" || b["hepatitis_c"] != "antibody_positive" || b["last_tested"] != "2026-01-05" {
			t.Errorf("blood_borne_virus = %v", b)
		}

		// null clears a value inside needs: a note, a date, a whole need.
		got = patch(`{"needs": {"housing": {"notes": null}, "blood_borne_virus": {"last_tested": null}, "mental_health": null}}`)
		needs = got["needs"].(map[string]any)
		if h := needs["housing"].(map[string]any); h["level"] != "high" || h["notes"] != "" {
			t.Errorf("housing = %v, want its notes cleared only", h)
		}
		if b := needs["blood_borne_virus"].(map[string]any); b["last_tested"] != nil || b["hepatitis_c"] != "antibody_positive" {
			t.Errorf("blood_borne_virus = %v, want last_tested cleared only", b)
		}
		if mh := needs["mental_health"].(map[string]any); mh["level"] != "" || mh["notes"] != "" {
			t.Errorf("mental_health = %v, want cleared", mh)
		}

		// null for the whole object changes nothing, as for the other fields.
		kept := patch(`{"needs": null, "risk_flags": null}`)
		if !reflect.DeepEqual(kept["needs"], got["needs"]) || !reflect.DeepEqual(kept["risk_flags"], got["risk_flags"]) {
			t.Errorf("null objects changed the record: %v %v", kept["needs"], kept["risk_flags"])
		}

		// A flag is true or false; null is refused, and nothing is written.
		n := e.auditCount()
		p := problemOf(t, e.do("prescriber", "PATCH", path, `{"risk_flags": {"alcohol": null, "injecting": true}}`), 422)
		if fs := fieldsOf(p); !reflect.DeepEqual(fs, []string{"risk_flags.alcohol"}) {
			t.Errorf("fields = %v, want risk_flags.alcohol", fs)
		}
		// A value sent in a partial patch is still checked.
		p = problemOf(t, e.do("prescriber", "PATCH", path, `{"needs": {"family": {"level": "urgent"}}}`), 422)
		if fs := fieldsOf(p); !reflect.DeepEqual(fs, []string{"needs.family.level"}) {
			t.Errorf("fields = %v, want needs.family.level", fs)
		}
		if e.auditCount() != n {
			t.Error("a refused change was audited")
		}
		final := e.must(200, e.do("prescriber", "GET", path, nil))
		if f := final["risk_flags"].(map[string]any); f["alcohol"] != true || f["injecting"] != false {
			t.Errorf("risk_flags = %v after refused patches", f)
		}
	})
}

// lastPatientUpdate is the before and after of the patient's latest
// patient.update audit event, field by field.
func lastPatientUpdate(t *testing.T, e *env, pid string) (before, after map[string]json.RawMessage) {
	t.Helper()
	events, err := e.db.AuditEvents(context.Background(), store.AuditFilter{EntityType: "patient", EntityID: pid, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Action != "patient.update" {
			continue
		}
		var ch struct{ Before, After map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(events[i].Changes), &ch); err != nil {
			t.Fatal(err)
		}
		return ch.Before, ch.After
	}
	t.Fatal("no patient.update audit event")
	return nil, nil
}
