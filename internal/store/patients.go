package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
)

// Patient is a person in treatment at one service.
type Patient struct {
	ID                 string             `json:"id"`
	ServiceID          string             `json:"service_id"`
	NHSNumber          string             `json:"nhs_number"`
	GivenName          string             `json:"given_name"`
	FamilyName         string             `json:"family_name"`
	SearchName         string             `json:"-"`
	DateOfBirth        calendar.Date      `json:"date_of_birth"`
	Sex                patients.Sex       `json:"sex"`
	Address            string             `json:"address"`
	Phone              string             `json:"phone"`
	GPPracticeID       *string            `json:"gp_practice_id"`
	PharmacyID         *string            `json:"pharmacy_id"`
	Keyworker          string             `json:"keyworker"`
	RiskFlags          patients.RiskFlags `json:"risk_flags" gorm:"serializer:json"`
	Needs              patients.Needs     `json:"needs" gorm:"serializer:json"`
	NaloxoneSuppliedOn calendar.Date      `json:"naloxone_supplied_on"`
	ReferralDate       calendar.Date      `json:"referral_date"`
	FirstContactDate   calendar.Date      `json:"first_contact_date"`
	FirstDoseDate      calendar.Date      `json:"first_dose_date"`
	// FirstDoseElsewhereDate is a first dose given elsewhere (prison,
	// hospital, another service) as a prescriber entered it: Dosebook's
	// own dose records never move it, and FirstDoseDate is the earlier of
	// it and the first dose taken here (keepFirstDose). Zero when the date
	// comes from the records here.
	FirstDoseElsewhereDate calendar.Date `json:"first_dose_elsewhere_date"`
	CreatedAt              time.Time     `json:"created_at"`
	UpdatedAt              time.Time     `json:"updated_at"`
}

// Name is how the patient is addressed on paper.
func (p Patient) Name() string { return p.GivenName + " " + p.FamilyName }

// scopePatients limits a patients query to what the user may see:
// prescribers their service's patients, GPs patients whose shared care was
// proposed to or accepted by their practice, and pharmacists the patients
// who are theirs now: dispensed at their pharmacy (the patient's pharmacy),
// or with a live prescription there, issued and not past its last day (a
// move booked ahead is seen by the new pharmacy from its reissue and by
// the old one until its last prescription there ends). A pharmacy the
// patient has left no longer sees the record: what it keeps of its own
// past work (its instalments, their dose records and corrections, its day
// lists, its balance, the prescriptions sent to it) is read by pharmacy,
// not through this scope. Any other role sees none.
func scopePatients(q *gorm.DB, p auth.Principal) *gorm.DB {
	switch p.Role {
	case auth.Prescriber:
		return q.Where("patients.service_id = ?", p.OrgID)
	case auth.Pharmacist:
		return q.Where(`(patients.pharmacy_id = ? OR EXISTS (SELECT 1 FROM prescriptions x
			WHERE x.patient_id = patients.id AND x.pharmacy_id = ? AND x.status = ? AND x.end_date >= ?))`,
			p.OrgID, p.OrgID, StatusIssued, todayOf(q))
	case auth.GP:
		return q.Where(`EXISTS (SELECT 1 FROM shared_care s WHERE s.patient_id = patients.id
			AND s.practice_id = ? AND s.status IN ('proposed', 'accepted'))`, p.OrgID)
	}
	return q.Where("1 = 0")
}

// PatientFor returns a patient the user may see; anyone else's is NotFound.
func (db *DB) PatientFor(ctx context.Context, p auth.Principal, id string) (Patient, error) {
	return patientFor(db.read(ctx), p, id)
}

func patientFor(g *gorm.DB, p auth.Principal, id string) (Patient, error) {
	var pt Patient
	if !ValidID(id) {
		return pt, problem.NotFoundf("patient not found")
	}
	err := scopePatients(g.Model(&Patient{}), p).Where("patients.id = ?", id).Take(&pt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return pt, problem.NotFoundf("patient not found")
	}
	return pt, translate(err)
}

// PatientSearch filters the patient list.
type PatientSearch struct {
	NHSNumber string // normalised 10 digits
	Name      string // matches given or family name, case-insensitive prefix
	After     string
	Limit     int
}

// SearchPatients lists the patients the user may see.
func (db *DB) SearchPatients(ctx context.Context, p auth.Principal, s PatientSearch) ([]Patient, error) {
	q := scopePatients(db.read(ctx).Model(&Patient{}), p).Order("patients.id")
	if s.NHSNumber != "" {
		q = q.Where("patients.nhs_number = ?", s.NHSNumber)
	}
	if s.Name != "" {
		for _, part := range strings.Fields(patients.SearchName(s.Name, "")) {
			q = q.Where(`(' ' || patients.search_name) LIKE ? ESCAPE '\'`, "% "+escapeLike(part)+"%")
		}
	}
	if s.After != "" {
		q = q.Where("patients.id > ?", s.After)
	}
	var out []Patient
	return out, translate(q.Limit(s.Limit).Find(&out).Error)
}

