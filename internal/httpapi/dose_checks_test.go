package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A buprenorphine dose whole tablets cannot make is refused, naming the
// nearest doses that they can; nothing is written.
func TestUnmakeableTabletDoseRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(250, nil)
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes",
			map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 2.3}), 422)
		if !slices.Contains(fieldsOf(p), "dose") || !strings.Contains(fmt.Sprint(p), "multiple of 0.4 mg") {
			t.Fatalf("start at 2.3 mg: %v", p)
		}
		r := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4})
		path := "/v1/regimes/" + r["id"].(string) + "/dose-changes"
		before := e.auditCount()
		p = problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 6.3, "reason": "titration"}), 422)
		if !slices.Contains(fieldsOf(p), "to") || !strings.Contains(fmt.Sprint(p), "e.g. 6 mg or 6.4 mg") {
			t.Fatalf("change to 6.3 mg: %v", p)
		}
		if e.auditCount() != before {
			t.Fatal("a refused dose change wrote something")
		}
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 6.4, "reason": "titration"}))
	})
}

// BV9: an injection is given at the prescribed dose; another dose needs
// the change recorded first or an override reason, which is kept.
func TestBuvidalGivenAsPrescribed(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(251, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		path := "/v1/regimes/" + r["id"].(string) + "/administrations"
		give := map[string]any{"date": "2026-11-02", "dose": 32, "site": "thigh_left", "batch": "B1", "batch_expiry": "2027-06-01"}
		before := e.auditCount()
		blockedWith(t, e.do("prescriber", "POST", path, give), "BV9", "the dose prescribed for 2026-11-02 is 16 mg")
		if e.auditCount() != before {
			t.Fatal("a refused injection wrote something")
		}
		give["overrides"] = []map[string]any{{"rule": "BV9", "reason": "consultant asked for 32 mg; dose change to follow"}}
		a := e.must(201, e.do("prescriber", "POST", path, give))
		if ov := a["overrides"].([]any); len(ov) != 1 || ov[0].(map[string]any)["rule"] != "BV9" {
			t.Fatalf("overrides = %v", a["overrides"])
		}
		delete(give, "overrides")
		give["date"], give["dose"], give["site"] = "2026-11-09", 16, "abdomen_left"
		c.Set(mustTime("2026-11-09T12:00:00Z"))
		e.must(201, e.do("prescriber", "POST", path, give))
	})
}

// A methadone dose the pharmacy cannot measure (1 mg/ml solution, in steps
// of 0.1 ml) is refused, naming the field and the rule; nothing is written.
func TestUnmeasurableMethadoneDoseRefused(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(252, nil)
		before := e.auditCount()
		for _, dose := range []any{0.001, "0.05", 30.25} {
			p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes",
				map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": dose}), 422)
			if !slices.Contains(fieldsOf(p), "dose") || !strings.Contains(fmt.Sprint(p["errors"]), "makeable") ||
				!strings.Contains(fmt.Sprint(p["errors"]), "steps of 0.1 ml") {
				t.Fatalf("start at %v mg: %v", dose, p)
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused start wrote something")
		}
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20.5, "stage": "reduction"})
		path := "/v1/regimes/" + r["id"].(string) + "/dose-changes"
		p := problemOf(t, e.do("prescriber", "POST", path, map[string]any{"to": 20.45, "reason": "reduction"}), 422)
		if !slices.Contains(fieldsOf(p), "to") || !strings.Contains(fmt.Sprint(p), "e.g. 20.4 mg or 20.5 mg") {
			t.Fatalf("change to 20.45 mg: %v", p)
		}
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 20.4, "reason": "reduction"}))
	})
}
