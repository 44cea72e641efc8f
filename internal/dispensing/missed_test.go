package dispensing

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
)

var d = calendar.MustParse

// noReview is no review recorded.
var noReview []ReviewMark

// seq is one dose day per outcome from start onwards; "" is not yet known.
func seq(start string, outcomes ...Outcome) []DayOutcome {
	out := make([]DayOutcome, len(outcomes))
	for i, o := range outcomes {
		out[i] = DayOutcome{Date: d(start).AddDays(i), Outcome: o}
	}
	return out
}

func join(parts ...[]DayOutcome) []DayOutcome { return slices.Concat(parts...) }

func dates(ss ...string) []calendar.Date {
	out := make([]calendar.Date, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

// carried marks the days after on as carried by an instalment collected
// on on.
func carried(on string, days []DayOutcome) []DayOutcome {
	out := slices.Clone(days)
	for i := range out {
		if out[i].Date.After(d(on)) {
			out[i].On = d(on)
		}
	}
	return out
}

func TestExpandInstalment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		date    string
		covers  []calendar.Date
		outcome Outcome
		want    []DayOutcome
	}{
		{
			// Saturday 28 March 2026 collects Sunday's dose, the day the clocks go forward.
			name: "weekend take-home collected", date: "2026-03-28",
			covers: dates("2026-03-28", "2026-03-29"), outcome: Collected,
			want: carried("2026-03-28", seq("2026-03-28", Collected, Collected)),
		},
		{
			name: "Friday take-home over the weekend missed", date: "2026-10-23",
			covers: dates("2026-10-25", "2026-10-23", "2026-10-24"), outcome: Missed,
			want: carried("2026-10-23", seq("2026-10-23", Missed, Missed, Missed)),
		},
		{name: "single supervised day, covers empty", date: "2026-03-30", outcome: Supervised, want: seq("2026-03-30", Supervised)},
		{
			// Saturday supervised, Sunday (closed) handed over to take home.
			name: "supervised with a closed day carried", date: "2026-03-28",
			covers: dates("2026-03-28", "2026-03-29"), outcome: Supervised,
			want: carried("2026-03-28", seq("2026-03-28", Supervised, Collected)),
		},
		{name: "withheld", date: "2026-03-30", covers: dates("2026-03-30", "2026-03-31"), outcome: Withheld, want: carried("2026-03-30", seq("2026-03-30", Withheld, Withheld))},
		{name: "not yet known", date: "2026-03-30", covers: dates("2026-03-30", "2026-03-31"), want: carried("2026-03-30", seq("2026-03-30", "", ""))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ExpandInstalment(d(tt.date), tt.covers, tt.outcome)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExpandInstalment() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConsecutiveMissed(t *testing.T) {
	t.Parallel()
	// Prescription A runs to Sunday 2026-03-29 (clock change); B starts Monday.
	presA := join(
		seq("2026-03-23", Supervised, Supervised, Supervised, Supervised),
		seq("2026-03-27", Missed),
		ExpandInstalment(d("2026-03-28"), dates("2026-03-28", "2026-03-29"), Missed),
	)
	presB := seq("2026-03-30", Missed, "", "")
	tests := []struct {
		name  string
		days  []DayOutcome
		asOf  string
		want  int
		since string // the run's first day, when checked
	}{
		{name: "no days", asOf: "2026-03-30", want: 0},
		{name: "all taken", days: seq("2026-03-23", Supervised, Collected, Supervised), asOf: "2026-03-25", want: 0},
		{name: "one missed", days: seq("2026-03-23", Supervised, Missed), asOf: "2026-03-24", want: 1},
		{name: "two missed", days: seq("2026-03-23", Supervised, Missed, Missed), asOf: "2026-03-25", want: 2},
		{name: "three missed", days: seq("2026-03-23", Supervised, Missed, Missed, Missed), asOf: "2026-03-26", want: 3, since: "2026-03-24"},
		{name: "taken last day ends the run", days: seq("2026-03-23", Missed, Missed, Missed, Supervised), asOf: "2026-03-26", want: 0},
		{name: "taken in the middle", days: seq("2026-03-23", Missed, Missed, Collected, Missed), asOf: "2026-03-26", want: 1, since: "2026-03-26"},
		{name: "withheld and refused count as not taken", days: seq("2026-03-23", Supervised, Withheld, Refused, Missed), asOf: "2026-03-26", want: 3},
		{name: "today not closed is skipped", days: seq("2026-03-23", Supervised, Missed, Missed, ""), asOf: "2026-03-26", want: 2},
		// Days gone by that no close has marked (the scheduled close
		// failed, the server was down) count as missed: the patient did
		// not take the dose whether or not a close ran.
		{name: "an earlier day not closed counts, today is skipped", days: seq("2026-03-23", Missed, Missed, Missed, "", ""), asOf: "2026-03-27", want: 4, since: "2026-03-23"},
		{name: "an unclosed day inside the run counts", days: seq("2026-03-23", Missed, "", Missed, Missed), asOf: "2026-03-26", want: 4, since: "2026-03-23"},
		{name: "no day closed at all", days: seq("2026-03-23", Supervised, "", "", "", ""), asOf: "2026-03-27", want: 3, since: "2026-03-24"},
		{name: "an unclosed day after a dose taken", days: seq("2026-03-23", Missed, Missed, Supervised, ""), asOf: "2026-03-27", want: 1, since: "2026-03-26"},
		{name: "days after asOf not yet collected stay unknown", days: seq("2026-03-23", "", "", "", ""), asOf: "2026-03-24", want: 1, since: "2026-03-23"},
		{
			name: "an unclosed take-home counts every day it covers, the days ahead too",
			days: join(seq("2026-03-19", Supervised), ExpandInstalment(d("2026-03-20"), dates("2026-03-20", "2026-03-21", "2026-03-22"), "")),
			asOf: "2026-03-21", want: 3, since: "2026-03-20",
		},
		{
			name: "today's take-home not recorded yet is skipped, days ahead and all",
			days: join(seq("2026-03-19", Missed), ExpandInstalment(d("2026-03-20"), dates("2026-03-20", "2026-03-21", "2026-03-22"), "")),
			asOf: "2026-03-20", want: 1, since: "2026-03-19",
		},
		{
			// Tuesday, from the unclosed Monday take-home, prescribed again
			// and due today: the new instalment decides it.
			name: "a day prescribed again goes by its new instalment",
			days: join(seq("2026-03-20", Missed), ExpandInstalment(d("2026-03-23"), dates("2026-03-23", "2026-03-24", "2026-03-25"), ""),
				seq("2026-03-24", "", "")),
			asOf: "2026-03-24", want: 2, since: "2026-03-20",
		},
		{name: "days after asOf are ignored", days: seq("2026-03-23", Missed, Missed, Supervised), asOf: "2026-03-24", want: 2},
		{name: "asOf before any day", days: seq("2026-03-23", Missed), asOf: "2026-03-22", want: 0},
		{name: "unsorted input", days: []DayOutcome{
			{Date: d("2026-03-25"), Outcome: Missed}, {Date: d("2026-03-23"), Outcome: Supervised}, {Date: d("2026-03-24"), Outcome: Missed},
		}, asOf: "2026-03-25", want: 2},
		{name: "run spans two prescriptions and the clock change", days: join(presB, presA), asOf: "2026-03-31", want: 4, since: "2026-03-27"},
		{name: "same run as of the Sunday", days: join(presA, presB), asOf: "2026-03-29", want: 3},
		{
			name: "weekend take-home collected breaks the run",
			days: join(
				seq("2026-03-26", Missed, Missed),
				ExpandInstalment(d("2026-03-28"), dates("2026-03-28", "2026-03-29"), Collected),
				seq("2026-03-30", Missed),
			),
			asOf: "2026-03-30", want: 1,
		},
		{
			name: "weekend take-home missed counts both days",
			days: join(
				seq("2026-10-22", Supervised, Missed),
				ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Missed),
			),
			asOf: "2026-10-25", want: 3,
		},
		{
			name: "overlapping prescriptions: taken on either counts as taken",
			days: join(seq("2026-10-24", Missed, Missed, Missed), []DayOutcome{{Date: d("2026-10-25"), Outcome: Supervised}}),
			asOf: "2026-10-26", want: 1,
		},
		// Monday's take-home withheld: Tuesday and Wednesday went with it,
		// so the run is three days from Monday on (MD1, MD2 and MD3 alike).
		{
			name: "a withheld take-home counts every day it covers, as of its collection day",
			days: join(seq("2026-03-20", Supervised), ExpandInstalment(d("2026-03-23"), dates("2026-03-23", "2026-03-24", "2026-03-25"), Withheld),
				seq("2026-03-26", "")),
			asOf: "2026-03-23", want: 3, since: "2026-03-23",
		},
		{
			name: "a take-home not recorded yet decides nothing ahead",
			days: join(seq("2026-03-20", Missed, Missed), ExpandInstalment(d("2026-03-23"), dates("2026-03-23", "2026-03-24", "2026-03-25"), "")),
			asOf: "2026-03-23", want: 2, since: "2026-03-20",
		},
		{
			name: "a day collected after asOf is not known as of asOf, whatever it says now",
			days: seq("2026-03-23", Missed, Missed, Missed), asOf: "2026-03-24", want: 2,
		},
		{
			name: "a day between prescriptions with no dose day does not break the run",
			days: join(seq("2026-10-23", Missed, Missed), seq("2026-10-26", Missed)),
			asOf: "2026-10-26", want: 3, since: "2026-10-23",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := slices.Clone(tt.days)
			if got := ConsecutiveMissed(tt.days, d(tt.asOf)); got != tt.want {
				t.Errorf("ConsecutiveMissed() = %d, want %d", got, tt.want)
			}
			count, since := MissedRun(tt.days, d(tt.asOf))
			if count != tt.want || (count == 0) != since.IsZero() {
				t.Errorf("MissedRun() = %d since %s, want %d", count, since, tt.want)
			}
			if tt.since != "" && since != d(tt.since) {
				t.Errorf("MissedRun() since %s, want %s", since, tt.since)
			}
			if !slices.Equal(before, tt.days) {
				t.Error("ConsecutiveMissed changed its input")
			}
		})
	}
}

func TestDaysAsOf(t *testing.T) {
	t.Parallel()
	// Monday 30 November 2026's take-home covers Monday to Wednesday.
	takeHome := func(o Outcome) []DayOutcome {
		return ExpandInstalment(d("2026-11-30"), dates("2026-11-30", "2026-12-01", "2026-12-02"), o)
	}
	day := func(date string, o Outcome, on string) DayOutcome {
		out := DayOutcome{Date: d(date), Outcome: o}
		if on != "" {
			out.On = d(on)
		}
		return out
	}
	tests := []struct {
		name string
		days []DayOutcome
		asOf string
		want []DayOutcome
	}{
		{name: "a withheld take-home decides its later days from its collection day", days: takeHome(Withheld), asOf: "2026-11-30",
			want: []DayOutcome{day("2026-11-30", Withheld, ""), day("2026-12-01", Withheld, "2026-11-30"), day("2026-12-02", Withheld, "2026-11-30")}},
		{name: "but not before it", days: takeHome(Withheld), asOf: "2026-11-29", want: []DayOutcome{}},
		{name: "a take-home not recorded decides nothing ahead", days: takeHome(""), asOf: "2026-11-30",
			want: []DayOutcome{day("2026-11-30", "", "")}},
		// Its prescription cancelled, Tuesday and Wednesday prescribed
		// again: the new instalments decide them, and are not known yet.
		{name: "days prescribed again go by the new instalments", days: join(takeHome(Withheld), seq("2026-12-01", "", "")), asOf: "2026-11-30",
			want: []DayOutcome{day("2026-11-30", Withheld, "")}},
		{name: "a new instalment's day once it has come", days: join(takeHome(Withheld), seq("2026-12-01", "", "")), asOf: "2026-12-01",
			want: []DayOutcome{day("2026-11-30", Withheld, ""), day("2026-12-01", "", "")}},
		{name: "a new instalment missed is missed on its own day", days: join(seq("2026-12-01", Missed, ""), takeHome(Withheld)), asOf: "2026-12-02",
			want: []DayOutcome{day("2026-11-30", Withheld, ""), day("2026-12-01", Missed, ""), day("2026-12-02", "", "")}},
		{name: "a dose taken counts whichever record holds it", days: join(ExpandInstalment(d("2026-11-30"),
			dates("2026-11-30", "2026-12-01"), Collected), seq("2026-12-01", Missed)), asOf: "2026-12-01",
			want: []DayOutcome{day("2026-11-30", Collected, ""), day("2026-12-01", Collected, "2026-11-30")}},
		{name: "two records collected the same day go by rank", days: join(seq("2026-12-01", ""), seq("2026-12-01", Missed)), asOf: "2026-12-01",
			want: []DayOutcome{day("2026-12-01", Missed, "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DaysAsOf(tt.days, d(tt.asOf)); !slices.Equal(got, tt.want) {
				t.Errorf("DaysAsOf() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecidedAhead(t *testing.T) {
	t.Parallel()
	takeHome := func(o Outcome) []DayOutcome {
		return ExpandInstalment(d("2026-11-30"), dates("2026-11-30", "2026-12-01", "2026-12-02"), o)
	}
	tests := []struct {
		name string
		days []DayOutcome
		to   string
		want string // "": none
	}{
		{name: "withheld, covering two days past to", days: takeHome(Withheld), to: "2026-11-30", want: "2026-12-02"},
		{name: "missed, one day past to", days: takeHome(Missed), to: "2026-12-01", want: "2026-12-02"},
		{name: "collected: nothing to read on for", days: takeHome(Collected), to: "2026-11-30"},
		{name: "not recorded", days: takeHome(""), to: "2026-11-30"},
		{name: "nothing past to", days: takeHome(Withheld), to: "2026-12-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := DecidedAhead(tt.days, d(tt.to))
			if (tt.want == "" && !got.IsZero()) || (tt.want != "" && got != d(tt.want)) {
				t.Errorf("DecidedAhead() = %s, want %q", got, tt.want)
			}
		})
	}
}

func TestMD1Block(t *testing.T) {
	t.Parallel()
	tuned := policy.Defaults()
	tuned.MD1ConsecutiveMissedDays = 4
	// Missed Thu 2026-10-22 to Sun 2026-10-25 (clock change) in two prescriptions.
	fourMissed := join(
		seq("2026-10-20", Supervised, Supervised),
		seq("2026-10-22", Missed, Missed),
		ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Missed),
		seq("2026-10-26", ""),
	)
	tests := []struct {
		name       string
		n          policy.Numbers
		days       []DayOutcome
		asOf       string
		review     string // the review's day, and when it was recorded: "2026-10-24 2026-10-24T15:00:00Z"
		wantOK     bool
		wantMissed int
		wantSince  string
		wantLast   string
	}{
		{name: "two missed: no block", days: seq("2026-03-27", Supervised, Missed, Missed, ""), asOf: "2026-03-30"},
		{name: "three missed: blocked", days: seq("2026-03-27", Missed, Missed, Missed, ""), asOf: "2026-03-30",
			wantOK: true, wantMissed: 3, wantSince: "2026-03-27", wantLast: "2026-03-29"},
		{name: "four missed across prescriptions", days: fourMissed, asOf: "2026-10-26",
			wantOK: true, wantMissed: 4, wantSince: "2026-10-22", wantLast: "2026-10-25"},
		{name: "withheld and refused count", days: seq("2026-03-27", Withheld, Refused, Missed), asOf: "2026-03-30",
			wantOK: true, wantMissed: 3, wantSince: "2026-03-27", wantLast: "2026-03-29"},
		{name: "review before the last missed day does not lift", days: fourMissed, asOf: "2026-10-26", review: "2026-10-24 2026-10-24T15:00:00Z",
			wantOK: true, wantMissed: 4, wantSince: "2026-10-22", wantLast: "2026-10-25"},
		// Without a record time a day is known when it ends.
		{name: "review during the last missed day does not lift", days: fourMissed, asOf: "2026-10-26", review: "2026-10-25 2026-10-25T09:00:00Z",
			wantOK: true, wantMissed: 4, wantSince: "2026-10-22", wantLast: "2026-10-25"},
		{name: "review recorded later but dated before the last missed day does not lift", days: fourMissed, asOf: "2026-10-26",
			review: "2026-10-23 2026-10-26T09:00:00Z", wantOK: true, wantMissed: 4, wantSince: "2026-10-22", wantLast: "2026-10-25"},
		// Sunday's dose went (or did not go) with Saturday's instalment:
		// the run's last day is known on Saturday, and a review cannot be
		// dated ahead.
		{name: "review dated the collection day of a carried last day lifts", days: fourMissed, asOf: "2026-10-26",
			review: "2026-10-24 2026-10-26T09:00:00Z"},
		{name: "review of a withheld weekend on its Saturday lifts", days: join(seq("2026-10-23", Missed),
			Known(ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Withheld), instant("2026-10-24T10:00:00Z")), seq("2026-10-26", "")),
			asOf: "2026-10-26", review: "2026-10-24 2026-10-24T14:00:00Z"},
		{name: "review of a withheld weekend before the withholding does not lift", days: join(seq("2026-10-23", Missed),
			Known(ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Withheld), instant("2026-10-24T10:00:00Z")), seq("2026-10-26", "")),
			asOf: "2026-10-26", review: "2026-10-24 2026-10-24T09:00:00Z", wantOK: true, wantMissed: 3, wantSince: "2026-10-23", wantLast: "2026-10-25"},
		{name: "a withheld weekend blocks on its covered Sunday", days: join(seq("2026-10-23", Missed),
			Known(ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Withheld), instant("2026-10-24T10:00:00Z"))),
			asOf: "2026-10-25", wantOK: true, wantMissed: 3, wantSince: "2026-10-23", wantLast: "2026-10-25"},
		// Sunday on two prescriptions, one carrying it from Saturday, one
		// collecting it on Sunday: known on Sunday.
		{name: "a last day also collected on its own day is known then", days: join(seq("2026-10-23", Missed),
			ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Missed), seq("2026-10-25", Missed)),
			asOf: "2026-10-26", review: "2026-10-24 2026-10-26T09:00:00Z", wantOK: true, wantMissed: 3, wantSince: "2026-10-23", wantLast: "2026-10-25"},
		// Sunday's dose went with Saturday's instalment: the run is known
		// on Saturday, as the alert raised then and MD3's advice say.
		{name: "and blocks already on its Saturday", days: join(seq("2026-10-23", Missed),
			Known(ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Withheld), instant("2026-10-24T10:00:00Z"))),
			asOf: "2026-10-24", wantOK: true, wantMissed: 3, wantSince: "2026-10-23", wantLast: "2026-10-25"},
		{name: "but not on its Friday", days: join(seq("2026-10-23", Missed),
			Known(ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Withheld), instant("2026-10-24T10:00:00Z"))),
			asOf: "2026-10-23"},
		{name: "review for the last missed day recorded the next morning lifts", days: fourMissed, asOf: "2026-10-26",
			review: "2026-10-25 2026-10-26T09:00:00Z"},
		{name: "review after the last missed day lifts", days: fourMissed, asOf: "2026-10-26", review: "2026-10-26 2026-10-26T09:00:00Z"},
		{name: "review after the day close lifts", days: join(seq("2026-10-22", Missed, Missed),
			Known(seq("2026-10-24", Missed), instant("2026-10-24T22:00:00Z")), seq("2026-10-25", "")),
			asOf: "2026-10-25", review: "2026-10-24 2026-10-24T22:30:00Z"},
		{name: "review before the day close does not lift", days: join(seq("2026-10-22", Missed, Missed),
			Known(seq("2026-10-24", Missed), instant("2026-10-24T22:00:00Z")), seq("2026-10-25", "")),
			asOf: "2026-10-25", review: "2026-10-24 2026-10-24T09:00:00Z",
			wantOK: true, wantMissed: 3, wantSince: "2026-10-22", wantLast: "2026-10-24"},
		// A dose withheld in the morning, reviewed in the afternoon.
		{name: "review after a withheld third day lifts", days: join(seq("2026-10-22", Missed, Missed),
			Known(seq("2026-10-24", Withheld), instant("2026-10-24T10:00:00Z"))),
			asOf: "2026-10-24", review: "2026-10-24 2026-10-24T14:00:00Z"},
		{
			name:   "another missed day after the review blocks again",
			days:   join(seq("2026-03-24", Missed, Missed, Missed, Missed, "")),
			asOf:   "2026-03-28",
			review: "2026-03-27 2026-03-27T09:00:00Z",
			wantOK: true, wantMissed: 4, wantSince: "2026-03-24", wantLast: "2026-03-27",
		},
		{name: "taken after the run ends the block", days: seq("2026-03-24", Missed, Missed, Missed, Supervised), asOf: "2026-03-28"},
		// Monday's take-home withheld, Tuesday and Wednesday prescribed
		// again: no block on them, none while Tuesday's is missed.
		{name: "days prescribed again after a withheld take-home do not block", days: join(
			ExpandInstalment(d("2026-11-30"), dates("2026-11-30", "2026-12-01", "2026-12-02"), Withheld), seq("2026-12-01", "", "")),
			asOf: "2026-12-01"},
		{name: "nor with the first of them missed", days: join(
			ExpandInstalment(d("2026-11-30"), dates("2026-11-30", "2026-12-01", "2026-12-02"), Withheld), seq("2026-12-01", Missed, "")),
			asOf: "2026-12-02"},
		{name: "but with both missed", days: join(
			ExpandInstalment(d("2026-11-30"), dates("2026-11-30", "2026-12-01", "2026-12-02"), Withheld), seq("2026-12-01", Missed, Missed, "")),
			asOf: "2026-12-03", wantOK: true, wantMissed: 3, wantSince: "2026-11-30", wantLast: "2026-12-02"},
		// No close ran Monday 30 November to Wednesday: the titration
		// patient who took no dose is blocked on Thursday all the same.
		{name: "three days no close marked block the fourth", days: seq("2026-11-30", "", "", "", ""), asOf: "2026-12-03",
			wantOK: true, wantMissed: 3, wantSince: "2026-11-30", wantLast: "2026-12-02"},
		{name: "but not the third, whose own day is not over", days: seq("2026-11-30", "", "", "", ""), asOf: "2026-12-02"},
		{name: "nor after a dose taken on an unclosed day", days: seq("2026-11-30", "", "", Supervised, ""), asOf: "2026-12-03"},
		{name: "a review on Thursday lifts the block of unclosed days", days: seq("2026-11-30", "", "", "", ""), asOf: "2026-12-03",
			review: "2026-12-03 2026-12-03T09:00:00Z"},
		{name: "tuned to four: three is not enough", n: tuned, days: seq("2026-03-27", Missed, Missed, Missed), asOf: "2026-03-30"},
		{name: "tuned to four: four blocks", n: tuned, days: fourMissed, asOf: "2026-10-26",
			wantOK: true, wantMissed: 4, wantSince: "2026-10-22", wantLast: "2026-10-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := tt.n
			if n == (policy.Numbers{}) {
				n = policy.Defaults()
			}
			var reviews []ReviewMark
			if on, at, ok := strings.Cut(tt.review, " "); ok {
				reviews = []ReviewMark{{On: d(on), At: instant(at)}}
			}
			b, ok := MD1Block(n, tt.days, d(tt.asOf), reviews, nil)
			if ok != tt.wantOK {
				t.Fatalf("MD1Block() ok = %v, want %v (%+v)", ok, tt.wantOK, b)
			}
			if !ok {
				if b != (Block{}) {
					t.Errorf("MD1Block() = %+v with ok false", b)
				}
				return
			}
			if b.Rule != "MD1" || b.Missed != tt.wantMissed || b.Since != d(tt.wantSince) || b.LastMissed != d(tt.wantLast) ||
				b.Threshold != n.MD1ConsecutiveMissedDays {
				t.Errorf("MD1Block() = %+v, want %d missed %s–%s", b, tt.wantMissed, tt.wantSince, tt.wantLast)
			}
			want := "Do not dispense: " + map[int]string{3: "3", 4: "4"}[n.MD1ConsecutiveMissedDays] +
				" or more consecutive days missed — contact the prescriber."
			if b.Message != want {
				t.Errorf("Message = %q, want %q", b.Message, want)
			}
			// A pharmacist reads Action and cannot record reviews: it says
			// whom to contact and names no API request.
			if !strings.Contains(b.Action, "Contact the prescriber") || !strings.Contains(b.Action, "review") ||
				strings.Contains(b.Action, "/v1/") {
				t.Errorf("Action = %q, want the pharmacist told to contact the prescriber, with no API path", b.Action)
			}
			// The alert is the prescriber's cue, read by the pharmacy too:
			// it says what lifts the block, in words, with no API path.
			msg := b.AlertMessage()
			for _, want := range []string{fmt.Sprintf("%d consecutive days missed since %s", tt.wantMissed, tt.wantSince),
				"(the last on " + tt.wantLast + ")", "recorded the review in Dosebook"} {
				if !strings.Contains(msg, want) {
					t.Errorf("AlertMessage() = %q, want it to say %q", msg, want)
				}
			}
			if strings.Contains(msg, "/v1/") {
				t.Errorf("AlertMessage() = %q names an API path", msg)
			}
			f := b.Finding(n)
			if f.Rule != "MD1" || f.Severity != policy.Block || f.Message != b.Message {
				t.Errorf("Finding() = %+v", f)
			}
		})
	}
}

