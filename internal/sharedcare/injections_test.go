package sharedcare

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
)

func TestCheckPracticeInjection(t *testing.T) {
	t.Parallel()
	day := func(s string) calendar.Date { return calendar.MustParse(s) }
	// A weekly dose given on 30 November is next due on 7 December, on time
	// from 5 to 9 December (BV8's 2 days either side).
	weekly := regimes.InjectionDue{Due: day("2026-12-07"), Earliest: day("2026-12-05"), Latest: day("2026-12-09"),
		After: &regimes.Administration{Date: day("2026-11-30"), Dose: dosing.Mg(24)}}
	tests := []struct {
		name          string
		date          string
		extra         bool
		dose, current dosing.Micrograms
		refused       int  // SC1 blocks
		late          bool // SC1 informs that the service is alerted
	}{
		{name: "the current dose on the due day", date: "2026-12-07", dose: dosing.Mg(24), current: dosing.Mg(24)},
		{name: "on the window's first day", date: "2026-12-05", dose: dosing.Mg(24), current: dosing.Mg(24)},
		{name: "on the window's last day", date: "2026-12-09", dose: dosing.Mg(24), current: dosing.Mg(24)},
		{name: "a higher dose", date: "2026-12-07", dose: dosing.Mg(32), current: dosing.Mg(24), refused: 1},
		{name: "a lower dose", date: "2026-12-07", dose: dosing.Mg(16), current: dosing.Mg(24), refused: 1},
		{name: "an extra 8 mg dose", date: "2026-12-03", extra: true, dose: dosing.Mg(8), current: dosing.Mg(24), refused: 1},
		{name: "an extra dose of the current dose", date: "2026-12-07", extra: true, dose: dosing.Mg(24), current: dosing.Mg(24), refused: 1},
		{name: "no current dose known", date: "2026-12-07", dose: dosing.Mg(24), current: 0, refused: 1},
		{name: "the day before the window opens", date: "2026-12-04", dose: dosing.Mg(24), current: dosing.Mg(24), refused: 1},
		{name: "3 days after the last dose", date: "2026-12-03", dose: dosing.Mg(24), current: dosing.Mg(24), refused: 1},
		{name: "early and another dose", date: "2026-12-03", dose: dosing.Mg(16), current: dosing.Mg(24), refused: 2},
		{name: "the day after the window closes", date: "2026-12-10", dose: dosing.Mg(24), current: dosing.Mg(24), late: true},
		{name: "weeks late", date: "2026-12-28", dose: dosing.Mg(24), current: dosing.Mg(24), late: true},
		{name: "late and another dose", date: "2026-12-10", dose: dosing.Mg(32), current: dosing.Mg(24), refused: 1, late: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := PracticeInjection{Date: day(tt.date), Dose: tt.dose, Extra: tt.extra, Current: tt.current, Window: weekly}
			fs := CheckPracticeInjection(policy.Defaults(), in)
			var blocks, infos int
			for _, f := range fs {
				if f.Rule != "SC1" || f.Message == "" || f.Action == "" {
					t.Errorf("finding %+v, want a complete SC1 finding", f)
				}
				switch f.Severity {
				case policy.Block:
					blocks++
				case policy.Info:
					infos++
				default:
					t.Errorf("finding %+v: SC1 blocks or informs here, never asks for an override", f)
				}
			}
			if blocks != tt.refused || (infos == 1) != tt.late || infos > 1 {
				t.Fatalf("findings %+v: want %d blocks, late %v", fs, tt.refused, tt.late)
			}
			if in.Late() != tt.late {
				t.Errorf("Late() = %v, want %v", in.Late(), tt.late)
			}
		})
	}
}

func TestCheckPracticeInjectionMonthly(t *testing.T) {
	t.Parallel()
	day := func(s string) calendar.Date { return calendar.MustParse(s) }
	// A monthly dose given on 2 November is next due on 30 November, on
	// time from 23 November to 7 December (BV8's week either side).
	monthly := regimes.InjectionDue{Due: day("2026-11-30"), Earliest: day("2026-11-23"), Latest: day("2026-12-07"),
		After: &regimes.Administration{Date: day("2026-11-02"), Dose: dosing.Mg(96)}}
	for date, want := range map[string]string{"2026-11-22": "early", "2026-11-23": "", "2026-12-07": "", "2026-12-08": "late"} {
		fs := CheckPracticeInjection(policy.Defaults(), PracticeInjection{Date: day(date), Dose: dosing.Mg(96), Current: dosing.Mg(96), Window: monthly})
		got := ""
		for _, f := range fs {
			switch f.Severity {
			case policy.Block:
				got = "early"
			case policy.Info:
				got = "late"
			}
		}
		if got != want {
			t.Errorf("%s: findings %+v, want %q", date, fs, want)
		}
	}
}

func TestLateInjectionToService(t *testing.T) {
	t.Parallel()
	day := func(s string) calendar.Date { return calendar.MustParse(s) }
	m := LateInjection{Dose: dosing.Mg(16), Date: day("2026-12-11"), Next: day("2026-12-18"),
		Window: regimes.InjectionDue{Due: day("2026-12-07"), Earliest: day("2026-12-05"), Latest: day("2026-12-09"),
			After: &regimes.Administration{Date: day("2026-11-30"), Dose: dosing.Mg(16)}}}
	got := m.ToService()
	for _, want := range []string{"GP practice gave the regular injection of 16 mg on 2026-12-11", "window closed on 2026-12-09",
		"due on 2026-12-07, after the 16 mg injection on 2026-11-30", "Decide how to continue", "due on 2026-12-18"} {
		if !strings.Contains(got, want) {
			t.Errorf("ToService() = %q, want it to contain %q", got, want)
		}
	}
	m.Window.After, m.Next = nil, calendar.Date{}
	if got := m.ToService(); strings.Contains(got, "after the") || strings.Contains(got, "next one") {
		t.Errorf("ToService() = %q: names no earlier injection or next date it does not have", got)
	}
}

func TestInjectionCorrected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        InjectionCorrected
		what      string
		toService string
	}{
		{"entered in error", InjectionCorrected{By: "Dr Owen Price at Abbey Road Surgery", Dose: dosing.Mg(24), Date: calendar.MustParse("2026-12-03"),
			Reason: "recorded against the wrong patient", Next: calendar.MustParse("2026-12-03")},
			"entered the injection of 24 mg recorded on 2026-12-03 in error: it was not given to this patient",
			"Dr Owen Price at Abbey Road Surgery entered the injection of 24 mg recorded on 2026-12-03 in error: it was not given to this patient (reason given: recorded against the wrong patient). The next regular injection is now due on 2026-12-03."},
		{"replaced", InjectionCorrected{By: "Dr Owen Price at Abbey Road Surgery", Dose: dosing.Mg(24), Date: calendar.MustParse("2026-12-03"),
			Replacement: &CorrectedInjection{Dose: dosing.Mg(24), Date: calendar.MustParse("2026-12-02")}},
			"corrected the injection of 24 mg recorded on 2026-12-03 to 24 mg on 2026-12-02",
			"Dr Owen Price at Abbey Road Surgery corrected the injection of 24 mg recorded on 2026-12-03 to 24 mg on 2026-12-02."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.What(); got != tt.what {
				t.Errorf("What() = %q, want %q", got, tt.what)
			}
			if got := tt.in.ToService(); got != tt.toService {
				t.Errorf("ToService() = %q, want %q", got, tt.toService)
			}
		})
	}
}
