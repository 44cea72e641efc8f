package httpapi

import (
	"context"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/demo"
)

// closeAll runs the scheduled day close (every pharmacy, then the
// scheduled alerts) late on day, as the server's scheduler does. The demo
// tokens last 30 days, so they are issued afresh for the months these
// tests cross.
func (e *env) closeAll(c *clock, day string) {
	e.t.Helper()
	c.Set(mustTime(day + "T22:00:00Z"))
	ctx := context.Background()
	if _, err := e.db.CloseDayAll(ctx, e.srv.cfg.Policy, e.srv.cfg.Timezone, calendar.MustParse(day)); err != nil {
		e.t.Fatalf("day close %s: %v", day, err)
	}
	res, err := demo.SeedPeople(ctx, e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	e.demo.Tokens = res.Tokens
}

// alertMessages lists the messages of a patient's alerts of one kind that
// who sees, acknowledged or not.
func (e *env) alertMessages(who, patientID, kind string) []string {
	e.t.Helper()
	var out []string
	for _, a := range e.alertsOf(who, "?open=false&kind="+kind+"&patient_id="+patientID) {
		out = append(out, a["message"].(string))
	}
	return out
}

func wantAlerts(t *testing.T, what string, got []string, n int, text string) {
	t.Helper()
	if len(got) != n || (n > 0 && !strings.Contains(got[0], text)) {
		t.Fatalf("%s: %d alerts %q, want %d, the newest saying %q", what, len(got), got, n, text)
	}
}

// M5: a regime not reviewed for three months raises one review_due alert
// at the scheduled day close; a review restarts the clock.
func TestScheduledReviewDueAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(41, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-01-05"})
		e.closeAll(c, "2026-04-04")
		wantAlerts(t, "the day before", e.alertMessages("prescriber", pid, "review_due"), 0, "")
		e.closeAll(c, "2026-04-05")
		e.closeAll(c, "2026-04-06")
		wantAlerts(t, "on and after the due date", e.alertMessages("prescriber", pid, "review_due"), 1, "due on 2026-04-05")
		if got := e.alertMessages("pharmacist", pid, "review_due"); len(got) != 0 {
			t.Fatalf("the pharmacy sees the prescriber's review alert: %v", got)
		}
		c.Set(mustTime("2026-04-07T10:00:00+01:00"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "stable, continue"}))
		e.closeAll(c, "2026-04-08")
		e.closeAll(c, "2026-07-06")
		wantAlerts(t, "before the next due date", e.alertMessages("prescriber", pid, "review_due"), 1, "due on 2026-04-05")
		e.closeAll(c, "2026-07-07")
		wantAlerts(t, "three months after the review", e.alertMessages("prescriber", pid, "review_due"), 2, "due on 2026-07-07")
	})
}

