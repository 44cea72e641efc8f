package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A screen names what it tested beyond the panel; a positive named opioid
// (fentanyl) after the last negative screen fails SC3's screen criterion.
func TestDrugScreenNamesOtherSubstances(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		zoe := e.seedDemo()["Zoë"]
		path := "/v1/patients/" + zoe + "/drug-screens"
		screens := func() int { return len(e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)) }
		before, audited := screens(), e.auditCount()

		// Bad input names each field and rule and writes nothing.
		p := problemOf(t, e.do("prescriber", "POST", path, map[string]any{"sample_type": "urine",
			"results": map[string]any{"opiates": "negative", "other": "positive"},
			"other_substances": []map[string]any{
				{"name": "Cocaine", "result": "positive"},
				{"name": "pregabalin", "result": "negative"},
				{"name": " Pregabalin ", "result": "negative"},
				{"name": "  ", "result": "positive"},
				{"name": "ketamine", "result": "not_tested"},
				// One substance as a reader sees it: never both results.
				{"name": "fentanyl  citrate", "result": "positive"},
				{"name": "Fentanyl citrate", "result": "negative"},
				// Blank-drawing characters that Unicode calls letters or symbols.
				{"name": "fen\u2800tanyl", "result": "positive"},
			}}), 422)
		want := []string{"other_substances[0].name", "other_substances[2].name", "other_substances[3].name",
			"other_substances[4].result", "other_substances[6].name", "other_substances[7].name", "results.other"}
		if got := fieldsOf(p); !slices.Equal(sorted(got), want) {
			t.Fatalf("fields = %v, want %v", got, want)
		}
		if !strings.Contains(p["detail"].(string)+errorMessages(p), "other_substances") {
			t.Errorf("the refusal of results.other does not point at other_substances: %v", p)
		}
		if screens() != before || e.auditCount() != audited {
			t.Fatal("a refused screen was written")
		}

		// Today's screen: opiates negative, fentanyl positive.
		got := e.must(201, e.do("prescriber", "POST", path, map[string]any{"sample_type": "urine", "witnessed": true,
			"results":          map[string]any{"opiates": "negative", "methadone": "positive"},
			"other_substances": []map[string]any{{"name": "fentanyl", "result": "positive"}, {"name": "pregabalin", "result": "negative"}}}))
		others := got["other_substances"].([]any)
		if len(others) != 2 || others[0].(map[string]any)["name"] != "fentanyl" || got["results"].(map[string]any)["cocaine"] != "not_tested" {
			t.Fatalf("recorded = %v", got)
		}
		listed := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)[0].(map[string]any)
		if len(listed["other_substances"].([]any)) != 2 {
			t.Fatalf("listed = %v", listed)
		}

		el := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+zoe+"/shared-care/eligibility", nil))
		cr := criteriaOf(t, el)["negative_screen"]
		if cr["met"] != false || !strings.Contains(cr["detail"].(string), "Positive for fentanyl on 2026-06-10") {
			t.Fatalf("negative_screen = %v", cr)
		}
		// A negative sample entered later the same day does not outweigh it.
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"sample_type": "oral_fluid",
			"results": map[string]any{"opiates": "negative"}, "other_substances": []map[string]any{{"name": "fentanyl", "result": "negative"}}}))
		el = e.must(200, e.do("prescriber", "GET", "/v1/patients/"+zoe+"/shared-care/eligibility", nil))
		if cr = criteriaOf(t, el)["negative_screen"]; cr["met"] != false {
			t.Fatalf("same-day negative after a positive: %v", cr)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func errorMessages(p map[string]any) string {
	var b strings.Builder
	for _, e := range p["errors"].([]any) {
		b.WriteString(e.(map[string]any)["message"].(string))
	}
	return b.String()
}

// SC3: a buprenorphine patient's screen positive for methadone found an
// opioid that is not theirs; a methadone patient's is expected.
func TestScreenForUnprescribedSubstitutionMedicine(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		for i, tt := range []struct {
			medicine string
			met      bool
		}{{"buprenorphine_sublingual_tablets", false}, {"methadone_oral_solution_1mg_ml", true}} {
			pid := e.newPatient(280+i, nil)
			e.startRegime(pid, map[string]any{"medicine": tt.medicine, "dose": 8, "stage": "maintenance",
				"last_short_acting_opioid_at": "2026-06-09T20:00:00Z", "overrides": []map[string]any{{"rule": "M6", "reason": "n/a"}}})
			e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{"sample_type": "urine", "witnessed": true,
				"results": map[string]any{"opiates": "negative", "methadone": "positive", "buprenorphine": "negative"}}))
			cr := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))["negative_screen"]
			if cr["met"] != tt.met {
				t.Fatalf("%s, methadone positive: negative_screen = %v", tt.medicine, cr)
			}
			if !tt.met && !strings.Contains(cr["detail"].(string), "methadone (not prescribed)") {
				t.Fatalf("%s: detail %q", tt.medicine, cr["detail"])
			}
		}
	})
}
