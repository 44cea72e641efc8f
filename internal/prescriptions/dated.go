package prescriptions

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
)

// PrescribedBeforeRecords checks a prescription's date against the records
// it is written from. A controlled-drug prescription is dated when it is
// signed (L1), and L3's 28 days for its first instalment count from that
// date: one dated before the patient was registered, or before the regime
// it prescribes was recorded, was not signed then, and its date would
// stretch L3 over days nobody prescribed. registered and recorded are
// the local dates those records were made. A prescription dated today is
// signed today, whenever the records were made. It returns the rule a 422
// on prescribed_on names and why, or "" when the date may stand.
func PrescribedBeforeRecords(prescribed, today, registered, recorded calendar.Date) (rule, why string) {
	if prescribed.IsZero() || !prescribed.Before(today) {
		return "", ""
	}
	switch {
	case prescribed.Before(registered):
		return "after_registration", fmt.Sprintf("prescribed_on %s is before the patient was registered on %s; a prescription is dated the day it is signed (L1): date it on or after %s",
			prescribed, registered, latest(registered, recorded))
	case prescribed.Before(recorded):
		return "after_regime_recorded", fmt.Sprintf("prescribed_on %s is before the regime it prescribes was recorded on %s; a prescription is dated the day it is signed (L1): date it on or after %s",
			prescribed, recorded, recorded)
	}
	return "", ""
}

// PrescribedBeforeSharedCare checks the date of a prescription a GP signs
// against the day the practice accepted shared care: before that the
// specialist service prescribed (SC1), and a prescription is dated the day
// it is signed (L1), so a GP's signature on one dated earlier would claim a
// prescribing the practice did not yet hold. It returns the rule a 422 on
// prescribed_on names and why, or "" when the date may stand.
func PrescribedBeforeSharedCare(prescribed, accepted calendar.Date) (rule, why string) {
	if prescribed.IsZero() || !prescribed.Before(accepted) {
		return "", ""
	}
	return "after_shared_care", fmt.Sprintf("prescribed_on %s is before the practice accepted shared care on %s; a GP signs prescriptions dated from then (SC1, L1): date it on or after %s",
		prescribed, accepted, accepted)
}

func latest(a, b calendar.Date) calendar.Date {
	if a.After(b) {
		return a
	}
	return b
}
