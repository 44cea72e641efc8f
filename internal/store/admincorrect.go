package store

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
)

// AdministrationCorrection is a row of administration_corrections
// (migration 00022): the injection it names no longer stands. It was
// entered in error (not given to this patient: ReplacementID is nil) or is
// replaced by the administration ReplacementID, its date, dose, site, batch
// or expiry corrected. Reason, CorrectedBy and CreatedAt say why, who and
// when. Rows are only ever added; one per administration.
type AdministrationCorrection struct {
	AdministrationID string    `json:"administration_id"`
	ReplacementID    *string   `json:"replacement_id"`
	Reason           string    `json:"reason"`
	CorrectedBy      string    `json:"corrected_by"`
	CreatedAt        time.Time `json:"created_at"`
}

func (AdministrationCorrection) TableName() string { return "administration_corrections" }

// EnteredInError is true when the injection was not given to this patient
// at all: nothing replaces it.
func (c AdministrationCorrection) EnteredInError() bool { return c.ReplacementID == nil }

// standingAdministration selects the administrations no correction names:
// every reader of injections for the rules (BV1-BV9, SC3), the next
// injection, the first dose and the summaries reads only these.
const standingAdministration = "NOT EXISTS (SELECT 1 FROM administration_corrections ac WHERE ac.administration_id = administrations.id)"

// markCorrections sets each administration's Correction (the correction
// that withdrew it) and CorrectsID (the one it replaces) from the
// corrections of regimeID's administrations.
func markCorrections(g *gorm.DB, regimeID string, out []Administration) error {
	var rows []AdministrationCorrection
	if err := g.Table("administration_corrections").Select("administration_corrections.*").
		Joins("JOIN administrations a ON a.id = administration_corrections.administration_id").
		Where("a.regime_id = ?", regimeID).Scan(&rows).Error; err != nil {
		return translate(err)
	}
	byID := map[string]*AdministrationCorrection{}
	replaces := map[string]string{}
	for i := range rows {
		byID[rows[i].AdministrationID] = &rows[i]
		if rows[i].ReplacementID != nil {
			replaces[*rows[i].ReplacementID] = rows[i].AdministrationID
		}
	}
	for i := range out {
		out[i].Correction = byID[out[i].ID]
		if id, ok := replaces[out[i].ID]; ok {
			out[i].CorrectsID = &id
		}
	}
	return nil
}

// administrationCorrection is the correction of administration id, if any.
func administrationCorrection(g *gorm.DB, id string) (AdministrationCorrection, bool, error) {
	var c AdministrationCorrection
	err := g.Where("administration_id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, false, nil
	}
	return c, err == nil, translate(err)
}

// alreadyCorrectedAdministration is the Conflict answering a second
// correction of one administration: it carries the correction made, and
// names the replacement to correct instead, if there is one.
func alreadyCorrectedAdministration(c AdministrationCorrection) error {
	msg := "that administration was already recorded as entered in error; nothing is left to correct"
	if c.ReplacementID != nil {
		msg = fmt.Sprintf("that administration was already corrected; correct its replacement instead (corrects_id %s)", *c.ReplacementID)
	}
	return &problem.Error{Code: problem.Conflict, Existing: c, Message: msg}
}

// correctableAdministration reads administration id of regime r for a
// correction by p: a prescriber of the service corrects any, a GP practice
// under accepted shared care only those recorded by its own users.
func correctableAdministration(g *gorm.DB, p auth.Principal, r Regime, id, field string) (Administration, error) {
	var a Administration
	notFound := func() error {
		if field == "" {
			return problem.NotFoundf("administration not found")
		}
		return problem.Invalidf(field, "exists", "%s must name an administration of this regime", field)
	}
	if !ValidID(id) {
		return a, notFound()
	}
	err := g.Where("id = ? AND regime_id = ?", id, r.ID).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return a, notFound()
	}
	if err != nil {
		return a, translate(err)
	}
	if p.Role == auth.GP {
		if _, err := reviewablePatient(g, p, r.PatientID); err != nil {
			return a, problem.NotFoundf("administration not found")
		}
		var n int64
		if err := g.Table("users").Where("id = ? AND organisation_id = ?", a.RecordedBy, p.OrgID).Count(&n).Error; err != nil {
			return a, translate(err)
		}
		if n == 0 {
			return a, problem.Invalidf("id", "SC1", "a practice corrects only the injections its own clinicians recorded; ask the treatment service to correct this one")
		}
	}
	return a, nil
}

