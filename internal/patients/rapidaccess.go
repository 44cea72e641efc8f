package patients

import (
	"slices"

	"github.com/dosebook/dosebook/internal/calendar"
)

// Referral is one patient's path into treatment, as recorded.
type Referral struct {
	PatientID    string
	Name         string
	ReferralDate calendar.Date
	FirstContact calendar.Date // zero until the first appointment
	FirstDose    calendar.Date // zero until a dose has been taken
}

// Wait summarises how long referred patients waited for one step.
type Wait struct {
	Reached      int      `json:"reached"`        // referrals that reached the step
	MedianDays   *float64 `json:"median_days"`    // nil when none did
	Within7Days  int      `json:"within_7_days"`  // counted from the referral date
	Within14Days int      `json:"within_14_days"` // likewise
}

// Waiting is a referred patient who has not yet had a first dose.
type Waiting struct {
	PatientID    string        `json:"patient_id"`
	Name         string        `json:"name"`
	ReferralDate calendar.Date `json:"referral_date"`
	FirstContact calendar.Date `json:"first_contact_date"`
	DaysWaiting  int           `json:"days_waiting"`
}

// RapidAccessReport is how quickly a service brings referred people into
// treatment: the aim of rapid access prescribing is a first dose within
// days of referral, because people waiting for treatment die of overdose.
type RapidAccessReport struct {
	Referred     int       `json:"referred"`
	FirstContact Wait      `json:"first_contact"`
	FirstDose    Wait      `json:"first_dose"`
	Awaiting     []Waiting `json:"awaiting_first_dose"` // longest wait first
}

// RapidAccess reports on the referrals given, as of today. A first contact
// or dose dated before the referral (recorded in error, or treatment that
// began elsewhere) counts as day 0.
func RapidAccess(refs []Referral, today calendar.Date) RapidAccessReport {
	r := RapidAccessReport{Referred: len(refs), Awaiting: []Waiting{}}
	var contact, dose []int
	for _, ref := range refs {
		if !ref.FirstContact.IsZero() {
			contact = append(contact, max(0, ref.ReferralDate.DaysUntil(ref.FirstContact)))
		}
		if ref.FirstDose.IsZero() {
			r.Awaiting = append(r.Awaiting, Waiting{PatientID: ref.PatientID, Name: ref.Name, ReferralDate: ref.ReferralDate,
				FirstContact: ref.FirstContact, DaysWaiting: max(0, ref.ReferralDate.DaysUntil(today))})
			continue
		}
		dose = append(dose, max(0, ref.ReferralDate.DaysUntil(ref.FirstDose)))
	}
	r.FirstContact, r.FirstDose = waitOf(contact), waitOf(dose)
	slices.SortStableFunc(r.Awaiting, func(a, b Waiting) int { return b.DaysWaiting - a.DaysWaiting })
	return r
}

func waitOf(days []int) Wait {
	w := Wait{Reached: len(days)}
	if len(days) == 0 {
		return w
	}
	slices.Sort(days)
	m := float64(days[len(days)/2])
	if len(days)%2 == 0 {
		m = float64(days[len(days)/2-1]+days[len(days)/2]) / 2
	}
	w.MedianDays = &m
	for _, d := range days {
		if d <= 7 {
			w.Within7Days++
		}
		if d <= 14 {
			w.Within14Days++
		}
	}
	return w
}
