package dispensing

import (
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
)

// closedOn marks the days on the given dates as at a pharmacy recorded
// closed then (ADR 0016).
func closedOn(days []DayOutcome, on ...string) []DayOutcome {
	out := slices.Clone(days)
	for i := range out {
		if slices.Contains(on, out[i].Date.String()) {
			out[i].PharmacyClosed = true
		}
	}
	return out
}

func TestClosedMissedIsNotHeldAgainstThePatient(t *testing.T) {
	t.Parallel()
	const S, M, W = Supervised, Missed, Withheld
	tests := []struct {
		name                string
		days                []DayOutcome
		due, missed, taken  int
		attendance, counted int
	}{
		{"missed days count", seq("2026-03-10", M, S, M, S, M, S), 6, 3, 3, 1, 3},
		{"a closed day is not due", closedOn(seq("2026-03-10", M, S, M, S, M, S), "2026-03-12"), 5, 2, 3, 0, 0},
		{"every missed day closed", closedOn(seq("2026-03-10", M, S, M, S, M, S), "2026-03-10", "2026-03-12", "2026-03-14"), 3, 0, 3, 0, 0},
		// The mark speaks for missed days only: a dose withheld or taken
		// on a day later closed is counted as it was recorded.
		{"withheld on a closed day still counts", closedOn(seq("2026-03-10", W, S), "2026-03-10"), 2, 0, 1, 0, 0},
		{"taken on a closed day still counts", closedOn(seq("2026-03-10", S, S), "2026-03-10"), 2, 0, 2, 0, 0},
		// A closed day between two missed ones is no attendance either way:
		// it neither counts nor splits the run.
		{"closed day inside a run", closedOn(seq("2026-03-10", M, M, M, S, M, S), "2026-03-11"), 5, 3, 2, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := ComputeAdherence(tt.days, d("2026-03-01"), d("2026-03-31"))
			if a.Due != tt.due || a.Missed != tt.missed || a.Taken != tt.taken {
				t.Fatalf("adherence = %+v; want due %d, missed %d, taken %d", a, tt.due, tt.missed, tt.taken)
			}
			_, counted, ok := IntermittentAttendance(policy.Defaults(), tt.days, d("2026-03-15"))
			if ok != (tt.attendance == 1) || len(counted) != tt.counted {
				t.Fatalf("IntermittentAttendance = %v, %v; want %v with %d days", ok, counted, tt.attendance == 1, tt.counted)
			}
		})
	}
}

// MD1 still counts a day the pharmacy was closed: the patient went
// without the dose whoever's doing it was.
func TestClosedMissedStillCountsForMD1(t *testing.T) {
	t.Parallel()
	days := closedOn(seq("2026-03-10", Supervised, Missed, Missed, Missed), "2026-03-11", "2026-03-12", "2026-03-13")
	if n := ConsecutiveMissed(days, d("2026-03-14")); n != 3 {
		t.Fatalf("ConsecutiveMissed = %d, want 3", n)
	}
}

func TestClosedInRunAndWithClosure(t *testing.T) {
	t.Parallel()
	const S, M = Supervised, Missed
	f, ok := AlertsForMissed(policy.Defaults(), regimes.StageTitration, 2, d("2026-03-11"))
	if !ok {
		t.Fatal("MD2 should alert")
	}
	tests := []struct {
		name   string
		days   []DayOutcome
		closed []calendar.Date
		says   string
	}{
		{"no closed day leaves the alert as it was", seq("2026-03-10", S, M, M), nil, ""},
		{"one closed day", closedOn(seq("2026-03-10", S, M, M), "2026-03-12"), dates("2026-03-12"),
			"The pharmacy recorded Thu 12 Mar as closed: the patient could not collect the dose then"},
		{"a closed day outside the run", closedOn(seq("2026-03-08", M, S, S, M, M), "2026-03-08"), nil, ""},
		{"a closed supervised day is no closure of a dose missed", closedOn(seq("2026-03-10", S, M, M), "2026-03-10"), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			closed := ClosedInRun(tt.days, d("2026-03-11"), d("2026-03-12"))
			if !slices.EqualFunc(closed, tt.closed, calendar.Date.Equal) {
				t.Fatalf("ClosedInRun = %v, want %v", closed, tt.closed)
			}
			got := WithClosure(f, closed)
			if tt.says == "" && got != f {
				t.Fatalf("WithClosure changed %q to %q", f.Message, got.Message)
			}
			if tt.says != "" && (!strings.HasPrefix(got.Message, f.Message) || !strings.Contains(got.Message, tt.says) || got.Rule != "MD2") {
				t.Fatalf("WithClosure = %+v", got)
			}
		})
	}
}

// Of two records of one day, the one that decides it brings its mark; two
// of equal say excuse the day only when both were at a closed pharmacy.
func TestClosedMarkFollowsTheDecidingRecord(t *testing.T) {
	t.Parallel()
	day := d("2026-03-10")
	tests := []struct {
		name string
		a, b DayOutcome
		want bool
	}{
		{"taken elsewhere decides", DayOutcome{Date: day, Outcome: Missed, PharmacyClosed: true}, DayOutcome{Date: day, Outcome: Supervised}, false},
		{"missed at a closed pharmacy decides over unknown", DayOutcome{Date: day}, DayOutcome{Date: day, Outcome: Missed, PharmacyClosed: true}, true},
		{"both missed, both closed", DayOutcome{Date: day, Outcome: Missed, PharmacyClosed: true}, DayOutcome{Date: day, Outcome: Missed, PharmacyClosed: true}, true},
		{"both missed, one open", DayOutcome{Date: day, Outcome: Missed, PharmacyClosed: true}, DayOutcome{Date: day, Outcome: Missed}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := byDay([]DayOutcome{tt.a, tt.b})
			if len(got) != 1 || got[0].ClosedMissed() != tt.want {
				t.Fatalf("byDay = %+v, want closed-missed %v", got, tt.want)
			}
		})
	}
}

func TestMissedYesterdayWhenThePharmacyWasClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        WarningInput
		says, not string
	}{
		{"missed by the patient", WarningInput{MissedYesterday: true}, "ask the patient why", "pharmacy was closed"},
		{"pharmacy closed", WarningInput{MissedYesterday: true, YesterdayClosed: true}, "because the pharmacy was closed", "ask the patient why"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := Warnings(tt.in)
			if len(ws) != 1 || ws[0].Code != WarnMissedYesterday || ws[0].Rule != "MD2" ||
				!strings.Contains(ws[0].Message, tt.says) || strings.Contains(ws[0].Message, tt.not) {
				t.Fatalf("Warnings = %+v", ws)
			}
		})
	}
}
