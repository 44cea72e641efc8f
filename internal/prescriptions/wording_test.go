package prescriptions

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestApprovedWordingExact(t *testing.T) {
	t.Parallel()
	// Copied from clinical-rules.md L7: the pharmacy may act only on these exact words.
	want := map[int]string{
		1: "Please dispense instalments due on pharmacy closed days on a prior suitable day.",
		2: "If an instalment's collection day has been missed, please still dispense the amount due for any remaining day(s) of that instalment.",
		3: "Consult the prescriber if 3 or more consecutive days of a prescription have been missed.",
		4: "Supervise consumption on collection days.",
		5: "Dispense daily doses in separate containers.",
	}
	got := ApprovedWording()
	if len(got) != len(want) {
		t.Fatalf("ApprovedWording has %d entries, want %d", len(got), len(want))
	}
	for i, w := range got {
		t.Run(fmt.Sprint(w.ID), func(t *testing.T) {
			t.Parallel()
			if w.ID != i+1 {
				t.Errorf("entry %d has id %d, want %d", i, w.ID, i+1)
			}
			if w.Text != want[w.ID] {
				t.Errorf("wording %d = %q, want %q", w.ID, w.Text, want[w.ID])
			}
		})
	}
}

func TestApprovedWordingIsACopy(t *testing.T) {
	t.Parallel()
	ApprovedWording()[0].Text = "changed"
	if ApprovedWording()[0].Text == "changed" {
		t.Fatal("ApprovedWording shares its backing array")
	}
}

func TestLookupWording(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ids     []int
		want    []int
		wantErr string
	}{
		{"none", nil, []int{}, ""},
		{"one", []int{3}, []int{3}, ""},
		{"sorted by id", []int{4, 1, 3}, []int{1, 3, 4}, ""},
		{"all", []int{5, 4, 3, 2, 1}, []int{1, 2, 3, 4, 5}, ""},
		{"unknown", []int{1, 6}, nil, "no approved wording 6"},
		{"zero", []int{0}, nil, "no approved wording 0"},
		{"negative", []int{-1}, nil, "no approved wording -1"},
		{"duplicate", []int{1, 3, 1}, nil, "wording 1 is chosen twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := LookupWording(tt.ids)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidWording) {
					t.Fatalf("LookupWording(%v) error = %v, want ErrInvalidWording containing %q", tt.ids, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LookupWording(%v): %v", tt.ids, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("LookupWording(%v) = %v, want ids %v", tt.ids, got, tt.want)
			}
			all := ApprovedWording()
			for i, w := range got {
				if w.ID != tt.want[i] || w.Text != all[w.ID-1].Text {
					t.Errorf("entry %d = %+v, want id %d", i, w, tt.want[i])
				}
			}
		})
	}
}

func TestRequireWording(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	single := Instalment{Date: d("2026-03-06"), Covers: []calendar.Date{d("2026-03-06")}}
	twoDays := Instalment{Date: d("2026-03-07"), Covers: []calendar.Date{d("2026-03-07"), d("2026-03-08")}}
	closed := Schedule{Instalments: []Instalment{single, twoDays}, CarriesClosedDays: true, CarriesTakeHome: true}
	earlier := Schedule{Instalments: []Instalment{single, twoDays}, CarriesTakeHome: true}
	plain := Schedule{Instalments: []Instalment{single}}
	supervised := Instalment{Date: d("2026-03-06"), Covers: []calendar.Date{d("2026-03-06")}, Supervised: dosing.Mg(60)}
	supervisedCarrying := Instalment{Date: d("2026-03-07"), Covers: []calendar.Date{d("2026-03-07"), d("2026-03-08")},
		Supervised: dosing.Mg(60), TakeHome: dosing.Mg(60)}
	takeHomeOnly := Instalment{Date: d("2026-03-07"), Covers: []calendar.Date{d("2026-03-07"), d("2026-03-08")}, TakeHome: dosing.Mg(120)}
	tests := []struct {
		name  string
		s     Schedule
		ids   []int
		want  []int
		rules []string // "rule/severity" in order
	}{
		{"closed days with 1 and 3", closed, []int{3, 1}, []int{1, 3}, nil},
		{"closed days without 1", closed, []int{3, 4}, []int{1, 3, 4}, []string{"L8/info"}},
		{"closed days without any", closed, nil, []int{1}, []string{"L8/info", "L7/info"}},
		{"closed days with 1 only", closed, []int{1}, []int{1}, []string{"L7/info"}},
		{"earlier pattern day without 1", earlier, []int{3}, []int{1, 3}, []string{"L8/info"}},
		{"a closed first day collected the day before, without 1", Schedule{Instalments: []Instalment{
			{Date: d("2026-12-16"), Covers: []calendar.Date{d("2026-12-17")}}}, CarriesClosedDays: true, CarriesTakeHome: true},
			[]int{3}, []int{1, 3}, []string{"L8/info"}},
		{"nothing in advance, with 3", plain, []int{3}, []int{3}, nil},
		{"nothing in advance, no wording", plain, nil, []int{}, []string{"L7/info"}},
		{"take-home on its own day", Schedule{Instalments: []Instalment{single}, CarriesTakeHome: true}, []int{3}, []int{3}, nil},
		{"wording 4, every collection supervised", Schedule{Instalments: []Instalment{supervised, supervisedCarrying}, CarriesClosedDays: true},
			[]int{1, 3, 4}, []int{1, 3, 4}, nil},
		{"wording 4 with a take-home-only collection", Schedule{Instalments: []Instalment{supervised, takeHomeOnly}, CarriesTakeHome: true},
			[]int{1, 3, 4}, []int{1, 3, 4}, []string{"L7/warn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ids, got := RequireWording(tt.s, tt.ids)
			if !slices.Equal(ids, tt.want) && !(len(ids) == 0 && len(tt.want) == 0) {
				t.Errorf("wording = %v, want %v", ids, tt.want)
			}
			if len(got) != len(tt.rules) {
				t.Fatalf("RequireWording = %v, want %v", got, tt.rules)
			}
			for i, f := range got {
				if r := f.Rule + "/" + string(f.Severity); r != tt.rules[i] {
					t.Errorf("finding %d = %s, want %s", i, r, tt.rules[i])
				}
				if f.Message == "" || f.Action == "" {
					t.Errorf("finding %d lacks a message or action: %+v", i, f)
				}
				if f.Stops(nil) {
					t.Errorf("finding %d stops the prescription; wording findings only advise", i)
				}
			}
		})
	}
}

