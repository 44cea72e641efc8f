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

// One dose, one form, on the prescription and the letter: the combination
// product with both strengths.
func TestDailyDoseText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		medicine     string
		mg           int64
		daily, table string
	}{
		{dosing.CodeBuprenorphineNalSL, 12, "12 mg/3 mg (buprenorphine/naloxone) once daily", "12 mg/3 mg"},
		{dosing.CodeBuprenorphineSL, 12, "12 mg once daily", "12 mg"},
		{dosing.CodeMethadone, 60, "60 mg (60 ml) once daily", "60 mg"},
		{dosing.CodeBuvidalWeekly, 24, "24 mg once weekly by subcutaneous injection", "24 mg"},
	}
	for _, tt := range tests {
		t.Run(tt.medicine, func(t *testing.T) {
			t.Parallel()
			med, ok := dosing.LookupMedicine(tt.medicine)
			if !ok {
				t.Fatalf("no medicine %s", tt.medicine)
			}
			if got := dailyDoseText(med, dosing.Mg(tt.mg)); got != tt.daily {
				t.Errorf("dailyDoseText = %q, want %q", got, tt.daily)
			}
			if got := doseAmount(med, dosing.Mg(tt.mg)); got != tt.table {
				t.Errorf("doseAmount = %q, want %q", got, tt.table)
			}
		})
	}
}
