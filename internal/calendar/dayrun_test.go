package calendar

import "testing"

func TestDayRun(t *testing.T) {
	t.Parallel()
	d := MustParse
	tests := []struct {
		days []Date
		want string
	}{
		{nil, ""},
		{[]Date{d("2026-12-03")}, "Thu 3 Dec 2026"},
		{[]Date{d("2026-12-04"), d("2026-12-05"), d("2026-12-06")}, "Fri 4 Dec 2026 to Sun 6 Dec 2026"},
		{[]Date{d("2026-12-03"), d("2026-12-05")}, "Thu 3 Dec 2026 and Sat 5 Dec 2026"},
		{[]Date{d("2026-12-03"), d("2026-12-05"), d("2026-12-06")}, "Thu 3 Dec 2026, Sat 5 Dec 2026 and Sun 6 Dec 2026"},
	}
	for _, tt := range tests {
		if got := DayRun(tt.days); got != tt.want {
			t.Errorf("DayRun(%v) = %q, want %q", tt.days, got, tt.want)
		}
	}
}