// M4: high-dose methadone without an ECG raises ecg_due at the scheduled
// day close; an ECG recorded at a review quiets it for six months. Under
// accepted shared care the GP practice hears of it too.
func TestScheduledECGDueAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-12T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		high, usual := e.newPatient(42, nil), e.newPatient(43, nil)
		e.startRegime(high, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 100, "stage": "maintenance",
			"overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 100 mg"},
				{"rule": "M4", "reason": "ECG booked for tomorrow"}}})
		e.startRegime(usual, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "stage": "maintenance",
			"overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 60 mg"}}})
		e.closeAll(c, "2026-01-12")
		e.closeAll(c, "2026-01-13")
		wantAlerts(t, "no ECG on record", e.alertMessages("prescriber", high, "ecg_due"), 1, "100 mg")
		wantAlerts(t, "below the high dose", e.alertMessages("prescriber", usual, "ecg_due"), 0, "")

		c.Set(mustTime("2026-01-14T10:00:00Z"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+high+"/reviews", map[string]any{"kind": "ecg", "ecg_date": "2026-01-13",
			"notes": "QTc 430 ms"}))
		e.closeAll(c, "2026-01-14")

		// The GP practice takes over prescribing: it hears of ECGs falling
		// due from then on (not of the one before) and records the next.
		c.Set(mustTime("2026-02-02T10:00:00Z"))
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+high+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "stable for years at the previous service"}}}))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		e.closeAll(c, "2026-07-12")
		wantAlerts(t, "within six months of the ECG", e.alertMessages("prescriber", high, "ecg_due"), 1, "")
		wantAlerts(t, "the GP, before shared care", e.alertMessages("gp", high, "ecg_due"), 0, "")
		e.closeAll(c, "2026-07-13")
		wantAlerts(t, "six months after the ECG", e.alertMessages("prescriber", high, "ecg_due"), 2, "ECG/QTc check is due")
		wantAlerts(t, "the GP, under shared care", e.alertMessages("gp", high, "ecg_due"), 1, "ECG/QTc check is due")
		c.Set(mustTime("2026-07-14T10:00:00+01:00"))
		e.must(201, e.do("gp", "POST", "/v1/patients/"+high+"/reviews", map[string]any{"kind": "ecg", "ecg_date": "2026-07-14",
			"notes": "QTc 440 ms at the practice"}))
		e.closeAll(c, "2027-01-13")
		wantAlerts(t, "within six months of the practice's ECG", e.alertMessages("gp", high, "ecg_due"), 1, "")
		// Another high-dose patient, never handed over: the practice sees nothing.
		other := e.newPatient(46, nil)
		e.startRegime(other, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 100, "stage": "maintenance",
			"overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 100 mg"},
				{"rule": "M4", "reason": "ECG booked"}}})
		e.closeAll(c, "2027-01-14")
		wantAlerts(t, "the service, not handed over", e.alertMessages("prescriber", other, "ecg_due"), 1, "100 mg")
		wantAlerts(t, "the GP, not handed over", e.alertMessages("gp", other, "ecg_due"), 0, "")
	})
}

// BV8: a weekly Buvidal injection not given by the end of its window
// raises injection_overdue once, at the scheduled day close of the
// window's last day (the close runs at the end of that day).
func TestScheduledInjectionOverdueAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(44, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "buvidal_weekly", "dose": 24,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 12}})
		e.closeAll(c, "2026-11-02")
		wantAlerts(t, "no injection yet", e.alertMessages("prescriber", pid, "injection_overdue"), 0, "")
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/administrations", map[string]any{"date": "2026-11-02",
			"dose": 24, "site": "abdomen_left", "batch": "B123", "batch_expiry": "2027-06-30"}))
		// Due 9 November, window ±2 days: overdue once the 11th has closed.
		e.closeAll(c, "2026-11-10")
		wantAlerts(t, "the window still open", e.alertMessages("prescriber", pid, "injection_overdue"), 0, "")
		e.closeAll(c, "2026-11-11")
		wantAlerts(t, "last day of the window", e.alertMessages("prescriber", pid, "injection_overdue"), 1, "window closed on 2026-11-11")
		e.closeAll(c, "2026-11-12")
		e.closeAll(c, "2026-11-13")
		wantAlerts(t, "after the window", e.alertMessages("prescriber", pid, "injection_overdue"), 1, "window closed on 2026-11-11")
	})
}