func TestRequireWordingMessages(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	_, got := RequireWording(Schedule{CarriesClosedDays: true, Instalments: []Instalment{{Covers: []calendar.Date{d("2026-03-07"), d("2026-03-08")}}}}, nil)
	want := []struct {
		rule     string
		severity policy.Severity
		message  string
		action   string
	}{
		{"L8", policy.Info, "Dosebook added wording 1", "No action needed"},
		{"L7", policy.Info, "3 or more consecutive missed days", "Add approved wording 3"},
	}
	for i, w := range want {
		t.Run(w.rule, func(t *testing.T) {
			t.Parallel()
			f := got[i]
			if f.Rule != w.rule || f.Severity != w.severity || !strings.Contains(f.Message, w.message) || !strings.Contains(f.Action, w.action) {
				t.Errorf("finding = %+v, want %s %s with %q / %q", f, w.rule, w.severity, w.message, w.action)
			}
		})
	}
}

func TestWordingFourAgainstTakeHomeCollections(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	s := Schedule{Instalments: []Instalment{
		{Date: d("2026-12-25"), Covers: []calendar.Date{d("2026-12-25")}, Supervised: dosing.Mg(30)},
		{Date: d("2026-12-26"), Covers: []calendar.Date{d("2026-12-26"), d("2026-12-27")}, TakeHome: dosing.Mg(60)},
	}}
	_, got := RequireWording(s, []int{1, 3, 4})
	if len(got) != 1 || got[0].Message != `Approved wording 4 ("Supervise consumption on collection days.") is on this prescription, but the collection on Sat 26 Dec is take-home only: the pharmacist is told to supervise doses prescribed to take away.` {
		t.Fatalf("findings = %+v", got)
	}
}

func TestTakeHomeWhileTitrating(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	s := Schedule{Instalments: []Instalment{
		{Date: d("2026-12-24"), Covers: []calendar.Date{d("2026-12-24"), d("2026-12-25")}, Supervised: dosing.Mg(70), TakeHome: dosing.Mg(70)},
		{Date: d("2026-12-26"), Covers: []calendar.Date{d("2026-12-26"), d("2026-12-27"), d("2026-12-28")}, Supervised: dosing.Mg(70), TakeHome: dosing.Mg(140)},
		{Date: d("2026-12-29"), Covers: []calendar.Date{d("2026-12-29")}, Supervised: dosing.Mg(70)},
	}}
	always := func(calendar.Date) bool { return true }
	methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
	if got := TakeHomeWhileTitrating(methadone, s, func(calendar.Date) bool { return false }); got != nil {
		t.Fatalf("maintenance: %v", got)
	}
	// Titration ends on the 26th: only the 24th's take-home dose counts.
	until26 := func(d calendar.Date) bool { return d.Before(calendar.MustParse("2026-12-26")) }
	if got := TakeHomeWhileTitrating(methadone, s, until26); len(got) != 1 || !strings.Contains(got[0].Message, "sends 70 mg (70 ml) home unsupervised: Fri 25 Dec.") {
		t.Fatalf("titration ending on the 26th: %+v", got)
	}
	got := TakeHomeWhileTitrating(methadone, s, always)
	if len(got) != 1 || got[0].Rule != "S6" || got[0].Severity != policy.Warn ||
		got[0].Message != "Consumption is supervised throughout titration, but this prescription sends 210 mg (210 ml) home unsupervised: Fri 25 Dec, Sun 27 Dec, Mon 28 Dec." {
		t.Fatalf("titrating: %+v", got)
	}
	if got := TakeHomeWhileTitrating(methadone, Schedule{Instalments: s.Instalments[2:]}, always); got != nil {
		t.Fatalf("all supervised: %v", got)
	}
	// A sublingual tablet is counted in mg alone.
	bup, _ := dosing.LookupMedicine(dosing.CodeBuprenorphineSL)
	if got := TakeHomeWhileTitrating(bup, s, until26); len(got) != 1 || !strings.Contains(got[0].Message, "sends 70 mg home unsupervised") {
		t.Fatalf("buprenorphine: %+v", got)
	}
}

