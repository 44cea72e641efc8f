package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/policy"
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

// recordedClosures reads the openings of the pharmacies, for the dose
// days recorded there that fell on a date the pharmacy recorded closed
// (markClosed).
func recordedClosures(g *gorm.DB, pharmacies map[string]bool) (map[string]calendar.Opening, error) {
	out := map[string]calendar.Opening{}
	if len(pharmacies) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(pharmacies))
	for id := range pharmacies {
		ids = append(ids, id)
	}
	var orgs []Organisation
	if err := g.Select("id, opening").Where("id IN ?", ids).Find(&orgs).Error; err != nil {
		return nil, translate(err)
	}
	for _, o := range orgs {
		if o.Opening == "" {
			continue // the default opening has no closed dates
		}
		var op calendar.Opening
		if err := json.Unmarshal([]byte(o.Opening), &op); err != nil {
			return nil, fmt.Errorf("pharmacy %s opening: %w", o.ID, err)
		}
		out[o.ID] = op
	}
	return out, nil
}

// markClosed marks the dose days of an instalment collected on date as
// at a pharmacy closed then, when op records date itself as closed. The
// dose event stays as it was written (append-only); the mark is derived
// from the opening, so reopening the day takes it away again (ADR 0016).
func markClosed(days []dispensing.DayOutcome, op calendar.Opening, date calendar.Date) {
	if !op.RecordedClosed(date) {
		return
	}
	for i := range days {
		days[i].PharmacyClosed = true
	}
}

// closedAfterwards deals with the days an opening op newly records as
// closed, up to today, on which doses were already recorded missed: a
// pharmacy that shut unexpectedly records the closure afterwards, after
// day close marked its patients' doses missed (ADR 0016). The records
// stand and so do MD1's and MD2's counts: the patient went without the
// dose. But the prescriber is told the pharmacy was closed, as for any
// closed day with instalments (L8), the open MD2 alerts of runs holding
// those days are answered and raised again saying so (alerts are never
// edited, ADR 0006), and intermittent attendance alerts (S4) that counted
// them are answered when what is left no longer makes it. Days op opens
// again are dealt with first (reopenedAfterwards). was is the pharmacy as
// read before the change; p made it on today.
func (tx *Tx) closedAfterwards(p auth.Principal, n policy.Numbers, was Organisation, op calendar.Opening, today calendar.Date) error {
	old := calendar.DefaultOpening()
	if was.Opening != "" {
		if err := json.Unmarshal([]byte(was.Opening), &old); err != nil {
			return fmt.Errorf("pharmacy %s opening: %w", was.ID, err)
		}
	}
	if err := tx.reopenedAfterwards(p, n, was, old, op, today); err != nil {
		return err
	}
	var days []calendar.Date
	for _, d := range op.NewlyClosed(old, today) {
		if op.RecordedClosed(d) {
			days = append(days, d)
		}
	}
	if len(days) == 0 {
		return nil
	}
	// refuseClosingRecordedDays let only days whose records are all
	// missed through, so every recorded instalment here was missed.
	var ins []Instalment
	if err := tx.g.Where("pharmacy_id = ? AND date IN ?", was.ID, days).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("date, id").Find(&ins).Error; err != nil {
		return translate(err)
	}
	if len(ins) == 0 {
		return nil
	}
	var order []string
	dates := map[string][]calendar.Date{}
	for _, in := range ins {
		if _, ok := dates[in.PrescriptionID]; !ok {
			order = append(order, in.PrescriptionID)
		}
		dates[in.PrescriptionID] = append(dates[in.PrescriptionID], in.Date)
	}
	by, err := tx.whoIs(p.UserID)
	if err != nil {
		return err
	}
	for _, id := range order {
		var pr Prescription
		if err := tx.g.Take(&pr, "id = ?", id).Error; err != nil {
			return translate(err)
		}
		key, err := tx.closedDayKey(pr.ID, dates[id])
		if err != nil {
			return err
		}
		if key != "" {
			signer, err := tx.signerOf(pr)
			if err != nil {
				return err
			}
			f := prescriptions.ClosedAfterwardsFinding(n, pr.Serial, was.Name, dates[id], signer)
			if err := tx.raiseAlert(Alert{ServiceID: pr.ServiceID, PatientID: pr.PatientID, PharmacyID: &was.ID, Kind: AlertPharmacyClosed,
				Rule: f.Rule, Message: f.Message + " " + f.Action, DedupeKey: key}); err != nil {
				return err
			}
		}
		why := resolution{
			Reason: fmt.Sprintf("%s recorded %s as closed (opening changed by %s on %s): the patient went without the dose because the pharmacy was closed.",
				was.Name, dateListOf(dates[id]), by, today),
			EntityType: "organisation", EntityID: was.ID,
		}
		if err := tx.md2Reworded(n, pr.PatientID, dates[id], today, why); err != nil {
			return err
		}
		if _, err := tx.missedAlerts(n, pr.PatientID, pr.ID, today, dates[id], &why); err != nil {
			return err
		}
	}
	return nil
}

