package calendar

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestOpeningIsOpen(t *testing.T) {
	t.Parallel()
	custom := Opening{
		ClosedWeekdays:     []time.Weekday{time.Sunday, time.Saturday},
		ClosedDates:        []Date{MustParse("2026-07-15")},
		OpenDates:          []Date{MustParse("2026-08-31"), MustParse("2026-08-30")},
		BankHolidaysClosed: true,
	}
	tests := []struct {
		name    string
		opening Opening
		date    string
		want    bool
	}{
		{"default weekday", DefaultOpening(), "2026-03-30", true},
		{"default saturday", DefaultOpening(), "2026-03-28", true},
		{"default sunday", DefaultOpening(), "2026-03-29", false},
		{"default good friday", DefaultOpening(), "2026-04-03", false},
		{"default boxing substitute", DefaultOpening(), "2026-12-28", false},
		{"default boxing saturday", DefaultOpening(), "2026-12-26", true},
		// 2027: Christmas on a Saturday, its bank holiday on Monday 27th.
		{"default christmas saturday", DefaultOpening(), "2027-12-25", false},
		{"default christmas substitute", DefaultOpening(), "2027-12-27", false},
		{"default new year saturday", DefaultOpening(), "2028-01-01", true},
		{"open sundays, christmas sunday", Opening{BankHolidaysClosed: true}, "2022-12-25", false},
		{"christmas saturday, bank holidays open", Opening{ClosedWeekdays: []time.Weekday{time.Sunday}}, "2027-12-25", true},
		{"christmas saturday, opened by date", Opening{BankHolidaysClosed: true, OpenDates: []Date{MustParse("2027-12-25")}}, "2027-12-25", true},
		{"bank holidays open", Opening{ClosedWeekdays: []time.Weekday{time.Sunday}}, "2026-04-03", true},
		{"zero value always open", Opening{}, "2026-03-29", true},
		{"custom saturday", custom, "2026-07-18", false},
		{"custom closed date", custom, "2026-07-15", false},
		{"custom day after closed date", custom, "2026-07-16", true},
		{"custom open on bank holiday", custom, "2026-08-31", true},
		{"custom open on one sunday", custom, "2026-08-30", true},
		{"custom other bank holiday", custom, "2026-05-25", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.opening.IsOpen(MustParse(tt.date)); got != tt.want {
				t.Errorf("IsOpen(%s) = %v, want %v", tt.date, got, tt.want)
			}
		})
	}
}

