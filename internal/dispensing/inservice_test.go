package dispensing

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/problem"
)

// A reissue carries on its predecessors' authority for the days they
// covered at the same pharmacy: its instalments' in-service time is the
// first prescription's of the chain that reaches them.
func TestInServiceFor(t *testing.T) {
	t.Parallel()
	london := londonZone(t)
	// issue is a prescription issued at issued (prescribed that day unless
	// on is given), at pharmacy ph, covering from to to.
	issue := func(issued, on, ph, from, to string) Issue {
		at := mustTime(t, issued)
		pr := Issue{IssuedAt: at, PrescribedOn: calendar.DateOf(at, london), PharmacyID: ph, Start: d(from), End: d(to),
			InstalmentID: "i-" + issued, Supervised: dosing.Mg(30)}
		if on != "" {
			pr.PrescribedOn = d(on)
		}
		return pr
	}
	own := issue("2026-12-03T07:32:20Z", "", "A", "2026-12-03", "2026-12-14")
	first := issue("2026-12-01T16:00:00Z", "", "A", "2026-12-01", "2026-12-14")
	tests := []struct {
		name     string
		reissues []Issue
		covers   []string
		want     string
		wantBy   int
	}{
		{name: "not a reissue", covers: []string{"2026-12-03"}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "a reissue of the day: the predecessor's issue", reissues: []Issue{first}, covers: []string{"2026-12-03"},
			want: "2026-12-01T16:00:00Z", wantBy: 0},
		{name: "reissued twice the same morning: the first of the chain",
			reissues: []Issue{issue("2026-12-03T07:10:00Z", "", "A", "2026-12-03", "2026-12-14"), first},
			covers:   []string{"2026-12-03"}, want: "2026-12-01T16:00:00Z", wantBy: 1},
		{name: "a day the predecessor did not cover (the reissue runs longer)", reissues: []Issue{issue("2026-12-01T16:00:00Z", "", "A", "2026-12-01", "2026-12-02")},
			covers: []string{"2026-12-03"}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "an instalment covering a day past the predecessor's end", reissues: []Issue{issue("2026-12-01T16:00:00Z", "", "A", "2026-12-01", "2026-12-05")},
			covers: []string{"2026-12-05", "2026-12-06"}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "the chain stops at the first predecessor not covering the day",
			reissues: []Issue{issue("2026-12-03T07:10:00Z", "", "A", "2026-12-03", "2026-12-14"),
				issue("2026-11-20T10:00:00Z", "", "A", "2026-11-20", "2026-12-02")},
			covers: []string{"2026-12-03"}, want: "2026-12-03T07:10:00Z", wantBy: 0},
		{name: "a predecessor at another pharmacy (a move) carries nothing",
			reissues: []Issue{issue("2026-12-01T16:00:00Z", "", "B", "2026-12-01", "2026-12-14")},
			covers:   []string{"2026-12-03"}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "a predecessor dated before its issue: in being from the start of its date",
			reissues: []Issue{issue("2026-12-02T09:00:00Z", "2026-12-01", "A", "2026-12-01", "2026-12-14")},
			covers:   []string{"2026-12-03"}, want: "2026-12-01T00:00:00Z", wantBy: 0},
		{name: "no days to judge carries nothing", reissues: []Issue{first}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "a dose change: the predecessor's dose was another, it lends nothing",
			reissues: []Issue{withDose(first, dosing.Mg(25), 0)}, covers: []string{"2026-12-03"}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "a pattern change from supervised to take-home for the day: other amounts, nothing lent",
			reissues: []Issue{withDose(first, 0, dosing.Mg(30))}, covers: []string{"2026-12-03"}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "the predecessor had no instalment of the same dose days (a weekend collection)",
			reissues: []Issue{withDose(first, -1, 0)}, covers: []string{"2026-12-03"}, want: "2026-12-03T07:32:20Z", wantBy: -1},
		{name: "the chain stops at the first predecessor with another dose",
			reissues: []Issue{issue("2026-12-03T07:10:00Z", "", "A", "2026-12-03", "2026-12-14"), withDose(first, dosing.Mg(25), 0)},
			covers:   []string{"2026-12-03"}, want: "2026-12-03T07:10:00Z", wantBy: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var covers []calendar.Date
			for _, s := range tt.covers {
				covers = append(covers, d(s))
			}
			at, by := InServiceFor(own, tt.reissues, covers, london)
			if !at.Equal(mustTime(t, tt.want)) || by != tt.wantBy {
				t.Fatalf("InServiceFor() = %s, %d, want %s, %d", at.UTC().Format(time.RFC3339), by, tt.want, tt.wantBy)
			}
		})
	}
}

