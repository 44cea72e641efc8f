package dispensing

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
)

// AlertsForMissed is MD2: whether the prescriber should be alerted about a
// run of consecutiveMissed days without a dose, which began on since, at
// regime stage. During induction and titration the alert comes at
// n.MD2TitrationMissed (the first missed dose by default), when stable
// (maintenance, reduction) at n.MD2StableMissed consecutive days (2 by
// default). An unknown stage gets the titration figure: the earlier alert is
// the safe side.
//
// It reports true for every length of a run at or above the figure: the
// caller sends one alert per run, keyed on since, so a run that goes on
// does not pile up alerts (MD1 speaks up when it gets long).
func AlertsForMissed(n policy.Numbers, stage regimes.Stage, consecutiveMissed int, since calendar.Date) (policy.Finding, bool) {
	threshold, when := n.MD2TitrationMissed, "during "+string(stage)
	switch stage {
	case regimes.StageMaintenance, regimes.StageReduction:
		threshold, when = n.MD2StableMissed, "on a stable dose"
	case regimes.StageInduction, regimes.StageTitration:
	default:
		when = "(treatment stage unknown, so treated as titration)"
	}
	if consecutiveMissed < 1 || consecutiveMissed < threshold {
		return policy.Finding{}, false
	}
	msg := fmt.Sprintf("%d consecutive missed dose day(s) %s, the run starting %s: alert the prescriber.", consecutiveMissed, when, since)
	return n.Finding("MD2", msg,
		"Tell the prescriber today; after missed days the usual dose may be too much (MD3)."), true
}

// AlertForWithheld is the prescriber notification for a withheld dose: S3
// when the patient was intoxicated, S4 for any other reason.
func AlertForWithheld(reason WithheldReason) policy.Finding {
	if reason == ReasonIntoxicated {
		return policy.Finding{
			Rule:     "S3",
			Severity: policy.SeverityOf("S3"),
			Message:  "Dose withheld because the patient was intoxicated: do not dispense today.",
			Action:   "Notify the prescriber today.",
		}
	}
	return policy.Finding{
		Rule:     "S4",
		Severity: policy.SeverityOf("S4"),
		Message:  fmt.Sprintf("Dose withheld because %s.", reason.text()),
		Action:   "Notify the prescriber.",
	}
}
