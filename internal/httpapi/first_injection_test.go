package httpapi

import (
	"testing"
)

// wantNextInjection checks a next_injection object against due, earliest
// and latest.
func wantNextInjection(t *testing.T, what string, got any, due, earliest, latest string) {
	t.Helper()
	m, _ := got.(map[string]any)
	if m == nil || m["rule"] != "BV8" || m["due"] != due || m["earliest"] != earliest || m["latest"] != latest {
		t.Fatalf("%s: next_injection = %v, want BV8 due %s (%s to %s)", what, got, due, earliest, latest)
	}
}

// BV8: a patient switched from weekly to monthly Buvidal who never comes
// for the first monthly injection is seen to be overdue. The first monthly
// dose is due a week after the last weekly one, as BV6 already judges
// (a regular dose before the 7th is refused); the regime view says so,
// and the day close of its window's last day raises the overdue alert, though no
// injection is recorded under the new regime.
func TestFirstInjectionAfterASwitchIsDueAndRaisesBV8(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-04T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, weekly := e.buvidalOnTime(c, 511, "2026-11-04", "2026-12-02", "2026-12-02")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+weekly+"/end", map[string]any{"reason": "switching to monthly"}))
		monthly := e.startRegime(pid, map[string]any{"medicine": "buvidal_monthly", "dose": 96, "start_date": "2026-12-02"})
		rid := monthly["id"].(string)
		wantNextInjection(t, "answer to the start", monthly["next_injection"], "2026-12-09", "2026-12-07", "2026-12-11")
		wantNextInjection(t, "regime view", e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["next_injection"],
			"2026-12-09", "2026-12-07", "2026-12-11")
		// BV6 already knew: a regular dose today is refused from the 7th.
		blockedWith(t, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": "2026-12-02", "dose": 96,
			"site": "thigh_right", "batch": "M-96", "batch_expiry": "2027-06-30"}), "BV6", "from 2026-12-07")
		assertText(t, e.summaryText("prescriber", pid),
			"Next injection Due 9 Dec 2026; on time from 7 Dec 2026 to 11 Dec 2026 (the last injection was 24 mg of weekly Buvidal on 2 Dec 2026).")

		e.closeAll(c, "2026-12-10")
		wantAlerts(t, "the window still open", e.alertMessages("prescriber", pid, "injection_overdue"), 0, "")
		e.closeAll(c, "2026-12-11")
		wantAlerts(t, "last day of the window", e.alertMessages("prescriber", pid, "injection_overdue"), 1, "window closed on 2026-12-11")
		e.closeAll(c, "2026-12-12")
		e.closeAll(c, "2026-12-13")
		wantAlerts(t, "after the window", e.alertMessages("prescriber", pid, "injection_overdue"), 1, "window closed on 2026-12-11")

		// The first monthly injection answers it.
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": "2026-12-13", "dose": 96,
			"site": "thigh_right", "batch": "M-96", "batch_expiry": "2027-06-30",
			"overrides": []map[string]any{{"rule": "BV8", "reason": "patient came late"}}}))
		if got := e.alertsOf("prescriber", "?kind=injection_overdue&patient_id="+pid); len(got) != 0 {
			t.Fatalf("overdue alerts after the injection = %v", got)
		}
	})
}

// BV8: a new Buvidal patient's first injection is due on the regime's
// start date, within the product's window after it; one who never comes
// for it raises the overdue alert.
func TestFirstInjectionOfANewPatientIsDueOnTheStart(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(512, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})
		wantNextInjection(t, "answer to the start", r["next_injection"], "2026-12-02", "2026-12-02", "2026-12-04")
		assertText(t, e.summaryText("prescriber", pid), "First injection due 2 Dec 2026")
		e.closeAll(c, "2026-12-03")
		wantAlerts(t, "the window still open", e.alertMessages("prescriber", pid, "injection_overdue"), 0, "")
		e.closeAll(c, "2026-12-04")
		wantAlerts(t, "last day of the window", e.alertMessages("prescriber", pid, "injection_overdue"), 1, "window closed on 2026-12-04")
		e.closeAll(c, "2026-12-05")
		wantAlerts(t, "after the window", e.alertMessages("prescriber", pid, "injection_overdue"), 1, "window closed on 2026-12-04")
		// The regime ends: its alert with it, and an ended regime has no
		// next injection.
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/end", map[string]any{"reason": "did not attend"}))
		if got := e.alertsOf("prescriber", "?kind=injection_overdue&patient_id="+pid); len(got) != 0 {
			t.Fatalf("overdue alerts after the end = %v", got)
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+r["id"].(string), nil))["next_injection"]; got != nil {
			t.Fatalf("ended regime next_injection = %v", got)
		}
	})
}

// BV8: a patient whose weekly depot lapsed (sublingual buprenorphine in
// between) starts Buvidal again. The first injection of the new regime is
// due on its start, as the regime view says, and given then it is on
// time: BV8 does not judge it by the old regime's last injection.
func TestFirstInjectionAfterALapsedDepotIsOnTime(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, old := e.buvidalOnTime(c, 513, "2026-12-02", "2026-12-02", "2026-12-02")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+old+"/end", map[string]any{"reason": "back to sublingual buprenorphine"}))
		e.setClock(c, mustTime("2026-12-21T10:00:00Z"))
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})
		rid := r["id"].(string)
		wantNextInjection(t, "answer to the start", r["next_injection"], "2026-12-21", "2026-12-21", "2026-12-23")
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": "2026-12-21", "dose": 24,
			"site": "thigh_right", "batch": "B-24", "batch_expiry": "2027-06-30"}))
		if w := m["warnings"].([]any); len(w) != 0 {
			t.Fatalf("warnings on the first injection of the new regime = %v", w)
		}
		wantNextInjection(t, "after it", m["next_injection"], "2026-12-28", "2026-12-26", "2026-12-30")
	})
}
