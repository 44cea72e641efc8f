package regimes

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
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

// B1 judges a switch from methadone from the end of the last day whose
// dose the patient took home before the previous regime ended, and says
// so: the time alone would look like a mistake.
func TestInductionTimingNamesHeldDays(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	d := calendar.MustParse
	methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
	bup, _ := dosing.LookupMedicine("buprenorphine_sublingual_tablets")
	lastHeld := time.Date(2026, 12, 7, 23, 59, 0, 0, time.UTC)
	tests := []struct {
		name    string
		held    []calendar.Date
		startAt time.Time
		want    string
	}{
		{"before the last held day ends", []calendar.Date{d("2026-12-03"), d("2026-12-04")}, time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC),
			"(the patient holds the methadone doses for Thu 3 Dec 2026 to Fri 4 Dec 2026, taken home before the previous regime ended"},
		{"a day after it", []calendar.Date{d("2026-12-07")}, lastHeld.Add(24 * time.Hour), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := checkInductionTiming(n, StartInput{Medicine: bup, StartAt: tt.startAt,
				Previous: &PreviousTreatment{Medicine: methadone, Dose: dosing.Mg(30), LastDose: lastHeld, HeldDays: tt.held}})
			var got string
			for _, f := range fs {
				got += f.Message
			}
			if tt.want == "" && len(fs) != 0 || !strings.Contains(got, tt.want) {
				t.Errorf("findings %+v, want %q", fs, tt.want)
			}
		})
	}
}

func TestValidateEnd(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	tests := []struct {
		name                string
		start, ended, today string
		rule                string // "" when the end is accepted
		withdrawn           bool
	}{
		{"on the start day", "2026-03-09", "2026-03-09", "2026-03-09", "", false},
		{"after the start", "2026-03-09", "2026-03-20", "2026-03-27", "", false},
		{"started, ended before its start", "2026-03-09", "2026-03-08", "2026-03-27", "after_start", false},
		{"started today, ended yesterday", "2026-03-09", "2026-03-08", "2026-03-09", "after_start", false},
		{"planned, withdrawn today", "2026-03-27", "2026-03-09", "2026-03-09", "", true},
		{"planned from tomorrow, withdrawn today", "2026-03-10", "2026-03-09", "2026-03-09", "", true},
		{"planned, withdrawal dated back", "2026-03-27", "2026-03-08", "2026-03-09", "withdrawn_today", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateEnd(d(tt.start), d(tt.ended), d(tt.today))
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got := Withdrawn(d(tt.start), d(tt.ended)); got != tt.withdrawn {
					t.Fatalf("Withdrawn = %v, want %v", got, tt.withdrawn)
				}
				return
			}
			pe, ok := problem.As(err)
			if !ok || len(pe.Fields) != 1 || pe.Fields[0].Field != "ended_on" || pe.Fields[0].Rule != tt.rule {
				t.Fatalf("got %v, want ended_on %s", err, tt.rule)
			}
		})
	}
}
