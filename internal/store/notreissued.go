package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/policy"
)

// A prescription that a change of dose, pattern or pharmacy could not
// reissue is left as written, and a prescription_not_reissued alert asks
// the prescriber to cancel it and prescribe its remaining days again (ADR
// 0011). Cancelling answers it (cancelPrescription). So does the
// prescription running its course, or lapsing unsupplied (L3): the
// pharmacy then supplies nothing more from it, and there is nothing left
// to cancel or prescribe again (ADR 0006, amended). A new prescription
// cannot cover its days instead while it is issued (refuseOverlap): the
// cancellation that must come first answers the alert.

const notReissuedKeyPrefix = "prescription_not_reissued:"

// notReissuedKey is the dedupe key of the alert about a prescription left
// as written: one per prescription, however many changes miss it.
func notReissuedKey(prescriptionID string) string { return notReissuedKeyPrefix + prescriptionID }

// resolveNotReissuedAtClose resolves, at the close of day, the pharmacy's
// open prescription_not_reissued alerts whose prescription has nothing
// left to supply after day. Only alerts recent enough for their
// prescription to have run out within the close's window are read (the
// alerts index by pharmacy and time): the alert came after the
// prescription's date, and a prescription ends at most L3's validity plus
// L5's supply after it. Their patients are the close's, locked by it.
func (tx *Tx) resolveNotReissuedAtClose(n policy.Numbers, zone *time.Location, pharmacyID string, day calendar.Date) error {
	since := day.AddDays(-(historyWindow + n.L3ValidDays + n.L5MaxSupplyDays)).Start(zone).UTC()
	var keys []string
	if err := tx.g.Model(&Alert{}).Where("pharmacy_id = ? AND created_at >= ? AND kind = ?", pharmacyID, since, AlertNotReissued).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").
		Order("dedupe_key").Pluck("dedupe_key", &keys).Error; err != nil {
		return translate(err)
	}
	return tx.resolveSpentNotReissued(n, keys, day.AddDays(1), day.AddDays(-historyWindow))
}

// resolveNotReissuedOnIssue resolves, as a prescription is issued for the
// patient (whose lock the caller holds), the patient's open
// prescription_not_reissued alerts whose prescription has nothing left to
// supply from today: the prescriber writing the next one sees the list as
// it stands, whatever day close has or has not run, older alerts
// included.
func (tx *Tx) resolveNotReissuedOnIssue(n policy.Numbers, patientID string, today calendar.Date) error {
	var ids []string
	if err := tx.g.Model(&Prescription{}).Where("patient_id = ? AND status = ?", patientID, StatusIssued).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return translate(err)
	}
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = notReissuedKey(id)
	}
	var open []string
	if err := tx.g.Model(&Alert{}).Where("dedupe_key IN ?", keys).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").
		Order("dedupe_key").Pluck("dedupe_key", &open).Error; err != nil {
		return translate(err)
	}
	return tx.resolveSpentNotReissued(n, open, today, calendar.Date{})
}

// resolveSpentNotReissued resolves the alerts of keys whose prescription
// has nothing left to supply from the day from on: it expired unsupplied
// (L3), or its last instalment's day is past. A prescription whose last
// instalment is before notBefore is left (zero: none is): its patient is
// not the caller's to write for.
func (tx *Tx) resolveSpentNotReissued(n policy.Numbers, keys []string, from, notBefore calendar.Date) error {
	for _, key := range keys {
		var pr Prescription
		if err := tx.g.Take(&pr, "id = ?", strings.TrimPrefix(key, notReissuedKeyPrefix)).Error; err != nil {
			return translate(err)
		}
		var last Instalment
		if err := tx.g.Where("prescription_id = ?", pr.ID).Order("date DESC").Limit(1).Find(&last).Error; err != nil {
			return translate(err)
		}
		if last.ID == "" || last.Date.Before(notBefore) {
			continue
		}
		if err := withFirstSupply(tx.g, []*Prescription{&pr}); err != nil {
			return err
		}
		var why string
		switch {
		// Its L3 window closed unsupplied; one that ran out unsupplied
		// within it (expired too, as EffectiveStatus reads it) ran out.
		case pr.Status == StatusIssued && dispensing.FirstInstalmentLapsed(n, pr.PrescribedOn, pr.FirstSupply, from):
			why = fmt.Sprintf("Prescription %s expired unsupplied: nothing was dispensed from it within %d days of its date, %s (L3), so nothing can be supplied from it now and there is nothing left to cancel or prescribe again.",
				pr.Serial, n.L3ValidDays, pr.PrescribedOn)
		case last.Date.Before(from):
			why = fmt.Sprintf("Prescription %s ran out: its last instalment was due on %s, so the pharmacy supplies nothing more from it and there is nothing left to cancel or prescribe again.",
				pr.Serial, last.Date)
		default:
			continue
		}
		if err := tx.resolveAlerts(pr.PatientID, AlertNotReissued, key,
			resolution{Reason: why, EntityType: "prescription", EntityID: pr.ID}); err != nil {
			return err
		}
	}
	return nil
}
