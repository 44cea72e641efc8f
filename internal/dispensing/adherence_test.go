package dispensing

import (
	"encoding/json"
	"testing"
)

// repeat is n copies of o.
func repeat(o Outcome, n int) []Outcome {
	out := make([]Outcome, n)
	for i := range out {
		out[i] = o
	}
	return out
}

func TestComputeAdherence(t *testing.T) {
	t.Parallel()
	// The fortnight contains 2026-03-29 and autumn contains 2026-10-25, the
	// 2026 clock changes: they are ordinary civil days here.
	fortnight := seq("2026-03-23", append(repeat(Supervised, 10), Collected, Collected, Collected, Missed)...)
	autumn := join(
		seq("2026-10-19", Supervised, Supervised, Withheld, Refused, Supervised),
		ExpandInstalment(d("2026-10-24"), dates("2026-10-24", "2026-10-25"), Collected),
		seq("2026-10-26", Missed, "", ""),
	)
	tests := []struct {
		name     string
		days     []DayOutcome
		from, to string
		want     Adherence
	}{
		{name: "no days", from: "2026-03-01", to: "2026-03-31", want: Adherence{}},
		{
			name: "13 of 14 is 92.9", days: fortnight, from: "2026-03-23", to: "2026-04-05",
			want: Adherence{Due: 14, Taken: 13, Supervised: 10, Collected: 3, Missed: 1, TakenPercent: "92.9"},
		},
		{
			name: "window is inclusive at both ends", days: fortnight, from: "2026-03-29", to: "2026-04-05",
			want: Adherence{Due: 8, Taken: 7, Supervised: 4, Collected: 3, Missed: 1, TakenPercent: "87.5"},
		},
		{
			name: "single day window", days: fortnight, from: "2026-03-29", to: "2026-03-29",
			want: Adherence{Due: 1, Taken: 1, Supervised: 1, TakenPercent: "100.0"},
		},
		{
			name: "undecided days are not due", days: autumn, from: "2026-10-19", to: "2026-10-31",
			want: Adherence{Due: 8, Taken: 5, Supervised: 3, Collected: 2, Missed: 1, Withheld: 1, Refused: 1, TakenPercent: "62.5"},
		},
		{
			name: "only undecided days", days: seq("2026-10-27", "", ""), from: "2026-10-27", to: "2026-10-28",
			want: Adherence{},
		},
		{
			name: "two of three rounds up", days: seq("2026-03-01", Supervised, Supervised, Missed), from: "2026-03-01", to: "2026-03-03",
			want: Adherence{Due: 3, Taken: 2, Supervised: 2, Missed: 1, TakenPercent: "66.7"},
		},
		{
			name: "one of three rounds down", days: seq("2026-03-01", Supervised, Missed, Missed), from: "2026-03-01", to: "2026-03-03",
			want: Adherence{Due: 3, Taken: 1, Supervised: 1, Missed: 2, TakenPercent: "33.3"},
		},
		{
			name: "one in sixteen: 6.25 rounds half up", days: seq("2026-03-01", append(repeat(Missed, 15), Supervised)...),
			from: "2026-03-01", to: "2026-03-31",
			want: Adherence{Due: 16, Taken: 1, Supervised: 1, Missed: 15, TakenPercent: "6.3"},
		},
		{
			name: "none taken", days: seq("2026-03-01", Missed, Refused), from: "2026-03-01", to: "2026-03-02",
			want: Adherence{Due: 2, Missed: 1, Refused: 1, TakenPercent: "0.0"},
		},
		{
			name: "same date twice counts once, as taken", days: join(seq("2026-03-01", Missed, Missed), seq("2026-03-02", Supervised)),
			from: "2026-03-01", to: "2026-03-02",
			want: Adherence{Due: 2, Taken: 1, Supervised: 1, Missed: 1, TakenPercent: "50.0"},
		},
		{name: "from after to", days: fortnight, from: "2026-04-05", to: "2026-03-23", want: Adherence{}},
		// Monday's take-home withheld, its prescription cancelled, Tuesday
		// and Wednesday prescribed again: Monday alone is due until the
		// new instalments are recorded.
		{
			name: "days prescribed again are the new instalments'", from: "2026-11-30", to: "2026-12-02",
			days: join(ExpandInstalment(d("2026-11-30"), dates("2026-11-30", "2026-12-01", "2026-12-02"), Withheld), seq("2026-12-01", Supervised, "")),
			want: Adherence{Due: 2, Taken: 1, Supervised: 1, Withheld: 1, TakenPercent: "50.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ComputeAdherence(tt.days, d(tt.from), d(tt.to)); got != tt.want {
				t.Errorf("ComputeAdherence() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAdherenceJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(ComputeAdherence(seq("2026-03-01", Supervised, Missed), d("2026-03-01"), d("2026-03-02")))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"due":2,"taken":1,"supervised":1,"collected":0,"missed":1,"withheld":0,"refused":0,"taken_percent":"50.0"}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}
