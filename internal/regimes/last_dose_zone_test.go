package regimes

import (
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// A previous treatment's last dose falls on a day of the service's time
// zone, not UTC's: MD1's run of days (tolerance lost, a new induction by
// M1), the "still on methadone" continuation and the day the message
// names all read it there. 00:30 in London in summer (BST) is 23:30 UTC
// the evening before; 08:00 in Auckland is 20:00 UTC the day before.
func TestLastDoseDayInServiceZone(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	methadone := medicine(t, dosing.CodeMethadone)
	tests := []struct {
		name     string
		loc      *time.Location
		lastDose time.Time
		start    string
		// zoneFromStart leaves Previous.Zone unset: the first dose time
		// (StartAt, in the service's zone) carries it.
		zoneFromStart bool
		want          []string
	}{
		// Last dose 1 Jun 00:30 BST: on 4 Jun the patient is within MD1's
		// 3 days and continues methadone at 60 mg (no M1 induction limit);
		// read in UTC (31 May) the start was a new induction.
		{name: "London BST 00:30, three days on", loc: london, lastDose: time.Date(2026, 6, 1, 0, 30, 0, 0, london), start: "2026-06-04"},
		{name: "London BST 00:30, zone from the first dose time", loc: london, lastDose: time.Date(2026, 6, 1, 0, 30, 0, 0, london),
			start: "2026-06-04", zoneFromStart: true},
		{name: "London BST 00:30, four days on", loc: london, lastDose: time.Date(2026, 6, 1, 0, 30, 0, 0, london), start: "2026-06-05",
			want: []string{"M1:override~dose was taken on 2026-06-01, more than 3 days before the start"}},
		// Told in UTC, the same instant: the service's day is still 1 Jun.
		{name: "London BST 00:30 sent as UTC", loc: london, lastDose: time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC), start: "2026-06-04"},
		{name: "Auckland 08:00, three days on", loc: auckland, lastDose: time.Date(2026, 6, 1, 8, 0, 0, 0, auckland), start: "2026-06-04"},
		{name: "Auckland 08:00, four days on", loc: auckland, lastDose: time.Date(2026, 6, 1, 8, 0, 0, 0, auckland), start: "2026-06-05",
			want: []string{"M1:override~taken on 2026-06-01"}},
		// A last dose after the start is a mistyped date: 5 Jun 06:00 in
		// Auckland is 4 Jun UTC, but the 5th there, after a start on the 3rd.
		{name: "Auckland last dose two days after the start", loc: auckland, lastDose: time.Date(2026, 6, 5, 6, 0, 0, 0, auckland), start: "2026-06-03",
			want: []string{"M1:override~60 mg is above 40 mg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := date(tt.start)
			prev := &PreviousTreatment{Medicine: methadone, Dose: mg(60), LastDose: tt.lastDose, Zone: tt.loc}
			if tt.zoneFromStart {
				prev.Zone = nil
			}
			in := StartInput{Medicine: methadone, Dose: mg(60), Start: start, PatientAge: 40, Previous: prev,
				StartAt: AssumedFirstDose(start, tt.loc), ECGDate: start}
			var got []policy.Finding
			for _, f := range CheckStart(policy.Defaults(), in) {
				if f.Rule == "M1" {
					got = append(got, f)
				}
			}
			assertFindings(t, got, tt.want...)
		})
	}
}
