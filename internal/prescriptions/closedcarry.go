package prescriptions

import (
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// SupervisedDaysCarried is S8 for a schedule: a day the pickup pattern
// supervises is carried by an earlier instalment only because the pharmacy
// is closed that day (BuildSchedule gives every other such day its own
// collection). A Sunday or a bank holiday weekend sends a day or two home;
// a long closure can send a supervised patient home with a fortnight's
// doses in one go. More than n.S8MaxClosedDaysCarried such days in one
// instalment warns, naming each. pickupOn is the pattern's pickup on a day.
func SupervisedDaysCarried(n policy.Numbers, med dosing.Medicine, s Schedule, pickupOn func(calendar.Date) Pickup) []policy.Finding {
	var parts []string
	for _, in := range s.Instalments {
		var carried []calendar.Date
		for _, d := range in.Covers {
			if !d.Equal(in.Date) && pickupOn(d) == PickupSupervised {
				carried = append(carried, d)
			}
		}
		if len(carried) > n.S8MaxClosedDaysCarried {
			parts = append(parts, fmt.Sprintf("the instalment on %s carries %d (%s), %s to take home",
				in.Date.Format("Mon 2 Jan 2006"), len(carried), calendar.DayRun(carried), med.Amount(in.TakeHome)))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return []policy.Finding{n.Finding("S8",
		fmt.Sprintf("The pharmacy's closed days make instalments carry more than %d of the pattern's supervised days home: %s.",
			n.S8MaxClosedDaysCarried, strings.Join(parts, "; ")),
		"Check the pharmacy's closures; prescribe from a pharmacy open on those days (move the regime's pharmacy) or for fewer days, unless taking these doses home is safe for this patient.")}
}