// Wording 2 on a schedule with multi-day instalments warns that Dosebook
// cannot record the part supply it allows; on single-day instalments it has
// nothing to do and says nothing.
func TestWording2Warns(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	multi := Schedule{Instalments: []Instalment{
		{Date: d("2026-12-05"), Covers: []calendar.Date{d("2026-12-05"), d("2026-12-06")}, Supervised: dosing.Mg(30), TakeHome: dosing.Mg(30)}}}
	single := Schedule{Instalments: []Instalment{{Date: d("2026-12-07"), Covers: []calendar.Date{d("2026-12-07")}, Supervised: dosing.Mg(30)}}}
	wording2 := func(fs []policy.Finding) bool {
		for _, f := range fs {
			if f.Rule == "L7" && f.Severity == policy.Warn && strings.Contains(f.Message, "wording 2") {
				return true
			}
		}
		return false
	}
	if _, fs := RequireWording(multi, []int{1, 2, 3}); !wording2(fs) {
		t.Fatalf("multi-day instalments with wording 2: %+v", fs)
	}
	if _, fs := RequireWording(single, []int{2, 3}); wording2(fs) {
		t.Fatalf("single-day instalments: %+v", fs)
	}
	if _, fs := RequireWording(multi, []int{1, 3}); wording2(fs) {
		t.Fatalf("without wording 2: %+v", fs)
	}
}

func TestReissueWording(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	supervised := Instalment{Date: d("2026-03-09"), Covers: []calendar.Date{d("2026-03-09")}, Supervised: dosing.Mg(30)}
	takeHome := Instalment{Date: d("2026-03-10"), Covers: []calendar.Date{d("2026-03-10")}, TakeHome: dosing.Mg(30)}
	carried := Instalment{Date: d("2026-03-14"), Covers: []calendar.Date{d("2026-03-14"), d("2026-03-15")}, TakeHome: dosing.Mg(60)}
	partly := Instalment{Date: d("2026-03-14"), Covers: []calendar.Date{d("2026-03-14"), d("2026-03-15")}, Supervised: dosing.Mg(30), TakeHome: dosing.Mg(30)}
	tests := []struct {
		name string
		s    []Instalment
		ids  []int
		want []int
		drop bool
	}{
		{"all take-home drops 4, keeps the rest", []Instalment{takeHome, carried}, []int{1, 2, 3, 4, 5}, []int{1, 2, 3, 5}, true},
		{"only 4, all take-home", []Instalment{takeHome}, []int{4}, []int{}, true},
		{"one supervised collection keeps 4", []Instalment{supervised, takeHome}, []int{1, 3, 4}, []int{1, 3, 4}, false},
		{"a collection supervising its own dose keeps 4", []Instalment{takeHome, partly}, []int{3, 4}, []int{3, 4}, false},
		{"all take-home without 4", []Instalment{takeHome, carried}, []int{1, 3}, []int{1, 3}, false},
		{"no wording", []Instalment{takeHome}, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ids := slices.Clone(tt.ids)
			got, fs := ReissueWording(Schedule{Instalments: tt.s}, ids, "SVC-000042")
			if !slices.Equal(got, tt.want) {
				t.Errorf("wording = %v, want %v", got, tt.want)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("the wording passed in was changed: %v", ids)
			}
			if !tt.drop {
				if len(fs) != 0 {
					t.Errorf("findings = %+v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Rule != "L7" || fs[0].Severity != policy.Info || fs[0].Action == "" ||
				!strings.Contains(fs[0].Message, "wording 4") || !strings.Contains(fs[0].Message, "was on SVC-000042") {
				t.Errorf("findings = %+v", fs)
			}
		})
	}
}
