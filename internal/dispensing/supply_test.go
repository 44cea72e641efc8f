package dispensing

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/problem"
)

func TestAlreadySupplied(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	thu := Supply{InstalmentID: "thu", Serial: "SS-000001", Date: d("2026-03-26"), Outcome: Supervised}
	// Saturday's take-home carries Sunday, the pharmacy's closed day.
	sat := Supply{InstalmentID: "sat", Serial: "SS-000001", Date: d("2026-03-28"),
		Covers: []calendar.Date{d("2026-03-28"), d("2026-03-29")}, Outcome: Collected}
	satAgain := Supply{InstalmentID: "sat2", Serial: "SS-000002", Date: d("2026-03-29"), Outcome: Supervised}
	tests := []struct {
		name     string
		supplies []Supply
		days     []calendar.Date
		want     []string // day/instalment
	}{
		{"nothing supplied", nil, DaysFrom(d("2026-03-26"), 7), nil},
		{"a supervised day", []Supply{thu}, DaysFrom(d("2026-03-26"), 7), []string{"2026-03-26/thu"}},
		{"outside the days", []Supply{thu}, DaysFrom(d("2026-03-27"), 7), nil},
		{"a take-home's covered days", []Supply{sat}, DaysFrom(d("2026-03-29"), 3), []string{"2026-03-29/sat"}},
		{"both days of a take-home", []Supply{sat, thu}, DaysFrom(d("2026-03-26"), 4),
			[]string{"2026-03-26/thu", "2026-03-28/sat", "2026-03-29/sat"}},
		{"not taken is no supply", []Supply{{InstalmentID: "w", Date: d("2026-03-26"), Outcome: Withheld},
			{InstalmentID: "m", Date: d("2026-03-27"), Outcome: Missed}}, DaysFrom(d("2026-03-26"), 2), nil},
		{"two supplies of one day name the earliest", []Supply{satAgain, sat}, DaysFrom(d("2026-03-29"), 1), []string{"2026-03-29/sat"}},
		{"a single instalment's days", []Supply{thu}, []calendar.Date{d("2026-03-26")}, []string{"2026-03-26/thu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, sd := range AlreadySupplied(tt.supplies, tt.days) {
				got = append(got, sd.Day.String()+"/"+sd.By.InstalmentID)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("AlreadySupplied() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSuppliedDaysProblem(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	if err := SuppliedDaysProblem(nil); err != nil {
		t.Fatalf("nothing supplied: %v", err)
	}
	thu := Supply{InstalmentID: "thu", Serial: "SS-000001", Date: d("2026-03-26"), Outcome: Supervised}
	sat := Supply{InstalmentID: "sat", Serial: "SS-000001", Date: d("2026-03-28"),
		Covers: []calendar.Date{d("2026-03-28"), d("2026-03-29")}, Outcome: Collected}
	tests := []struct {
		name     string
		supplied []SuppliedDay
		want     []string
	}{
		{"one day", []SuppliedDay{{d("2026-03-26"), thu}},
			[]string{"dose for Thu 26 Mar 2026 (supervised on Thu 26 Mar 2026, prescription SS-000001) was already supplied",
				"Start this prescription on Fri 27 Mar 2026, the day after"}},
		{"a take-home's days together", []SuppliedDay{{d("2026-03-26"), thu}, {d("2026-03-28"), sat}, {d("2026-03-29"), sat}},
			[]string{"Thu 26 Mar 2026 (supervised on Thu 26 Mar 2026, prescription SS-000001) and Sat 28 Mar 2026 and Sun 29 Mar 2026 (collected on Sat 28 Mar 2026, prescription SS-000001) were",
				"Start this prescription on Mon 30 Mar 2026"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pe, ok := problem.As(SuppliedDaysProblem(tt.supplied))
			if !ok || pe.Code != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "start_date" || pe.Fields[0].Rule != "already_supplied" {
				t.Fatalf("SuppliedDaysProblem() = %+v, want start_date/already_supplied", pe)
			}
			for _, w := range tt.want {
				if !strings.Contains(pe.Fields[0].Message, w) {
					t.Errorf("message %q lacks %q", pe.Fields[0].Message, w)
				}
			}
		})
	}
	msg := SecondSupplyMessage([]SuppliedDay{{d("2026-03-26"), thu}})
	for _, w := range []string{"Thu 26 Mar 2026 (supervised on Thu 26 Mar 2026, prescription SS-000001)", "Do not hand it over", "correct it first"} {
		if !strings.Contains(msg, w) {
			t.Errorf("SecondSupplyMessage() = %q, lacks %q", msg, w)
		}
	}
}
