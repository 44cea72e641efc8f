package regimes

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestTakenHomeAfterEnd(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	n := policy.Defaults()
	tests := []struct {
		name string
		days []calendar.Date
		want string // "" when no finding
	}{
		{"nothing taken home", nil, ""},
		{"one day", []calendar.Date{d("2026-12-03")}, "the doses for Thu 3 Dec 2026 to take home: they hold them after the regime's end on Wed 2 Dec 2026"},
		{"a run", []calendar.Date{d("2026-12-03"), d("2026-12-04"), d("2026-12-05")}, "the doses for Thu 3 Dec 2026 to Sat 5 Dec 2026 to take home"},
		{"apart", []calendar.Date{d("2026-12-03"), d("2026-12-05"), d("2026-12-06")}, "the doses for Thu 3 Dec 2026, Sat 5 Dec 2026 and Sun 6 Dec 2026 to take home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := TakenHomeAfterEnd(n, d("2026-12-02"), tt.days)
			if ok != (tt.want != "") {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if f.Rule != "MD4" || f.Severity != policy.Warn || f.Stops(nil) || !strings.Contains(f.Message, tt.want) {
				t.Errorf("finding = %+v, want message with %q", f, tt.want)
			}
		})
	}
}
