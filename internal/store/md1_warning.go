package store

import (
	"errors"
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"gorm.io/gorm"
)

// md1Warning tells a prescriber starting a regime or writing a
// prescription of an MD1 block standing today, as the pharmacy's day list
// reads it (days gone by with no record count as missed): the pharmacy
// will refuse every supply until a prescriber records a review, so the
// prescriber is told now rather than the patient turned away at the
// counter. It is a warning, not a block: the new regime or prescription
// may well be the prescriber's answer. For methadone it carries MD3's
// re-titration advice while no dose entry has answered the run. nil when
// no block stands.
func (tx *Tx) md1Warning(n policy.Numbers, patientID string, today calendar.Date, r *Regime) (*policy.Finding, error) {
	outcomes, err := dayOutcomes(tx.g, []string{patientID}, today.AddDays(-historyWindow), today)
	if err != nil {
		return nil, err
	}
	raw := outcomes[patientID]
	if dispensing.ConsecutiveMissed(dispensing.UnclosedAsMissed(raw, today), today) < n.MD1ConsecutiveMissedDays {
		return nil, nil
	}
	reviews, err := reviewMarks(tx.g, []string{patientID}, today.AddDays(-historyWindow), today)
	if err != nil {
		return nil, err
	}
	b, ok := dispensing.MD1Block(n, dispensing.UnclosedAsMissed(raw, today), today, reviews[patientID], zoneOf(tx.g))
	if !ok {
		return nil, nil
	}
	msg := fmt.Sprintf("MD1 block stands: %d consecutive days missed since %s, the last on %s. The pharmacy will not supply any dose, of this prescription or any other, until a prescriber records a review.",
		b.Missed, b.Since, b.LastMissed)
	action := fmt.Sprintf("Review the patient and record the review, dated %s or later (POST /v1/patients/%s/reviews), before anything is supplied.", b.ReviewFrom, patientID)
	if r != nil {
		med, _ := dosing.LookupMedicine(r.Medicine)
		history, err := doseChanges(tx.g, r.ID)
		if err != nil {
			return nil, err
		}
		count, known := dispensing.MissedRunKnown(raw, today, zoneOf(tx.g))
		sedative, err := sedativeRisk(tx.g, patientID)
		if err != nil {
			return nil, err
		}
		if sg, ok := regimes.Retitration(n, med, DoseOn(history, today), regimes.MissedRun{Days: count, Known: known, SedativeRisk: sedative}, LastRecorded(history)); ok {
			action += " MD3: " + sg.Text
		}
	}
	f := n.FindingAt("MD1", policy.Warn, msg, action)
	return &f, nil
}

// sedativeRisk reads the patient's benzodiazepine or alcohol risk flag
// (MD3's new induction dose, as M1's); false for a patient not found.
func sedativeRisk(g *gorm.DB, patientID string) (bool, error) {
	var pt Patient
	err := g.Model(&Patient{}).Select("risk_flags").Where("id = ?", patientID).Take(&pt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, translate(err)
	}
	return pt.RiskFlags.SedativeRisk(), nil
}
