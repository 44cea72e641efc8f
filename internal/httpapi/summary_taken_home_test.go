package httpapi

import (
	"fmt"
	"testing"
)

// After an end on the day of a take-home collection, the letter says which
// days' doses the patient already holds, as the end's answer did
// (taken_home_after_end): the practice, or a prison healthcare team, must
// not give those days' doses again. The pickup pattern of a treatment that
// no longer runs is not described as if it went on.
func TestLetterNamesTheDosesTakenHomeAfterTheEnd(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-07T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Supervised Monday and Tuesday; Tuesday's collection carries
		// Wednesday to Sunday home.
		pattern := map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "earlier",
			"thursday": "earlier", "friday": "earlier", "saturday": "earlier", "sunday": "earlier"}
		pid, rid, rx := e.takeHomeFrom(581, "2026-12-07", pattern)
		for _, day := range []string{"2026-12-07", "2026-12-08"} {
			e.setClock(c, mustTime(day+"T10:00:00Z"))
			e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, day)+"/events",
				map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		}
		end := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"reason": "Remanded in custody"}))
		if got := len(end["taken_home_after_end"].([]any)); got != 5 {
			t.Fatalf("taken_home_after_end = %v", end["taken_home_after_end"])
		}
		text := e.summaryText("prescriber", pid)
		assertText(t, text, "Last day prescribed", "8 Dec 2026, the day the treatment ended",
			"Doses taken home", "9–13 Dec 2026 (already with the patient)")
		assertText(t, text, "None now: the treatment ended on 8 Dec 2026 and nothing is dispensed after it.", "The pattern until then was: consumption supervised")
		assertNoText(t, text, "Consumption supervised at the pharmacy on")

		// Without take-home doses after the end, no such row.
		other, rid2, _ := e.takeHomeFrom(582, "2026-12-08", pattern)
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid2+"/end", map[string]any{"reason": "Discharged"}))
		assertNoText(t, e.summaryText("prescriber", other), "Doses taken home", "already with the patient")
	})
}

// The letter's adherence table counts the days a supervised instalment
// carried home as collected (take-home) and taken, as the dose history's
// adherence does: Saturday's dose swallowed at the pharmacy and Sunday's
// handed over with it are one supervised and one collected day, not a
// collected count of 0.
func TestLetterAdherenceCountsTheDaysCarriedHome(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-04T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pattern := map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised",
			"thursday": "supervised", "friday": "supervised", "saturday": "supervised", "sunday": "earlier"}
		pid, _, rx := e.takeHomeFrom(583, "2026-12-04", pattern)
		for _, day := range []string{"2026-12-04", "2026-12-05", "2026-12-07"} {
			e.setClock(c, mustTime(day+"T10:00:00Z"))
			e.record(rx, day, supervised)
		}
		e.setClock(c, mustTime("2026-12-08T10:00:00Z"))
		a := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-12-04&to=2026-12-07", nil))["adherence"].(map[string]any)
		if a["due"] != float64(4) || a["supervised"] != float64(3) || a["collected"] != float64(1) || a["taken"] != float64(4) {
			t.Fatalf("dose history adherence = %v", a)
		}
		assertText(t, e.summaryText("prescriber", pid),
			"Adherence — since the start of treatment on 4 Dec 2026, up to 7 Dec 2026",
			fmt.Sprintf("Doses due Supervised Collected (take-home) Missed Withheld Refused Taken %v %v %v %v %v %v %v%%",
				a["due"], a["supervised"], a["collected"], a["missed"], a["withheld"], a["refused"], a["taken_percent"]))
	})
}