// Referrals are the patients of p's service referred between from and to
// (inclusive), with the dates rapid access is measured by.
func (db *DB) Referrals(ctx context.Context, p auth.Principal, from, to calendar.Date) ([]patients.Referral, error) {
	var rows []Patient
	err := scopePatients(db.read(ctx).Model(&Patient{}), p).
		Select("patients.id, patients.given_name, patients.family_name, patients.referral_date, patients.first_contact_date, patients.first_dose_date").
		Where("patients.referral_date >= ? AND patients.referral_date <= ?", from, to).
		Order("patients.referral_date, patients.id").Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]patients.Referral, len(rows))
	for i, r := range rows {
		out[i] = patients.Referral{PatientID: r.ID, Name: r.GivenName + " " + r.FamilyName, ReferralDate: r.ReferralDate,
			FirstContact: r.FirstContactDate, FirstDose: r.FirstDoseDate}
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// OrgRef is a request's reference to an organisation of a kind: Field
// names it in the request; a nil ID was not sent.
type OrgRef struct {
	Field string
	ID    *string
	Kind  auth.OrgKind
}

// orgRefErrors names each reference that is not a UUID (format) or names
// no organisation of its kind (exists), every one of them rather than the
// first.
func orgRefErrors(g *gorm.DB, refs []OrgRef) (problem.Fields, error) {
	var f problem.Fields
	for _, r := range refs {
		if r.ID == nil {
			continue
		}
		if !ValidID(*r.ID) {
			f.Add(r.Field, "format", "%s must be a UUID", r.Field)
			continue
		}
		var o Organisation
		err := g.Take(&o, "id = ?", *r.ID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && o.Kind != r.Kind {
			f.Add(r.Field, "exists", "%s must name an existing %s", r.Field, r.Kind)
		} else if err != nil {
			return nil, translate(err)
		}
	}
	return f, nil
}

// checkOrgs makes sure each organisation reference exists and is of its
// kind, answering all that are not at once.
func (tx *Tx) checkOrgs(refs ...OrgRef) error {
	f, err := orgRefErrors(tx.g, refs)
	if err != nil {
		return err
	}
	return f.Err()
}

// checkOrg makes sure an organisation reference exists and is of kind.
func (tx *Tx) checkOrg(field string, id *string, kind auth.OrgKind) error {
	return tx.checkOrgs(OrgRef{field, id, kind})
}

// OrgRefErrors names the references among refs that name no organisation
// of their kind, for a request refused for other fields, so that one
// answer names every field to fix. A reference that is not a UUID is left
// to the request's own format check.
func (db *DB) OrgRefErrors(ctx context.Context, refs ...OrgRef) ([]problem.FieldError, error) {
	var valid []OrgRef
	for _, r := range refs {
		if r.ID != nil && ValidID(*r.ID) {
			valid = append(valid, r)
		}
	}
	return orgRefErrors(db.read(ctx), valid)
}

// PatientOrgRefs are a patient's references to a GP practice and a
// pharmacy.
func PatientOrgRefs(gpPracticeID, pharmacyID *string) []OrgRef {
	return []OrgRef{{"gp_practice_id", gpPracticeID, auth.GPPractice}, {"pharmacy_id", pharmacyID, auth.Pharmacy}}
}

// CreatePatient registers a patient at the prescriber's service.
func (tx *Tx) CreatePatient(p auth.Principal, pt *Patient) error {
	if err := tx.checkOrgs(PatientOrgRefs(pt.GPPracticeID, pt.PharmacyID)...); err != nil {
		return err
	}
	var n int64
	if err := tx.g.Model(&Patient{}).Where("service_id = ? AND nhs_number = ?", p.OrgID, pt.NHSNumber).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n > 0 {
		return nhsNumberTaken()
	}
	pt.ID = newID()
	pt.ServiceID = p.OrgID
	// Nothing is recorded here yet: a first dose date is one given elsewhere.
	pt.FirstDoseElsewhereDate = pt.FirstDoseDate
	pt.SearchName = patients.SearchName(pt.GivenName, pt.FamilyName)
	pt.CreatedAt = tx.db.Now()
	pt.UpdatedAt = pt.CreatedAt
	if err := tx.g.Create(pt).Error; err != nil {
		// The same patient registered twice at once: the unique index
		// (service_id, nhs_number) refuses the second, answered as above.
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nhsNumberTaken()
		}
		return translate(err)
	}
	return tx.Audit("patient.create", "patient", pt.ID, pt)
}

func nhsNumberTaken() error {
	return &problem.Error{Code: problem.Conflict, Message: "a patient with this NHS number is already registered at this service",
		Fields: []problem.FieldError{{Field: "nhs_number", Rule: "unique", Message: "NHS number already registered"}}}
}

// refuseSilentPharmacyMove stops the patient's pharmacy changing under an
// active regime that dispenses elsewhere: its prescriptions would stay at
// the old pharmacy. The regime's pharmacy move reissues them and changes the
// patient's pharmacy with it. A regime with no pharmacy (Buvidal, BV2)
// dispenses nowhere.
func (tx *Tx) refuseSilentPharmacyMove(patientID, pharmacyID string, today calendar.Date) error {
	var active Regime
	err := tx.g.Where("patient_id = ? AND status = ?", patientID, RegimeActive).Take(&active).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return translate(err)
	}
	// The pharmacy dispensing today: a move planned for later is already
	// the regime row's, but the old pharmacy dispenses until its day.
	settings, err := regimeSettings(tx.g, active.ID)
	if err != nil {
		return err
	}
	if now := settingOn(active, settings, today).PharmacyID; now == pharmacyID || now == "" {
		return nil
	}
	if pharmacyID == "" {
		return problem.Invalidf("pharmacy_id", "regime_pharmacy",
			"the active regime dispenses at the patient's pharmacy, so it cannot be cleared; to change it, move the regime with POST /v1/regimes/%s/pharmacy, "+
				"which reissues its live prescriptions and changes the patient's pharmacy too", active.ID)
	}
	return problem.Invalidf("pharmacy_id", "regime_pharmacy",
		"the active regime dispenses at another pharmacy; move it with POST /v1/regimes/%s/pharmacy, which reissues its live prescriptions and changes the patient's pharmacy too",
		active.ID)
}

