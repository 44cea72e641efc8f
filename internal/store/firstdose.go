package store

import (
	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/problem"
)

// firstDoseChange is the audit record of a change to a patient's
// first_dose_date made by a dose record or an injection: what it was, what
// it is now (null for none) and the record that moved it.
type firstDoseChange struct {
	FirstDoseDate    *calendar.Date `json:"first_dose_date"`
	Previous         *calendar.Date `json:"previous"`
	DoseEventID      string         `json:"dose_event_id,omitempty"`
	AdministrationID string         `json:"administration_id,omitempty"`
}

// keepFirstDose keeps the patient's first_dose_date (rapid access, waiting
// times) on the earliest day a dose was actually taken, as a record of the
// instalment dated day changes whether that day's dose was taken: a dose
// taken before the date recorded (a missed day corrected to supervised)
// brings it forward, and the day it names corrected to no dose (a record
// made against the wrong patient) moves it to the next day taken, or to
// none. Each change is audited.
func (tx *Tx) keepFirstDose(patientID string, recorded, day calendar.Date, was, now dispensing.Outcome, eventID string) error {
	switch {
	case now.Taken() && !was.Taken():
		return tx.firstDoseTaken(patientID, recorded, day, firstDoseChange{DoseEventID: eventID})
	case was.Taken() && !now.Taken():
		return tx.firstDoseUntaken(patientID, recorded, day, firstDoseChange{DoseEventID: eventID})
	}
	return nil
}

// firstDoseTaken brings first_dose_date forward to day, a dose taken then
// (a dose record or an injection), when it is earlier than the date
// recorded or there is none. A date entered by a prescriber is never
// later than first_dose_date, so it is never passed over.
func (tx *Tx) firstDoseTaken(patientID string, recorded, day calendar.Date, change firstDoseChange) error {
	if !recorded.IsZero() && !day.Before(recorded) {
		return nil
	}
	change.FirstDoseDate = &day
	return tx.moveFirstDose(patientID, recorded, change,
		tx.g.Model(&Patient{}).Where("id = ? AND (first_dose_date IS NULL OR first_dose_date > ?)", patientID, day))
}

// firstDoseUntaken moves first_dose_date off day, whose dose record no
// longer says a dose was taken, to the earlier of the first dose given
// elsewhere that a prescriber entered and the next day a dose was taken
// here (or to none). A date entered by a prescriber records a dose given
// elsewhere, which nothing recorded here can undo: on that day it stays.
func (tx *Tx) firstDoseUntaken(patientID string, recorded, day calendar.Date, change firstDoseChange) error {
	if !recorded.Equal(day) {
		return nil
	}
	_, elsewhere, err := tx.firstDoseDates(patientID)
	if err != nil {
		return err
	}
	earliest, err := tx.earliestDoseTaken(patientID)
	if err != nil {
		return err
	}
	if !elsewhere.IsZero() && (earliest.IsZero() || elsewhere.Before(earliest)) {
		earliest = elsewhere
	}
	if earliest.Equal(day) {
		return nil // given elsewhere that day, or another instalment's dose taken then
	}
	if !earliest.IsZero() {
		change.FirstDoseDate = &earliest
	}
	return tx.moveFirstDose(patientID, recorded, change,
		tx.g.Model(&Patient{}).Where("id = ? AND first_dose_date = ?", patientID, day))
}

// moveFirstDose writes change.FirstDoseDate through q, which names the
// patient's row only while its date is still the one the change moves, and
// audits the change if it was made.
func (tx *Tx) moveFirstDose(patientID string, recorded calendar.Date, change firstDoseChange, q *gorm.DB) error {
	if !recorded.IsZero() {
		change.Previous = &recorded
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

// firstDoseDates are the patient's first_dose_date and the first dose
// given elsewhere that a prescriber entered (zero: none).
func (tx *Tx) firstDoseDates(patientID string) (recorded, elsewhere calendar.Date, err error) {
	var pt Patient
	err = tx.g.Select("first_dose_date", "first_dose_elsewhere_date").Where("id = ?", patientID).Take(&pt).Error
	return pt.FirstDoseDate, pt.FirstDoseElsewhereDate, translate(err)
}

// enterFirstDose is a prescriber changing pt's first dose date by hand (a
// new patient's is taken as it is: nothing is recorded here yet): a first
// dose given elsewhere. Its
// date stands whatever is recorded here later, but a dose already taken
// here earlier would make it no first dose, so that is refused. Cleared,
// the date is again the first dose taken here, or none.
func (tx *Tx) enterFirstDose(pt *Patient) error {
	here, err := tx.earliestDoseTaken(pt.ID)
	if err != nil {
		return err
	}
	if pt.FirstDoseDate.IsZero() {
		pt.FirstDoseElsewhereDate, pt.FirstDoseDate = calendar.Date{}, here
		return nil
	}
	if !here.IsZero() && here.Before(pt.FirstDoseDate) {
		return problem.Invalidf("first_dose_date", "first_dose_here",
			"a dose was taken here on %s, so the first dose was on or before that day: enter a first dose given elsewhere no later than it, or null to follow the records here",
			here)
	}
	pt.FirstDoseElsewhereDate = pt.FirstDoseDate
	return nil
}

// earliestDoseTaken is the earliest day the patient took a dose: an
// instalment whose current record is supervised or collected, or an
// injection given (zero: none). Candidates are read in date order, a page
// at a time, since the first one or two are nearly always it.
func (tx *Tx) earliestDoseTaken(patientID string) (calendar.Date, error) {
	var injected []calendar.Date
	if err := tx.g.Table("administrations").Select("administrations.date").
		Joins("JOIN regimes ON regimes.id = administrations.regime_id").
		Where("regimes.patient_id = ?", patientID).Where(standingAdministration).Order("administrations.date").Limit(1).
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
