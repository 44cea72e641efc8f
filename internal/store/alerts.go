package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/sharedcare"
)

// Alert kinds.
const (
	AlertMissedDose       = "missed_dose"       // MD2
	AlertMD1Block         = "md1_block"         // MD1
	AlertWithheld         = "withheld"          // S3, S4
	AlertReviewDue        = "review_due"        // M5
	AlertECGDue           = "ecg_due"           // M4
	AlertInjectionOverdue = "injection_overdue" // BV8
	AlertSharedCare       = "shared_care"       // SC1: declined, withdrawn, handed back, prescribed or cancelled across parties; SC3: accepted once a criterion lapsed
	// Reviews under accepted shared care (SC1): the specialist service's
	// yearly review and the GP practice's M5 review.
	AlertSpecialistReviewDue = "specialist_review_due"
	AlertGPReviewDue         = "gp_review_due"
	// An issued prescription's instalment falls on a day its pharmacy has
	// since closed: a new prescription is needed (L8).
	AlertPharmacyClosed = "pharmacy_closed"
	// Supervised consumption has run its first weeks: is it still needed (S6)?
	AlertSupervisionReviewDue = "supervision_review_due"
	// Days missed here and there rather than in a run (S4).
	AlertAttendance = "intermittent_attendance"
	// The service changed the dose, pickup pattern or pharmacy while the
	// practice prescribes under accepted shared care (SC1): for the practice.
	AlertRegimeChanged = "regime_changed"
	// A change of dose, pattern or pharmacy could not reissue a live
	// prescription, which the pharmacy goes on supplying as written until
	// the prescriber cancels it (L8, L2; ADR 0011).
	AlertNotReissued = "prescription_not_reissued"
	// An issued prescription with instalments still to come at a pharmacy
	// was cancelled (asked for, by the regime's end, or reissued by a
	// change): for that pharmacy alone, naming the days and what replaces
	// them (MD5 when nothing does, else MD4).
	AlertPrescriptionCancelled = "prescription_cancelled"
)

// AlertKinds lists every kind, for validating a filter.
func AlertKinds() []string {
	return []string{AlertMissedDose, AlertMD1Block, AlertWithheld, AlertReviewDue, AlertECGDue, AlertInjectionOverdue,
		AlertSharedCare, AlertSpecialistReviewDue, AlertGPReviewDue, AlertPharmacyClosed, AlertSupervisionReviewDue, AlertAttendance,
		AlertRegimeChanged, AlertNotReissued, AlertPrescriptionCancelled}
}

// gpAlertKinds are the alerts that also go to a GP practice holding
// accepted shared care: the missed-dose safety net (MD2, MD1, S3/S4), so
// the practice now prescribing hears what the service hears and can lift
// an MD1 block with a review, the practice's own review, and the ECG a
// high methadone dose needs (M4), which a practice can arrange and record
// at a review, an instalment left on a day the pharmacy closed, since
// the practice may be the one to write the new prescription, a prescription
// a change of the service's could not reissue, for the same reason and
// because it may be the practice's own, which the pharmacy goes on
// supplying at the old dose or pattern (ADR 0011), and an overdue Buvidal
// injection (BV8), since under shared care the practice gives the
// injections (ADR 0009).
var gpAlertKinds = []string{AlertMissedDose, AlertMD1Block, AlertWithheld, AlertAttendance, AlertGPReviewDue, AlertECGDue, AlertPharmacyClosed,
	AlertNotReissued, AlertInjectionOverdue}

// Alert asks a prescriber (and the pharmacy, or the GP practice) to act.
// Who acknowledged it is kept per organisation (alert_acknowledgements).
type Alert struct {
	ID         string    `json:"id"`
	ServiceID  string    `json:"service_id"`
	PatientID  string    `json:"patient_id"`
	PharmacyID *string   `json:"pharmacy_id"`
	Kind       string    `json:"kind"`
	Rule       string    `json:"rule"`
	Message    string    `json:"message"`
	DedupeKey  string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	// PracticeID addresses the alert to a GP practice instead of the
	// service (ADR 0008): its GPs see it whether or not the practice still
	// holds the patient, and the service, whose change it reports, does not.
	PracticeID *string `json:"practice_id"`
}

