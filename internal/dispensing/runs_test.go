package dispensing

import (
	"reflect"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestRunsNear(t *testing.T) {
	t.Parallel()
	run := func(days int, since, last string) Run { return Run{Days: days, Since: d(since), Last: d(last)} }
	// Monday 9 February 2026 onwards.
	tests := []struct {
		name string
		days []DayOutcome
		asOf string // "": the days as they stand at the end of February
		on   []calendar.Date
		want []Run
	}{
		{name: "a day without the dose, alone", days: seq("2026-02-09", Supervised, Refused, Supervised),
			on: dates("2026-02-10"), want: []Run{run(1, "2026-02-10", "2026-02-10")}},
		{name: "it joins the runs either side", days: seq("2026-02-09", Missed, Withheld, Missed, Supervised),
			on: dates("2026-02-10"), want: []Run{run(3, "2026-02-09", "2026-02-11")}},
		{name: "the run goes on after the day", days: seq("2026-02-09", Supervised, Missed, Missed, Missed, ""),
			on: dates("2026-02-10"), want: []Run{run(3, "2026-02-10", "2026-02-12")}},
		{name: "a day taken splits its run", days: seq("2026-02-09", Missed, Supervised, Missed, Missed),
			on: dates("2026-02-10"), want: []Run{run(1, "2026-02-09", "2026-02-09"), run(2, "2026-02-11", "2026-02-12")}},
		{name: "a first day taken leaves the rest", days: seq("2026-02-09", Supervised, Missed, Missed),
			on: dates("2026-02-09"), want: []Run{run(2, "2026-02-10", "2026-02-11")}},
		{name: "taken between taken days: no run", days: seq("2026-02-09", Supervised, Supervised, Collected),
			on: dates("2026-02-10"), want: nil},
		{name: "an unknown day ends a run", days: seq("2026-02-09", Missed, "", Missed),
			on: dates("2026-02-11"), want: []Run{run(1, "2026-02-11", "2026-02-11")}},
		{name: "a weekend carried: both days, the gap of no dose day does not break",
			days: join(seq("2026-02-13", Missed), carried("2026-02-14", seq("2026-02-14", Refused, Refused)), seq("2026-02-17", Missed)),
			on:   dates("2026-02-14", "2026-02-15"), want: []Run{run(4, "2026-02-13", "2026-02-17")}},
		{name: "two days of one record in two runs", days: seq("2026-02-09", Missed, Supervised, Supervised, Missed),
			on: dates("2026-02-10", "2026-02-11"), want: []Run{run(1, "2026-02-09", "2026-02-09"), run(1, "2026-02-12", "2026-02-12")}},
		{name: "two prescriptions on one day: taken wins",
			days: join(seq("2026-02-09", Missed, Missed), seq("2026-02-10", Supervised)),
			on:   dates("2026-02-10"), want: []Run{run(1, "2026-02-09", "2026-02-09")}},
		{name: "a day outside days", days: seq("2026-02-09", Missed), on: dates("2026-03-01"), want: nil},
		// Monday's take-home withheld takes Tuesday and Wednesday with it,
		// known from Monday: the run MD1 blocks and MD3 counts.
		{name: "a take-home withheld: every day it covers, from its collection day",
			days: join(seq("2026-02-06", Supervised), carried("2026-02-09", seq("2026-02-09", Withheld, Withheld, Withheld)), seq("2026-02-12", "")),
			asOf: "2026-02-09", on: dates("2026-02-09", "2026-02-10", "2026-02-11"), want: []Run{run(3, "2026-02-09", "2026-02-11")}},
		{name: "a day collected after asOf is not known yet",
			days: seq("2026-02-09", Missed, Missed), asOf: "2026-02-09", on: dates("2026-02-09"), want: []Run{run(1, "2026-02-09", "2026-02-09")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			asOf := d("2026-02-28")
			if tt.asOf != "" {
				asOf = d(tt.asOf)
			}
			if got := RunsNear(tt.days, asOf, tt.on); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("RunsNear = %+v, want %+v", got, tt.want)
			}
		})
	}
}
