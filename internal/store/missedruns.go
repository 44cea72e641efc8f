package store

import (
	"fmt"
	"slices"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/policy"
)

// missedKeyPrefix starts the dedupe key of every MD2 alert about a patient;
// the run's first day follows it (ADR 0006: one alert per run).
func missedKeyPrefix(patientID string) string { return "missed:" + patientID + ":" }

// md2Run is a run of days without the dose near a record, with MD2's
// finding when the run reaches its figure at the stage in force on the
// run's last day.
type md2Run struct {
	dispensing.Run
	finding policy.Finding
	reaches bool // MD2's figure, at that stage
}

// md2Alerts keeps the MD2 alerts of the runs of days without the dose that
// a record of the days on made or changed (dispensing.RunsNear, the days
// as they stand on asOf) in step with the record: each run that reaches
// MD2's figure has one open alert, raised unless an open one starts on a
// day of the run (a run lengthened at either end is still the run the
// prescriber was told of). A correction that hands a dose over (by not
// nil) may break or shorten a run: an open alert starting on a day left in
// no run that reaches the figure is resolved by it, since the missed dose
// it spoke of did not happen (ADR 0006). It returns how many alerts it raised.
func (tx *Tx) md2Alerts(n policy.Numbers, pr Prescription, r Regime, settings []RegimeSetting, patientID string,
	days []dispensing.DayOutcome, asOf calendar.Date, on []calendar.Date, by *resolution) (int, error) {
	if len(on) == 0 {
		return 0, nil
	}
	var runs []md2Run
	from, to := slices.MinFunc(on, calendar.Date.Compare), slices.MaxFunc(on, calendar.Date.Compare)
	for _, run := range dispensing.RunsNear(days, asOf, on) {
		f, ok := dispensing.AlertsForMissed(n, settingOn(r, settings, run.Last).Stage, run.Days, run.Since)
		// Days the pharmacy recorded closed count, but the alert says so
		// (ADR 0016).
		f = dispensing.WithClosure(f, dispensing.ClosedInRun(days, run.Since, run.Last))
		runs = append(runs, md2Run{Run: run, finding: f, reaches: ok})
		if run.Since.Before(from) {
			from = run.Since
		}
		if run.Last.After(to) {
			to = run.Last
		}
	}
	if by == nil && !slices.ContainsFunc(runs, func(m md2Run) bool { return m.reaches }) {
		return 0, nil // nothing to raise, and nothing to resolve
	}
	open, err := tx.openMissedAlerts(patientID, from, to)
	if err != nil {
		return 0, err
	}
	if by != nil {
		for _, since := range open {
			i := slices.IndexFunc(runs, func(m md2Run) bool { return m.Holds(since) })
			if i >= 0 && runs[i].reaches {
				continue
			}
			why := fmt.Sprintf(" No day without the dose is left at %s, where the run alerted began.", since)
			if i >= 0 {
				why = fmt.Sprintf(" The run of days without the dose from %s is now %d day(s), short of MD2's figure.", runs[i].Since, runs[i].Days)
			}
			if err := tx.resolveAlerts(patientID, AlertMissedDose, missedKeyPrefix(patientID)+since.String(),
				resolution{Reason: by.Reason + why, EntityType: by.EntityType, EntityID: by.EntityID}); err != nil {
				return 0, err
			}
			open = slices.DeleteFunc(open, since.Equal)
		}
	}
	raised := 0
	for _, m := range runs {
		if !m.reaches || slices.ContainsFunc(open, m.Holds) {
			continue
		}
		key, err := tx.newMissedKey(patientID, m.Since)
		if err != nil {
			return raised, err
		}
		isNew, err := tx.raiseAlertOnce(Alert{ServiceID: pr.ServiceID, PatientID: patientID, PharmacyID: &pr.PharmacyID,
			Kind: AlertMissedDose, Rule: m.finding.Rule, Message: m.finding.Message, DedupeKey: key})
		if err != nil {
			return raised, err
		}
		if isNew {
			raised++
		}
	}
	return raised, nil
}

// openMissedAlerts lists the first days of the runs the patient's open MD2
// alerts speak of, for runs starting from..to.
func (tx *Tx) openMissedAlerts(patientID string, from, to calendar.Date) ([]calendar.Date, error) {
	prefix := missedKeyPrefix(patientID)
	byKey := map[string]calendar.Date{}
	var keys []string
	for d := from; !d.After(to); d = d.AddDays(1) {
		byKey[prefix+d.String()] = d
		keys = append(keys, prefix+d.String())
	}
	var found []string
	// substr, not LIKE: keys hold underscores, which LIKE reads as
	// wildcards; a run alerted again after a resolution has a suffix.
	if err := tx.g.Model(&Alert{}).Where("patient_id = ? AND kind = ?", patientID, AlertMissedDose).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").
		Where("substr(dedupe_key, 1, ?) IN ?", len(keys[0]), keys).Order("dedupe_key").Pluck("dedupe_key", &found).Error; err != nil {
		return nil, translate(err)
	}
	var out []calendar.Date
	for _, k := range found {
		if d := byKey[k[:len(keys[0])]]; !slices.ContainsFunc(out, d.Equal) {
			out = append(out, d)
		}
	}
	return out, nil
}

// newMissedKey is the dedupe key of an MD2 alert for a run starting on
// since: the run's first day, and a count after it when alerts for a run
// starting that day were raised before and resolved (a correction took
// the missed day away, and another brought it back).
func (tx *Tx) newMissedKey(patientID string, since calendar.Date) (string, error) {
	key := missedKeyPrefix(patientID) + since.String()
	// The key itself first, through its unique index: alerts are never
	// deleted, so a run never alerted before has no numbered key either.
	// Counting by prefix reads every alert, once for each run alerted.
	var earlier int64
	if err := tx.g.Model(&Alert{}).Where("dedupe_key = ?", key).Count(&earlier).Error; err != nil {
		return "", translate(err)
	}
	if earlier == 0 {
		return key, nil
	}
	if err := tx.g.Model(&Alert{}).Where("substr(dedupe_key, 1, ?) = ?", len(key), key).Count(&earlier).Error; err != nil {
		return "", translate(err)
	}
	return fmt.Sprintf("%s:%d", key, earlier+1), nil
}
