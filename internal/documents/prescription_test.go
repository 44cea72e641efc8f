package documents

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/prescriptions"
)

func TestDosePeriodsText(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	med, _ := dosing.LookupMedicine("methadone_oral_solution_1mg_ml")
	each := func(m dosing.Micrograms) string { return amount(med, m) }
	tests := []struct {
		name    string
		periods []prescriptions.DosePeriod
		end     string
		want    string
	}{
		{"a first day on the old dose", []prescriptions.DosePeriod{{From: d("2026-12-21"), DailyDose: dosing.Mg(70)}, {From: d("2026-12-22"), DailyDose: dosing.Mg(75)}},
			"2027-01-03", "70 ml on 21 Dec 2026, then 75 ml from 22 Dec 2026"},
		{"a last day on the new dose", []prescriptions.DosePeriod{{From: d("2026-12-21"), DailyDose: dosing.Mg(70)}, {From: d("2027-01-03"), DailyDose: dosing.Mg(75)}},
			"2027-01-03", "70 ml from 21 Dec 2026 to 2 Jan 2027, then 75 ml on 3 Jan 2027"},
		{"three doses", []prescriptions.DosePeriod{{From: d("2026-12-21"), DailyDose: dosing.Mg(70)}, {From: d("2026-12-24"), DailyDose: 72500},
			{From: d("2026-12-28"), DailyDose: dosing.Mg(75)}},
			"2027-01-03", "70 ml from 21 Dec 2026 to 23 Dec 2026, then 72.5 ml from 24 Dec 2026 to 27 Dec 2026, then 75 ml from 28 Dec 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := dosePeriodsText(tt.periods, d(tt.end), each); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
