package prescriptions

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// S8: closed days that make one instalment carry more than a few of the
// pattern's supervised days home warn; a Sunday or a bank holiday weekend
// does not.
func TestSupervisedDaysCarried(t *testing.T) {
	t.Parallel()
	methadone, _ := dosing.LookupMedicine(dosing.CodeMethadone)
	supervised := UniformPattern(PickupSupervised)
	weekendHome := supervised
	weekendHome[time.Saturday], weekendHome[time.Sunday] = PickupTakeHome, PickupEarlier
	closedFrom := func(from string) calendar.Opening {
		op := calendar.DefaultOpening()
		for d := calendar.MustParse(from); d.Before(calendar.MustParse("2027-02-01")); d = d.AddDays(1) {
			op.ClosedDates = append(op.ClosedDates, d)
		}
		return op
	}
	tests := []struct {
		name    string
		start   string
		days    int
		pattern WeeklyPattern
		opening calendar.Opening
		want    string // "" when no finding
	}{
		{"Sundays closed", "2026-11-30", 14, supervised, calendar.DefaultOpening(), ""},
		// Christmas 2026: Fri 25 Dec and Mon 28 Dec (Boxing Day's substitute)
		// are bank holidays: Thursday carries Friday, Saturday Sunday and Monday.
		{"Christmas", "2026-12-21", 14, supervised, calendar.DefaultOpening(), ""},
		{"closed every day from 1 Jan", "2026-12-30", 14, supervised, closedFrom("2027-01-01"),
			"more than 3 of the pattern's supervised days home: the instalment on Thu 31 Dec 2026 carries 12 (Fri 1 Jan 2027 to Tue 12 Jan 2027), 360 mg (360 ml) to take home."},
		{"take-home weekends are not counted", "2026-12-30", 7, weekendHome, closedFrom("2027-01-04"), ""},
	}
	n := policy.Defaults()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := BuildSchedule(ScheduleInput{Start: calendar.MustParse(tt.start), Days: tt.days, Daily: dosing.Mg(30),
				Pattern: tt.pattern, Opening: tt.opening})
			if err != nil {
				t.Fatal(err)
			}
			fs := SupervisedDaysCarried(n, methadone, s, func(d calendar.Date) Pickup { return tt.pattern[d.Weekday()] })
			if tt.want == "" {
				if len(fs) != 0 {
					t.Fatalf("findings %v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].Rule != "S8" || fs[0].Severity != policy.Warn || !strings.Contains(fs[0].Message, tt.want) {
				t.Fatalf("findings %v, want one S8 warning saying %q", fs, tt.want)
			}
		})
	}
	// The figure is the service's.
	tuned := n
	tuned.S8MaxClosedDaysCarried = 1
	s, _ := BuildSchedule(ScheduleInput{Start: calendar.MustParse("2026-12-21"), Days: 14, Daily: dosing.Mg(30), Pattern: supervised,
		Opening: calendar.DefaultOpening()})
	if fs := SupervisedDaysCarried(tuned, methadone, s, func(calendar.Date) Pickup { return PickupSupervised }); len(fs) != 1 ||
		!strings.Contains(fs[0].Message, "more than 1 of") {
		t.Fatalf("tuned to 1 day: %v", fs)
	}
}