// refuseClearedAddress stops the address being blanked while an issued
// prescription of the patient still has days to run (L2). A dose, pattern
// or pharmacy change reissues those days, and a prescription without the
// patient's address cannot be dispensed from, so the reissue would fail and
// the pharmacy would go on supplying the old prescription as written (ADR
// 0011). Only a live issued prescription counts: a draft is never seen by a
// pharmacy, and the next prescription meets L2 when it is issued.
func (tx *Tx) refuseClearedAddress(patientID string, today calendar.Date) error {
	var serials []string
	if err := tx.g.Model(&Prescription{}).Where("patient_id = ? AND status = ? AND end_date >= ?", patientID, StatusIssued, today).
		Order("start_date").Pluck("serial", &serials).Error; err != nil {
		return translate(err)
	}
	if len(serials) == 0 {
		return nil
	}
	return problem.Invalidf("address", "L2",
		"the address cannot be cleared while prescription %s runs: a controlled-drug prescription states the patient's address (Misuse of Drugs Regulations 2001 reg 15(1)(e)), and a dose, pattern or pharmacy change must reissue its remaining days; for a patient with no home, record '%s'",
		strings.Join(serials, ", "), prescriptions.NoFixedAbode)
}

// samePatient reports whether two versions of a record read the same as
// the API shows them.
func samePatient(a, b Patient) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// UpdatePatient replaces the demographic and profile fields of a patient and
// audits the before and after. Clinical records are never edited this way.
func (tx *Tx) UpdatePatient(p auth.Principal, id string, today calendar.Date, apply func(*Patient) error) (Patient, error) {
	if err := tx.lockPatient(id); err != nil {
		return Patient{}, err
	}
	before, err := patientFor(tx.g, p, id)
	if err != nil {
		return before, err
	}
	after := before
	if err := apply(&after); err != nil {
		return before, err
	}
	// A first dose date entered, or null to follow the records here, is
	// settled first: null when the date already follows them is no change.
	if !after.FirstDoseDate.Equal(before.FirstDoseDate) {
		if err := tx.enterFirstDose(&after); err != nil {
			return before, err
		}
	}
	// An empty change, or every value sent as it is: nothing is written or
	// audited, and updated_at keeps its time.
	if samePatient(before, after) {
		return before, nil
	}
	if err := tx.checkOrgs(PatientOrgRefs(after.GPPracticeID, after.PharmacyID)...); err != nil {
		return before, err
	}
	if deref(after.PharmacyID) != deref(before.PharmacyID) {
		if err := tx.refuseSilentPharmacyMove(id, deref(after.PharmacyID), today); err != nil {
			return before, err
		}
	}
	if deref(after.GPPracticeID) != deref(before.GPPracticeID) {
		if err := tx.refuseSharedCarePracticeChange(id, deref(after.GPPracticeID)); err != nil {
			return before, err
		}
	}
	if strings.TrimSpace(after.Address) == "" && strings.TrimSpace(before.Address) != "" {
		if err := tx.refuseClearedAddress(id, today); err != nil {
			return before, err
		}
	}
	if after.NHSNumber != before.NHSNumber {
		var n int64
		if err := tx.g.Model(&Patient{}).Where("service_id = ? AND nhs_number = ? AND id <> ?", before.ServiceID, after.NHSNumber, id).Count(&n).Error; err != nil {
			return before, translate(err)
		}
		if n > 0 {
			return before, nhsNumberTaken()
		}
	}
	after.ID, after.ServiceID, after.CreatedAt = before.ID, before.ServiceID, before.CreatedAt
	after.UpdatedAt = tx.db.Now()
	after.SearchName = patients.SearchName(after.GivenName, after.FamilyName)
	if err := tx.g.Select("*").Omit("id", "service_id", "created_at").Where("id = ?", id).Updates(&after).Error; err != nil {
		// Another patient given the number at the same moment.
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return before, nhsNumberTaken()
		}
		return before, translate(err)
	}
	return after, tx.Audit("patient.update", "patient", id, map[string]any{"before": before, "after": after})
}