// The reviewer's case: supervised at 07:31, the prescription reissued at
// 07:32:20 by a pattern change. Recorded on the reissue's instalment at
// its real time, it is accepted; a time before the first prescription of
// the chain is refused, naming it.
func TestOccurredAtBeforeAReissue(t *testing.T) {
	t.Parallel()
	london := londonZone(t)
	base := OccurredInput{Outcome: Supervised, InstalmentDate: d("2026-12-03"), Now: mustTime(t, "2026-12-03T07:40:00Z"), Zone: london,
		IssuedAt: mustTime(t, "2026-12-03T07:32:20Z"), PrescribedOn: d("2026-12-03"), PharmacyID: "A"}
	old := Issue{IssuedAt: mustTime(t, "2026-12-03T06:50:00Z"), PrescribedOn: d("2026-12-03"), PharmacyID: "A",
		Start: d("2026-12-03"), End: d("2026-12-16"), InstalmentID: "i"}
	tests := []struct {
		name     string
		reissues []Issue
		given    string
		wantMsg  string // "" for accepted
	}{
		{name: "not a reissue: refused", given: "2026-12-03T07:31:00Z", wantMsg: "before this prescription was issued, at 2026-12-03T07:32:20Z"},
		{name: "a reissue: the predecessor's authority", reissues: []Issue{old}, given: "2026-12-03T07:31:00Z"},
		{name: "before the predecessor too", reissues: []Issue{old}, given: "2026-12-03T06:49:00Z",
			wantMsg: "before the prescription this one reissues was issued, at 2026-12-03T06:50:00Z"},
		{name: "withheld is no supply", reissues: []Issue{old}, given: "2026-12-03T06:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base
			in.Reissues, in.Given = tt.reissues, mustTime(t, tt.given)
			if strings.HasPrefix(tt.name, "withheld") {
				in.Outcome = Withheld
			}
			_, err := OccurredAt(in)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("OccurredAt() = %v", err)
				}
				return
			}
			pe, ok := problem.As(err)
			if !ok || len(pe.Fields) != 1 || pe.Fields[0].Rule != "L3" || !strings.Contains(pe.Fields[0].Message, tt.wantMsg) {
				t.Fatalf("OccurredAt() = %v, want L3 saying %q", err, tt.wantMsg)
			}
		})
	}
}

// withDose is pr with its instalment of the day giving supervised and
// takeHome; supervised -1: it has no instalment of the same dose days.
func withDose(pr Issue, supervised, takeHome dosing.Micrograms) Issue {
	pr.Supervised, pr.TakeHome = supervised, takeHome
	if supervised < 0 {
		pr.InstalmentID, pr.Supervised = "", 0
	}
	return pr
}