// SC1: reviews under accepted shared care fall due with an alert at the
// scheduled day close — the GP practice's (every M5 interval) to the
// practice and the service, the specialist's (yearly) to the service.
func TestScheduledSharedCareReviewAlerts(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(45, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance"})
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "GP agreed to take over early"}}}))
		acc := e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		if acc["gp_review_due"] != "2026-04-05" || acc["specialist_review_due"] != "2027-01-05" {
			t.Fatalf("accepted = %v", acc)
		}
		e.closeAll(c, "2026-04-04")
		wantAlerts(t, "before the GP review", e.alertMessages("prescriber", pid, "gp_review_due"), 0, "")
		e.closeAll(c, "2026-04-05")
		e.closeAll(c, "2026-04-06")
		for _, who := range []string{"prescriber", "gp"} {
			wantAlerts(t, who+": GP review due", e.alertMessages(who, pid, "gp_review_due"), 1, "due on 2026-04-05")
		}
		wantAlerts(t, "no specialist review yet", e.alertMessages("prescriber", pid, "specialist_review_due"), 0, "")
		// The practice's review moves its date on; the service's, a day
		// earlier, does not stand in for it.
		c.Set(mustTime("2026-04-07T10:00:00+01:00"))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "clinical", "notes": "seen in clinic"}))
		c.Set(mustTime("2026-04-08T10:00:00+01:00"))
		e.must(201, e.do("gp", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "regime", "notes": "seen at the practice"}))
		e.closeAll(c, "2026-07-07")
		wantAlerts(t, "before three months after the GP's review", e.alertMessages("gp", pid, "gp_review_due"), 1, "due on 2026-04-05")
		e.closeAll(c, "2026-07-08")
		wantAlerts(t, "three months after the GP's review", e.alertMessages("gp", pid, "gp_review_due"), 2, "due on 2026-07-08")
		// An ECG is a heart trace, not the practice's review: the alert
		// stays open and no date moves.
		e.must(201, e.do("gp", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "ecg", "ecg_date": "2026-07-08", "notes": "QTc 420 ms"}))
		if open := e.alertsOf("gp", "?kind=gp_review_due&patient_id="+pid); len(open) != 1 {
			t.Fatalf("open GP review alerts after an ECG: %v", open)
		}
		// The arrangement and the letter show the dates the reviews moved
		// on to, not the ones set at acceptance.
		for _, who := range []string{"gp", "prescriber"} {
			got := e.must(200, e.do(who, "GET", "/v1/shared-care/"+sc["id"].(string), nil))
			if got["gp_review_due"] != "2026-07-08" || got["specialist_review_due"] != "2027-04-07" {
				t.Fatalf("%s: arrangement review dates = %v, %v", who, got["gp_review_due"], got["specialist_review_due"])
			}
		}
		text := e.summaryText("gp", pid)
		assertText(t, text, "8 Jul 2026", "7 Apr 2027")
		assertNoText(t, text, "5 Jan 2027")

		e.closeAll(c, "2027-01-05")
		wantAlerts(t, "a year after acceptance", e.alertMessages("prescriber", pid, "specialist_review_due"), 0, "")
		// The service reviewed on 2026-04-07: its next review is a year on.
		e.closeAll(c, "2027-04-06")
		wantAlerts(t, "before a year after the service's review", e.alertMessages("prescriber", pid, "specialist_review_due"), 0, "")
		e.closeAll(c, "2027-04-07")
		wantAlerts(t, "a year after the service's review", e.alertMessages("prescriber", pid, "specialist_review_due"), 1, "due on 2027-04-07")
		wantAlerts(t, "the specialist's review is not the practice's", e.alertMessages("gp", pid, "specialist_review_due"), 0, "")
	})
}

