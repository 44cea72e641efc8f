package patients

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestRapidAccess(t *testing.T) {
	d := calendar.MustParse
	today := d("2026-12-02")
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name         string
		refs         []Referral
		contact      Wait
		dose         Wait
		awaitingDays []int
	}{
		{name: "no referrals"},
		{
			name: "same-day dose and one waiting",
			refs: []Referral{
				{PatientID: "a", ReferralDate: d("2026-11-01"), FirstContact: d("2026-11-01"), FirstDose: d("2026-11-01")},
				{PatientID: "b", ReferralDate: d("2026-11-20"), FirstContact: d("2026-11-23")},
			},
			contact:      Wait{Reached: 2, MedianDays: f(1.5), Within7Days: 2, Within14Days: 2},
			dose:         Wait{Reached: 1, MedianDays: f(0), Within7Days: 1, Within14Days: 1},
			awaitingDays: []int{12},
		},
		{
			name: "odd count median, the 7 and 14 day edges",
			refs: []Referral{
				{PatientID: "a", ReferralDate: d("2026-10-01"), FirstDose: d("2026-10-08")}, // 7
				{PatientID: "b", ReferralDate: d("2026-10-01"), FirstDose: d("2026-10-09")}, // 8
				{PatientID: "c", ReferralDate: d("2026-10-01"), FirstDose: d("2026-10-16")}, // 15
			},
			dose: Wait{Reached: 3, MedianDays: f(8), Within7Days: 1, Within14Days: 2},
		},
		{
			name: "dose dated before the referral counts as day 0",
			refs: []Referral{{PatientID: "a", ReferralDate: d("2026-10-10"), FirstDose: d("2026-10-01")}},
			dose: Wait{Reached: 1, MedianDays: f(0), Within7Days: 1, Within14Days: 1},
		},
		{
			name: "longest wait first",
			refs: []Referral{
				{PatientID: "a", ReferralDate: d("2026-11-30")},
				{PatientID: "b", ReferralDate: d("2026-11-02")},
				{PatientID: "c", ReferralDate: d("2026-11-25")},
			},
			awaitingDays: []int{30, 7, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := RapidAccess(tt.refs, today)
			if r.Referred != len(tt.refs) {
				t.Errorf("referred = %d", r.Referred)
			}
			for _, c := range []struct {
				what      string
				got, want Wait
			}{{"first contact", r.FirstContact, tt.contact}, {"first dose", r.FirstDose, tt.dose}} {
				if c.got.Reached != c.want.Reached || c.got.Within7Days != c.want.Within7Days || c.got.Within14Days != c.want.Within14Days ||
					(c.got.MedianDays == nil) != (c.want.MedianDays == nil) || (c.got.MedianDays != nil && *c.got.MedianDays != *c.want.MedianDays) {
					t.Errorf("%s = %+v (median %v), want %+v", c.what, c.got, c.got.MedianDays, c.want)
				}
			}
			var days []int
			for _, w := range r.Awaiting {
				days = append(days, w.DaysWaiting)
			}
			if len(days) != len(tt.awaitingDays) {
				t.Fatalf("awaiting %v, want %v", days, tt.awaitingDays)
			}
			for i := range days {
				if days[i] != tt.awaitingDays[i] {
					t.Fatalf("awaiting %v, want %v", days, tt.awaitingDays)
				}
			}
		})
	}
}