// AlertView is an alert as one organisation sees it: who it is about, with
// what a reader needs to tell the patient apart, and whether that
// organisation has acknowledged it.
type AlertView struct {
	Alert
	PatientName      string        `json:"patient_name"`
	NHSNumber        string        `json:"nhs_number"`
	NHSNumberDisplay string        `json:"nhs_number_display"`
	DateOfBirth      calendar.Date `json:"date_of_birth"`
	AcknowledgedAt   *time.Time    `json:"acknowledged_at"`
	AcknowledgedBy   *string       `json:"acknowledged_by"`
	ResolvedAt       *time.Time    `json:"resolved_at"`
	Resolution       *string       `json:"resolution"`
}

type alertAcknowledgement struct {
	AlertID        string    `json:"alert_id"`
	OrganisationID string    `json:"organisation_id"`
	UserID         string    `json:"user_id"`
	AcknowledgedAt time.Time `json:"acknowledged_at"`
}

func (alertAcknowledgement) TableName() string { return "alert_acknowledgements" }

// alertResolution says which later record answered an alert, for every
// organisation it went to: the alert itself stays as raised.
type alertResolution struct {
	AlertID    string    `json:"alert_id"`
	ResolvedAt time.Time `json:"resolved_at"`
	Reason     string    `json:"reason"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
}

func (alertResolution) TableName() string { return "alert_resolutions" }

// resolution names the record that answers alerts.
type resolution struct {
	Reason     string
	EntityType string
	EntityID   string
}

// resolveAlerts resolves the patient's unresolved alerts of one kind whose
// dedupe key starts with keyPrefix ("" for any).
func (tx *Tx) resolveAlerts(patientID, kind, keyPrefix string, by resolution) error {
	q := tx.g.Model(&Alert{}).Where("patient_id = ? AND kind = ?", patientID, kind).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)")
	if keyPrefix != "" {
		// substr, not LIKE: keys hold underscores, which LIKE reads as wildcards.
		q = q.Where("substr(dedupe_key, 1, ?) = ?", len(keyPrefix), keyPrefix)
	}
	var ids []string
	if err := q.Order("id").Pluck("id", &ids).Error; err != nil {
		return translate(err)
	}
	return tx.resolveAlertIDs(patientID, ids, by)
}

// resolveAlertIDs resolves the patient's alerts ids, which are open.
func (tx *Tx) resolveAlertIDs(patientID string, ids []string, by resolution) error {
	now := tx.db.Now()
	for _, id := range ids {
		res := alertResolution{AlertID: id, ResolvedAt: now, Reason: by.Reason, EntityType: by.EntityType, EntityID: by.EntityID}
		if err := tx.g.Create(&res).Error; err != nil {
			return translate(err)
		}
		if err := tx.Audit("alert.resolve", "patient", patientID, res); err != nil {
			return err
		}
	}
	return nil
}

// raiseAlert adds an alert once per dedupe key.
func (tx *Tx) raiseAlert(a Alert) error {
	_, err := tx.raiseAlertOnce(a)
	return err
}

// raiseAlertOnce is raiseAlert reporting whether the alert is new.
func (tx *Tx) raiseAlertOnce(a Alert) (bool, error) {
	a.ID, a.CreatedAt = newID(), tx.db.Now()
	res := tx.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&a)
	if res.Error != nil {
		return false, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	return true, tx.Audit("alert.raise", "patient", a.PatientID, a)
}

// AlertFilter narrows the alert list. Acknowledged nil lists both; true
// only those the caller's organisation has acknowledged, false only those
// it has not. Resolved likewise for the alerts a later record answered.
type AlertFilter struct {
	PatientID    string
	Kind         string
	Acknowledged *bool
	Resolved     *bool
	After        string
	Limit        int
}

type alertRow struct {
	Alert
	GivenName      string
	FamilyName     string
	NHSNumber      string
	DateOfBirth    calendar.Date
	AcknowledgedAt *time.Time
	AcknowledgedBy *string
	ResolvedAt     *time.Time
	Resolution     *string
}

func (r alertRow) view() AlertView {
	return AlertView{Alert: r.Alert, PatientName: r.GivenName + " " + r.FamilyName, NHSNumber: r.NHSNumber,
		NHSNumberDisplay: patients.FormatNHSNumber(r.NHSNumber), DateOfBirth: r.DateOfBirth,
		AcknowledgedAt: r.AcknowledgedAt, AcknowledgedBy: r.AcknowledgedBy, ResolvedAt: r.ResolvedAt, Resolution: r.Resolution}
}

// visibleAlerts selects the alerts p may see, each with its patient and the
// acknowledgement of p's organisation, in one statement: prescribers see
// their service's, pharmacists their pharmacy's, and a GP practice those
// addressed to it and the gpAlertKinds of patients whose shared care it
// has accepted.
func visibleAlerts(g *gorm.DB, p auth.Principal) *gorm.DB {
	q := g.Table("alerts").
		Select(`alerts.*, patients.given_name, patients.family_name, patients.nhs_number, patients.date_of_birth,
			ack.acknowledged_at, ack.user_id AS acknowledged_by, res.resolved_at, res.reason AS resolution`).
		Joins("JOIN patients ON patients.id = alerts.patient_id").
		Joins("LEFT JOIN alert_acknowledgements ack ON ack.alert_id = alerts.id AND ack.organisation_id = ?", p.OrgID).
		Joins("LEFT JOIN alert_resolutions res ON res.alert_id = alerts.id")
	switch p.Role {
	case auth.Prescriber:
		// A prescription_cancelled notice tells the pharmacy what the
		// service (or a GP) did; the prescription's own answer and the
		// shared-care notices tell the prescribers.
		return q.Where("alerts.service_id = ? AND alerts.practice_id IS NULL AND alerts.kind <> ?", p.OrgID, AlertPrescriptionCancelled)
	case auth.Pharmacist:
		return q.Where("alerts.pharmacy_id = ?", p.OrgID)
	case auth.GP:
		// Those addressed to the practice, and the service's raised since
		// the practice accepted: earlier ones were the service's to act on,
		// and the handover summary carries the history. An MD1 block still
		// standing at acceptance is the exception: dispensing stays stopped
		// until a prescriber reviews, which the practice now may, and day
		// close raises no second alert while that one is open, so the
		// practice would never hear of it. It sees that alert, resolved or
		// not, as long as it was unresolved when the practice accepted.
		return q.Where(`(alerts.practice_id = ? OR (alerts.practice_id IS NULL AND alerts.kind IN ? AND
			EXISTS (SELECT 1 FROM shared_care s JOIN shared_care_events ev ON ev.shared_care_id = s.id AND ev.kind = ?
				WHERE s.patient_id = alerts.patient_id AND s.practice_id = ? AND s.status = ? AND (ev.occurred_at <= alerts.created_at
					OR (alerts.kind = ? AND (res.alert_id IS NULL OR res.resolved_at >= ev.occurred_at))))))`,
			p.OrgID, gpAlertKinds, SharedAccepted, p.OrgID, SharedAccepted, AlertMD1Block)
	}
	return q.Where("1 = 0")
}

// Alerts lists the alerts p may see, newest first.
func (db *DB) Alerts(ctx context.Context, p auth.Principal, f AlertFilter) ([]AlertView, error) {
	q := visibleAlerts(db.read(ctx), p).Order("alerts.id DESC")
	if f.PatientID != "" {
		q = q.Where("alerts.patient_id = ?", f.PatientID)
	}
	if f.Kind != "" {
		q = q.Where("alerts.kind = ?", f.Kind)
	}
	switch {
	case f.Acknowledged == nil:
	case *f.Acknowledged:
		q = q.Where("ack.alert_id IS NOT NULL")
	default:
		q = q.Where("ack.alert_id IS NULL")
	}
	switch {
	case f.Resolved == nil:
	case *f.Resolved:
		q = q.Where("res.alert_id IS NOT NULL")
	default:
		q = q.Where("res.alert_id IS NULL")
	}
	if f.After != "" {
		q = q.Where("alerts.id < ?", f.After)
	}
	var rows []alertRow
	if err := q.Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]AlertView, len(rows))
	for i, r := range rows {
		out[i] = r.view()
	}
	return out, nil
}

// AcknowledgeAlert records that p's organisation has seen an alert. It
// leaves the alert open for every other organisation it goes to. Again by
// the same organisation it changes nothing and answers the first
// acknowledgement.
func (tx *Tx) AcknowledgeAlert(p auth.Principal, id string) (AlertView, error) {
	notFound := problem.NotFoundf("alert not found")
	if !ValidID(id) {
		return AlertView{}, notFound
	}
	find := func() (alertRow, error) {
		var r alertRow
		err := visibleAlerts(tx.g, p).Where("alerts.id = ?", id).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return r, notFound
		}
		return r, translate(err)
	}
	r, err := find()
	if err != nil || r.AcknowledgedAt != nil {
		return r.view(), err
	}
	ack := alertAcknowledgement{AlertID: id, OrganisationID: p.OrgID, UserID: p.UserID, AcknowledgedAt: tx.db.Now()}
	res := tx.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&ack)
	if res.Error != nil {
		return AlertView{}, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		// Someone else of the organisation acknowledged it meanwhile.
		r, err = find()
		return r.view(), err
	}
	r.AcknowledgedAt, r.AcknowledgedBy = &ack.AcknowledgedAt, &ack.UserID
	return r.view(), tx.Audit("alert.acknowledge", "patient", r.PatientID, ack)
}

// sharedCareReviewAlerts raises, once per due date, the reviews that fall
// due under accepted shared care (SC1): the specialist service's review
// (at least yearly) for the service, and the GP practice's review (every M5
// interval) for the practice as well. The dates set at acceptance move on
// with each review recorded by a user of that party (sharedcare.ReviewDue).
func (tx *Tx) sharedCareReviewAlerts(n policy.Numbers, day calendar.Date) error {
	var rows []struct {
		ID, PatientID, ServiceID, PracticeID string
		SpecialistReviewDue, GPReviewDue     calendar.Date
		LastSpecialistReview, LastGPReview   calendar.Date
	}
	if err := tx.g.Table("shared_care s").
		Select(`s.id, s.patient_id, s.service_id, s.practice_id, s.specialist_review_due, s.gp_review_due, `+lastPartyReviews).
		Where("s.status = ?", SharedAccepted).Order("s.id").Scan(&rows).Error; err != nil {
		return translate(err)
	}
	for _, sc := range rows {
		if due := sharedcare.ReviewDue(sc.SpecialistReviewDue, sc.LastSpecialistReview, n.SC1SpecialistReviewMonths); !due.IsZero() && !day.Before(due) {
			if err := tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, Kind: AlertSpecialistReviewDue, Rule: "SC1",
				Message: fmt.Sprintf("The specialist review under shared care was due on %s (at least every %d months).",
					due, n.SC1SpecialistReviewMonths),
				DedupeKey: fmt.Sprintf("sc_review:specialist:%s:%s", sc.ID, due)}); err != nil {
				return err
			}
		}
		if due := sharedcare.ReviewDue(sc.GPReviewDue, sc.LastGPReview, n.M5ReviewMonths); !due.IsZero() && !day.Before(due) {
			if err := tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, Kind: AlertGPReviewDue, Rule: "M5",
				Message: fmt.Sprintf("The GP practice's review under shared care was due on %s (every %d months).",
					due, n.M5ReviewMonths),
				DedupeKey: fmt.Sprintf("sc_review:gp:%s:%s", sc.ID, due)}); err != nil {
				return err
			}
		}
	}
	return nil
}
