package prescriptions

import (
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
)

// DosePeriod is a run of a prescription's days on one daily dose. A CD
// prescription states the dose (L2): when a dose change takes effect inside
// the period, the prescription states each dose with the days it holds.
type DosePeriod struct {
	From      calendar.Date     `json:"from"`
	DailyDose dosing.Micrograms `json:"daily_dose"`
}

// DosePeriods splits days dose days from start into periods of one daily
// dose, in date order, given the dose in force on each day. A prescription
// whose dose does not change has one period.
func DosePeriods(start calendar.Date, days int, doseOn func(calendar.Date) dosing.Micrograms) []DosePeriod {
	var out []DosePeriod
	for i := range days {
		day := start.AddDays(i)
		dose := doseOn(day)
		if len(out) == 0 || out[len(out)-1].DailyDose != dose {
			out = append(out, DosePeriod{From: day, DailyDose: dose})
		}
	}
	return out
}

// PeriodEnd is the last day of periods[i], given the prescription's last day.
func PeriodEnd(periods []DosePeriod, i int, end calendar.Date) calendar.Date {
	if i+1 < len(periods) {
		return periods[i+1].From.AddDays(-1)
	}
	return end
}
