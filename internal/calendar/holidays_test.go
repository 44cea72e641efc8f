package calendar

import (
	"testing"
	"time"
)

func TestBankHolidaysPublished(t *testing.T) {
	t.Parallel()
	// The gov.uk published lists for England and Wales.
	tests := []struct {
		year int
		want []string
	}{
		{2025, []string{"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"}},
		{2026, []string{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"}},
		{2027, []string{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"}},
		{2028, []string{"2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26"}},
		// One-off proclamations.
		{2020, []string{"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"}},
		{2022, []string{"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"}},
		{2023, []string{"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"}},
		{2024, []string{"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"}},
	}
	for _, tt := range tests {
		t.Run(time.Date(tt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			t.Parallel()
			got := BankHolidays(tt.year)
			if len(got) != len(tt.want) {
				t.Fatalf("BankHolidays(%d) = %v, want %v", tt.year, got, tt.want)
			}
			for i, h := range got {
				if h.Date.String() != tt.want[i] {
					t.Errorf("holiday %d = %s (%s), want %s", i, h.Date, h.Name, tt.want[i])
				}
				if h.Name == "" {
					t.Errorf("holiday %s has no name", h.Date)
				}
			}
		})
	}
}

func TestBankHolidayNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date   string
		want   string
		wantOK bool
	}{
		{"2025-01-01", NewYearsDay, true},
		{"2025-04-18", GoodFriday, true},
		{"2025-04-21", EasterMonday, true},
		{"2025-05-05", EarlyMayHoliday, true},
		{"2025-05-26", SpringHoliday, true},
		{"2025-08-25", SummerHoliday, true},
		{"2026-12-25", ChristmasDay, true},
		{"2026-12-28", BoxingDay + " (substitute day)", true},
		{"2026-12-26", "", false}, // Saturday Boxing Day is not itself a holiday
		{"2027-12-27", ChristmasDay + " (substitute day)", true},
		{"2027-12-28", BoxingDay + " (substitute day)", true},
		{"2022-12-26", BoxingDay, true},
		{"2022-12-27", ChristmasDay + " (substitute day)", true},
		{"2028-01-03", NewYearsDay + " (substitute day)", true},
		{"2023-01-02", NewYearsDay + " (substitute day)", true},
		{"2022-06-02", SpringHoliday, true},
		{"2022-05-30", "", false}, // the usual spring date, moved in 2022
		{"2020-05-04", "", false}, // the usual early May date, moved in 2020
		{"2020-05-08", EarlyMayHoliday, true},
		{"2022-09-19", "State Funeral of Queen Elizabeth II", true},
		{"2023-05-08", "Bank holiday for the coronation of King Charles III", true},
		{"2025-03-17", "", false}, // St Patrick's Day is Northern Ireland only
		{"2025-12-24", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			t.Parallel()
			name, ok := BankHoliday(MustParse(tt.date))
			if name != tt.want || ok != tt.wantOK {
				t.Errorf("BankHoliday(%s) = %q, %v; want %q, %v", tt.date, name, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestEasterSunday(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year int
		want string
	}{
		{1818, "1818-03-22"}, // earliest possible
		{1943, "1943-04-25"}, // latest possible
		{2000, "2000-04-23"},
		{2019, "2019-04-21"},
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2038, "2038-04-25"},
		{2285, "2285-03-22"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := EasterSunday(tt.year); got.String() != tt.want {
				t.Errorf("EasterSunday(%d) = %s, want %s", tt.year, got, tt.want)
			}
		})
	}
}

func TestBankHolidaysEveryYear(t *testing.T) {
	t.Parallel()
	for year := 1978; year <= 2200; year++ {
		hs := BankHolidays(year)
		for i, h := range hs {
			if h.Date.Year() != year {
				t.Errorf("%d: %s %s falls in another year", year, h.Date, h.Name)
			}
			if wd := h.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("%d: %s %s falls on a %s", year, h.Date, h.Name, wd)
			}
			if i > 0 && !hs[i-1].Date.Before(h.Date) {
				t.Errorf("%d: %s not strictly after %s", year, h.Date, hs[i-1].Date)
			}
		}
	}
}
