package httpapi

import (
	"slices"
	"testing"
)

// BV6: regular Buvidal doses given one after another before the first
// one's window opens all fall in its week. Four 16 mg doses and an extra
// on one day were each recorded (72 mg in a day, each early dose taken as
// a new week); now the third is refused naming BV6 and when the next
// regular dose may be given, and nothing of it is written.
func TestBuvidalEarlyRegularDosesCannotChainPastBV6(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(761, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "test_dose_given": true})["id"].(string)
		path := "/v1/regimes/" + rid + "/administrations"
		dose := func(site string, extra bool) map[string]any {
			body := map[string]any{"dose": 16, "site": site, "batch": "B1", "batch_expiry": "2027-06-01"}
			if extra {
				body["dose"], body["extra"] = 8, true
			}
			return body
		}
		e.must(201, e.do("prescriber", "POST", path, dose("thigh_left", false)))
		e.must(201, e.do("prescriber", "POST", path, dose("thigh_right", false)))
		r := e.do("prescriber", "POST", path, dose("abdomen_left", false))
		blockedWith(t, r, "BV6", "falls in the week that began with the 16 mg dose on 2026-12-01, making 48 mg; the maximum is 40 mg")
		blockedWith(t, r, "BV6", "Give the next regular dose from 2026-12-06")
		// 16 + 16 + 8 is within the 40 mg week; one more extra is not.
		e.must(201, e.do("prescriber", "POST", path, dose("abdomen_right", true)))
		blockedWith(t, e.do("prescriber", "POST", path, dose("buttock_left", true)), "BV6", "")
		items := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any)
		if len(items) != 3 {
			t.Fatalf("%d administrations recorded, want 3: %v", len(items), items)
		}
		if n := len(slices.DeleteFunc(auditActions(e, rid), func(a string) bool { return a != "administration.create" })); n != 3 {
			t.Fatalf("%d administration.create audit entries, want 3", n)
		}
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
			"starts a week that already holds the doses recorded up to 2026-11-12, making 48 mg")
		e.must(201, e.do("prescriber", "POST", path, at("2026-11-14", 8, true, "upper_arm_right")))
		if items := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any); len(items) != 7 {
			t.Fatalf("%d administrations recorded, want 7", len(items))
		}
	})
}