func TestMD1Runs(t *testing.T) {
	t.Parallel()
	days := join(
		seq("2026-03-02", Missed, Missed, Missed, Supervised),           // reached 03-04
		seq("2026-03-10", Missed, Missed, Supervised),                   // too short
		seq("2026-03-20", Withheld, Missed, Refused, Missed, Collected), // reached 03-22, last 03-23
		seq("2026-03-28", Missed, Missed, Missed),                       // open at the end: reached 03-30
	)
	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"whole month", "2026-03-01", "2026-03-31", 3},
		{"window starts inside a blocked stretch", "2026-03-23", "2026-03-31", 2},
		{"window ends before a run reaches the threshold", "2026-03-01", "2026-03-03", 0},
		{"window ends the day a run reaches it", "2026-03-01", "2026-03-04", 1},
		{"short run only", "2026-03-10", "2026-03-12", 0},
		{"after everything", "2026-04-01", "2026-04-30", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := MD1Runs(policy.Defaults(), days, d(tt.from), d(tt.to)); got != tt.want {
				t.Errorf("MD1Runs() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestAlertsForMissed(t *testing.T) {
	t.Parallel()
	tuned := policy.Defaults()
	tuned.MD2StableMissed = 3
	tests := []struct {
		name     string
		n        policy.Numbers
		stage    regimes.Stage
		missed   int
		want     bool
		wantText string
	}{
		{name: "titration none", stage: regimes.StageTitration, missed: 0},
		{name: "titration first miss", stage: regimes.StageTitration, missed: 1, want: true,
			wantText: "1 consecutive day(s) without the dose (missed, withheld or refused) during titration, the run starting 2026-03-09"},
		{name: "induction first miss", stage: regimes.StageInduction, missed: 1, want: true, wantText: "during induction"},
		{name: "maintenance one", stage: regimes.StageMaintenance, missed: 1},
		{name: "maintenance two", stage: regimes.StageMaintenance, missed: 2, want: true, wantText: "on a stable dose"},
		{name: "maintenance five", stage: regimes.StageMaintenance, missed: 5, want: true, wantText: "5 consecutive"},
		{name: "reduction one", stage: regimes.StageReduction, missed: 1},
		{name: "reduction two", stage: regimes.StageReduction, missed: 2, want: true},
		{name: "unknown stage alerts early", stage: "stable", missed: 1, want: true, wantText: "treated as titration"},
		{name: "tuned stable figure: two", n: tuned, stage: regimes.StageMaintenance, missed: 2},
		{name: "tuned stable figure: three", n: tuned, stage: regimes.StageMaintenance, missed: 3, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := tt.n
			if n == (policy.Numbers{}) {
				n = policy.Defaults()
			}
			f, ok := AlertsForMissed(n, tt.stage, tt.missed, d("2026-03-09"))
			if ok != tt.want {
				t.Fatalf("AlertsForMissed() ok = %v, want %v", ok, tt.want)
			}
			if !ok {
				return
			}
			if f.Rule != "MD2" || f.Severity != policy.Info || !strings.Contains(f.Message, tt.wantText) || f.Action == "" {
				t.Errorf("AlertsForMissed() = %+v, want MD2 info containing %q", f, tt.wantText)
			}
		})
	}
}

func TestAlertForWithheld(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name     string
		reason   WithheldReason
		notes    string
		rule     string
		severity policy.Severity
		want     []string
		unwanted []string
	}{
		{"intoxicated", ReasonIntoxicated, "", "S3", policy.Block, []string{"intoxicated"}, []string{"notes"}},
		{"intoxicated with notes", ReasonIntoxicated, "  slurred speech,\n unsteady  ", "S3", policy.Block,
			[]string{"intoxicated", "The pharmacist's notes: “slurred speech, unsteady”"}, nil},
		{"identity", ReasonIdentityNotConfirmed, "", "S4", policy.Info, []string{"identity could not be confirmed"}, nil},
		{"behaviour", ReasonBehaviour, "", "S4", policy.Info, []string{"behaviour"}, nil},
		// Reason other says nothing by itself: the notes are the reason,
		// and the message no longer points at notes that may be empty.
		{"other", ReasonOther, "came in with a dog that bit the locum", "S4", policy.Info,
			[]string{"another reason", "“came in with a dog that bit the locum”"}, []string{"recorded in the notes"}},
		{"other without notes", ReasonOther, "", "S4", policy.Info, []string{"another reason."}, []string{"recorded in the notes", "“"}},
		{"long notes bounded", ReasonBehaviour, long, "S4", policy.Info, []string{"…”"}, []string{long}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			today := calendar.MustParse("2026-12-03")
			f := AlertForWithheld(tt.reason, tt.notes, today, today)
			if f.Rule != tt.rule || f.Severity != tt.severity || !strings.Contains(f.Action, "prescriber") {
				t.Errorf("AlertForWithheld() = %+v, want %s %s", f, tt.rule, tt.severity)
			}
			for _, w := range tt.want {
				if !strings.Contains(f.Message, w) {
					t.Errorf("message %q lacks %q", f.Message, w)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(f.Message, u) {
					t.Errorf("message %q has %q", f.Message, u)
				}
			}
		})
	}
}

