package httpapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/regimes"
)

// buvidalOnTime starts weekly Buvidal 24 mg on start and records an
// injection every 7 days up to last, rotating the sites (BV7), with the
// clock left at today; then a negative screen today.
func (e *env) buvidalOnTime(c *clock, seq int, start, last, today string) (patientID, regimeID string) {
	e.t.Helper()
	e.setClock(c, mustTime(start+"T10:00:00Z"))
	pid := e.newPatient(seq, nil)
	rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24, "start_date": start,
		"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})["id"].(string)
	e.setClock(c, mustTime(today+"T10:00:00Z"))
	sites := regimes.Sites()
	for i, d := 0, calendar.MustParse(start); !d.After(calendar.MustParse(last)); i, d = i+1, d.AddDays(7) {
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": d.String(), "dose": 24,
			"site": sites[i%len(sites)], "batch": "B-24", "batch_expiry": "2027-06-30"}))
	}
	e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{"sample_type": "urine", "witnessed": true,
		"results": map[string]any{"opiates": "negative", "buprenorphine": "positive"}}))
	return pid, rid
}

// SC3 adherence for Buvidal counts injections given within their window,
// so a patient given every one on time is proposed without overrides.
func TestBuvidalSharedCareEligibility(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Injections every Monday from 5 Jan to 6 Apr; today 8 Apr. The
		// SC3 window, 14 Jan to 7 Apr, holds the 12 due from 19 Jan.
		pid, _ := e.buvidalOnTime(c, 301, "2026-01-05", "2026-04-06", "2026-04-08")
		el := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))
		if a := el["adherence"]; a["met"] != true || a["detail"] != "12 of 12 due injections given within their window (BV8) (100.0 %)." ||
			!strings.Contains(a["description"].(string), "due injections given within their window (BV8)") {
			t.Fatalf("adherence = %v", a)
		}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))
		for _, cr := range sc["criteria"].([]any) {
			if m := cr.(map[string]any); m["met"] != true {
				t.Fatalf("criterion not met without overrides: %v", m)
			}
		}
		assertText(t, e.summaryText("prescriber", pid), "12 of 12 due injections given within their window (BV8)")

		// Missed weeks: two windows closed with nothing given (due 23 and 30 Mar).
		pid, _ = e.buvidalOnTime(c, 302, "2026-01-05", "2026-03-16", "2026-04-08")
		a := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))["adherence"]
		if a["met"] != false || a["detail"] != "9 of 11 due injections given within their window (BV8) (81.8 %)." {
			t.Fatalf("adherence with two missed = %v", a)
		}
	})
}

// Buvidal under shared care, end to end: SC3 adherence counts injections
// given within their window, so a patient given every one on time is
// proposed without overrides; the accepting practice then gives and
// records the regular injection at the current dose, and nothing else
// (SC1); nobody else's GP can; and the letter says who gives them.
func TestBuvidalSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Injections every Monday from 5 Jan to 6 Apr; today 8 Apr. The
		// SC3 window, 14 Jan to 7 Apr, holds the 12 due from 19 Jan.
		pid, rid := e.buvidalOnTime(c, 301, "2026-01-05", "2026-04-06", "2026-04-08")
		el := criteriaOf(t, e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care/eligibility", nil)))
		if a := el["adherence"]; a["met"] != true || a["detail"] != "12 of 12 due injections given within their window (BV8) (100.0 %)." ||
			!strings.Contains(a["description"].(string), "due injections given within their window (BV8)") {
			t.Fatalf("adherence = %v", a)
		}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))
		for _, cr := range sc["criteria"].([]any) {
			if m := cr.(map[string]any); m["met"] != true {
				t.Fatalf("criterion not met without overrides: %v", m)
			}
		}
		scID := sc["id"].(string)

		// Proposed only: the practice sees the patient but gives nothing.
		e.setClock(c, mustTime("2026-04-13T10:00:00Z"))
		injection := func(dose int, extra bool, site string) map[string]any {
			return map[string]any{"dose": dose, "extra": extra, "site": site, "batch": "GP-7", "batch_expiry": "2027-06-30"}
		}
		e.must(200, e.do("gp", "GET", "/v1/regimes/"+rid, nil))
		problemOf(t, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", injection(24, false, "upper_arm_left")), 404)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))

		// Accepted: the regular injection at the current dose.
		got := e.must(201, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", injection(24, false, "upper_arm_left")))
		ad := got["administration"].(map[string]any)
		if ad["dose"] != float64(24) || ad["extra"] != false || ad["administered_by"] == "" {
			t.Fatalf("administration = %v", ad)
		}
		if n := got["next_injection"].(map[string]any); n["due"] != "2026-04-20" {
			t.Fatalf("next injection = %v", n)
		}

		// An extra dose or another dose is the service's decision (SC1),
		// and no override lets the practice make it.
		e.setClock(c, mustTime("2026-04-15T10:00:00Z"))
		for name, body := range map[string]map[string]any{
			"extra 8 mg": injection(8, true, "thigh_left"),
			"32 mg":      injection(32, false, "thigh_left"),
			"16 mg with a BV9 override": func() map[string]any {
				b := injection(16, false, "thigh_left")
				b["overrides"] = []map[string]any{{"rule": "BV9", "reason": "GP thinks lower is better"}, {"rule": "SC1", "reason": "GP"}}
				return b
			}(),
		} {
			p := problemOf(t, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", body), 422)
			if rules := rulesOf(p); len(rules) == 0 || rules[0] != "SC1" || !strings.Contains(p["detail"].(string), "specialist service") {
				t.Errorf("%s: rules %v, detail %v", name, rules, p["detail"])
			}
		}
		// The service itself still may.
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", injection(8, true, "thigh_left")))
		list := e.must(200, e.do("gp", "GET", "/v1/regimes/"+rid+"/administrations", nil))["items"].([]any)
		if len(list) != 16 {
			t.Fatalf("%d administrations, want 14 + the GP's + the service's extra", len(list))
		}

		// Another practice's GP: not found, as for a regime that does not exist.
		otherGP, _ := e.secondPractice()
		p := problemOf(t, e.do(otherGP, "POST", "/v1/regimes/"+rid+"/administrations", injection(24, false, "abdomen_left")), 404)
		ghost := problemOf(t, e.do(otherGP, "POST", "/v1/regimes/00000000-0000-4000-8000-00000000dead/administrations",
			injection(24, false, "abdomen_left")), 404)
		if p["detail"] != ghost["detail"] {
			t.Errorf("another practice's patient %q, a missing regime %q", p["detail"], ghost["detail"])
		}

		// The letter: the practice gives the injections and records them;
		// the service decides any change.
		text := e.summaryText("gp", pid)
		assertText(t, text,
			"The injections passed to the practice under shared care on 13 Apr 2026.",
			"Handing the injections back to the specialist service",
			"by a nurse or other healthcare professional at the GP practice, at the dose the specialist service set",
			"GP practice Gives each injection at the current dose and product",
			"records it in Dosebook the same day with the site and batch; gives no extra dose, no other dose and none before its window opens; "+
				"one given after its window closed is still recorded, and Dosebook alerts the service, which decides how to continue",
			"Specialist service Prescribes: decides and changes the dose and the product (weekly or monthly), and decides any extra dose",
			"at least every 3 months while the practice gives the injections",
			"Either party can hand the injections back at any time",
			"takes over giving the injections",
			"12 of 12 due injections given within their window (BV8)")
		assertNoText(t, text, "Prescribes the injections", "does not give them", "at the specialist service;", "Prescribing passed")
	})
}