func TestOpeningValidate(t *testing.T) {
	t.Parallel()
	all := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	tests := []struct {
		name    string
		opening Opening
		wantErr string
	}{
		{"default", DefaultOpening(), ""},
		{"zero", Opening{}, ""},
		{"six closed", Opening{ClosedWeekdays: all[:6]}, ""},
		{"all closed", Opening{ClosedWeekdays: all}, "at least one weekday"},
		{"duplicate", Opening{ClosedWeekdays: []time.Weekday{time.Sunday, time.Sunday}}, "sunday is listed twice"},
		{"out of range", Opening{ClosedWeekdays: []time.Weekday{7}}, "not a weekday"},
		{"negative", Opening{ClosedWeekdays: []time.Weekday{-1}}, "not a weekday"},
		{"open and closed", Opening{ClosedDates: []Date{MustParse("2026-01-02")}, OpenDates: []Date{MustParse("2026-01-02")}}, "both open and closed"},
		{"zero closed date", Opening{ClosedDates: []Date{{}}}, "closed dates"},
		{"zero open date", Opening{OpenDates: []Date{{}}}, "open dates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.opening.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestOpeningJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opening Opening
		want    string
	}{
		{"default", DefaultOpening(), `{"closed_weekdays":["sunday"],"closed_dates":[],"open_dates":[],"bank_holidays_closed":true}`},
		{"full", Opening{
			ClosedWeekdays: []time.Weekday{time.Saturday, time.Sunday},
			ClosedDates:    []Date{MustParse("2026-07-15")},
			OpenDates:      []Date{MustParse("2026-08-31")},
		}, `{"closed_weekdays":["saturday","sunday"],"closed_dates":["2026-07-15"],"open_dates":["2026-08-31"],"bank_holidays_closed":false}`},
		{"zero", Opening{}, `{"closed_weekdays":[],"closed_dates":[],"open_dates":[],"bank_holidays_closed":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.opening)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("Marshal = %s, want %s", b, tt.want)
			}
			var back Opening
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			b2, err := json.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if string(b2) != tt.want {
				t.Fatalf("round trip = %s, want %s", b2, tt.want)
			}
		})
	}
}

func TestOpeningUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []time.Weekday
		wantErr string
	}{
		{"lowercase", `{"closed_weekdays":["sunday","wednesday"]}`, []time.Weekday{time.Sunday, time.Wednesday}, ""},
		{"capitalised", `{"closed_weekdays":["Saturday"]}`, nil, `"Saturday" is not a weekday name`},
		{"upper case", `{"closed_weekdays":["SUNDAY"]}`, nil, "in lower case"},
		{"absent", `{}`, nil, ""},
		{"abbreviation", `{"closed_weekdays":["sun"]}`, nil, `"sun" is not a weekday name`},
		{"number", `{"closed_weekdays":[0]}`, nil, "cannot unmarshal"},
		{"bad date", `{"closed_dates":["2026-13-01"]}`, nil, "not YYYY-MM-DD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var o Opening
			err := json.Unmarshal([]byte(tt.in), &o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Unmarshal = %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(o.ClosedWeekdays) != len(tt.want) {
				t.Fatalf("ClosedWeekdays = %v, want %v", o.ClosedWeekdays, tt.want)
			}
			for i := range tt.want {
				if o.ClosedWeekdays[i] != tt.want[i] {
					t.Errorf("ClosedWeekdays[%d] = %v, want %v", i, o.ClosedWeekdays[i], tt.want[i])
				}
			}
		})
	}
}

func TestOpeningMarshalRejectsBadWeekday(t *testing.T) {
	t.Parallel()
	if _, err := json.Marshal(Opening{ClosedWeekdays: []time.Weekday{9}}); err == nil {
		t.Fatal("Marshal accepted weekday 9")
	}
}

func TestOpeningNewlyClosed(t *testing.T) {
	t.Parallel()
	ds := func(ss ...string) []Date {
		var out []Date
		for _, s := range ss {
			out = append(out, MustParse(s))
		}
		return out
	}
	// Thursday 17 December 2026; the pharmacy opened on Sunday 13th.
	const today = "2026-12-17"
	old := Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, OpenDates: ds("2026-12-13"), BankHolidaysClosed: true}
	tests := []struct {
		name   string
		op     Opening
		want   []string
		fields []string // ClosingField of each
	}{
		{name: "the same opening", op: old},
		{name: "today closed by date", op: Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, OpenDates: ds("2026-12-13"),
			ClosedDates: ds("2026-12-17")}, want: []string{"2026-12-17"}, fields: []string{"closed_dates"}},
		{name: "past and future dates closed", op: Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, OpenDates: ds("2026-12-13"),
			ClosedDates: ds("2026-12-24", "2026-12-15", "2026-12-16")}, want: []string{"2026-12-15", "2026-12-16"},
			fields: []string{"closed_dates", "closed_dates"}},
		{name: "the open sunday taken away", op: Opening{ClosedWeekdays: []time.Weekday{time.Sunday}},
			want: []string{"2026-12-13"}, fields: []string{"open_dates"}},
		{name: "thursdays closed: today alone, not past thursdays", op: Opening{ClosedWeekdays: []time.Weekday{time.Sunday, time.Thursday},
			OpenDates: ds("2026-12-13")}, want: []string{"2026-12-17"}, fields: []string{"closed_weekdays"}},
		{name: "tuesdays closed: not today", op: Opening{ClosedWeekdays: []time.Weekday{time.Sunday, time.Tuesday}, OpenDates: ds("2026-12-13")}},
		{name: "a sunday, closed already", op: Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, OpenDates: ds("2026-12-13"),
			ClosedDates: ds("2026-12-06")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.op.NewlyClosed(old, MustParse(today))
			var gotS, fields []string
			for _, d := range got {
				gotS = append(gotS, d.String())
				fields = append(fields, tt.op.ClosingField(old, d))
			}
			if strings.Join(gotS, " ") != strings.Join(tt.want, " ") || strings.Join(fields, " ") != strings.Join(tt.fields, " ") {
				t.Errorf("NewlyClosed() = %v (fields %v), want %v (%v)", gotS, fields, tt.want, tt.fields)
			}
		})
	}
	// A bank holiday today, closed when the pharmacy stops opening on them.
	boxing := MustParse("2026-12-28")
	open := Opening{ClosedWeekdays: []time.Weekday{time.Sunday}}
	closed := Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, BankHolidaysClosed: true}
	if got := closed.NewlyClosed(open, boxing); len(got) != 1 || closed.ClosingField(open, got[0]) != "bank_holidays_closed" {
		t.Errorf("bank holiday today: %v", got)
	}
}

// A day recorded closed is opened again by taking it out of closed_dates;
// days after today and days closed by
// weekday or bank holiday carry no mark to take away.
func TestOpeningReopened(t *testing.T) {
	t.Parallel()
	ds := func(ss ...string) []Date {
		var out []Date
		for _, s := range ss {
			out = append(out, MustParse(s))
		}
		return out
	}
	const today = "2026-12-17"
	sunday := []time.Weekday{time.Sunday}
	old := Opening{ClosedWeekdays: sunday, ClosedDates: ds("2026-12-18", "2026-12-16", "2026-12-15"), BankHolidaysClosed: true}
	tests := []struct {
		name string
		old  Opening
		op   Opening
		want []string
	}{
		{name: "the same opening", old: old, op: old},
		{name: "all closed dates taken out: past ones only", old: old, op: Opening{ClosedWeekdays: sunday, BankHolidaysClosed: true},
			want: []string{"2026-12-15", "2026-12-16"}},
		{name: "one taken out", old: old, op: Opening{ClosedWeekdays: sunday, ClosedDates: ds("2026-12-15", "2026-12-18")},
			want: []string{"2026-12-16"}},
		{name: "none recorded closed before", old: Opening{ClosedWeekdays: sunday}, op: Opening{ClosedWeekdays: sunday, OpenDates: ds("2026-12-13")}},
		{name: "closed and open before", old: Opening{ClosedDates: ds("2026-12-16"), OpenDates: ds("2026-12-16")}, op: Opening{}},
		{name: "today taken out", old: Opening{ClosedDates: ds("2026-12-17")}, op: Opening{}, want: []string{"2026-12-17"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, d := range tt.op.Reopened(tt.old, MustParse(today)) {
				got = append(got, d.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Reopened() = %v, want %v", got, tt.want)
			}
		})
	}
}

// Only a dated closure says the pharmacy was shut on that very day (ADR
// 0015): a weekday or bank holiday closure set later says nothing of the
// days before it, and an open date wins.
func TestOpeningRecordedClosed(t *testing.T) {
	t.Parallel()
	op := Opening{
		ClosedWeekdays:     []time.Weekday{time.Sunday},
		ClosedDates:        []Date{MustParse("2026-07-15"), MustParse("2026-07-16")},
		OpenDates:          []Date{MustParse("2026-07-16")},
		BankHolidaysClosed: true,
	}
	tests := []struct {
		date string
		want bool
	}{
		{"2026-07-15", true},  // closed_dates
		{"2026-07-16", false}, // closed and opened again
		{"2026-07-19", false}, // a Sunday: closed, but by the weekday rule
		{"2026-08-31", false}, // a bank holiday
		{"2026-07-14", false}, // open
	}
	for _, tt := range tests {
		if got := op.RecordedClosed(MustParse(tt.date)); got != tt.want {
			t.Errorf("RecordedClosed(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}
