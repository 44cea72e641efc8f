package regimes

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// CardiacRiskAtStart is M4 brought forward for a patient with a QTc or
// cardiac risk recorded: methadone lengthens the QT interval at any dose,
// so starting it without a recent ECG/QTc check (one still valid under M4 on the
// start day) warns. Buprenorphine carries no such risk.
func CardiacRiskAtStart(n policy.Numbers, med dosing.Medicine, flagged bool, ecg, start calendar.Date) []policy.Finding {
	if !flagged || med.Class != dosing.ClassMethadone {
		return nil
	}
	if !ecg.IsZero() && start.Before(ECGRecheckDue(ecg, n)) {
		return nil
	}
	last := "no ECG/QTc check is recorded"
	if !ecg.IsZero() {
		last = fmt.Sprintf("the last ECG/QTc check, on %s, is more than %d months before the start", ecg, n.M4ECGValidMonths)
	}
	return []policy.Finding{n.FindingAt("M4", policy.Warn,
		fmt.Sprintf("The patient has a QTc/cardiac risk recorded and %s: methadone lengthens the QT interval.", last),
		"Record an ECG/QTc check (ecg_date) before starting, or consider buprenorphine.")}
}
