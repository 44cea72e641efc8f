package dispensing

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/policy"
)

func TestIntermittentAttendance(t *testing.T) {
	t.Parallel()
	const S, C, M, W, R = Supervised, Collected, Missed, Withheld, Refused
	tests := []struct {
		name   string
		days   []DayOutcome
		asOf   string
		want   bool
		missed int
	}{
		{"every other day", seq("2026-03-10", M, S, M, S, M, S), "2026-03-15", true, 3},
		{"two missed: not enough", seq("2026-03-10", M, S, M, S, S, S), "2026-03-15", false, 0},
		{"one run of three is MD1's, not S4's", seq("2026-03-10", S, M, M, M, S, S), "2026-03-15", false, 0},
		{"a run and one more", seq("2026-03-10", M, M, S, S, M, S), "2026-03-15", true, 3},
		{"withheld and refused were attended", seq("2026-03-10", M, W, S, R, M, S), "2026-03-15", false, 0},
		{"collected counts as attended", seq("2026-03-10", M, C, M, C, M, C), "2026-03-15", true, 3},
		// 14 days to the 23rd start on the 10th: the 9th is outside.
		{"outside the window", seq("2026-03-09", M, S, M, S, S, S, S, S, S, S, S, S, S, S, M), "2026-03-23", false, 0},
		{"at the window's edge", seq("2026-03-10", M, S, M, S, S, S, S, S, S, S, S, S, S, M), "2026-03-23", true, 3},
		{"days after asOf ignored", seq("2026-03-10", M, S, M, S, M), "2026-03-13", false, 0},
		{"unknown days skipped", seq("2026-03-10", M, "", M, "", M), "2026-03-14", true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, missed, ok := IntermittentAttendance(policy.Defaults(), tt.days, d(tt.asOf))
			if ok != tt.want || len(missed) != tt.missed {
				t.Fatalf("IntermittentAttendance() = %v, %v; want %v with %d days", ok, missed, tt.want, tt.missed)
			}
			if ok && (f.Rule != "S4" || f.Severity != policy.Warn || !strings.HasPrefix(f.Message, "Intermittent attendance: 3 dose days missed in the 14 days to "+tt.asOf)) {
				t.Fatalf("finding = %+v", f)
			}
		})
	}
}

// An intermittent attendance alert counted its days in the window from its
// first missed day: after a correction it stands while those days still
// make intermittent attendance, and otherwise says what is left.
func TestAttendanceAfterCorrection(t *testing.T) {
	t.Parallel()
	const S, M, W = Supervised, Missed, Withheld
	tests := []struct {
		name   string
		days   []DayOutcome
		stands bool
		left   string
	}{
		{"still three, every other day", seq("2026-03-10", M, S, S, S, M, S, M), true, ""},
		{"a fourth day after the alert keeps it standing", seq("2026-03-10", M, S, S, S, M, S, S, S, S, S, S, S, S, M), true, ""},
		{"the day after the window does not", seq("2026-03-10", M, S, S, S, M, S, S, S, S, S, S, S, S, S, M), false,
			"2 dose day(s) are left missed in the 14 days from 2026-03-10 that the alert counted (Tue 10 Mar, Sat 14 Mar), short of S4's 3."},
		{"withheld is attended", seq("2026-03-10", M, S, W, S, M), false, "2 dose day(s) are left missed"},
		{"none left", seq("2026-03-10", S, S, S), false, "No dose day is left missed in the 14 days from 2026-03-10"},
		{"one run left", seq("2026-03-10", M, M, M, S, S), false, "The 3 dose days left missed in the 14 days from 2026-03-10 that the alert counted (Tue 10 Mar, Wed 11 Mar, Thu 12 Mar) are one run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			left, stands := AttendanceAfterCorrection(policy.Defaults(), tt.days, d("2026-03-10"))
			if stands != tt.stands || !strings.HasPrefix(left, tt.left) || (tt.left == "") != (left == "") {
				t.Fatalf("AttendanceAfterCorrection() = %q, %v; want %v, %q", left, stands, tt.stands, tt.left)
			}
		})
	}
}