// A GP of a practice with a proposal only, for a patient accepted by no
// one, gets 404 like anyone else's; after a hand-back too.
func TestBuvidalInjectionByGPNeedsAcceptedSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid := e.buvidalOnTime(c, 302, "2026-01-05", "2026-04-06", "2026-04-13")
		body := map[string]any{"dose": 24, "site": "upper_arm_left", "batch": "GP-7", "batch_expiry": "2027-06-30"}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))["id"].(string)
		problemOf(t, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", body), 404)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/accept", nil))
		e.must(201, e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", body))
		e.must(200, e.do("prescriber", "POST", "/v1/shared-care/"+sc+"/hand-back", map[string]any{"reason": "dose review"}))
		e.setClock(c, mustTime("2026-04-20T10:00:00Z"))
		body["site"] = "upper_arm_right"
		if r := e.do("gp", "POST", "/v1/regimes/"+rid+"/administrations", body); r.Status != 404 {
			t.Fatalf("after hand-back: %d %s", r.Status, r.Body)
		}
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "the specialist service took the injections back from the practice (reason given: dose review). The service gives the injections from now on",
			"by a nurse or other healthcare professional at the specialist service;")
		assertNoText(t, text, "Gives each injection at the current dose and product")
		// A methadone patient's GP under accepted shared care still has
		// nothing to administer.
		mid, _ := e.dispensed(303, "2026-04-20")
		msc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+mid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "test"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+msc+"/accept", nil))
		regs := e.must(200, e.do("gp", "GET", "/v1/patients/"+mid+"/regimes", nil))["items"].([]any)
		p := problemOf(t, e.do("gp", "POST", "/v1/regimes/"+regs[0].(map[string]any)["id"].(string)+"/administrations", body), 422)
		if !slices.Contains(fieldsOf(p), "regime") {
			t.Fatalf("methadone administration: %v", p)
		}
	})
}

// A practice declining Buvidal shared care declined giving the
// injections: the service is told the injections stay with it and when
// the next is due, as its other Buvidal notices say.
func TestBuvidalDeclineAlertSpeaksOfInjections(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.buvidalOnTime(c, 302, "2026-01-05", "2026-04-06", "2026-04-08")
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", nil))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc+"/decline", map[string]any{"reason": "No nurse to inject"}))
		got := e.alertsOf("prescriber", "?kind=shared_care&patient_id="+pid)
		if len(got) != 1 || got[0]["message"] != "The GP practice declined shared care (No nurse to inject). "+
			"The injections stay with the service, which gives the next one, due on 2026-04-13." {
			t.Fatalf("alerts = %v", got)
		}
	})
}
