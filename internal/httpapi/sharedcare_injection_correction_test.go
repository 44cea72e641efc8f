package httpapi

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/regimes"
)

// Under accepted shared care the practice gives the Buvidal injections and
// the service follows them up from one record (ADR 0009, 0014): whichever
// party corrects an injection, the other is told what changed and when the
// next is due; another practice hears nothing.
func TestInjectionCorrectionUnderSharedCareTellsTheOtherParty(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(1821, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "start_date": "2026-01-05",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})["id"].(string)
		e.setClock(c, mustTime("2026-04-07T10:00:00Z"))
		sites := regimes.Sites()
		var ids []string
		for i, d := 0, calendar.MustParse("2026-01-05"); !d.After(calendar.MustParse("2026-04-06")); i, d = i+1, d.AddDays(7) {
			a := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": d.String(), "dose": 16,
				"site": sites[i%len(sites)], "batch": "B-16", "batch_expiry": "2027-06-30"}))
			ids = append(ids, a["administration"].(map[string]any)["id"].(string))
		}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "stable on Buvidal"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		alertsOf := func(who, kind string) []string {
			var out []string
			for _, it := range e.must(200, e.do(who, "GET", "/v1/alerts?patient_id="+pid+"&kind="+kind, nil))["items"].([]any) {
				out = append(out, it.(map[string]any)["message"].(string))
			}
			return out
		}
		with := func(msgs []string, part string) int {
			n := 0
			for _, m := range msgs {
				if strings.Contains(m, part) {
					n++
				}
			}
			return n
		}

		// The service moves the 6 Apr injection to 5 Apr: the practice is
		// told, with the next due date.
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": "2026-04-05", "dose": 16,
			"site": sites[13%len(sites)], "batch": "B-16", "batch_expiry": "2027-06-30", "corrects_id": ids[13],
			"correction_reason": "given on Sunday, typed as Monday"}))
		got := alertsOf("gp", "regime_changed")
		if with(got, "corrected the injection of 16 mg recorded on 2026-04-06 to 16 mg on 2026-04-05") != 1 ||
			with(got, "given on Sunday, typed as Monday") != 1 || with(got, "the next is due on 2026-04-12") != 1 {
			t.Fatalf("practice's regime_changed alerts after the service's correction: %q", got)
		}
		if n := with(alertsOf("prescriber", "shared_care"), "corrected the injection"); n != 0 {
			t.Fatalf("the service was told of its own correction (%d alerts)", n)
		}

		// The practice gives the injection due 12 Apr late, on 16 Apr (the
		// service is alerted), then enters it in error: the service is told
		// by whom, why and when the next is due, and the late alert, naming
		// an injection that no longer stands, is resolved.
		e.setClock(c, mustTime("2026-04-16T10:00:00Z"))
		given := e.must(201, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"dose": 16,
			"site": sites[14%len(sites)], "batch": "GP-1", "batch_expiry": "2027-06-30"}))["administration"].(map[string]any)["id"].(string)
		if n := with(alertsOf("prescriber", "shared_care"), "2026-04-16"); n != 1 {
			t.Fatalf("%d open alerts of the late injection, want 1", n)
		}
		e.must(201, e.do("gp", "POST", "/v1/administrations/"+given+"/entered-in-error",
			map[string]any{"reason": "recorded against the wrong patient"}))
		got = alertsOf("prescriber", "shared_care")
		if n := with(got, "2026-04-16"); n != 1 {
			t.Fatalf("open shared_care alerts after the late injection was entered in error: %q, want only the correction's of it", got)
		}
		if with(got, "entered the injection of 16 mg recorded on 2026-04-16 in error") != 1 ||
			with(got, "recorded against the wrong patient") != 1 || with(got, "next regular injection is now due on 2026-04-12") != 1 {
			t.Fatalf("service's shared_care alerts after the practice's correction: %q", got)
		}
		if n := with(alertsOf("gp", "shared_care"), "entered the injection"); n != 0 {
			t.Fatalf("the practice was alerted of its own correction (%d alerts)", n)
		}
		otherGP, _ := e.secondPractice()
		if n := len(e.must(200, e.do(otherGP, "GET", "/v1/alerts?patient_id="+pid, nil))["items"].([]any)); n != 0 {
			t.Fatalf("another practice sees %d alerts of the patient", n)
		}
	})
}
