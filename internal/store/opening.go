package store

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
)

// closedKeyPrefix starts the dedupe key of every pharmacy_closed alert (L8)
// about a prescription. The key goes on with the dates the alert names,
// joined by commas, and ":n" after them for the nth alert naming the same
// dates: a day closed, opened again and closed again is alerted afresh.
func closedKeyPrefix(prescriptionID string) string { return "pharmacy_closed:" + prescriptionID + ":" }

func closedKey(prescriptionID string, dates []calendar.Date) string {
	s := make([]string, len(dates))
	for i, d := range dates {
		s[i] = d.String()
	}
	return closedKeyPrefix(prescriptionID) + strings.Join(s, ",")
}

// closedKeyDates reads back the prescription and the dates a
// pharmacy_closed alert's key names.
func closedKeyDates(key string) (prescriptionID string, dates []calendar.Date, err error) {
	parts := strings.SplitN(strings.TrimPrefix(key, "pharmacy_closed:"), ":", 3)
	if len(parts) < 2 || !strings.HasPrefix(key, "pharmacy_closed:") {
		return "", nil, fmt.Errorf("pharmacy_closed alert key %q names no dates", key)
	}
	for _, s := range strings.Split(parts[1], ",") {
		d, err := calendar.Parse(s)
		if err != nil {
			return "", nil, fmt.Errorf("pharmacy_closed alert key %q: %w", key, err)
		}
		dates = append(dates, d)
	}
	return parts[0], dates, nil
}

// closedDayKey is the dedupe key of a pharmacy_closed alert naming the
// prescription's instalments on dates, or "" when an open alert names just
// those dates already (the same opening saved again changes nothing).
func (tx *Tx) closedDayKey(prescriptionID string, dates []calendar.Date) (string, error) {
	key := closedKey(prescriptionID, dates)
	same := func() *gorm.DB {
		return tx.g.Model(&Alert{}).Where("dedupe_key = ? OR substr(dedupe_key, 1, ?) = ?", key, len(key)+1, key+":")
	}
	var earlier, open int64
	if err := same().Count(&earlier).Error; err != nil {
		return "", translate(err)
	}
	if earlier == 0 {
		return key, nil
	}
	if err := same().Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").Count(&open).Error; err != nil {
		return "", translate(err)
	}
	if open > 0 {
		return "", nil
	}
	return fmt.Sprintf("%s:%d", key, earlier+1), nil
}

// resolveReopened answers the pharmacy's open pharmacy_closed alerts (L8)
// that name a day its new opening op opens again: the instalment due then
// is supplied as written, and a prescriber left with the alert would
// cancel and rewrite a prescription for a closure that is not there.
// affected are the instalments still on closed days under op: an alert
// naming some of them as well is resolved all the same, since it names an
// open day, and closedDayAlerts alerts them on their own. p changed the
// opening on today; the resolution says so.
func (tx *Tx) resolveReopened(p auth.Principal, pharmacy Organisation, op calendar.Opening, affected []InstalmentOnClosedDay, today calendar.Date) error {
	var open []Alert
	if err := tx.g.Where("kind = ? AND pharmacy_id = ?", AlertPharmacyClosed, pharmacy.ID).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").
		Order("id").Find(&open).Error; err != nil {
		return translate(err)
	}
	if len(open) == 0 {
		return nil
	}
	still := map[string][]calendar.Date{}
	for _, a := range affected {
		still[a.PrescriptionID] = append(still[a.PrescriptionID], a.Date)
	}
	by, err := tx.whoIs(p.UserID)
	if err != nil {
		return err
	}
	serials := map[string]string{}
	for _, a := range open {
		prID, dates, err := closedKeyDates(a.DedupeKey)
		if err != nil {
			return err
		}
		if _, ok := serials[prID]; !ok {
			var pr Prescription
			if err := tx.g.Select("serial").Take(&pr, "id = ?", prID).Error; err != nil {
				return translate(err)
			}
			serials[prID] = pr.Serial
		}
		why, ok := prescriptions.ReopenedReason(serials[prID], pharmacy.Name, dates, still[prID], op, by, today)
		if !ok {
			continue
		}
		if err := tx.resolveAlertIDs(a.PatientID, []string{a.ID},
			resolution{Reason: why, EntityType: "organisation", EntityID: pharmacy.ID}); err != nil {
			return err
		}
	}
	return nil
}

// refuseClosingRecordedDays refuses an opening op that closes a day, up to
// today, on which the pharmacy recorded a dose given, handed over,
// withheld or refused (calendar.Opening.NewlyClosed): the pharmacy was
// open that day (S1: the record says what happened on the day), and a
// day list showing it closed beside those records would say otherwise.
// Day close's missed records do not count: a pharmacy that closed
// unexpectedly records the closure afterwards. Each such day is named
// under the field that closes it.
func (tx *Tx) refuseClosingRecordedDays(pharmacyID string, op calendar.Opening, today calendar.Date) error {
	old, err := pharmacyOpening(tx.g, pharmacyID)
	if err != nil {
		return err
	}
	days := op.NewlyClosed(old, today)
	if len(days) == 0 {
		return nil
	}
	// Patients, not records: a record corrected twice is one patient seen,
	// and three "records" for it would overstate the day.
	var recorded []struct {
		Date     calendar.Date
		Patients int
	}
	if err := tx.g.Table("dose_events").Select("date, COUNT(DISTINCT patient_id) AS patients").
		Where("pharmacy_id = ? AND date IN ? AND outcome <> ?", pharmacyID, days, dispensing.Missed).
		Group("date").Order("date").Scan(&recorded).Error; err != nil {
		return translate(err)
	}
	var f problem.Fields
	for _, r := range recorded {
		field := op.ClosingField(old, r.Date)
		f.Add(field, "doses_recorded",
			"%s would close %s, a day on which this pharmacy recorded a dose given, withheld or refused for %d patient(s), so it was open that day: a day with doses recorded is not closed afterwards (S1: the record says what happened on the day)",
			field, r.Date, r.Patients)
	}
	return f.Err()
}
