package regimes

import "testing"

func TestPatternWords(t *testing.T) {
	t.Parallel()
	const (
		S = PickupSupervised
		T = PickupTakeHome
		E = PickupEarlier
	)
	// Indexed by time.Weekday: Sunday first.
	tests := []struct {
		name string
		p    WeeklyPattern
		want string
	}{
		{"zero is every day supervised", WeeklyPattern{}, "supervised every day"},
		{"every day supervised", AllSupervised(), "supervised every day"},
		{"every day take-home", WeeklyPattern{T, T, T, T, T, T, T}, "take-home every day"},
		{"weekend collected Saturday", WeeklyPattern{E, S, S, S, S, S, T}, "supervised Mon–Fri; Sat take-home; Sun collected Sat"},
		{"weekend take-home", WeeklyPattern{T, S, S, S, S, S, T}, "supervised Mon–Fri; Sat and Sun take-home"},
		{"two days in a row are named", WeeklyPattern{T, S, S, T, T, T, T}, "supervised Mon and Tue; Wed–Sun take-home"},
		{"ranges and single days", WeeklyPattern{T, S, S, S, T, S, T}, "supervised Mon–Wed and Fri; Thu, Sat and Sun take-home"},
		{"weekend collected Friday, in order from it", WeeklyPattern{E, S, S, S, S, T, E}, "supervised Mon–Thu; Fri take-home; Sat and Sun collected Fri"},
		{"two collections carrying days", WeeklyPattern{E, T, E, T, E, T, E}, "Mon, Wed and Fri take-home; Tue collected Mon; Thu collected Wed; Sat and Sun collected Fri"},
		{"weekly, collected Monday", WeeklyPattern{E, T, E, E, E, E, E}, "Mon take-home; Tue–Sun collected Mon"},
		{"across the week's end", WeeklyPattern{E, E, S, S, S, T, E}, "supervised Tue–Thu; Fri take-home; Sat–Mon collected Fri"},
		{"a supervised collection carrying the next day", WeeklyPattern{S, S, E, S, S, S, S}, "supervised Mon and Wed–Sun; Tue collected Mon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := PatternWords(tt.p); got != tt.want {
				t.Errorf("PatternWords = %q, want %q", got, tt.want)
			}
		})
	}
}
