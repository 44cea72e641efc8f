package httpapi

import (
	"strings"
	"testing"
)

// BV8's injection_overdue alert is raised by the day close of the window's
// last day, which runs at the end of it. A regular injection recorded late,
// dated before the last one, moves nothing and leaves that alert open; the
// injection that does move the window on resolves it.
func TestInjectionOverdueRaisedOnLastDayAndKeptByBackdatedDose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(1701, nil)
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 8, "start_date": "2026-01-05",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4}})["id"].(string)
		inj := func(day, site string) map[string]any {
			return e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": day, "dose": 8,
				"site": site, "batch": "B", "batch_expiry": "2027-06-30"}))
		}
		open := func() []map[string]any {
			return e.alertsOf("prescriber", "?kind=injection_overdue&patient_id="+pid)
		}
		inj("2026-01-05", "thigh_left")
		e.setClock(c, mustTime("2026-01-15T10:00:00Z"))
		inj("2026-01-15", "thigh_right")

		// The window is 20–24 Jan: nothing before its last day closes.
		e.closeAll(c, "2026-01-23")
		if n := len(open()); n != 0 {
			t.Fatalf("%d overdue alerts with the window still open", n)
		}
		e.closeAll(c, "2026-01-24")
		al := open()
		if len(al) != 1 || !strings.Contains(al[0]["message"].(string), "the window closed on 2026-01-24") {
			t.Fatalf("after the window's last day closed: %v", al)
		}
		e.closeAll(c, "2026-01-25")
		if n := len(e.alertMessages("prescriber", pid, "injection_overdue")); n != 1 {
			t.Fatalf("%d overdue alerts after another close, want the one", n)
		}

		// A forgotten dose of 10 Jan (its own window's first day, five
		// days before the one of 15 Jan) recorded on 26 Jan moves nothing.
		e.setClock(c, mustTime("2026-01-26T10:00:00Z"))
		got := inj("2026-01-10", "abdomen_left")
		if next := got["next_injection"].(map[string]any); next["latest"] != "2026-01-24" {
			t.Fatalf("next injection after the backdated dose = %v", next)
		}
		if al := open(); len(al) != 1 || al[0]["resolution"] != nil {
			t.Fatalf("overdue alert after the backdated dose: %v", al)
		}
		e.closeAll(c, "2026-01-26")
		if n := len(open()); n != 1 {
			t.Fatalf("%d open overdue alerts, want the one still standing", n)
		}

		// The dose that moves the window on resolves it.
		e.setClock(c, mustTime("2026-01-27T10:00:00Z"))
		got = inj("2026-01-27", "abdomen_right")
		if next := got["next_injection"].(map[string]any); next["latest"] != "2026-02-05" {
			t.Fatalf("next injection after the late dose = %v", next)
		}
		if n := len(open()); n != 0 {
			t.Fatalf("%d open overdue alerts after the late dose", n)
		}
		all := e.alertsOf("prescriber", "?open=false&kind=injection_overdue&patient_id="+pid)
		if len(all) != 1 || !strings.Contains(all[0]["resolution"].(string), "2026-01-27") {
			t.Fatalf("resolved overdue alerts: %v", all)
		}
	})
}
