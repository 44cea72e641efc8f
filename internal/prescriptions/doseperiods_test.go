package prescriptions

import (
	"slices"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
)

func TestDosePeriods(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	// changes is the dose from each day on, as a regime's titration history.
	doseFrom := func(changes ...DosePeriod) func(calendar.Date) dosing.Micrograms {
		return func(day calendar.Date) dosing.Micrograms {
			var dose dosing.Micrograms
			for _, c := range changes {
				if !c.From.After(day) {
					dose = c.DailyDose
				}
			}
			return dose
		}
	}
	tests := []struct {
		name    string
		start   string
		days    int
		changes []DosePeriod
		want    []DosePeriod
	}{
		{"no change", "2026-12-21", 14, []DosePeriod{{d("2026-11-01"), dosing.Mg(70)}},
			[]DosePeriod{{d("2026-12-21"), dosing.Mg(70)}}},
		{"a change on the second day", "2026-12-21", 14, []DosePeriod{{d("2026-11-01"), dosing.Mg(70)}, {d("2026-12-22"), dosing.Mg(75)}},
			[]DosePeriod{{d("2026-12-21"), dosing.Mg(70)}, {d("2026-12-22"), dosing.Mg(75)}}},
		{"a change on the first day", "2026-12-21", 7, []DosePeriod{{d("2026-11-01"), dosing.Mg(70)}, {d("2026-12-21"), dosing.Mg(75)}},
			[]DosePeriod{{d("2026-12-21"), dosing.Mg(75)}}},
		{"a change after the last day", "2026-12-21", 7, []DosePeriod{{d("2026-11-01"), dosing.Mg(70)}, {d("2026-12-28"), dosing.Mg(75)}},
			[]DosePeriod{{d("2026-12-21"), dosing.Mg(70)}}},
		{"a change on the last day", "2026-12-21", 7, []DosePeriod{{d("2026-11-01"), dosing.Mg(70)}, {d("2026-12-27"), dosing.Mg(75)}},
			[]DosePeriod{{d("2026-12-21"), dosing.Mg(70)}, {d("2026-12-27"), dosing.Mg(75)}}},
		{"a reduction in steps", "2026-12-21", 14,
			[]DosePeriod{{d("2026-11-01"), dosing.Mg(8)}, {d("2026-12-24"), 6500}, {d("2026-12-28"), dosing.Mg(5)}},
			[]DosePeriod{{d("2026-12-21"), dosing.Mg(8)}, {d("2026-12-24"), 6500}, {d("2026-12-28"), dosing.Mg(5)}}},
		{"a change and back", "2026-12-21", 5,
			[]DosePeriod{{d("2026-11-01"), dosing.Mg(70)}, {d("2026-12-22"), dosing.Mg(75)}, {d("2026-12-23"), dosing.Mg(70)}},
			[]DosePeriod{{d("2026-12-21"), dosing.Mg(70)}, {d("2026-12-22"), dosing.Mg(75)}, {d("2026-12-23"), dosing.Mg(70)}}},
		{"no days", "2026-12-21", 0, []DosePeriod{{d("2026-11-01"), dosing.Mg(70)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := DosePeriods(d(tt.start), tt.days, doseFrom(tt.changes...))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("DosePeriods = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPeriodEnd(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	ps := []DosePeriod{{d("2026-12-21"), dosing.Mg(70)}, {d("2026-12-22"), dosing.Mg(75)}}
	end := d("2027-01-03")
	if got := PeriodEnd(ps, 0, end); !got.Equal(d("2026-12-21")) {
		t.Errorf("first period ends %s", got)
	}
	if got := PeriodEnd(ps, 1, end); !got.Equal(end) {
		t.Errorf("last period ends %s", got)
	}
}
