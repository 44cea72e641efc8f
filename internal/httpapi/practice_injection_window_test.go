package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/regimes"
)

// The practice gives each injection within its BV8 window (SC1, ADR 0009):
// one before the window opens is a dosing decision, refused with nothing
// written; one in the window goes ahead as before; one after the window
// closed goes ahead and the service, which follows up an overdue injection,
// is alerted, an alert the practice does not see. The service's own
// injections are judged as before.
func TestPracticeInjectionWithinItsWindow(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Weekly 16 mg every Monday from 5 Jan to 6 Apr: an early 16 mg
		// dose stays within BV6's 32 + 8 mg, so only the window stops it.
		pid := e.newPatient(1811, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "start_date": "2026-01-05",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})["id"].(string)
		e.setClock(c, mustTime("2026-04-08T10:00:00Z"))
		sites := regimes.Sites()
		for i, d := 0, calendar.MustParse("2026-01-05"); !d.After(calendar.MustParse("2026-04-06")); i, d = i+1, d.AddDays(7) {
			e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": d.String(), "dose": 16,
				"site": sites[i%len(sites)], "batch": "B-16", "batch_expiry": "2027-06-30"}))
		}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "stable on Buvidal"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		injection := func(site string) map[string]any {
			return map[string]any{"dose": 16, "site": site, "batch": "GP-1", "batch_expiry": "2027-06-30"}
		}
		count := func() int {
			return len(e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid+"/administrations", nil))["items"].([]any))
		}
		serviceAlerts := func(who string) []any {
			return e.must(200, e.do(who, "GET", "/v1/alerts?patient_id="+pid+"&kind=shared_care", nil))["items"].([]any)
		}
		sc1 := func(ws []any) []map[string]any {
			var out []map[string]any
			for _, w := range ws {
				if m := w.(map[string]any); m["rule"] == "SC1" {
					out = append(out, m)
				}
			}
			return out
		}

		before := len(serviceAlerts("prescriber"))

		// 9 Apr: 3 days after the last, before the window (11 to 15 Apr)
		// opens. Refused, whatever override is sent; nothing written.
		e.setClock(c, mustTime("2026-04-09T10:00:00Z"))
		for _, body := range []map[string]any{injection("thigh_left"), func() map[string]any {
			b := injection("thigh_left")
			b["overrides"] = []map[string]any{{"rule": "SC1", "reason": "patient going away"}}
			return b
		}()} {
			p := problemOf(t, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", body), 422)
			if rules := rulesOf(p); len(rules) == 0 || rules[0] != "SC1" || !slices.Contains(rules, "BV6") ||
				!strings.Contains(fmt.Sprint(p["rules"]), "2026-04-11") || !strings.Contains(fmt.Sprint(p["rules"]), "Contact the specialist service") {
				t.Fatalf("early GP injection: %v", p)
			}
		}
		if n := count(); n != 14 {
			t.Fatalf("%d administrations after the refusal, want 14", n)
		}
		if n := len(serviceAlerts("prescriber")); n != before {
			t.Fatalf("%d shared_care alerts after the refusal, want %d", n, before)
		}

		// 11 Apr, the window's first day: the practice's to give, with
		// nothing for the service.
		e.setClock(c, mustTime("2026-04-11T10:00:00Z"))
		got := e.must(201, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", injection("thigh_left")))
		if ws := got["administration"].(map[string]any)["warnings"].([]any); len(sc1(ws)) != 0 {
			t.Fatalf("in-window GP injection warnings %v", ws)
		}
		if n := got["next_injection"].(map[string]any); n["due"] != "2026-04-18" || n["latest"] != "2026-04-20" {
			t.Fatalf("next injection = %v", n)
		}
		if n := len(serviceAlerts("prescriber")); n != before {
			t.Fatalf("%d shared_care alerts after an injection on time, want %d", n, before)
		}

		// 22 Apr, two days after the window closed on 20 Apr: given, and
		// the practice is told the service is alerted.
		e.setClock(c, mustTime("2026-04-22T10:00:00Z"))
		got = e.must(201, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", injection("abdomen_left")))
		late := got["administration"].(map[string]any)
		ws := late["warnings"].([]any)
		if f := sc1(ws); len(f) != 1 || f[0]["severity"] != "info" || !strings.Contains(f[0]["message"].(string), "specialist service is alerted") ||
			!strings.Contains(fmt.Sprint(ws), "BV8") {
			t.Fatalf("late GP injection warnings %v", ws)
		}
		alerts := serviceAlerts("prescriber")
		if len(alerts) != before+1 {
			t.Fatalf("service's shared_care alerts %v, want one more", alerts)
		}
		al := alerts[0].(map[string]any)
		msg, _ := al["message"].(string)
		for _, want := range []string{"GP practice gave the regular injection of 16 mg on 2026-04-22", "window closed on 2026-04-20",
			"due on 2026-04-18, after the 16 mg injection on 2026-04-11", "Decide how to continue", "due on 2026-04-29"} {
			if !strings.Contains(msg, want) {
				t.Errorf("service's alert %q lacks %q", msg, want)
			}
		}
		if al["rule"] != "SC1" || al["practice_id"] != nil {
			t.Errorf("service's alert %v: want rule SC1, for the service", al)
		}
		// The service's alone: the practice was told in the answer.
		for _, a := range e.must(200, e.do("gp", "GET", "/v1/alerts?patient_id="+pid, nil))["items"].([]any) {
			if a.(map[string]any)["id"] == al["id"] {
				t.Errorf("the practice sees the service's alert %v", a)
			}
		}
		// Correcting the batch of the late injection tells the service
		// nothing new.
		e.must(201, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": "2026-04-22", "dose": 16,
			"site": "abdomen_left", "batch": "GP-2", "batch_expiry": "2027-06-30", "corrects_id": late["id"], "correction_reason": "batch misread"}))
		if n := len(serviceAlerts("prescriber")); n != before+1 {
			t.Fatalf("%d shared_care alerts after the correction, want %d", n, before+1)
		}

		// The service's own regular injection before the window (27 Apr to
		// 1 May) is refused too, by BV6 and not SC1 (ADR 0018): it would be
		// another dose between regular doses. The service gives the one
		// additional 8 mg dose if one is needed sooner.
		e.setClock(c, mustTime("2026-04-24T10:00:00Z"))
		p := problemOf(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", injection("upper_arm_left")), 422)
		if rules := rulesOf(p); !slices.Contains(rules, "BV6") || slices.Contains(rules, "SC1") ||
			!strings.Contains(fmt.Sprint(p["rules"]), "Give the regular dose from 2026-04-27") {
			t.Fatalf("the service's early injection: %v", p)
		}
		extra := injection("upper_arm_left")
		extra["dose"], extra["extra"] = 8, true
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", extra))
	})
}