// CorrectAdministration replaces administration correctsID of regimeID with
// the injection in: the date, dose, site, batch or expiry corrected (BV2's
// record is append-only). The replacement is judged by BV1-BV9 (and SC1 for
// a practice) as a new injection is, with the one it replaces left out.
// reason says why; the correction is audited. One that leaves the regime
// overdue today raises BV8's alert again (raiseOverdueAfterCorrection).
func (tx *Tx) CorrectAdministration(p auth.Principal, n policy.Numbers, today calendar.Date, regimeID, correctsID, reason string, in NewAdministration) (Administration, Outcome, AdministrationCorrection, error) {
	var c AdministrationCorrection
	if err := tx.lockPatientOf(ofRegime, regimeID); err != nil {
		return Administration{}, Outcome{}, c, err
	}
	r, err := regimeFor(tx.g, p, regimeID)
	if err != nil {
		return Administration{}, Outcome{}, c, err
	}
	old, err := correctableAdministration(tx.g, p, r, correctsID, "corrects_id")
	if err != nil {
		return Administration{}, Outcome{}, c, err
	}
	if !problem.Visible(reason) {
		return Administration{}, Outcome{}, c, problem.Invalidf("correction_reason", "required", "a correction carries correction_reason: why the record was wrong")
	}
	if existing, ok, err := administrationCorrection(tx.g, old.ID); err != nil {
		return Administration{}, Outcome{}, c, err
	} else if ok {
		return Administration{}, Outcome{}, c, alreadyCorrectedAdministration(existing)
	}
	// The correction is written first, so that the rules read the patient's
	// injections without the one replaced; the replacement it names is
	// written next, in the same transaction (the reference is checked at
	// commit). A blocked replacement leaves neither.
	in.id = newID()
	c = AdministrationCorrection{AdministrationID: old.ID, ReplacementID: &in.id, Reason: reason, CorrectedBy: p.UserID, CreatedAt: tx.db.Now()}
	if err := tx.g.Create(&c).Error; err != nil {
		return Administration{}, Outcome{}, c, translate(err)
	}
	a, out, err := tx.RecordAdministration(p, n, regimeID, in)
	if err != nil {
		return a, out, c, err
	}
	a.CorrectsID = &old.ID
	if err := tx.Audit("administration.correct", "regime", r.ID, c); err != nil {
		return a, out, c, err
	}
	// The replacement brought the first dose forward if it is earlier; one
	// moved later leaves the first dose to the next injection or dose.
	recorded, _, err := tx.firstDoseDates(r.PatientID)
	if err != nil {
		return a, out, c, err
	}
	if err := tx.firstDoseUntaken(r.PatientID, recorded, old.Date, firstDoseChange{AdministrationID: old.ID}); err != nil {
		return a, out, c, err
	}
	if err := tx.raiseOverdueAfterCorrection(r.PatientID, n, today, old, "corrected"); err != nil {
		return a, out, c, err
	}
	return a, out, c, tx.tellOtherPartyOfCorrection(p, n, r, old, &a, reason)
}

// AdministrationEnteredInError records that administration id was not given
// to this patient (a record made against the wrong patient): it no longer
// counts for any rule, the next injection, adherence or the first dose. The
// record stays, marked with the correction; reason says why. Audited. If
// the regime is left overdue today, BV8's alert is raised again
// (raiseOverdueAfterCorrection).
func (tx *Tx) AdministrationEnteredInError(p auth.Principal, n policy.Numbers, today calendar.Date, id, reason string) (AdministrationCorrection, Administration, error) {
	var c AdministrationCorrection
	var a Administration
	if !ValidID(id) {
		return c, a, problem.NotFoundf("administration not found")
	}
	var regimeIDs []string
	if err := tx.g.Table("administrations").Where("id = ?", id).Pluck("regime_id", &regimeIDs).Error; err != nil {
		return c, a, translate(err)
	}
	if len(regimeIDs) == 0 {
		return c, a, problem.NotFoundf("administration not found")
	}
	regimeID := regimeIDs[0]
	if err := tx.lockPatientOf(ofRegime, regimeID); err != nil {
		return c, a, err
	}
	r, err := regimeFor(tx.g, p, regimeID)
	if err != nil {
		return c, a, problem.NotFoundf("administration not found")
	}
	if a, err = correctableAdministration(tx.g, p, r, id, ""); err != nil {
		return c, a, err
	}
	if !problem.Visible(reason) {
		return c, a, problem.Invalidf("reason", "required", "say why the injection was entered in error (given to another patient, say)")
	}
	if existing, ok, err := administrationCorrection(tx.g, a.ID); err != nil {
		return c, a, err
	} else if ok {
		return c, a, alreadyCorrectedAdministration(existing)
	}
	c = AdministrationCorrection{AdministrationID: a.ID, Reason: reason, CorrectedBy: p.UserID, CreatedAt: tx.db.Now()}
	if err := tx.g.Create(&c).Error; err != nil {
		return c, a, translate(err)
	}
	if err := tx.Audit("administration.entered_in_error", "regime", r.ID, c); err != nil {
		return c, a, err
	}
	// The administration as the list shows it: with its overrides, the
	// one it replaced, and now its correction.
	all, err := administrations(tx.g, r.ID)
	if err != nil {
		return c, a, err
	}
	for _, x := range all {
		if x.ID == a.ID {
			a = x
		}
	}
	recorded, _, err := tx.firstDoseDates(r.PatientID)
	if err != nil {
		return c, a, err
	}
	if err := tx.firstDoseUntaken(r.PatientID, recorded, a.Date, firstDoseChange{AdministrationID: a.ID}); err != nil {
		return c, a, err
	}
	if err := tx.raiseOverdueAfterCorrection(r.PatientID, n, today, a, "entered in error"); err != nil {
		return c, a, err
	}
	return c, a, tx.tellOtherPartyOfCorrection(p, n, r, a, nil, reason)
}

