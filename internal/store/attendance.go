package store

import (
	"fmt"
	"slices"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/policy"
)

// attendanceKeyPrefix starts the dedupe key of every intermittent
// attendance alert (S4) about a patient; the first missed day it counted
// follows.
func attendanceKeyPrefix(patientID string) string { return "s4:" + patientID + ":" }

// newAttendanceKey is the dedupe key of an intermittent attendance alert
// whose first counted day is first, with a count after it when an alert
// counting from that day was raised before: a correction took that one
// back, and later missed days made the pattern again.
func (tx *Tx) newAttendanceKey(patientID string, first calendar.Date) (string, error) {
	key := attendanceKeyPrefix(patientID) + first.String()
	var earlier int64
	if err := tx.g.Model(&Alert{}).Where("substr(dedupe_key, 1, ?) = ?", len(key), key).Count(&earlier).Error; err != nil {
		return "", translate(err)
	}
	if earlier == 0 {
		return key, nil
	}
	return fmt.Sprintf("%s:%d", key, earlier+1), nil
}

// resolveAttendanceByCorrection answers the patient's open intermittent
// attendance alerts (S4) that a correction handing a dose over took the
// ground from: one whose window (the days from the first it counted)
// holds a corrected day, and whose days left missed in that window no
// longer make intermittent attendance. As for MD2 (ADR 0006, amended),
// the missed day it counted did not happen, and a prescriber reviewing
// the patient's engagement for it would be chasing a dose that was taken.
func (tx *Tx) resolveAttendanceByCorrection(n policy.Numbers, patientID string, on []calendar.Date, by resolution) error {
	var keys []string
	if err := tx.g.Model(&Alert{}).Where("patient_id = ? AND kind = ?", patientID, AlertAttendance).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").
		Order("dedupe_key").Pluck("dedupe_key", &keys).Error; err != nil {
		return translate(err)
	}
	prefix := attendanceKeyPrefix(patientID)
	for _, key := range keys {
		if len(key) < len(prefix)+10 {
			continue
		}
		first, err := calendar.Parse(key[len(prefix) : len(prefix)+10])
		if err != nil {
			continue // not a key this code wrote: leave the alert to a review
		}
		last := first.AddDays(n.S4AttendanceWindowDays - 1)
		if !slices.ContainsFunc(on, func(d calendar.Date) bool { return !d.Before(first) && !d.After(last) }) {
			continue
		}
		// An instalment dated before first may carry a day of the window.
		days, err := dayOutcomes(tx.g, []string{patientID}, first.AddDays(-historyWindow), last)
		if err != nil {
			return err
		}
		left, stands := dispensing.AttendanceAfterCorrection(n, days[patientID], first)
		if stands {
			continue
		}
		if err := tx.resolveAlerts(patientID, AlertAttendance, key,
			resolution{Reason: by.Reason + " " + left, EntityType: by.EntityType, EntityID: by.EntityID}); err != nil {
			return err
		}
	}
	return nil
}
