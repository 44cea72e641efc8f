package calendar

import "strings"

// DayRun writes days (in date order) for a clinician: one day as "Thu 3
// Dec 2026", consecutive days as "Fri 4 Dec 2026 to Tue 8 Dec 2026", and
// anything else as "a, b and c".
func DayRun(days []Date) string {
	const layout = "Mon 2 Jan 2006"
	switch {
	case len(days) == 0:
		return ""
	case len(days) == 1:
		return days[0].Format(layout)
	case days[0].DaysUntil(days[len(days)-1]) == len(days)-1:
		return days[0].Format(layout) + " to " + days[len(days)-1].Format(layout)
	}
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = d.Format(layout)
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
