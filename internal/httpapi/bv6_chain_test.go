package httpapi

import (
	"fmt"
	"slices"
	"testing"
)

// BV6: a regular Buvidal dose dated before the BV8 window after the last
// regular dose opens is another dose between regular doses, not the next
// regular one. Such doses passed with only BV8's warning: four weekly 8 mg
// doses and an extra on one day (40 mg), two monthly 64 mg doses on one
// day, and for a patient new to buprenorphine a second 16 mg the same day
// taken as the week 2 dose, after which BV3's real week 2 check never ran.
// Now each is refused naming BV6, the day the window opens and the one
// additional 8 mg dose, and nothing of it is written.
func TestBuvidalEarlyRegularDosesCannotChainPastBV6(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		dose := func(mg int, site string, extra bool) map[string]any {
			return map[string]any{"dose": mg, "site": site, "extra": extra, "batch": "B1", "batch_expiry": "2027-06-01"}
		}
		written := func(rid string, want int) {
			t.Helper()
			items := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid+"/administrations", nil))["items"].([]any)
			if len(items) != want {
				t.Fatalf("%d administrations recorded, want %d: %v", len(items), want, items)
			}
			if n := len(slices.DeleteFunc(auditActions(e, rid), func(a string) bool { return a != "administration.create" })); n != want {
				t.Fatalf("%d administration.create audit entries, want %d", n, want)
			}
		}

		// Weekly 8 mg, converted from 4 mg sublingual buprenorphine.
		pid := e.newPatient(761, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 8,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4}})["id"].(string)
		path := "/v1/regimes/" + rid + "/administrations"
		e.must(201, e.do("prescriber", "POST", path, dose(8, "thigh_left", false)))
		for _, site := range []string{"thigh_right", "abdomen_left", "abdomen_right"} {
			r := e.do("prescriber", "POST", path, dose(8, site, false))
			blockedWith(t, r, "BV6", "comes before the window for the next regular dose opens on 2026-12-06")
			blockedWith(t, r, "BV6", "record it as an additional dose (BV6: at most one, 8 mg")
			if rules := rulesOf(problemOf(t, r, 422)); slices.Contains(rules, "BV8") {
				t.Fatalf("early regular dose answered %v: BV6 alone refuses it", rules)
			}
		}
		// An override cannot lift it: BV6 only ever blocks.
		withOverride := dose(8, "thigh_right", false)
		withOverride["overrides"] = []map[string]any{{"rule": "BV6", "reason": "patient going away"}}
		if r := e.do("prescriber", "POST", path, withOverride); r.Status == 201 {
			t.Fatalf("early regular dose with a BV6 override recorded: %s", r.Body)
		}
		// The one additional 8 mg dose is the way to give more sooner.
		e.must(201, e.do("prescriber", "POST", path, dose(8, "thigh_right", true)))
		blockedWith(t, e.do("prescriber", "POST", path, dose(8, "abdomen_left", true)), "BV6", "at most 1 allowed")
		written(rid, 2)

		// Monthly 64 mg, then another regular 64 mg the same day.
		pid = e.newPatient(763, nil)
		rid = e.startRegime(pid, map[string]any{"medicine": "buvidal_monthly", "dose": 64,
			"previous":  map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8},
			"overrides": []map[string]any{{"rule": "BV5", "reason": "stable on sublingual; cannot attend weekly"}}})["id"].(string)
		path = "/v1/regimes/" + rid + "/administrations"
		e.must(201, e.do("prescriber", "POST", path, dose(64, "thigh_left", false)))
		blockedWith(t, e.do("prescriber", "POST", path, dose(64, "thigh_right", false)), "BV6",
			"comes before the window for the next regular dose opens on 2026-12-22")
		written(rid, 1)

		// New to buprenorphine, weekly 16 mg: a second 16 mg the same day
		// is refused, not taken for the week 2 dose, so BV3 judges the real
		// one: 16 mg after 16 + 8 mg in week 1 needs an override reason.
		pid = e.newPatient(764, nil)
		rid = e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "test_dose_given": true})["id"].(string)
		path = "/v1/regimes/" + rid + "/administrations"
		e.must(201, e.do("prescriber", "POST", path, dose(16, "thigh_left", false)))
		blockedWith(t, e.do("prescriber", "POST", path, dose(16, "thigh_right", false)), "BV6",
			"comes before the window for the next regular dose opens on 2026-12-06")
		e.setClock(c, mustTime("2026-12-03T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", path, dose(8, "thigh_right", true)))
		e.setClock(c, mustTime("2026-12-08T10:00:00Z"))
		p := problemOf(t, e.do("prescriber", "POST", path, dose(16, "abdomen_left", false)), 422)
		if rules := rulesOf(p); !slices.Contains(rules, "BV3") {
			t.Fatalf("week 2 dose of 16 mg after 24 mg in week 1: rules %v, want BV3", rules)
		}
		assertText(t, fmt.Sprint(p["rules"]), "Week 2 dose is 16 mg; week 1 total was 24 mg")
		written(rid, 2)
	})
}

// An injection recorded late is judged against the injections on both
// sides of it: a second extra dated before the one already recorded
// between two weekly doses, and a regular dose dated two days before the
// next one, are refused (BV6); a late extra in its own interval is not.
func TestBuvidalLateInjectionIsJudgedAgainstLaterOnes(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-10-29T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid := e.buvidalOnTime(c, 762, "2026-10-29", "2026-11-26", "2026-12-01")
		path := "/v1/regimes/" + rid + "/administrations"
		at := func(date string, dose int, extra bool, site string) map[string]any {
			return map[string]any{"date": date, "dose": dose, "extra": extra, "site": site, "batch": "B1", "batch_expiry": "2027-06-01"}
		}
		e.must(201, e.do("prescriber", "POST", path, at("2026-11-07", 8, true, "upper_arm_left")))
		blockedWith(t, e.do("prescriber", "POST", path, at("2026-11-06", 8, true, "upper_arm_right")), "BV6",
			"1 extra dose(s) already given between the regular dose on 2026-11-05")
		blockedWith(t, e.do("prescriber", "POST", path, at("2026-11-10", 24, false, "upper_arm_right")), "BV6",
			"comes less than a dosing interval before the regular 24 mg dose recorded on 2026-11-12")
		e.must(201, e.do("prescriber", "POST", path, at("2026-11-14", 8, true, "upper_arm_right")))
		if items := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any); len(items) != 7 {
			t.Fatalf("%d administrations recorded, want 7", len(items))
		}
	})
}