// reopenedAfterwards undoes what closedAfterwards said of the days up to
// today that old recorded closed and op opens again (Opening.Reopened):
// their missed records lose the "pharmacy closed" mark, so the record and
// the opening never disagree (ADR 0016). The open MD2 alerts of runs
// holding those days say the pharmacy was closed then: they are answered
// naming the reopening, who made it and when, and each run, which still
// reaches MD2's figure, is alerted again in plain words (alerts are never
// edited, ADR 0006). Intermittent attendance (S4) counts the days again
// and is raised if it now holds (missedAlerts, at most one a window, not
// counting one a closure answered). L8's alerts naming the days are
// resolveReopened's. Each patient is dealt with once, whatever the
// number of their prescriptions with instalments those days.
func (tx *Tx) reopenedAfterwards(p auth.Principal, n policy.Numbers, was Organisation, old, op calendar.Opening, today calendar.Date) error {
	days := op.Reopened(old, today)
	if len(days) == 0 {
		return nil
	}
	var ins []Instalment
	if err := tx.g.Where("pharmacy_id = ? AND date IN ?", was.ID, days).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("date, id").Find(&ins).Error; err != nil {
		return translate(err)
	}
	if len(ins) == 0 {
		return nil
	}
	var order []string
	dates := map[string][]calendar.Date{}
	prescription := map[string]string{} // the patient's first, for the alerts' service and pharmacy
	for _, in := range ins {
		if _, ok := dates[in.PatientID]; !ok {
			order = append(order, in.PatientID)
			prescription[in.PatientID] = in.PrescriptionID
		}
		if !slices.ContainsFunc(dates[in.PatientID], in.Date.Equal) {
			dates[in.PatientID] = append(dates[in.PatientID], in.Date)
		}
	}
	by, err := tx.whoIs(p.UserID)
	if err != nil {
		return err
	}
	for _, patientID := range order {
		why := resolution{
			Reason: fmt.Sprintf("%s opened %s again (opening changed by %s on %s): the pharmacy is no longer recorded closed then, so the dose was missed with the pharmacy open.",
				was.Name, dateListOf(dates[patientID]), by, today),
			EntityType: "organisation", EntityID: was.ID,
		}
		if err := tx.md2Reworded(n, patientID, dates[patientID], today, why); err != nil {
			return err
		}
		if _, err := tx.missedAlerts(n, patientID, prescription[patientID], today, dates[patientID], &why); err != nil {
			return err
		}
	}
	return nil
}

// md2Reworded answers the patient's open MD2 alerts whose runs hold a day
// of closed, now recorded closed or opened again: missedAlerts then raises
// each such run's alert again, worded for the days of it recorded closed
// as they now stand (dispensing.WithClosure), or plainly when none is.
// The run still reaches MD2's figure, so the prescriber is never left
// without an open alert for it.
func (tx *Tx) md2Reworded(n policy.Numbers, patientID string, closed []calendar.Date, today calendar.Date, why resolution) error {
	first := slices.MinFunc(closed, calendar.Date.Compare)
	all, err := dayOutcomes(tx.g, []string{patientID}, first.AddDays(-historyWindow), today)
	if err != nil {
		return err
	}
	days := all[patientID]
	runs := dispensing.RunsNear(days, today, closed)
	if len(runs) == 0 {
		return nil
	}
	from, to := runs[0].Since, runs[0].Last
	for _, r := range runs {
		if r.Since.Before(from) {
			from = r.Since
		}
		if r.Last.After(to) {
			to = r.Last
		}
	}
	open, err := tx.openMissedAlerts(patientID, from, to)
	if err != nil {
		return err
	}
	for _, since := range open {
		i := slices.IndexFunc(runs, func(r dispensing.Run) bool { return r.Holds(since) })
		// A run holding none of the days is worded as it was.
		if i < 0 || !slices.ContainsFunc(closed, runs[i].Holds) {
			continue
		}
		if err := tx.resolveAlerts(patientID, AlertMissedDose, missedKeyPrefix(patientID)+since.String(),
			resolution{Reason: why.Reason + " The run still counts (MD1, MD2): a new alert for it says so.", EntityType: why.EntityType, EntityID: why.EntityID}); err != nil {
			return err
		}
	}
	return nil
}

// dateListOf reads dates as "a, b".
func dateListOf(dates []calendar.Date) string {
	s := make([]string, len(dates))
	for i, d := range dates {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}

// reopenAdvice says how a pharmacy that did open on date, closed under
// op, opens it again: a day in closed_dates is taken out of them (listing
// it in open_dates as well is refused, open_and_closed); a day closed by
// its weekday or as a bank holiday is added to open_dates.
func reopenAdvice(op calendar.Opening, date calendar.Date) string {
	if slices.ContainsFunc(op.ClosedDates, date.Equal) {
		return fmt.Sprintf("take %s out of closed_dates with PUT /v1/pharmacies/{id}/opening first", date)
	}
	return fmt.Sprintf("add %s to open_dates with PUT /v1/pharmacies/{id}/opening first", date)
}

// refuseRecordOnClosedDay refuses a dose given, handed over, withheld or
// refused on an instalment dated on a day its pharmacy is closed under
// its opening: the day list shows the pharmacy closed that day, and a
// record saying the patient was seen there would contradict it (S1: the
// record says what happened on the day). The pharmacy that did open
// opens the day again first (reopenAdvice), which is recorded and audited
// as its own change. A missed record says nothing of the pharmacy being
// open, so it is let through, as day close writes it.
func (tx *Tx) refuseRecordOnClosedDay(pharmacyID string, date calendar.Date, outcome dispensing.Outcome) error {
	if outcome == dispensing.Missed {
		return nil
	}
	op, err := pharmacyOpening(tx.g, pharmacyID)
	if err != nil {
		return err
	}
	if op.IsOpen(date) {
		return nil
	}
	return problem.Invalidf("outcome", "pharmacy_closed",
		"the pharmacy is recorded as closed on %s, so no dose given, withheld or refused can be recorded that day (S1: the record says what happened on the day); if the pharmacy did open, %s",
		date, reopenAdvice(op, date))
}
