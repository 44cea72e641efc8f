package documents

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestDayList(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return calendar.MustParse(s) }
	for _, tc := range []struct {
		days []calendar.Date
		want string
	}{
		{nil, ""},
		{[]calendar.Date{d("2026-12-09")}, "9 Dec 2026"},
		{[]calendar.Date{d("2026-12-09"), d("2026-12-10"), d("2026-12-11"), d("2026-12-12"), d("2026-12-13")}, "9–13 Dec 2026"},
		{[]calendar.Date{d("2026-11-30"), d("2026-12-01")}, "30 Nov – 1 Dec 2026"},
		{[]calendar.Date{d("2026-12-31"), d("2027-01-01")}, "31 Dec 2026 – 1 Jan 2027"},
		{[]calendar.Date{d("2026-12-09"), d("2026-12-11"), d("2026-12-12")}, "9 Dec 2026 and 11–12 Dec 2026"},
	} {
		if got := dayList(tc.days); got != tc.want {
			t.Errorf("dayList(%v) = %q, want %q", tc.days, got, tc.want)
		}
	}
}