// InForceAt names the prescription of the chain whose dose a dose given
// at a moment was, whatever the reissue's dose.
func TestInForceAt(t *testing.T) {
	t.Parallel()
	london := londonZone(t)
	own := Issue{IssuedAt: mustTime(t, "2026-12-03T08:01:07Z"), PrescribedOn: d("2026-12-03"), PharmacyID: "A", Supervised: dosing.Mg(25)}
	first := Issue{IssuedAt: mustTime(t, "2026-12-03T08:00:46Z"), PrescribedOn: d("2026-12-03"), PharmacyID: "A",
		Start: d("2026-12-03"), End: d("2026-12-16"), InstalmentID: "i1", Supervised: dosing.Mg(20)}
	second := first
	second.IssuedAt, second.InstalmentID, second.Supervised = mustTime(t, "2026-12-03T08:00:58Z"), "i2", dosing.Mg(22)
	moved := first
	moved.PharmacyID = "B"
	days := []calendar.Date{d("2026-12-03")}
	tests := []struct {
		name     string
		reissues []Issue
		covers   []calendar.Date
		at       string
		want     int
	}{
		{name: "not a reissue", at: "2026-12-03T08:00:55Z", want: -1},
		{name: "the predecessor in force", reissues: []Issue{first}, covers: days, at: "2026-12-03T08:00:55Z", want: 0},
		{name: "at its issue", reissues: []Issue{first}, covers: days, at: "2026-12-03T08:00:46Z", want: 0},
		{name: "before every issue", reissues: []Issue{first}, covers: days, at: "2026-12-03T08:00:00Z", want: -1},
		{name: "two changes: the one in force at the time", reissues: []Issue{second, first}, covers: days, at: "2026-12-03T08:00:55Z", want: 1},
		{name: "two changes: the later", reissues: []Issue{second, first}, covers: days, at: "2026-12-03T08:01:00Z", want: 0},
		{name: "another pharmacy's", reissues: []Issue{moved}, covers: days, at: "2026-12-03T08:00:55Z", want: -1},
		{name: "a day it did not cover", reissues: []Issue{first}, covers: []calendar.Date{d("2026-12-17")}, at: "2026-12-03T08:00:55Z", want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := InForceAt(own, tt.reissues, tt.covers, mustTime(t, tt.at), london); got != tt.want {
				t.Fatalf("InForceAt() = %d, want %d", got, tt.want)
			}
		})
	}
}

// A dose given before a same-day dose change was the old dose: the
// reissue's instalment is refused the time, naming the dose in force and
// the prescription to record it on.
func TestOccurredAtBeforeADoseChange(t *testing.T) {
	t.Parallel()
	in := OccurredInput{Outcome: Supervised, InstalmentDate: d("2026-12-03"), Now: mustTime(t, "2026-12-03T08:05:00Z"), Zone: time.UTC,
		IssuedAt: mustTime(t, "2026-12-03T08:01:07Z"), PrescribedOn: d("2026-12-03"), PharmacyID: "A", Supervised: dosing.Mg(25),
		Given: mustTime(t, "2026-12-03T08:00:55Z"),
		Reissues: []Issue{{IssuedAt: mustTime(t, "2026-12-03T08:00:46Z"), PrescribedOn: d("2026-12-03"), PharmacyID: "A",
			Start: d("2026-12-03"), End: d("2026-12-16"), Serial: "DB-1", InstalmentID: "i1", Supervised: dosing.Mg(20)}}}
	_, err := OccurredAt(in)
	pe, ok := problem.As(err)
	if !ok || len(pe.Fields) != 1 || pe.Fields[0].Field != "occurred_at" || pe.Fields[0].Rule != "L3" {
		t.Fatalf("OccurredAt() = %v", err)
	}
	for _, want := range []string{"the prescription in force then was DB-1, issued at 2026-12-03T08:00:46Z, with 20 mg supervised for 2026-12-03, not this instalment's 25 mg supervised",
		"Record the dose actually given on prescription DB-1's instalment for 2026-12-03 (instalment i1)"} {
		if !strings.Contains(pe.Fields[0].Message, want) {
			t.Fatalf("message %q lacks %q", pe.Fields[0].Message, want)
		}
	}
	// The same amounts (a pattern change keeping the day's dose): accepted.
	in.Reissues[0].Supervised = dosing.Mg(25)
	if _, err := OccurredAt(in); err != nil {
		t.Fatalf("OccurredAt() with the same dose = %v", err)
	}
}

func TestDoseText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		sup, th dosing.Micrograms
		want    string
	}{
		{dosing.Mg(20), 0, "20 mg supervised"},
		{0, dosing.Mg(40), "40 mg take-home"},
		{dosing.Mg(20), dosing.Mg(40), "20 mg supervised and 40 mg take-home"},
	} {
		if got := DoseText(tt.sup, tt.th); got != tt.want {
			t.Errorf("DoseText(%v, %v) = %q, want %q", tt.sup, tt.th, got, tt.want)
		}
	}
}

func londonZone(t *testing.T) *time.Location {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return london
}
