package dispensing

import (
	"strings"
	"testing"
	"time"

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

func TestSuppliedElsewhere(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	// The old prescription's Thursday dose, given before a same-day dose
	// change cancelled it and reissued Thursday.
	thu := Supply{InstalmentID: "old", Serial: "SS-000001", Date: d("2026-03-26"), Outcome: Supervised}
	sat := Supply{InstalmentID: "sat", Date: d("2026-03-28"), Covers: []calendar.Date{d("2026-03-28"), d("2026-03-29")}, Outcome: Collected}
	tests := []struct {
		name     string
		supplies []Supply
		date     string
		covers   []calendar.Date
		want     []string
	}{
		{"nothing supplied: due", nil, "2026-03-26", nil, nil},
		{"the day supplied by a cancelled predecessor", []Supply{thu}, "2026-03-26", nil, []string{"2026-03-26/old"}},
		{"its own covers named", []Supply{thu}, "2026-03-26", []calendar.Date{d("2026-03-26")}, []string{"2026-03-26/old"}},
		{"another day supplied", []Supply{thu}, "2026-03-27", nil, nil},
		{"a record without the dose supplies nothing", []Supply{{InstalmentID: "w", Date: d("2026-03-26"), Outcome: Withheld}}, "2026-03-26", nil, nil},
		{"a weekend line with Sunday still to supply is due", []Supply{{InstalmentID: "fri", Date: d("2026-03-28"), Outcome: Supervised}},
			"2026-03-28", []calendar.Date{d("2026-03-28"), d("2026-03-29")}, nil},
		{"a weekend line both of whose days went home", []Supply{sat}, "2026-03-28", []calendar.Date{d("2026-03-28"), d("2026-03-29")},
			[]string{"2026-03-28/sat", "2026-03-29/sat"}},
		{"a closed day's dose collected the day before (ADR 0011)", []Supply{sat}, "2026-03-28", []calendar.Date{d("2026-03-29")},
			[]string{"2026-03-29/sat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, sd := range SuppliedElsewhere(tt.supplies, d(tt.date), tt.covers) {
				got = append(got, sd.Day.String()+"/"+sd.By.InstalmentID)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("SuppliedElsewhere() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSuppliedElsewhereWarning(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	given := time.Date(2026, 12, 3, 8, 0, 55, 0, time.UTC)
	tests := []struct {
		name string
		by   Supply
		want string
	}{
		{"at this pharmacy", Supply{InstalmentID: "a", Serial: "RCDS-000066", PharmacyID: "here", PharmacyName: "Market Square",
			Date: d("2026-12-03"), Outcome: Supervised, OccurredAt: given},
			"Already supplied: the dose for Thu 3 Dec was supervised at 08:00 on Thu 3 Dec on prescription RCDS-000066 at this pharmacy."},
		{"at the pharmacy moved from", Supply{InstalmentID: "a", Serial: "RCDS-000066", PharmacyID: "there", PharmacyName: "Market Square",
			Date: d("2026-12-03"), Outcome: Collected, OccurredAt: given},
			"Already supplied: the dose for Thu 3 Dec was collected at 08:00 on Thu 3 Dec on prescription RCDS-000066 at Market Square."},
		{"time and place unknown", Supply{InstalmentID: "a", Date: d("2026-12-03"), Outcome: Supervised},
			"Already supplied: the dose for Thu 3 Dec was supervised on Thu 3 Dec."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := SuppliedElsewhereWarning([]SuppliedDay{{Day: d("2026-12-03"), By: tt.by}}, "here", time.UTC)
			if w.Code != WarnSuppliedElsewhere || !strings.HasPrefix(w.Message, tt.want) || !strings.Contains(w.Message, "do not hand over a second dose") {
				t.Errorf("SuppliedElsewhereWarning() = %+v, want a %s warning starting %q", w, WarnSuppliedElsewhere, tt.want)
			}
		})
	}
}