// S6: once the first weeks of supervised consumption are up — 4 weeks of
// methadone, 1 of sublingual buprenorphine — the prescriber is asked to
// review whether supervision is still needed; a review answers it, and
// Buvidal, given by a clinician, never asks.
func TestSupervisionReviewDue(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		methadone := e.newPatient(260, nil)
		e.startRegime(methadone, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-02-09"})
		bup := e.newPatient(261, nil)
		e.startRegime(bup, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8, "start_date": "2026-02-09",
			"last_short_acting_opioid_at": "2026-02-08T20:00:00Z"})
		buvidal := e.newPatient(262, nil)
		e.startRegime(buvidal, map[string]any{"medicine": "buvidal_weekly", "dose": 16, "start_date": "2026-02-09",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		count := func(pid string) int {
			return len(e.alertsOf("prescriber", "?kind=supervision_review_due&patient_id="+pid))
		}

		e.closeAll(c, "2026-02-15")
		if count(bup) != 0 {
			t.Fatal("buprenorphine: alerted before a week")
		}
		e.closeAll(c, "2026-02-16")
		if got := e.alertsOf("prescriber", "?kind=supervision_review_due&patient_id="+bup); len(got) != 1 || got[0]["rule"] != "S6" ||
			!strings.Contains(got[0]["message"].(string), "review whether supervision is still needed (due 2026-02-16)") {
			t.Fatalf("buprenorphine after a week: %v", got)
		}
		// An ECG is not a review of the patient: the alert stays open.
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+bup+"/reviews", map[string]any{"kind": "ecg", "ecg_date": "2026-02-16", "notes": "QTc 420 ms"}))
		if count(bup) != 1 {
			t.Fatal("an ECG review resolved the supervision review")
		}
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+bup+"/reviews", map[string]any{"kind": "regime", "notes": "stay supervised"}))
		if count(bup) != 0 || e.resolvedAlert("prescriber", bup, "supervision_review_due") == nil {
			t.Fatal("the review did not resolve the buprenorphine alert")
		}
		e.closeAll(c, "2026-03-08")
		if count(methadone) != 0 {
			t.Fatal("methadone: alerted before 4 weeks")
		}
		e.closeAll(c, "2026-03-09")
		e.closeAll(c, "2026-03-10")
		if count(methadone) != 1 || count(bup) != 0 || count(buvidal) != 0 {
			t.Fatalf("after 4 weeks: methadone %d (want 1), buprenorphine %d, Buvidal %d (want 0)", count(methadone), count(bup), count(buvidal))
		}
	})
}

// S4: a stable patient who misses every other day never reaches MD2's two
// days in a row, but the prescriber hears of the pattern — once a
// fortnight, not at every further missed day — and a review answers it.
func TestIntermittentAttendanceAlert(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-02-09T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(270, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance", "start_date": "2026-02-09",
			"overrides": []map[string]any{{"rule": "M3", "reason": "transfer on 30 mg"}}})
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-02-09",
			"days": 14, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		attend := func(day string) {
			c.Set(mustTime(day + "T10:00:00Z"))
			e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, day)+"/events",
				map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		}
		for _, day := range []string{"2026-02-09", "2026-02-10", "2026-02-11", "2026-02-12", "2026-02-13", "2026-02-14", "2026-02-15"} {
			if day[len(day)-1]%2 == 0 { // the 10th, 12th, 14th
				attend(day)
			}
			e.closeDays(c, day)
			if day == "2026-02-12" && len(e.alertsOf("prescriber", "?kind=intermittent_attendance&patient_id="+pid)) != 0 {
				t.Fatal("alerted at two missed days")
			}
		}
		got := e.alertsOf("prescriber", "?kind=intermittent_attendance&patient_id="+pid)
		if len(got) != 1 || got[0]["rule"] != "S4" ||
			!strings.Contains(got[0]["message"].(string), "3 dose days missed in the 14 days to 2026-02-13 (Mon 9 Feb, Wed 11 Feb, Fri 13 Feb)") {
			t.Fatalf("intermittent attendance alerts = %v", got)
		}
		if n := len(e.alertsOf("prescriber", "?kind=missed_dose&patient_id="+pid)); n != 0 {
			t.Fatalf("MD2 alerts = %d: no two days in a row were missed", n)
		}
		if n := len(e.alertsOf("pharmacist", "?kind=intermittent_attendance&patient_id="+pid)); n != 1 {
			t.Fatalf("the pharmacy sees %d", n)
		}
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses", "notes": "Discussed attendance"}))
		if len(e.alertsOf("prescriber", "?kind=intermittent_attendance&patient_id="+pid)) != 0 ||
			e.resolvedAlert("prescriber", pid, "intermittent_attendance") == nil {
			t.Fatal("the review did not resolve the alert")
		}
	})
}
