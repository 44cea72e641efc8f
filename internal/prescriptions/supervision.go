package prescriptions

import (
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// TakeHomeWhileTitrating is S6 for a schedule: consumption is supervised
// throughout titration, but a closed pharmacy or the pattern sends some
// doses home. That may be unavoidable, so it warns; the prescriber sees
// which days and how much before signing. titratingOn says whether the
// regime is in induction or titration on a day: a stage change booked
// ahead takes effect on its own date. The amount reads as S8 writes it
// (med.Amount).
func TakeHomeWhileTitrating(med dosing.Medicine, s Schedule, titratingOn func(calendar.Date) bool) []policy.Finding {
	var days []string
	var total dosing.Micrograms
	for _, in := range s.Instalments {
		if in.TakeHome == 0 || !titratingOn(in.Date) {
			continue
		}
		total += in.TakeHome
		for _, d := range in.Covers {
			if !d.Equal(in.Date) || in.Supervised == 0 {
				days = append(days, d.Format("Mon 2 Jan"))
			}
		}
	}
	if total == 0 {
		return nil
	}
	return []policy.Finding{{
		Rule:     "S6",
		Severity: policy.Warn,
		Message: fmt.Sprintf("Consumption is supervised throughout titration, but this prescription sends %s home unsupervised: %s.",
			med.Amount(total), strings.Join(days, ", ")),
		Action: "Consider a pharmacy open on those days or a supervised pattern; if take-home doses are safe for this patient, go ahead and record why in a review of the patient.",
	}}
}
