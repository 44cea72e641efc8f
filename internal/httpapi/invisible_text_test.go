package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// invisibles are texts TrimSpace leaves alone but nobody can read: zero
// width space, word joiner, byte order mark, soft hyphen and a combining
// acute accent with no letter to sit on.
var invisibles = []string{"\u200b", "\u2060", "\ufeff", "\u00ad", "\u0301", " \u200b\u2060 ", "\u2800", "\u3164\u3164"}

// Required text of invisible characters only is no text: a reason, a
// note, a batch number or a substance made of them is refused as required
// (422) naming the field, and a supervision-relaxed reason of them is no
// reason, so M6 stands as it does for "   ". Names compared with others
// refuse format characters inside them, so "fen\u200btanyl" is not a
// second fentanyl.
func TestInvisibleTextIsNoText(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(1, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-12-01"})["id"].(string)
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-01",
			"days": 14, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		inst := e.instalmentOn(rx, "2026-12-01")
		bv := e.newPatient(2, nil)
		bvRegime := e.startRegime(bv, map[string]any{"medicine": "buvidal_weekly", "dose": 24, "start_date": "2026-12-01",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})["id"].(string)
		audited := e.auditCount()

		cases := []struct {
			name, who, method, path string
			body                    func(s string) map[string]any
			fields                  []string // each answered with rule required
		}{
			{"dose change and its override", "prescriber", "POST", "/v1/regimes/" + rid + "/dose-changes", func(s string) map[string]any {
				return map[string]any{"to": 60, "reason": s, "effective_date": "2026-12-02", "overrides": []map[string]any{{"rule": "M2", "reason": s}}}
			}, []string{"reason", "overrides[0].reason"}},
			{"review notes", "prescriber", "POST", "/v1/patients/" + pid + "/reviews", func(s string) map[string]any {
				return map[string]any{"kind": "regime", "notes": s}
			}, []string{"notes"}},
			{"cancel reason", "prescriber", "POST", "/v1/prescriptions/" + rx + "/cancel", func(s string) map[string]any {
				return map[string]any{"reason": s}
			}, []string{"reason"}},
			{"withheld for reason other", "pharmacist", "POST", "/v1/instalments/" + inst + "/events", func(s string) map[string]any {
				return map[string]any{"outcome": "withheld", "reason": "other", "notes": s, "identity_confirmed": true}
			}, []string{"notes"}},
			{"pharmacy move reason", "prescriber", "POST", "/v1/regimes/" + rid + "/pharmacy", func(s string) map[string]any {
				return map[string]any{"pharmacy_id": e.demo.Pharmacy2, "effective_date": "2026-12-20", "reason": s}
			}, []string{"reason"}},
			{"end reason", "prescriber", "POST", "/v1/regimes/" + rid + "/end", func(s string) map[string]any {
				return map[string]any{"reason": s}
			}, []string{"reason"}},
			{"Buvidal batch", "prescriber", "POST", "/v1/regimes/" + bvRegime + "/administrations", func(s string) map[string]any {
				return map[string]any{"dose": 24, "site": "upper_arm_left", "batch": s, "batch_expiry": "2027-06-30"}
			}, []string{"batch"}},
			{"other substance", "prescriber", "POST", "/v1/patients/" + pid + "/drug-screens", func(s string) map[string]any {
				return map[string]any{"sample_type": "urine", "other_substances": []map[string]any{{"name": s, "result": "positive"}}}
			}, []string{"other_substances[0].name"}},
			{"shared-care override", "prescriber", "POST", "/v1/patients/" + pid + "/shared-care", func(s string) map[string]any {
				return map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": s}}}
			}, []string{"overrides[0].reason"}},
		}
		for _, tc := range cases {
			for _, s := range invisibles {
				p := problemOf(t, e.do(tc.who, tc.method, tc.path, tc.body(s)), 422)
				for _, field := range tc.fields {
					found := false
					for _, fe := range p["errors"].([]any) {
						m := fe.(map[string]any)
						if m["field"] == field && m["rule"] == "required" {
							found = true
							if strings.TrimSpace(s) != "" && tc.name != "withheld for reason other" && !strings.Contains(m["message"].(string), "no visible characters") {
								t.Errorf("%s %q: message %q does not say the text has no visible characters", tc.name, s, m["message"])
							}
						}
					}
					if !found {
						t.Errorf("%s %q: no %s required error: %v", tc.name, s, field, p)
					}
				}
			}
		}
		if got := e.auditCount(); got != audited {
			t.Fatalf("refused requests wrote %d audit rows", got-audited)
		}
		if r := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil)); r["current_dose"].(float64) != 30 {
			t.Fatalf("dose changed on an invisible reason: %v", r["current_dose"])
		}

		// M6: weekend take-home in titration needs a reason; an invisible
		// one is refused exactly as spaces are.
		pattern := func(reason string) response {
			return e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
				"effective_date": "2026-12-05", "supervision_relaxed_reason": reason})
		}
		spaces := rulesOf(problemOf(t, pattern("   "), 422))
		if !slices.Contains(spaces, "M6") {
			t.Fatalf("spaces as the relaxed reason: rules %v lack M6", spaces)
		}
		for _, s := range invisibles {
			if got := rulesOf(problemOf(t, pattern(s), 422)); !slices.Equal(got, spaces) {
				t.Errorf("relaxed reason %q: rules %v, want %v as for spaces", s, got, spaces)
			}
		}

		// Compared names refuse format characters: a hidden one would make
		// a second fentanyl, a panel substance or another batch number.
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{"sample_type": "urine",
			"other_substances": []map[string]any{{"name": "fentanyl", "result": "positive"}, {"name": "fen\u200btanyl", "result": "positive"},
				{"name": "opi\u00adates", "result": "positive"}, {"name": "\ufeffpregabalin", "result": "negative"}}}), 422)
		if got, want := sorted(fieldsOf(p)), []string{"other_substances[1].name", "other_substances[2].name", "other_substances[3].name"}; !slices.Equal(got, want) {
			t.Fatalf("fields = %v, want %v", got, want)
		}
		fieldRule(t, e.do("prescriber", "POST", "/v1/regimes/"+bvRegime+"/administrations", map[string]any{"dose": 24,
			"site": "upper_arm_left", "batch": "B\u200b-24", "batch_expiry": "2027-06-30"}), "batch", "characters")

		// Visible text with an accent still passes.
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "e\u0301 — seen"}))
	})
}
