package httpapi

import (
	"strings"
	"testing"
)

// overdueCase is a weekly Buvidal regime started on 5 Jan 2026 with
// injections on 5 and 12 Jan: the next window is 17–21 Jan.
type overdueCase struct {
	e        *env
	c        *clock
	pid, rid string
}

func newOverdueCase(e *env, c *clock, seq int) overdueCase {
	e.t.Helper()
	pid := e.newPatient(seq, nil)
	rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 8, "start_date": "2026-01-05",
		"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4}})["id"].(string)
	o := overdueCase{e: e, c: c, pid: pid, rid: rid}
	o.inject("2026-01-05", "thigh_left", nil)
	e.setClock(c, mustTime("2026-01-12T10:00:00Z"))
	o.inject("2026-01-12", "thigh_right", nil)
	return o
}

// inject records an injection (a replacement when extra names corrects_id)
// and returns the response.
func (o overdueCase) inject(day, site string, extra map[string]any) map[string]any {
	o.e.t.Helper()
	body := map[string]any{"date": day, "dose": 8, "site": site, "batch": "B", "batch_expiry": "2027-06-30"}
	for k, v := range extra {
		body[k] = v
	}
	return o.e.must(201, o.e.do("prescriber", "POST", "/v1/regimes/"+o.rid+"/administrations", body))
}

func (o overdueCase) enteredInError(adminID string) map[string]any {
	o.e.t.Helper()
	return o.e.must(201, o.e.do("prescriber", "POST", "/v1/administrations/"+adminID+"/entered-in-error",
		map[string]any{"reason": "given to another patient"}))
}

// overdue lists the regime's injection_overdue alerts, resolved ones too,
// newest first, and how many are open.
func (o overdueCase) overdue(who string) (all []map[string]any, open int) {
	o.e.t.Helper()
	all = o.e.alertsOf(who, "?open=false&kind=injection_overdue&patient_id="+o.pid)
	for _, a := range all {
		if a["resolution"] == nil {
			open++
		}
	}
	return all, open
}

func (o overdueCase) wantOverdue(what string, total, open int) []map[string]any {
	o.e.t.Helper()
	all, n := o.overdue("prescriber")
	if len(all) != total || n != open {
		o.e.t.Fatalf("%s: %d injection_overdue alerts, %d open; want %d, %d open: %v", what, len(all), n, total, open, all)
	}
	return all
}

func adminID(m map[string]any) string { return m["administration"].(map[string]any)["id"].(string) }

// BV8: an injection that answered the overdue alert, then entered in
// error, leaves the patient overdue: a new alert is raised at once, the
// one it resolved staying as it was, and the day closes after it raise no
// other for the same window. The next regular injection resolves it.
func TestOverdueRaisedAgainWhenInjectionEnteredInError(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		o := newOverdueCase(e, c, 1711)
		e.closeAll(c, "2026-01-21")
		o.wantOverdue("after the window's last day closed", 1, 1)

		e.setClock(c, mustTime("2026-01-23T10:00:00Z"))
		wrong := adminID(o.inject("2026-01-23", "abdomen_left", nil))
		o.wantOverdue("after the (wrong) injection", 1, 0)

		e.setClock(c, mustTime("2026-01-26T10:00:00Z"))
		m := o.enteredInError(wrong)
		if next := m["next_injection"].(map[string]any); next["latest"] != "2026-01-21" {
			t.Fatalf("next injection after the correction = %v", next)
		}
		all := o.wantOverdue("after the injection was entered in error", 2, 1)
		fresh, old := all[0], all[1]
		msg := fresh["message"].(string)
		if fresh["resolution"] != nil || !strings.Contains(msg, "the window closed on 2026-01-21") ||
			!strings.Contains(msg, "recorded for 2026-01-23 was entered in error") {
			t.Fatalf("new overdue alert: %v", fresh)
		}
		if old["resolution"] == nil || !strings.Contains(old["resolution"].(string), "2026-01-23") {
			t.Fatalf("the alert the wrong injection resolved: %v", old)
		}

		for _, day := range []string{"2026-01-26", "2026-01-27"} {
			e.closeAll(c, day)
			o.wantOverdue("after the day close of "+day, 2, 1)
		}

		e.setClock(c, mustTime("2026-01-28T10:00:00Z"))
		o.inject("2026-01-28", "abdomen_right", nil)
		o.wantOverdue("after the real injection", 2, 0)
	})
}

// BV8: when no alert was ever raised for the window (the injection was
// recorded on time) and it is entered in error after the window closed,
// the correction raises the alert the day close would have, under the
// same key, so the day close raises no second one.
func TestOverdueRaisedByCorrectionNotAgainByDayClose(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		o := newOverdueCase(e, c, 1712)
		e.setClock(c, mustTime("2026-01-19T10:00:00Z"))
		wrong := adminID(o.inject("2026-01-19", "abdomen_left", nil))
		e.closeAll(c, "2026-01-21")
		o.wantOverdue("with the injection on time", 0, 0)

		e.setClock(c, mustTime("2026-01-23T10:00:00Z"))
		o.enteredInError(wrong)
		all := o.wantOverdue("after the injection was entered in error", 1, 1)
		if msg := all[0]["message"].(string); !strings.Contains(msg, "the window closed on 2026-01-21") {
			t.Fatalf("overdue alert: %v", all[0])
		}
		e.closeAll(c, "2026-01-23")
		o.wantOverdue("after the day close", 1, 1)
	})
}

