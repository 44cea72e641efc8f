package store

import (
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
)

// firstDoseChange is the audit record of a change to a patient's
// first_dose_date made by a dose record: what it was, what it is now (null
// for none) and the record that moved it.
type firstDoseChange struct {
	FirstDoseDate *calendar.Date `json:"first_dose_date"`
	Previous      *calendar.Date `json:"previous"`
	DoseEventID   string         `json:"dose_event_id"`
}

// keepFirstDose keeps the patient's first_dose_date (rapid access, waiting
// times) on the earliest day a dose was actually taken, as a record of the
// instalment dated day changes whether that day's dose was taken: a dose
// taken before the date recorded (a missed day corrected to supervised)
// brings it forward, and the day it names corrected to no dose (a record
// made against the wrong patient) moves it to the next day taken, or to
// none. A date recorded by hand before any dose here, or after the day, is
// left as it is. Each change is audited.
func (tx *Tx) keepFirstDose(patientID string, recorded, day calendar.Date, was, now dispensing.Outcome, eventID string) error {
	change := firstDoseChange{DoseEventID: eventID}
	if !recorded.IsZero() {
		change.Previous = &recorded
	}
	q := tx.g.Model(&Patient{}).Where("id = ?", patientID)
	switch {
	case now.Taken() && !was.Taken():
		if !recorded.IsZero() && !day.Before(recorded) {
			return nil
		}
		change.FirstDoseDate = &day
		q = q.Where("first_dose_date IS NULL OR first_dose_date > ?", day)
	case was.Taken() && !now.Taken():
		if !recorded.Equal(day) {
			return nil
		}
		earliest, err := tx.earliestDoseTaken(patientID)
		if err != nil {
			return err
		}
		if earliest.Equal(day) {
			return nil // another instalment's dose was taken that day
		}
		if !earliest.IsZero() {
			change.FirstDoseDate = &earliest
		}
		q = q.Where("first_dose_date = ?", day)
	default:
		return nil
	}
	res := q.Update("first_dose_date", change.FirstDoseDate)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	return tx.Audit("patient.first_dose", "patient", patientID, change)
}

// earliestDoseTaken is the earliest day the patient took a dose: an
// instalment whose current record is supervised or collected, or an
// injection given (zero: none). Candidates are read in date order, a page
// at a time, since the first one or two are nearly always it.
func (tx *Tx) earliestDoseTaken(patientID string) (calendar.Date, error) {
	var injected []calendar.Date
	if err := tx.g.Table("administrations").Select("administrations.date").
		Joins("JOIN regimes ON regimes.id = administrations.regime_id").
		Where("regimes.patient_id = ?", patientID).Order("administrations.date").Limit(1).
		Pluck("administrations.date", &injected).Error; err != nil {
		return calendar.Date{}, translate(err)
	}
	var first calendar.Date
	if len(injected) > 0 {
		first = injected[0]
	}
	const page = 50
	for offset := 0; ; offset += page {
		var rows []struct {
			ID     string
			Date   calendar.Date
			Covers []calendar.Date `gorm:"serializer:json"`
		}
		q := tx.g.Table("instalments").Select("instalments.id, instalments.date, instalments.covers").
			Where("instalments.patient_id = ?", patientID).
			Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id AND e.outcome IN ?)",
				[]string{string(dispensing.Supervised), string(dispensing.Collected)})
		if !first.IsZero() {
			q = q.Where("instalments.date < ?", first)
		}
		if err := q.Order("instalments.date, instalments.id").Offset(offset).Limit(page).Scan(&rows).Error; err != nil {
			return calendar.Date{}, translate(err)
		}
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		current, err := currentOutcomes(tx.g, ids)
		if err != nil {
			return calendar.Date{}, err
		}
		// The first day a taken instalment covers; one collected the day
		// before its first day (ADR 0011) may share its date with another.
		var found calendar.Date
		for _, r := range rows {
			if !found.IsZero() && r.Date.After(found) {
				break
			}
			if day := firstDayCovered(r.Date, r.Covers); current[r.ID].Outcome.Taken() && (found.IsZero() || day.Before(found)) {
				found = day
			}
		}
		if !found.IsZero() {
			return found, nil
		}
		if len(rows) < page {
			return first, nil
		}
	}
}

// firstDayCovered is the first day whose dose an instalment dated date
// supplies: its own, or a later one when it carries only later days (a
// closed first day collected the day before, ADR 0011).
func firstDayCovered(date calendar.Date, covers []calendar.Date) calendar.Date {
	if len(covers) == 0 {
		return date
	}
	first := covers[0]
	for _, d := range covers[1:] {
		if d.Before(first) {
			first = d
		}
	}
	return first
}
