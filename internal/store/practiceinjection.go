package store

import (
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/sharedcare"
)

// practiceInjection is the injection in that a GP practice records under
// regime r, as SC1 judges it: against current, the dose in force on its
// date, and BV8's window read, as CheckAdministration's BV8 reads it, from
// past's injections dated up to it.
func practiceInjection(n policy.Numbers, med dosing.Medicine, r Regime, in NewAdministration, current dosing.Micrograms, past []regimes.Administration) sharedcare.PracticeInjection {
	var upTo []regimes.Administration
	for _, p := range past {
		if !p.Date.After(in.Date) {
			upTo = append(upTo, p)
		}
	}
	return sharedcare.PracticeInjection{Date: in.Date, Dose: in.Dose, Extra: in.Extra, Current: current,
		Window: regimes.NextInjection(med, r.StartDate, upTo, n)}
}

// alertLateInjection tells the specialist service that the practice gave
// the regular injection a after its BV8 window closed (in): the service
// follows up an overdue injection and decides how to continue (SC1), and
// the overdue alert, which a resolves, no longer says so. The alert is the
// service's alone (shared_care, no practice_id); the practice was told in
// the answer. Once per window and date, so a correction of the batch or
// site raises none again, and one of the date names the new date.
func (tx *Tx) alertLateInjection(serviceID string, r Regime, n policy.Numbers, a Administration, in sharedcare.PracticeInjection) error {
	next, err := nextInjection(tx.g, r, n)
	if err != nil {
		return err
	}
	msg := sharedcare.LateInjection{Dose: a.Dose, Date: a.Date, Window: in.Window, Next: next.Due}
	return tx.raiseAlert(Alert{ServiceID: serviceID, PatientID: r.PatientID, Kind: AlertSharedCare, Rule: "SC1",
		Message:   msg.ToService(),
		DedupeKey: "shared_care:late_injection:" + r.ID + ":" + in.Window.Due.String() + ":" + a.Date.String()})
}

// tellOtherPartyOfCorrection tells the party to accepted shared care that
// did not make it of the correction of injection old (replaced by
// replacement, or entered in error when that is nil) that changed what was
// given or when — not of a batch, expiry or site put right: the practice gives
// the injections and the service follows them up from the one record, and
// neither should find a past injection gone or moved without being told.
// The practice hears as of any other change by the service
// (regime_changed, with the next due date); the service by a shared_care
// alert of its own, once per corrected injection.
func (tx *Tx) tellOtherPartyOfCorrection(p auth.Principal, n policy.Numbers, r Regime, old Administration, replacement *Administration, reason string) error {
	if replacement != nil && replacement.Dose == old.Dose && replacement.Date.Equal(old.Date) {
		return nil // a batch, expiry or site corrected: the treatment given is as it was
	}
	if err := tx.resolveLateInjection(p, r, old, replacement, reason); err != nil {
		return err
	}
	sc, err := openSharedCare(tx.g, r.PatientID)
	if err != nil || sc == nil || sc.Status != SharedAccepted {
		return err
	}
	c := sharedcare.InjectionCorrected{Dose: old.Dose, Date: old.Date, Reason: reason}
	if replacement != nil {
		c.Replacement = &sharedcare.CorrectedInjection{Dose: replacement.Dose, Date: replacement.Date}
	}
	if p.OrgID != sc.PracticeID {
		return tx.tellPracticeOfChange(p, n, r, "injection_correction:"+old.ID, c.What(), reason, nil)
	}
	if c.By, err = tx.whoIs(p.UserID); err != nil {
		return err
	}
	next, err := nextInjection(tx.g, r, n)
	if err != nil {
		return err
	}
	c.Next = next.Due
	return tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: r.PatientID, Kind: AlertSharedCare, Rule: "SC1",
		Message: c.ToService(), DedupeKey: "shared_care:injection_corrected:" + old.ID})
}

// resolveLateInjection resolves the service's alert that the practice gave
// injection old after its window (alertLateInjection) once old is
// corrected in its date or dose or entered in error: the alert names an
// injection that no longer stands. A replacement still late raises its
// own, and one the correction leaves overdue raises BV8's.
func (tx *Tx) resolveLateInjection(p auth.Principal, r Regime, old Administration, replacement *Administration, reason string) error {
	prefix := "shared_care:late_injection:" + r.ID + ":"
	var open []Alert
	if err := tx.g.Where("patient_id = ? AND kind = ? AND substr(dedupe_key, 1, ?) = ?", r.PatientID, AlertSharedCare, len(prefix), prefix).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions x WHERE x.alert_id = alerts.id)").Order("id").Find(&open).Error; err != nil {
		return translate(err)
	}
	var ids []string
	for _, a := range open {
		if strings.HasSuffix(a.DedupeKey, ":"+old.Date.String()) {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	who, err := tx.whoIs(p.UserID)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("entered in error by %s", who)
	if replacement != nil {
		what = fmt.Sprintf("corrected by %s to %s on %s", who, replacement.Dose, replacement.Date)
	}
	return tx.resolveAlertIDs(r.PatientID, ids, resolution{
		Reason:     fmt.Sprintf("The injection of %s recorded on %s was %s: %s.", old.Dose, old.Date, what, reason),
		EntityType: "administration", EntityID: old.ID})
}