// BV8: a correction whose replacement still answers the window (the dose
// was given on the window's last day and recorded late with the wrong
// date) leaves the patient not overdue: nothing is raised again, now or
// by the day close.
func TestOverdueNotRaisedWhenReplacementInWindow(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		o := newOverdueCase(e, c, 1713)
		e.closeAll(c, "2026-01-21")
		o.wantOverdue("after the window's last day closed", 1, 1)

		e.setClock(c, mustTime("2026-01-22T10:00:00Z"))
		wrong := adminID(o.inject("2026-01-22", "abdomen_left", nil))
		o.wantOverdue("after the injection", 1, 0)

		e.setClock(c, mustTime("2026-01-23T10:00:00Z"))
		m := o.inject("2026-01-21", "abdomen_left", map[string]any{"corrects_id": wrong,
			"correction_reason": "given on the 21st, entered with the wrong date"})
		if next := m["next_injection"].(map[string]any); next["latest"] != "2026-01-30" {
			t.Fatalf("next injection after the replacement = %v", next)
		}
		o.wantOverdue("after the replacement", 1, 0)
		e.closeAll(c, "2026-01-23")
		o.wantOverdue("after the day close", 1, 0)
	})
}

// BV8: a replacement dated earlier than the injection it corrects (the dose
// was given on the window's first day) leaves the next window closed
// already: the alert is raised again for it. (One dated before the window
// opened is refused, BV6: it would be a dose between regular doses.)
func TestOverdueRaisedWhenReplacementMovesOutOfWindow(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		o := newOverdueCase(e, c, 1714)
		e.setClock(c, mustTime("2026-01-19T10:00:00Z"))
		wrong := adminID(o.inject("2026-01-19", "abdomen_left", nil))

		// It was in fact given on 17 Jan, the window's first day: the next
		// window, 22–26 Jan, closed before today.
		e.setClock(c, mustTime("2026-01-27T10:00:00Z"))
		m := o.inject("2026-01-17", "abdomen_left", map[string]any{"corrects_id": wrong,
			"correction_reason": "given on the 17th, entered with the wrong date"})
		next := m["next_injection"].(map[string]any)
		if next["latest"] != "2026-01-26" {
			t.Fatalf("next injection after the replacement = %v", next)
		}
		all := o.wantOverdue("after the early replacement", 1, 1)
		if !strings.Contains(all[0]["message"].(string), "the window closed on "+next["latest"].(string)) ||
			!strings.Contains(all[0]["message"].(string), "recorded for 2026-01-19 was corrected") {
			t.Fatalf("overdue alert %v, next injection %v", all[0], next)
		}
		e.closeAll(c, "2026-01-27")
		o.wantOverdue("after the day close", 1, 1)
	})
}

// BV8: the day close of the window's last day has raised the alert, an
// injection recorded that evening answers it and is then entered in error
// the same day: the day close has judged the window already, so the
// correction raises the alert again, and no later close adds another.
func TestOverdueRaisedAgainOnWindowsLastDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		o := newOverdueCase(e, c, 1715)
		e.closeAll(c, "2026-01-21")
		wrong := adminID(o.inject("2026-01-21", "abdomen_left", nil))
		o.wantOverdue("after the injection", 1, 0)
		o.enteredInError(wrong)
		o.wantOverdue("after the injection was entered in error", 2, 1)
		e.closeAll(c, "2026-01-21")
		e.closeAll(c, "2026-01-22")
		o.wantOverdue("after the day closes", 2, 1)
	})
}

// BV8: after a weekly/monthly switch the first monthly injection is due by
// the last weekly one. That weekly injection entered in error once the
// switch is made moves the monthly regime's first injection earlier, to a
// window already closed: the alert is raised for the monthly regime, whose
// day close then raises no other.
func TestOverdueRaisedForRegimeAfterSwitchWhenOldInjectionEnteredInError(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-04T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, weekly := e.buvidalOnTime(c, 1716, "2026-11-04", "2026-12-02", "2026-12-02")
		items := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+weekly+"/administrations", nil))["items"].([]any)
		last := items[len(items)-1].(map[string]any)
		if last["date"] != "2026-12-02" {
			t.Fatalf("last weekly injection %v", last)
		}
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+weekly+"/end", map[string]any{"reason": "switching to monthly"}))
		rid := e.startRegime(pid, map[string]any{"medicine": "buvidal_monthly", "dose": 96, "start_date": "2026-12-02"})["id"].(string)

		e.setClock(c, mustTime("2026-12-10T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/administrations/"+last["id"].(string)+"/entered-in-error",
			map[string]any{"reason": "given to another patient"}))
		wantNextInjection(t, "monthly regime after the correction", e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["next_injection"],
			"2026-12-02", "2026-12-02", "2026-12-04")
		want := "window closed on 2026-12-04. The first injection of the regime started on 2026-12-02 was due on 2026-12-02, after the last weekly dose (24 mg on 2026-11-25)"
		wantAlerts(t, "after the correction", e.alertMessages("prescriber", pid, "injection_overdue"), 1, want)
		e.closeAll(c, "2026-12-10")
		wantAlerts(t, "after the day close", e.alertMessages("prescriber", pid, "injection_overdue"), 1, want)
	})
}