// S3 on a day gone by (a correction made later) names that day and stops
// nothing now: "today" is said only of today's instalment.
func TestAlertForWithheldOnADayGoneBy(t *testing.T) {
	t.Parallel()
	today, past := calendar.MustParse("2026-12-03"), calendar.MustParse("2026-11-28")
	f := AlertForWithheld(ReasonIntoxicated, "", past, today)
	if f.Rule != "S3" || !strings.Contains(f.Message, "was not to be dispensed on Sat 28 Nov 2026") ||
		strings.Contains(f.Message+f.Action, "today") || !strings.Contains(f.Action, "prescriber") {
		t.Fatalf("past day: %+v", f)
	}
	f = AlertForWithheld(ReasonIntoxicated, "", today, today)
	if !strings.Contains(f.Message, "do not dispense today") || f.Action != "Notify the prescriber today." {
		t.Fatalf("today: %+v", f)
	}
}

func TestNotesExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"blank", " \n\t ", ""},
		{"one line", "  shaking,\r\n  smelled of alcohol ", "shaking, smelled of alcohol"},
		{"at the bound", strings.Repeat("é", NotesExcerptRunes), strings.Repeat("é", NotesExcerptRunes)},
		{"over the bound", strings.Repeat("é", NotesExcerptRunes+1), strings.Repeat("é", NotesExcerptRunes-1) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := NotesExcerpt(tt.in)
			if got != tt.want {
				t.Errorf("NotesExcerpt() = %q, want %q", got, tt.want)
			}
			if n := len([]rune(got)); n > NotesExcerptRunes {
				t.Errorf("excerpt has %d runes, over %d", n, NotesExcerptRunes)
			}
		})
	}
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestBlockNotLiftedBy(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	// Missed Thu 2026-12-01 to Thu 2026-12-03, each collected on its day.
	daily, _ := MD1Block(n, seq("2026-12-01", Missed, Missed, Missed, ""), d("2026-12-04"), nil, nil)
	// Missed Fri, and the weekend taken home on Saturday withheld.
	weekend, _ := MD1Block(n, join(seq("2026-10-23", Missed),
		Known(ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Withheld), instant("2026-10-24T10:00:00Z")), seq("2026-10-26", "")),
		d("2026-10-26"), nil, nil)
	tests := []struct {
		name  string
		b     Block
		on    string
		ecg   bool
		wants []string
	}{
		{name: "dated before the last missed day", b: daily, on: "2026-12-02",
			wants: []string{"still stands", "dated 2026-12-02, before the last missed day, 2026-12-03", "on or after 2026-12-03"}},
		{name: "dated before the collection day of a carried last day", b: weekend, on: "2026-10-23",
			wants: []string{"dated 2026-10-23, before 2026-10-24, the collection day of the last missed day (2026-10-25)", "on or after 2026-10-24"}},
		{name: "an ECG review", b: daily, on: "2026-12-04", ecg: true,
			wants: []string{"ECG review", "lifts no block", "clinical or missed_doses review, dated on or after 2026-12-03"}},
		{name: "recorded before the last day was known", b: daily, on: "2026-12-03",
			wants: []string{"recorded before that day's outcome was", "on or after 2026-12-03"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.b.NotLiftedBy(d(tt.on), tt.ecg)
			for _, w := range tt.wants {
				if !strings.Contains(got, w) {
					t.Errorf("NotLiftedBy = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

// A dose the day close marked missed is known from the end of its day at
// the latest, however late the close ran: MD1 counted the day from then,
// so a review in between knew of it. A correction taking the dose away is
// news from its own time.
func TestKnownOn(t *testing.T) {
	t.Parallel()
	ev := func(id, corrects string, o Outcome, when string) Event {
		return Event{ID: id, CorrectsID: corrects, Outcome: o, CreatedAt: instant(when)}
	}
	wed := d("2026-12-02")
	tests := []struct {
		name   string
		events []Event
		want   string // RFC 3339, "" for zero
	}{
		{"no record", nil, ""},
		{"closed on time", []Event{ev("a", "", Missed, "2026-12-02T23:00:00Z")}, "2026-12-02T23:00:00Z"},
		{"closed early", []Event{ev("a", "", Missed, "2026-12-02T18:00:00Z")}, "2026-12-02T18:00:00Z"},
		{"closed a day late", []Event{ev("a", "", Missed, "2026-12-03T23:00:00Z")}, "2026-12-03T00:00:00Z"},
		{"closed late, then corrected to refused", []Event{ev("a", "", Missed, "2026-12-03T23:00:00Z"),
			ev("b", "a", Refused, "2026-12-04T09:00:00Z")}, "2026-12-03T00:00:00Z"},
		{"supervised corrected to missed later", []Event{ev("a", "", Supervised, "2026-12-02T10:00:00Z"),
			ev("b", "a", Missed, "2026-12-04T09:00:00Z")}, "2026-12-04T09:00:00Z"},
		{"closed late, corrected to supervised and back", []Event{ev("a", "", Missed, "2026-12-03T23:00:00Z"),
			ev("b", "a", Supervised, "2026-12-04T09:00:00Z"), ev("c", "b", Missed, "2026-12-04T10:00:00Z")}, "2026-12-04T10:00:00Z"},
		{"withheld on its day", []Event{ev("a", "", Withheld, "2026-12-02T10:00:00Z")}, "2026-12-02T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := KnownOn(wed, tt.events, nil)
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("KnownOn = %v, want zero", got)
				}
				return
			}
			if !got.Equal(instant(tt.want)) {
				t.Fatalf("KnownOn = %v, want %s", got, tt.want)
			}
		})
	}
}

// A missed day with no record time, or one the close recorded late, is
// known when the day ends in the service's time zone, not in UTC: in
// summer in London a review at 00:30 (23:30 UTC) after three missed days
// lifts the block; in New York a review at 21:00 on the last missed day
// (01:00 UTC the next day), while the patient might still come, does not.
func TestMissedDaysEndInTheServiceZone(t *testing.T) {
	t.Parallel()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	london, newYork := zone("Europe/London"), zone("America/New_York")
	n := policy.Defaults()
	unclosed := seq("2026-07-07", Missed, Missed, Missed, "")
	// The close of the 9th ran late, at 02:00 in London.
	closedLate := join(seq("2026-07-07", Missed, Missed),
		Known([]DayOutcome{{Date: d("2026-07-09"), Outcome: Missed}},
			KnownOn(d("2026-07-09"), []Event{{ID: "a", Outcome: Missed, CreatedAt: instant("2026-07-10T01:00:00Z")}}, london)),
		seq("2026-07-10", ""))
	tests := []struct {
		name      string
		days      []DayOutcome
		zone      *time.Location
		review    ReviewMark
		wantBlock bool
	}{
		{"London, review at 00:30 after three unclosed days", unclosed, london,
			ReviewMark{On: d("2026-07-10"), At: instant("2026-07-09T23:30:00Z")}, false},
		{"London, review at 00:30 after a close that ran late", closedLate, london,
			ReviewMark{On: d("2026-07-10"), At: instant("2026-07-09T23:30:00Z")}, false},
		{"London, review at 23:30 on the last missed day", unclosed, london,
			ReviewMark{On: d("2026-07-09"), At: instant("2026-07-09T22:30:00Z")}, true},
		{"UTC, review at 23:30 UTC", unclosed, nil,
			ReviewMark{On: d("2026-07-10"), At: instant("2026-07-09T23:30:00Z")}, true},
		{"New York, review at 21:00 on the last missed day", unclosed, newYork,
			ReviewMark{On: d("2026-07-09"), At: instant("2026-07-10T01:00:00Z")}, true},
		{"New York, review at 00:30 the day after", unclosed, newYork,
			ReviewMark{On: d("2026-07-10"), At: instant("2026-07-10T04:30:00Z")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, blocked := MD1Block(n, tt.days, d("2026-07-10"), []ReviewMark{tt.review}, tt.zone)
			if blocked != tt.wantBlock {
				t.Fatalf("blocked = %v, want %v", blocked, tt.wantBlock)
			}
		})
	}
	if _, known := MissedRunKnown(unclosed, d("2026-07-10"), london); !known.Equal(instant("2026-07-09T23:00:00Z")) {
		t.Errorf("London: run known at %v, want 23:00 UTC", known)
	}
	if _, known := MissedRunKnown(unclosed, d("2026-07-10"), newYork); !known.Equal(instant("2026-07-10T04:00:00Z")) {
		t.Errorf("New York: run known at %v, want 04:00 UTC", known)
	}
	if got := KnownOn(d("2026-07-09"), []Event{{ID: "a", Outcome: Missed, CreatedAt: instant("2026-07-10T01:00:00Z")}}, london); !got.Equal(instant("2026-07-09T23:00:00Z")) {
		t.Errorf("KnownOn, London, closed late = %v, want 23:00 UTC", got)
	}
}