// raiseOverdueAfterCorrection raises BV8's injection_overdue alert
// when the correction of the injection old (how: "corrected" or "entered
// in error") leaves an active Buvidal regime of the patient overdue today,
// judged, as the day close judges it, on the injections that still stand.
// Each active regime is judged, not only the corrected injection's: after
// a weekly/monthly switch the new regime's first injection is due by the
// old one's last dose (nextInjection).
//
// The alert the corrected injection resolved stays as it was, resolved by
// it: alerts are records. The new alert has the window's own key when the
// day close has not raised one for that window yet, so the day close will
// not raise it twice; when it has, the window's key is taken and the new
// alert's key carries the corrected injection too (one correction each),
// and the day close, finding the window's key taken, raises nothing more.
// While an alert for the window is open, the prescriber has been told and
// nothing is raised.
func (tx *Tx) raiseOverdueAfterCorrection(patientID string, n policy.Numbers, today calendar.Date, old Administration, how string) error {
	var active []Regime
	if err := tx.g.Where("patient_id = ? AND status = ?", patientID, RegimeActive).Order("id").Find(&active).Error; err != nil {
		return translate(err)
	}
	for _, r := range active {
		if med, _ := dosing.LookupMedicine(r.Medicine); !med.Injectable {
			continue
		}
		if err := tx.raiseOverdueOf(r, n, today, old, how); err != nil {
			return err
		}
	}
	return nil
}

// raiseOverdueOf is raiseOverdueAfterCorrection for the active Buvidal
// regime r.
func (tx *Tx) raiseOverdueOf(r Regime, n policy.Numbers, today calendar.Date, old Administration, how string) error {
	next, err := nextInjection(tx.g, r, n)
	if err != nil {
		return err
	}
	if today.Before(next.Latest) {
		return nil
	}
	key := fmt.Sprintf("bv8:%s:%s", r.ID, next.Latest)
	ofWindow := func() *gorm.DB {
		return tx.g.Model(&Alert{}).Where("patient_id = ? AND kind = ?", r.PatientID, AlertInjectionOverdue).
			Where("(dedupe_key = ? OR substr(dedupe_key, 1, ?) = ?)", key, len(key)+1, key+":")
	}
	var raised, open int64
	if err := ofWindow().Count(&raised).Error; err != nil {
		return translate(err)
	}
	// On the window's last day the day close at its end judges it, unless
	// it has already run and raised the alert this correction left standing.
	if raised == 0 && !today.After(next.Latest) {
		return nil
	}
	if err := ofWindow().Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").Count(&open).Error; err != nil {
		return translate(err)
	}
	if open > 0 {
		return nil
	}
	why := fmt.Sprintf(" The injection of %s recorded for %s was %s, and none that stands answers this window.", old.Dose, old.Date, how)
	if raised > 0 {
		key += ":" + old.ID
		why = " Raised again:" + why
	}
	return tx.raiseAlert(Alert{ServiceID: r.ServiceID, PatientID: r.PatientID, Kind: AlertInjectionOverdue, Rule: "BV8",
		Message: overdueMessage(r, next) + why, DedupeKey: key})
}
