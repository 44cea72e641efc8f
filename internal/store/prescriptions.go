package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
)

const (
	StatusDraft     = prescriptions.StatusDraft
	StatusIssued    = prescriptions.StatusIssued
	StatusCancelled = prescriptions.StatusCancelled
)

// Prescription is an FP10MDA-style instalment prescription.
type Prescription struct {
	ID           string                `json:"id"`
	ServiceID    string                `json:"service_id"`
	Serial       string                `json:"serial"`
	PatientID    string                `json:"patient_id"`
	RegimeID     string                `json:"regime_id"`
	PharmacyID   string                `json:"pharmacy_id"`
	PrescriberID string                `json:"prescriber_id"`
	Medicine     string                `json:"medicine"`
	DailyDose    dosing.Micrograms     `json:"daily_dose" gorm:"column:daily_dose_ug"` // on the start date
	DosePeriods  DosePeriods           `json:"dose_periods"`                           // every daily dose it covers (L2)
	Pattern      regimes.WeeklyPattern `json:"pattern" gorm:"serializer:json"`
	PrescribedOn calendar.Date         `json:"prescribed_on"`
	StartDate    calendar.Date         `json:"start_date"`
	Days         int                   `json:"days"`
	EndDate      calendar.Date         `json:"end_date"`
	Total        dosing.Micrograms     `json:"total" gorm:"column:total_ug"`
	Wording      []int                 `json:"wording" gorm:"serializer:json"`
	Status       prescriptions.Status  `json:"status"`
	ReplacesID   *string               `json:"replaces_id"`
	IssuedAt     *time.Time            `json:"issued_at"`
	CancelledAt  *time.Time            `json:"cancelled_at"`
	CancelledBy  *string               `json:"cancelled_by"`
	CancelReason string                `json:"cancel_reason"`
	PrintedCount int                   `json:"printed_count"`
	// OriginalPrinted says the one original has been printed: every print
	// since is a COPY (PrintPrescription). Read only: set by printing.
	OriginalPrinted OriginalPrint `json:"original_printed" gorm:"column:original_printed_at;<-:false"`
	CreatedAt       time.Time     `json:"created_at"`
	// FirstSupply is the first day supplied from an issued prescription
	// (zero if none), read with it so that a lapsed one shows as expired
	// (L3).
	FirstSupply calendar.Date `json:"first_supply" gorm:"-"`
}

// DosePeriods are the periods of one daily dose a prescription covers, in
// date order, fixed when it is written. The API writes each dose in mg like
// every amount; the column holds JSON in integer micrograms, as every stored
// amount is, which lets a migration write it from daily_dose_ug.
type DosePeriods []prescriptions.DosePeriod

type storedDosePeriod struct {
	From        calendar.Date `json:"from"`
	DailyDoseUg int64         `json:"daily_dose_ug"`
}

// Value writes the periods as the column's JSON; none is "[]".
func (ps DosePeriods) Value() (driver.Value, error) {
	out := make([]storedDosePeriod, len(ps))
	for i, p := range ps {
		out[i] = storedDosePeriod{From: p.From, DailyDoseUg: int64(p.DailyDose)}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("dose periods: %w", err)
	}
	return string(b), nil
}

// Scan reads the column's JSON.
func (ps *DosePeriods) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("dose periods: cannot scan %T", src)
	}
	var stored []storedDosePeriod
	if err := json.Unmarshal(b, &stored); err != nil {
		return fmt.Errorf("dose periods: %w", err)
	}
	out := make(DosePeriods, len(stored))
	for i, p := range stored {
		out[i] = prescriptions.DosePeriod{From: p.From, DailyDose: dosing.Micrograms(p.DailyDoseUg)}
	}
	*ps = out
	return nil
}

// dosePeriods are the periods of days dose days from start, with the dose
// in force on each day.
func dosePeriods(history []DoseChange, start calendar.Date, days int) DosePeriods {
	return prescriptions.DosePeriods(start, days, func(d calendar.Date) dosing.Micrograms { return DoseOn(history, d) })
}

// sameDosePeriods reports whether a and b are the same periods.
func sameDosePeriods(a, b DosePeriods) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].From.Equal(b[i].From) || a[i].DailyDose != b[i].DailyDose {
			return false
		}
	}
	return true
}

// Instalment is one collection of a prescription at its pharmacy.
type Instalment struct {
	ID             string            `json:"id"`
	PrescriptionID string            `json:"prescription_id"`
	PatientID      string            `json:"patient_id"`
	PharmacyID     string            `json:"pharmacy_id"`
	Date           calendar.Date     `json:"date"`
	Covers         []calendar.Date   `json:"covers" gorm:"serializer:json"`
	DoseDays       int               `json:"dose_days"`
	Supervised     dosing.Micrograms `json:"supervised" gorm:"column:supervised_ug"`
	TakeHome       dosing.Micrograms `json:"take_home" gorm:"column:take_home_ug"`
}

// EffectiveStatus is the state a reader sees: an issued prescription from
// which nothing was supplied within its L3 window has expired, as has a
// draft past that window. An issued one whose last day has passed is
// completed if anything was supplied from it (within L3) and expired if
// nothing was, from the day after its last day: it never reads completed
// first and expired once its L3 window closes. Missed records (day close)
// are no supply. Only a supply recorded late for one of its days moves it,
// as the record then says it was dispensed from.
func (p Prescription) EffectiveStatus(today calendar.Date, n policy.Numbers) prescriptions.Status {
	switch {
	case p.Status == StatusIssued && dispensing.FirstInstalmentLapsed(n, p.PrescribedOn, p.FirstSupply, today):
		return prescriptions.StatusExpired
	case p.Status == StatusIssued && p.EndDate.Before(today):
		if dispensing.FirstInstalmentLapsed(n, p.PrescribedOn, p.FirstSupply, p.PrescribedOn.AddDays(n.L3ValidDays+1)) {
			return prescriptions.StatusExpired
		}
		return prescriptions.StatusCompleted
	case p.Status == StatusDraft && p.PrescribedOn.AddDays(n.L3ValidDays).Before(today):
		return prescriptions.StatusExpired
	}
	return p.Status
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// PharmacyOpening is the pharmacy's own opening days, or the default.
func (db *DB) PharmacyOpening(ctx context.Context, pharmacyID string) (calendar.Opening, error) {
	return pharmacyOpening(db.read(ctx), pharmacyID)
}

func pharmacyOpening(g *gorm.DB, pharmacyID string) (calendar.Opening, error) {
	var o Organisation
	if err := g.Take(&o, "id = ?", pharmacyID).Error; err != nil {
		return calendar.Opening{}, translate(err)
	}
	return openingOf(o)
}

// openingOf is the opening pharmacy o keeps: the one it set, or the
// default for a pharmacy that never set one.
func openingOf(o Organisation) (calendar.Opening, error) {
	if o.Opening == "" {
		return calendar.DefaultOpening(), nil
	}
	var op calendar.Opening
	if err := json.Unmarshal([]byte(o.Opening), &op); err != nil {
		return calendar.Opening{}, fmt.Errorf("pharmacy %s opening: %w", o.ID, err)
	}
	return op, nil
}

// scheduleOpening is a pharmacy's opening read to lay out, issue or move
// a schedule by. On PostgreSQL the read takes a share lock on the
// pharmacy's row, which SetPharmacyOpening updates: a change of opening
// waits for the schedules being written on the old one and then finds
// them among the instalments on days now closed (L8), and a schedule
// written meanwhile waits for the change and follows the new opening.
// Otherwise a draft could be issued on the old opening just as a day
// closed, with nobody told. Share locks do not wait for each other.
func (tx *Tx) scheduleOpening(pharmacyID string) (calendar.Opening, error) {
	g := tx.g
	if tx.db.dialect == Postgres {
		g = g.Clauses(clause.Locking{Strength: clause.LockingStrengthShare})
	}
	return pharmacyOpening(g, pharmacyID)
}

// InstalmentOnClosedDay is an instalment of an issued prescription due on
// a day its pharmacy is now closed.
type InstalmentOnClosedDay struct {
	InstalmentID   string        `json:"instalment_id"`
	PrescriptionID string        `json:"prescription_id"`
	Serial         string        `json:"serial"`
	PatientID      string        `json:"patient_id"`
	Date           calendar.Date `json:"date"`
}

// SetPharmacyOpening sets which days a pharmacy is closed. Schedules built
// from now on follow it; issued prescriptions are signed clinical records
// and keep their instalments (L1). It returns the live instalments (of a
// prescription still issued and not lapsed, not yet recorded, today or
// later) that now fall on closed days, and alerts the prescribers of each
// such prescription's service, and the pharmacy, that a new prescription
// is needed (L8), once per prescription and set of dates.
func (tx *Tx) SetPharmacyOpening(p auth.Principal, n policy.Numbers, pharmacyID string, op calendar.Opening, today calendar.Date) ([]InstalmentOnClosedDay, error) {
	if p.Role == auth.Pharmacist && p.OrgID != pharmacyID {
		return nil, problem.NotFoundf("pharmacy not found")
	}
	var o Organisation
	// Locked as it is read (PostgreSQL), so that of two changes at once
	// the second records the first's opening as the one it replaced.
	q := tx.g
	if tx.db.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	if !ValidID(pharmacyID) {
		return nil, problem.NotFoundf("pharmacy not found")
	}
	if err := q.Take(&o, "id = ? AND kind = ?", pharmacyID, auth.Pharmacy).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, problem.NotFoundf("pharmacy not found")
	} else if err != nil {
		return nil, translate(err)
	}
	// The audit records the opening the pharmacy kept until now, the
	// default for one that never set its own, as an object like the new one.
	from, err := openingOf(o)
	if err != nil {
		return nil, err
	}
	if err := tx.refuseClosingRecordedDays(pharmacyID, op, today); err != nil {
		return nil, err
	}
	if err := tx.g.Model(&Organisation{}).Where("id = ?", pharmacyID).Update("opening", mustJSON(op)).Error; err != nil {
		return nil, translate(err)
	}
	affected, err := tx.closedDayInstalments(n, pharmacyID, op, today)
	if err != nil {
		return nil, err
	}
	if err := tx.Audit("pharmacy.opening", "organisation", pharmacyID,
		map[string]any{"from": from, "to": op, "instalments_on_closed_days": affected}); err != nil {
		return nil, err
	}
	if err := tx.resolveReopened(p, o, op, affected, today); err != nil {
		return nil, err
	}
	if err := tx.closedDayAlerts(n, o, affected); err != nil {
		return nil, err
	}
	if err := tx.closedAfterwards(p, n, o, op, today); err != nil {
		return nil, err
	}
	return affected, nil
}

// closedDayInstalments finds the live instalments at a pharmacy that fall
// on days closed under op, by date. Instalments already recorded are dealt
// with; so is one whose every day another instalment supplied already
// (suppliedElsewhere); a draft is checked against the opening when it is
// issued; a lapsed prescription (L3) supplies nothing more; so none of
// them needs a new prescription.
func (tx *Tx) closedDayInstalments(n policy.Numbers, pharmacyID string, op calendar.Opening, today calendar.Date) ([]InstalmentOnClosedDay, error) {
	var ins []Instalment
	if err := tx.g.Table("instalments").Select("instalments.*").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.pharmacy_id = ? AND instalments.date >= ? AND prescriptions.status = ?", pharmacyID, today, StatusIssued).
		Where("NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("instalments.date, instalments.id").Find(&ins).Error; err != nil {
		return nil, translate(err)
	}
	var closed []Instalment
	var ids []string
	for _, in := range ins {
		if !op.IsOpen(in.Date) {
			closed = append(closed, in)
		}
	}
	// One every day of which another instalment already supplied (the day
	// list's supplied_elsewhere: the dose was given on the prescription it
	// replaced, or at the pharmacy the patient moved from) has nothing
	// left to supply on the closed day, so needs no new prescription.
	elsewhere, err := suppliedElsewhere(tx.g, closed)
	if err != nil {
		return nil, err
	}
	closed = slices.DeleteFunc(closed, func(in Instalment) bool {
		_, ok := elsewhere[in.ID]
		return ok
	})
	for _, in := range closed {
		if !slices.Contains(ids, in.PrescriptionID) {
			ids = append(ids, in.PrescriptionID)
		}
	}
	out := []InstalmentOnClosedDay{}
	if len(closed) == 0 {
		return out, nil
	}
	var prs []Prescription
	if err := tx.g.Where("id IN ?", ids).Find(&prs).Error; err != nil {
		return nil, translate(err)
	}
	byID := map[string]*Prescription{}
	ptrs := make([]*Prescription, len(prs))
	for i := range prs {
		byID[prs[i].ID], ptrs[i] = &prs[i], &prs[i]
	}
	if err := withFirstSupply(tx.g, ptrs); err != nil {
		return nil, err
	}
	for _, in := range closed {
		pr := byID[in.PrescriptionID]
		if pr.EffectiveStatus(today, n) != StatusIssued {
			continue
		}
		out = append(out, InstalmentOnClosedDay{InstalmentID: in.ID, PrescriptionID: pr.ID, Serial: pr.Serial,
			PatientID: pr.PatientID, Date: in.Date})
	}
	return out, nil
}

// closedDayAlerts raises one alert per prescription with instalments on
// closed days, for its service's prescribers and the pharmacy. The dedupe
// key names the dates (closedDayKey), so saving the same opening again
// raises nothing new while closing a further date raises an alert naming
// every date, and so does closing a day again after it was reopened.
func (tx *Tx) closedDayAlerts(n policy.Numbers, pharmacy Organisation, affected []InstalmentOnClosedDay) error {
	var order []string
	dates := map[string][]calendar.Date{}
	for _, a := range affected {
		if _, ok := dates[a.PrescriptionID]; !ok {
			order = append(order, a.PrescriptionID)
		}
		dates[a.PrescriptionID] = append(dates[a.PrescriptionID], a.Date)
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
		if key == "" {
			continue
		}
		by, err := tx.signerOf(pr)
		if err != nil {
			return err
		}
		f := prescriptions.ClosedDayFinding(n, pr.Serial, pharmacy.Name, dates[id], by)
		if err := tx.raiseAlert(Alert{ServiceID: pr.ServiceID, PatientID: pr.PatientID, PharmacyID: &pharmacy.ID, Kind: AlertPharmacyClosed,
			Rule: f.Rule, Message: f.Message + " " + f.Action, DedupeKey: key}); err != nil {
			return err
		}
	}
	return nil
}

// signerOf says who signed pr, for an alert read by the service and the
// practice alike: the GP practice that signed it or one it replaces (whose
// GPs may cancel it, requireSignedByPractice), and whether a practice
// shares the patient's care.
func (tx *Tx) signerOf(pr Prescription) (prescriptions.Signer, error) {
	var by prescriptions.Signer
	signers, err := tx.signersOfReissueChain(pr)
	if err != nil {
		return by, err
	}
	for i, id := range signers {
		var practice []string
		if err := tx.g.Table("users").Joins("JOIN organisations ON organisations.id = users.organisation_id").
			Where("users.id = ? AND organisations.kind = ?", id, auth.GPPractice).Pluck("organisations.name", &practice).Error; err != nil {
			return by, translate(err)
		}
		if len(practice) > 0 {
			by.Practice, by.Replaced = practice[0], i > 0
			break
		}
	}
	sc, err := openSharedCare(tx.g, pr.PatientID)
	if err != nil {
		return by, err
	}
	by.SharedCare = sc != nil && sc.Status == SharedAccepted
	return by, nil
}

// scheduleInput is the builder's input for days from start, with the
// pickup pattern in force on each day.
func scheduleInput(r Regime, start calendar.Date, days int, settings []RegimeSetting, opening calendar.Opening) prescriptions.ScheduleInput {
	convert := func(w regimes.WeeklyPattern) prescriptions.WeeklyPattern {
		var pp prescriptions.WeeklyPattern
		for i, d := range w {
			pp[i] = prescriptions.Pickup(d)
		}
		return pp
	}
	in := prescriptions.ScheduleInput{Start: start, Days: days, Daily: 1, Pattern: convert(settingOn(r, settings, start).Pattern), Opening: opening}
	end := prescriptions.End(start, days)
	for _, st := range settings {
		if st.EffectiveDate.After(start) && !st.EffectiveDate.After(end) {
			in.Later = append(in.Later, prescriptions.DatedPattern{From: st.EffectiveDate, Pattern: convert(st.Pattern)})
		}
	}
	return in
}

// scheduleFor lays out instalments for days from start, with the dose and
// pickup pattern in force on each day: the builder lays out collections and
// the amounts are summed per covered day, so a change inside the period is
// exact. earlier is the collection day before start for a closed first day
// (firstCollection), zero for none.
func scheduleFor(r Regime, start calendar.Date, days int, doses []DoseChange, settings []RegimeSetting,
	opening calendar.Opening, earlier calendar.Date) (prescriptions.Schedule, error) {
	in := scheduleInput(r, start, days, settings, opening)
	in.EarlierCollection = earlier
	s, err := prescriptions.BuildSchedule(in)
	if err != nil {
		return s, err
	}
	s.Total = 0
	for i := range s.Instalments {
		in := &s.Instalments[i]
		var sup, all dosing.Micrograms
		for j, day := range in.Covers {
			dose := DoseOn(doses, day)
			all += dose
			if j == 0 && in.Supervised > 0 {
				sup = dose
			}
		}
		in.Supervised, in.TakeHome = sup, all-sup
		s.Total += all
	}
	return s, nil
}

// firstCollection is the day on which a prescription of r starting on
// start supplies its first days' doses when the pharmacy is closed on start,
// or the pattern supplies start's dose with an earlier collection: the
// collection day before start (BuildSchedule's EarlierCollection), under
// approved wording 1 for a closed day, as the schedule does for a closed day
// inside a prescription. Zero, with why, when start needs one and none can
// be made; zero and "" when start needs none.
//
// The day must be today or later and on or after the prescription date
// (L3), at the pharmacy dispensing on start, and not a day the patient has
// already collected on, having left without it. A reissue (remaining days
// prescribed again after a change) always uses it, as its days are fixed;
// a new prescription only when that day's own dose is not for it to
// supply, because another prescription supplies it or it is before the
// regime: otherwise starting on that day is the plain way, and the
// schedule's refusal says so.
func (tx *Tx) firstCollection(r Regime, settings []RegimeSetting, start, prescribedOn, today calendar.Date, reissue bool) (calendar.Date, string, error) {
	var none calendar.Date
	pharmacy := settingOn(r, settings, start).PharmacyID
	opening, err := pharmacyOpening(tx.g, pharmacy)
	if err != nil {
		return none, "", err
	}
	in := scheduleInput(r, start, 1, settings, opening)
	need := "the pharmacy is closed that day"
	if opening.IsOpen(start) {
		if in.Pattern[start.Weekday()] != prescriptions.PickupEarlier {
			return none, "", nil
		}
		need = "the pattern supplies that day's dose with an earlier collection"
	}
	day, ok := in.CollectionDayBefore(start)
	switch {
	case !ok:
		return none, need + ", and the pharmacy has no collection day in the week before it", nil
	case day.Before(today):
		return none, fmt.Sprintf("%s, and the last collection day before it, %s, has passed", need, day), nil
	case day.Before(prescribedOn):
		return none, fmt.Sprintf("%s, and the last collection day before it, %s, is before the prescription date (L3)", need, day), nil
	case settingOn(r, settings, day).PharmacyID != pharmacy:
		return none, fmt.Sprintf("%s, and the last collection day before it, %s, is at the previous pharmacy", need, day), nil
	}
	var visited int64
	if err := tx.g.Table("instalments").Where("patient_id = ? AND date = ?", r.PatientID, day).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").Count(&visited).Error; err != nil {
		return none, "", translate(err)
	}
	if visited > 0 {
		return none, fmt.Sprintf("%s, and the patient's collection on %s, the last collection day before it, is already recorded", need, day), nil
	}
	if !reissue && !day.Before(r.StartDate) {
		supplied, err := tx.daySupplied(r.PatientID, day)
		if err != nil || !supplied {
			return none, "", err
		}
	}
	return day, "", nil
}

// daySupplied reports whether a prescription of the patient supplies day:
// an issued one, or any with a record for it.
func (tx *Tx) daySupplied(patientID string, day calendar.Date) (bool, error) {
	var rows []Instalment
	if err := tx.g.Table("instalments").Select("instalments.*").
		Joins("JOIN prescriptions p ON p.id = instalments.prescription_id").
		Where("instalments.patient_id = ? AND instalments.date >= ? AND instalments.date <= ?", patientID, day.AddDays(-7), day).
		Where("(p.status = ? OR EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id))", StatusIssued).
		Find(&rows).Error; err != nil {
		return false, translate(err)
	}
	for _, in := range rows {
		if slices.ContainsFunc(in.Covers, day.Equal) {
			return true, nil
		}
	}
	return false, nil
}

// scheduleOf is a stored prescription's schedule, for the wording rules.
func scheduleOf(ins []Instalment) prescriptions.Schedule {
	var s prescriptions.Schedule
	for _, in := range ins {
		s.Instalments = append(s.Instalments, prescriptions.Instalment{Date: in.Date, Covers: in.Covers, Supervised: in.Supervised, TakeHome: in.TakeHome})
	}
	return s
}

// NewPrescription is a prescriber's request for an instalment prescription.
type NewPrescription struct {
	PatientID    string
	PrescribedOn calendar.Date
	StartDate    calendar.Date
	Days         int
	Wording      []int
	Issue        bool
	// Zone is the service's time zone, in which the day the patient was
	// registered and the regime recorded is read (L1); nil reads UTC.
	Zone *time.Location
}

// PrescriptionResult is a prescription with its schedule and the rules
// that shaped it.
type PrescriptionResult struct {
	Prescription
	Instalments []Instalment     `json:"instalments"`
	Warnings    []policy.Finding `json:"warnings"`
}

// CreatePrescription builds a prescription from the active regime (L2, L3,
// L6, L7): the schedule follows the pickup pattern and the pharmacy's opening.
func (tx *Tx) CreatePrescription(p auth.Principal, n policy.Numbers, in NewPrescription, today calendar.Date) (PrescriptionResult, error) {
	var res PrescriptionResult
	if err := tx.lockPatient(in.PatientID); err != nil {
		return res, err
	}
	pt, err := patientFor(tx.g, p, in.PatientID)
	if err != nil {
		return res, err
	}
	var acceptedAt time.Time // a GP's practice took shared care on
	if p.Role == auth.GP {
		if acceptedAt, err = tx.requireAcceptedSharedCare(p, pt.ID); err != nil {
			return res, err
		}
	}
	var r Regime
	if err := tx.g.Take(&r, "patient_id = ? AND status = ?", pt.ID, RegimeActive).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return res, problem.Conflictf("the patient has no active regime; start one first")
		}
		return res, translate(err)
	}
	med, _ := dosing.LookupMedicine(r.Medicine)
	if med.Injectable {
		return res, problem.Blocked([]policy.Finding{n.Finding("BV2",
			"Buvidal is given by a healthcare professional and recorded as an administration, never dispensed by instalment.",
			"Record injections with POST /v1/regimes/{id}/administrations.")})
	}
	if in.PrescribedOn.IsZero() {
		in.PrescribedOn = today
	}
	// The API checks wording with the other fields; this guards other callers.
	if _, err := prescriptions.LookupWording(in.Wording); err != nil {
		return res, problem.Invalidf("wording", "approved_wording", "%s", err.Error())
	}
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return res, err
	}
	// The first instalment is on the collection day before the start when
	// the first day is closed (ADR 0011), and L3 is judged on it: found
	// before the period is checked.
	var earlier calendar.Date
	var whyNot string
	if !in.StartDate.IsZero() {
		if earlier, whyNot, err = tx.firstCollection(r, settings, in.StartDate, in.PrescribedOn, today, false); err != nil {
			return res, err
		}
	}
	period := policy.Decide(prescriptions.CheckPeriod(in.PrescribedOn, in.StartDate, earlier, in.Days, n), nil)
	if len(period.Stopping) > 0 {
		// A prescription over L5's supply ceiling is over L6's too (the
		// configuration keeps L6 at or below L5): the refusal carries L5's
		// warning with L6's block, so the ceiling is named either way.
		return res, problem.Blocked(append(period.Stopping, period.Warnings...))
	}
	if lapsed := in.PrescribedOn.AddDays(n.L3ValidDays); lapsed.Before(today) {
		return res, problem.Blocked([]policy.Finding{n.Finding("L3",
			fmt.Sprintf("A prescription dated %s passed its %d-day validity on %s: it would be expired as it was written.", in.PrescribedOn, n.L3ValidDays, lapsed),
			"Date the prescription today.")})
	}
	zone := in.Zone
	if zone == nil {
		zone = time.UTC
	}
	if rule, why := prescriptions.PrescribedBeforeRecords(in.PrescribedOn, today,
		calendar.DateOf(pt.CreatedAt, zone), calendar.DateOf(r.CreatedAt, zone)); rule != "" {
		return res, problem.Invalidf("prescribed_on", rule, "%s", why)
	}
	if !acceptedAt.IsZero() {
		if rule, why := prescriptions.PrescribedBeforeSharedCare(in.PrescribedOn, calendar.DateOf(acceptedAt, zone)); rule != "" {
			return res, problem.Invalidf("prescribed_on", rule, "%s", why)
		}
	}
	history, err := doseChanges(tx.g, r.ID)
	if err != nil {
		return res, err
	}
	end := prescriptions.End(in.StartDate, in.Days)
	start := DoseOn(history, in.StartDate)
	if start == 0 {
		return res, problem.Invalidf("start_date", "regime_started", "the regime starts on %s; the prescription cannot start before it", r.StartDate)
	}
	// A dose change planned inside the period is prescribed as it stands:
	// the instalments carry each day's dose and the prescription states
	// each dose with its days (DosePeriods, L2).
	for _, st := range settings {
		if st.EffectiveDate.After(in.StartDate) && !st.EffectiveDate.After(end) {
			return res, problem.Invalidf("days", "single_pattern",
				"the pickup pattern, stage or dispensing pharmacy changes on %s; end this prescription the day before or start it on that day",
				st.EffectiveDate)
		}
	}
	if closedOn, err := tx.closedListCollecting(r, settings, in.StartDate, end, earlier); err != nil {
		return res, err
	} else if !closedOn.IsZero() {
		next, err := tx.firstStartAfterClosed(r, settings, closedOn)
		if err != nil {
			return res, err
		}
		return res, problem.Invalidf("start_date", "day_closed", "%s; %s", closedListWhy(closedOn, in.StartDate, next), startAdvice("start the prescription on", next))
	}
	// The first day's dose needs a collection before it that cannot be
	// made: the schedule's advice to start a day earlier would name a day
	// that has passed or is already collected, so the refusal says why and
	// names the first day after it to start on instead.
	if earlier.IsZero() && whyNot != "" {
		next, err := tx.firstStartAfterClosed(r, settings, in.StartDate)
		if err != nil {
			return res, err
		}
		return res, problem.Invalidf("start_date", "schedule",
			"the dose for %s (%s) cannot be supplied: %s, and a dose is never supplied after its day (MD4); %s",
			in.StartDate, in.StartDate.Weekday(), whyNot, startAdvice("start the prescription on", next))
	}
	carried, err := tx.closedDaysCarried(n, r, med, in, history, settings, earlier)
	if err != nil {
		return res, err
	}
	// The service writing for a patient whose prescribing a practice holds
	// (SC1): a warning, and the practice is told of what is issued.
	held, sc1, err := tx.prescribingHeldByPractice(p, n, pt.ID)
	if err != nil {
		return res, err
	}
	res, err = tx.insertPrescription(p, r, pt.ServiceID, in, history, settings, nil, append(append(period.Warnings, carried...), sc1...), earlier, today)
	if err != nil {
		return res, err
	}
	if in.Issue {
		if err := tx.tellPracticeOfServicePrescription(held, res.Prescription, ""); err != nil {
			return res, err
		}
		if err := tx.resolveMD1ByPrescription(n, today, res.Prescription); err != nil {
			return res, err
		}
	}
	// Judged after the prescription is written: one prescribing again the
	// days a withheld take-home carried may itself lift the block.
	if err := tx.warnMD1(n, today, r, &res.Warnings); err != nil || !in.Issue {
		return res, err
	}
	return res, tx.resolveNotReissuedOnIssue(n, pt.ID, today)
}

// warnMD1 adds MD1's warning (md1Warning) for the regime's patient to
// warnings when a block stands today.
func (tx *Tx) warnMD1(n policy.Numbers, today calendar.Date, r Regime, warnings *[]policy.Finding) error {
	f, err := tx.md1Warning(n, r.PatientID, today, &r)
	if err != nil || f == nil {
		return err
	}
	*warnings = append(nonNil(*warnings), *f)
	return nil
}

// closedDaysCarried is S8 for the schedule a new prescription will have:
// laid out as insertPrescription lays it out, which reports a schedule it
// cannot build.
func (tx *Tx) closedDaysCarried(n policy.Numbers, r Regime, med dosing.Medicine, in NewPrescription, history []DoseChange,
	settings []RegimeSetting, earlier calendar.Date) ([]policy.Finding, error) {
	r.PharmacyID = settingOn(r, settings, in.StartDate).PharmacyID
	opening, err := pharmacyOpening(tx.g, r.PharmacyID)
	if err != nil {
		return nil, err
	}
	sched, err := scheduleFor(r, in.StartDate, in.Days, history, settings, opening, earlier)
	if err != nil {
		return nil, nil
	}
	return prescriptions.SupervisedDaysCarried(n, med, sched, pickupOn(r, settings)), nil
}

// pickupOn is the regime's pickup pattern on a day, as the schedule reads it.
func pickupOn(r Regime, settings []RegimeSetting) func(calendar.Date) prescriptions.Pickup {
	return func(d calendar.Date) prescriptions.Pickup {
		return prescriptions.Pickup(settingOn(r, settings, d).Pattern[d.Weekday()])
	}
}

// patientAddress is the address a prescription for the patient states (L2).
func patientAddress(g *gorm.DB, patientID string) (string, error) {
	var pt Patient
	if err := g.Select("address").Take(&pt, "id = ?", patientID).Error; err != nil {
		return "", translate(err)
	}
	return pt.Address, nil
}

// refuseOverlap stops a prescription being issued for days another issued
// prescription of the patient already supplies: the pharmacy would list two
// doses for one day (double supply). The advice to start after that
// prescription names the day the first instalment would then really be
// collected on (overlapStartNote).
func (tx *Tx) refuseOverlap(r Regime, settings []RegimeSetting, exceptID string, start, end, prescribedOn, today calendar.Date) error {
	var live []Prescription
	q := tx.g.Where("patient_id = ? AND status = ? AND start_date <= ? AND end_date >= ?", r.PatientID, StatusIssued, end, start)
	if exceptID != "" {
		q = q.Where("id <> ?", exceptID)
	}
	if err := q.Order("start_date").Find(&live).Error; err != nil {
		return translate(err)
	}
	for _, o := range live {
		from, to, ok := prescriptions.Overlap(start, end, o.StartDate, o.EndDate)
		if !ok {
			continue
		}
		next := o.EndDate.AddDays(1)
		note, err := tx.overlapStartNote(r, settings, next, prescribedOn, today)
		if err != nil {
			return err
		}
		return &problem.Error{Code: problem.Conflict, Existing: o, Message: fmt.Sprintf(
			"prescription %s is issued for %s to %s and already supplies %s to %s for this patient; cancel it first (POST /v1/prescriptions/%s/cancel with a reason; a GP cancels only prescriptions the practice signed, and asks the specialist service to cancel one of the service's), or start this one on %s %s",
			o.Serial, o.StartDate, o.EndDate, from, to, o.ID, next, note)}
	}
	return nil
}

// overlapStartNote is the parenthesis after the advice to start a
// prescription on next. Its first instalment is on next unless the
// pharmacy does not collect on next: then it is the collection day before
// (firstCollection, ADR 0011), which L3 judges, or, where none can be
// made, next's dose cannot be prescribed and the note says why.
func (tx *Tx) overlapStartNote(r Regime, settings []RegimeSetting, next, prescribedOn, today calendar.Date) (string, error) {
	const l3 = "must fall within L3's validity of its date: if that is too far ahead, write it nearer the time"
	day, whyNot, err := tx.firstCollection(r, settings, next, prescribedOn, today, false)
	switch {
	case err != nil:
		return "", err
	case !day.IsZero():
		return fmt.Sprintf("(its dose for %s is then collected on %s (%s), the collection day before, under approved wording 1: that is its first instalment, which %s)",
			next, day, day.Weekday(), l3), nil
	case whyNot != "":
		after, err := tx.firstStartAfterClosed(r, settings, next)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("(but %s's dose cannot be prescribed: %s; %s instead, and its first instalment %s)",
			next, whyNot, startAdvice("start it on", after), l3), nil
	}
	return fmt.Sprintf("(its first instalment %s)", l3), nil
}

// refuseSuppliedDays stops a prescription covering a day whose dose the
// patient was already supplied from another prescription's instalment,
// whatever has become of that prescription since: cancelling it does not
// undo the supply, and a second prescription for the day would put the
// patient on the pharmacy's list twice and let a second dose be handed
// over. The reissue after a dose change or a move starts after such days
// already (RemainingFrom); a prescription written by hand must too.
func (tx *Tx) refuseSuppliedDays(patientID, exceptID string, start calendar.Date, days int) error {
	supplies, err := suppliesOf(tx.g, patientID, exceptID, start, prescriptions.End(start, days))
	if err != nil {
		return err
	}
	return dispensing.SuppliedDaysProblem(dispensing.AlreadySupplied(supplies, dispensing.DaysFrom(start, days)))
}

// suppliesOf are the patient's instalments, of any prescription but
// exceptID, whose current record handed their doses over and whose days
// may fall in [from, to]: an instalment covers days from its own date, at
// most L6's length of them, so those dated historyWindow days before from
// are read too.
func suppliesOf(g *gorm.DB, patientID, exceptID string, from, to calendar.Date) ([]dispensing.Supply, error) {
	q := g.Table("instalments").Select("instalments.*, prescriptions.serial").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.patient_id = ? AND instalments.date >= ? AND instalments.date <= ?", patientID, from.AddDays(-historyWindow), to).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)")
	if exceptID != "" {
		q = q.Where("instalments.prescription_id <> ?", exceptID)
	}
	var rows []struct {
		Instalment
		Serial string
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	current, err := currentOutcomes(g, ids)
	if err != nil {
		return nil, err
	}
	var out []dispensing.Supply
	for _, r := range rows {
		if ev, ok := current[r.ID]; ok && ev.Outcome.Taken() {
			out = append(out, dispensing.Supply{InstalmentID: r.ID, EventID: ev.ID, Serial: r.Serial, Date: r.Date, Covers: r.Covers, Outcome: ev.Outcome})
		}
	}
	return out, nil
}

// warnings are findings the caller's checks raised without stopping it (L5
// from CheckPeriod); they are returned and audited with the schedule's own.
// dayRange is a run of days, both ends included.
type dayRange struct{ from, to calendar.Date }

func (g dayRange) text() string {
	if g.from.Equal(g.to) {
		return g.from.Format("Mon 2 Jan 2006")
	}
	return g.from.Format("Mon 2 Jan 2006") + " to " + g.to.Format("Mon 2 Jan 2006")
}

// prescribedDays narrows a query of instalments joined to their
// prescriptions (as p) to those whose days a prescription was there to
// supply: of any prescription but a draft, and of a cancelled one only
// the days it has records for or the days before the reissue that took
// over the rest of it (reissueLive): until then they were its to supply,
// recorded or not, and the day close has yet to mark a dose left
// uncollected on a past day missed. replacing is the prescription a
// reissue being written now replaces ("" for none), whose reissue is not
// yet stored.
func prescribedDays(q *gorm.DB, regimeID, replacing string, before calendar.Date) *gorm.DB {
	cover := `p.status <> ? OR EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)
		OR instalments.date < (SELECT MIN(r.start_date) FROM prescriptions r WHERE r.replaces_id = p.id)`
	args := []any{StatusCancelled}
	if replacing != "" {
		cover += " OR p.id = ?"
		args = append(args, replacing)
	}
	return q.Joins("JOIN prescriptions p ON p.id = instalments.prescription_id").
		Where("p.regime_id = ? AND p.status <> ? AND instalments.date < ?", regimeID, StatusDraft, before).
		Where("("+cover+")", args...)
}

// uncoveredBefore is the run of days before start that no prescription of
// the regime covers since its last prescribed day (MD5), or nil
// (prescribedDays).
func (tx *Tx) uncoveredBefore(regimeID, replacing string, start calendar.Date) (*dayRange, error) {
	var last Instalment
	err := prescribedDays(tx.g.Table("instalments").Select("instalments.*"), regimeID, replacing, start).
		Order("instalments.date DESC").Take(&last).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	through := last.Date
	for _, d := range last.Covers {
		if d.After(through) {
			through = d
		}
	}
	if !through.Before(start.AddDays(-1)) {
		return nil, nil
	}
	return &dayRange{from: through.AddDays(1), to: start.AddDays(-1)}, nil
}

// prescribedBefore reports whether any prescription of the regime has an
// instalment before day whose days it was there to supply
// (prescribedDays).
func (tx *Tx) prescribedBefore(regimeID, replacing string, day calendar.Date) (bool, error) {
	var n int64
	err := prescribedDays(tx.g.Table("instalments"), regimeID, replacing, day).Limit(1).Count(&n).Error
	return n > 0, translate(err)
}

// insertPrescription writes a prescription of r; earlier is the collection
// day before its start for a closed first day (firstCollection), zero for
// none; today is the day it is written.
func (tx *Tx) insertPrescription(p auth.Principal, r Regime, serviceID string, in NewPrescription,
	history []DoseChange, settings []RegimeSetting, replaces *string, warnings []policy.Finding, earlier, today calendar.Date) (PrescriptionResult, error) {
	var res PrescriptionResult
	// The pharmacy dispensing on the first day; a prescription never spans
	// a move to another pharmacy (callers split or refuse at one).
	r.PharmacyID = settingOn(r, settings, in.StartDate).PharmacyID
	opening, err := tx.scheduleOpening(r.PharmacyID)
	if err != nil {
		return res, err
	}
	sched, err := scheduleFor(r, in.StartDate, in.Days, history, settings, opening, earlier)
	if err != nil {
		return res, problem.Invalidf("start_date", "schedule", "%s", strings.TrimPrefix(err.Error(), prescriptions.ErrInvalidSchedule.Error()+": "))
	}
	address, err := patientAddress(tx.g, r.PatientID)
	if err != nil {
		return res, err
	}
	noAddress, missing := prescriptions.PatientAddressFinding(address, in.Issue)
	if missing && in.Issue {
		return res, problem.Blocked([]policy.Finding{noAddress})
	}
	if in.Issue {
		if err := tx.refuseOverlap(r, settings, "", in.StartDate, prescriptions.End(in.StartDate, in.Days), in.PrescribedOn, today); err != nil {
			return res, err
		}
	}
	// A draft too: it could never be issued over those days.
	if err := tx.refuseSuppliedDays(r.PatientID, "", in.StartDate, in.Days); err != nil {
		return res, err
	}
	var reissued []policy.Finding
	if replaces != nil {
		// A reissue keeps the wording of the prescription it replaces,
		// except wording 4 when none of its collections is supervised.
		var old string
		if err := tx.g.Model(&Prescription{}).Select("serial").Where("id = ?", *replaces).Scan(&old).Error; err != nil {
			return res, translate(err)
		}
		in.Wording, reissued = prescriptions.ReissueWording(sched, in.Wording, old)
	}
	wording, findings := prescriptions.RequireWording(sched, in.Wording)
	findings = append(findings, reissued...)
	if missing {
		findings = append(findings, noAddress)
	}
	findings = append(findings, warnings...)
	med, _ := dosing.LookupMedicine(r.Medicine)
	findings = append(findings, prescriptions.TakeHomeWhileTitrating(med, sched, func(day calendar.Date) bool {
		return settingOn(r, settings, day).Stage.Titrating()
	})...)
	replacing := ""
	if replaces != nil {
		replacing = *replaces
	}
	gap, err := tx.uncoveredBefore(r.ID, replacing, in.StartDate)
	if err != nil {
		return res, err
	}
	first, starting := DoseOn(history, in.StartDate), DoseOn(history, r.StartDate)
	if gap == nil && in.StartDate.After(r.StartDate) {
		// The regime's first prescription: the days from the regime's start
		// have no dose, and any titration step since was never taken.
		supplied, err := tx.prescribedBefore(r.ID, replacing, in.StartDate)
		if err != nil {
			return res, err
		}
		if !supplied {
			days := dayRange{from: r.StartDate, to: in.StartDate.AddDays(-1)}
			findings = append(findings, policy.Finding{Rule: "MD5", Severity: policy.Warn,
				Message: fmt.Sprintf("No prescription covers %s: the regime started on %s and nothing of it is prescribed before this prescription, so the patient has no dose on those days.",
					days.text(), r.StartDate),
				Action: fmt.Sprintf("Start this prescription on %s, or prescribe those days, unless the patient is not to have them.", r.StartDate)})
			if first > starting {
				findings = append(findings, policy.Finding{Rule: "M2", Severity: policy.Warn,
					Message: fmt.Sprintf("Nothing of this regime has been prescribed before %s, so the patient's first supply is %s, not the starting dose of %s: the titration steps since %s were never taken.",
						in.StartDate, first, starting, r.StartDate),
					Action: "Prescribe from the regime's start, or lower the dose to the starting dose, unless the patient has been taking this dose elsewhere."})
			}
		}
	}
	if gap != nil {
		findings = append(findings, policy.Finding{Rule: "MD5", Severity: policy.Warn,
			Message: fmt.Sprintf("No prescription covers %s: the regime's last prescribed dose before this one is on %s, so the patient has no dose on those days.",
				gap.text(), gap.from.AddDays(-1)),
			Action: fmt.Sprintf("Start this prescription on %s, or prescribe those days, unless the patient is not to have them.", gap.from)})
	}
	serial, err := tx.nextSerial(serviceID)
	if err != nil {
		return res, err
	}
	now := tx.db.Now()
	pr := Prescription{ID: newID(), ServiceID: serviceID, Serial: serial, PatientID: r.PatientID, RegimeID: r.ID,
		PharmacyID: r.PharmacyID, PrescriberID: p.UserID, Medicine: r.Medicine, DailyDose: DoseOn(history, in.StartDate),
		DosePeriods: dosePeriods(history, in.StartDate, in.Days),
		Pattern:     settingOn(r, settings, in.StartDate).Pattern, PrescribedOn: in.PrescribedOn, StartDate: in.StartDate, Days: in.Days,
		EndDate: prescriptions.End(in.StartDate, in.Days), Total: sched.Total, Wording: nonNil(wording),
		Status: StatusDraft, ReplacesID: replaces, CreatedAt: now}
	if in.Issue {
		pr.Status, pr.IssuedAt = StatusIssued, &now
	}
	if err := tx.g.Create(&pr).Error; err != nil {
		return res, translate(err)
	}
	rows := make([]Instalment, 0, len(sched.Instalments))
	for _, si := range sched.Instalments {
		rows = append(rows, Instalment{ID: newID(), PrescriptionID: pr.ID, PatientID: pr.PatientID, PharmacyID: pr.PharmacyID,
			Date: si.Date, Covers: si.Covers, DoseDays: len(si.Covers), Supervised: si.Supervised, TakeHome: si.TakeHome})
	}
	if err := tx.g.CreateInBatches(rows, 200).Error; err != nil {
		return res, translate(err)
	}
	action := "prescription.create"
	if in.Issue {
		action = "prescription.issue"
	}
	if err := tx.Audit(action, "prescription", pr.ID, map[string]any{"prescription": pr, "instalments": len(rows), "findings": nonNil(findings),
		"status": statusChange("", pr.Status)}); err != nil {
		return res, err
	}
	return PrescriptionResult{Prescription: pr, Instalments: rows, Warnings: nonNil(findings)}, nil
}

// nextSerial numbers prescriptions within a service: the counter row's lock
// serialises concurrent issuers.
func (tx *Tx) nextSerial(serviceID string) (string, error) {
	var next int64
	err := tx.g.Raw(`INSERT INTO serial_counters (service_id, next) VALUES (?, 1)
		ON CONFLICT (service_id) DO UPDATE SET next = serial_counters.next + 1 RETURNING next`, serviceID).Scan(&next).Error
	if err != nil {
		return "", translate(err)
	}
	var o Organisation
	if err := tx.g.Take(&o, "id = ?", serviceID).Error; err != nil {
		return "", translate(err)
	}
	return fmt.Sprintf("%s-%06d", initials(o.Name), next), nil
}

func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r := []rune(w)[0]
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	if b.Len() == 0 {
		return "RX"
	}
	return b.String()
}

// PrescriptionFor returns a prescription the user may see, with instalments.
func (db *DB) PrescriptionFor(ctx context.Context, p auth.Principal, id string) (PrescriptionResult, error) {
	return prescriptionFor(db.read(ctx), p, id)
}

func prescriptionFor(g *gorm.DB, p auth.Principal, id string) (PrescriptionResult, error) {
	var res PrescriptionResult
	if !ValidID(id) {
		return res, problem.NotFoundf("prescription not found")
	}
	err := g.Take(&res.Prescription, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return res, problem.NotFoundf("prescription not found")
	}
	if err != nil {
		return res, translate(err)
	}
	if p.Role == auth.Pharmacist {
		// A pharmacy sees the prescriptions issued to it, after the patient
		// has moved on too: they are its controlled drug records, what it
		// dispensed against (L1). They carry no part of the patient's
		// record.
		if res.PharmacyID != p.OrgID || res.Status == StatusDraft {
			return res, problem.NotFoundf("prescription not found")
		}
	} else if _, err := patientFor(g, p, res.PatientID); err != nil && !signedByPractice(g, p, res.PrescriberID) {
		return res, problem.NotFoundf("prescription not found")
	}
	if err := g.Where("prescription_id = ?", id).Order("date").Find(&res.Instalments).Error; err != nil {
		return res, translate(err)
	}
	if err := withFirstSupply(g, []*Prescription{&res.Prescription}); err != nil {
		return res, err
	}
	_, findings := prescriptions.RequireWording(scheduleOf(res.Instalments), res.Wording)
	res.Warnings = nonNil(findings)
	return res, nil
}

// signedByPractice reports a prescription a GP of p's practice signed. The
// practice keeps sight of what it prescribed after shared care ends, as a
// prescriber answers for a controlled drug prescription (L1), though it no
// longer sees the patient's record.
func signedByPractice(g *gorm.DB, p auth.Principal, prescriberID string) bool {
	if p.Role != auth.GP {
		return false
	}
	var n int64
	err := g.Table("users").Where("id = ? AND organisation_id = ?", prescriberID, p.OrgID).Count(&n).Error
	return err == nil && n > 0
}

// PrescriptionFilter narrows a prescription listing. Status is the state a
// reader sees (EffectiveStatus), so Today and Numbers say when a
// prescription lapses (L3) or completes.
type PrescriptionFilter struct {
	PatientID string
	Status    prescriptions.Status
	Today     calendar.Date
	Numbers   policy.Numbers
	After     string
	Limit     int
}

// Prescriptions lists prescriptions of patients the user may see. The query
// narrows by the stored status; whether an issued one lapsed unsupplied (L3)
// depends on its dose records, so candidates are checked one page at a time
// until the page is full.
func (db *DB) Prescriptions(ctx context.Context, p auth.Principal, f PrescriptionFilter) ([]Prescription, error) {
	q := db.read(ctx).Model(&Prescription{}).Joins("JOIN patients ON patients.id = prescriptions.patient_id").Order("prescriptions.id")
	if p.Role == auth.GP {
		// The practice's shared-care patients, and what its GPs signed
		// (signedByPractice).
		q = q.Where(`(EXISTS (SELECT 1 FROM shared_care s WHERE s.patient_id = patients.id AND s.practice_id = ? AND s.status IN ('proposed', 'accepted'))
			OR prescriptions.prescriber_id IN (SELECT u.id FROM users u WHERE u.organisation_id = ?))`, p.OrgID, p.OrgID)
	} else if p.Role == auth.Pharmacist {
		// Those issued to the pharmacy, as prescriptionFor reads them.
		q = q.Where("prescriptions.pharmacy_id = ? AND prescriptions.status <> ?", p.OrgID, StatusDraft)
	} else {
		q = scopePatients(q, p)
	}
	if f.PatientID != "" {
		q = q.Where("prescriptions.patient_id = ?", f.PatientID)
	}
	lapsedBefore := f.Today.AddDays(-f.Numbers.L3ValidDays) // prescribed before this: past L3
	switch f.Status {
	case "":
	case StatusDraft:
		q = q.Where("prescriptions.status = ? AND prescriptions.prescribed_on >= ?", StatusDraft, lapsedBefore)
	case prescriptions.StatusCompleted:
		q = q.Where("prescriptions.status = ? AND prescriptions.end_date < ?", StatusIssued, f.Today)
	case StatusIssued:
		q = q.Where("prescriptions.status = ? AND prescriptions.end_date >= ?", StatusIssued, f.Today)
	case prescriptions.StatusExpired:
		// An issued one past its last day expired if nothing was supplied
		// from it (EffectiveStatus, checked below).
		q = q.Where("(prescriptions.status = ? OR (prescriptions.status IN ? AND prescriptions.prescribed_on < ?) OR (prescriptions.status = ? AND prescriptions.end_date < ?))",
			prescriptions.StatusExpired, []prescriptions.Status{StatusDraft, StatusIssued}, lapsedBefore, StatusIssued, f.Today)
	default:
		q = q.Where("prescriptions.status = ?", f.Status)
	}
	var out []Prescription
	after := f.After
	for {
		page := q.Session(&gorm.Session{})
		if after != "" {
			page = page.Where("prescriptions.id > ?", after)
		}
		var found []Prescription
		if err := page.Select("prescriptions.*").Limit(f.Limit).Find(&found).Error; err != nil {
			return nil, translate(err)
		}
		ptrs := make([]*Prescription, len(found))
		for i := range found {
			ptrs[i] = &found[i]
		}
		if err := withFirstSupply(db.read(ctx), ptrs); err != nil {
			return nil, err
		}
		for _, rx := range found {
			if f.Status == "" || rx.EffectiveStatus(f.Today, f.Numbers) == f.Status {
				out = append(out, rx)
			}
		}
		if len(found) < f.Limit || len(out) >= f.Limit {
			if len(out) > f.Limit {
				out = out[:f.Limit]
			}
			return out, nil
		}
		after = found[len(found)-1].ID
	}
}

// withFirstSupply sets FirstSupply on the prescriptions among ps that were
// issued, live or cancelled since: the earliest instalment whose current
// outcome (corrections applied) is a supply. A cancellation leaves what was
// supplied before it. One query for the lot.
func withFirstSupply(g *gorm.DB, ps []*Prescription) error {
	byID := map[string]*Prescription{}
	var ids []string
	for _, p := range ps {
		if p.Status == StatusIssued || p.Status == StatusCancelled {
			byID[p.ID] = p
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		DoseEvent
		PrescriptionID string
	}
	if err := g.Table("dose_events").Select("dose_events.*, instalments.prescription_id").
		Joins("JOIN instalments ON instalments.id = dose_events.instalment_id").
		Where("instalments.prescription_id IN ?", ids).Order("dose_events.created_at, dose_events.id").
		Find(&rows).Error; err != nil {
		return translate(err)
	}
	events := map[string][]dispensing.Event{}
	dates := map[string]calendar.Date{}
	owner := map[string]string{}
	for _, r := range rows {
		events[r.InstalmentID] = append(events[r.InstalmentID], r.event())
		dates[r.InstalmentID], owner[r.InstalmentID] = r.Date, r.PrescriptionID
	}
	for inst, evs := range events {
		if c, ok := dispensing.CurrentEvent(evs); ok && c.Outcome.Taken() {
			p := byID[owner[inst]]
			if p.FirstSupply.IsZero() || dates[inst].Before(p.FirstSupply) {
				p.FirstSupply = dates[inst]
			}
		}
	}
	return nil
}

// IssuePrescription moves a draft to issued after checking it still fits
// the regime, the pharmacy's opening, L3 and the patient's other issued
// prescriptions; the wording rules are applied again and their findings
// returned.
func (tx *Tx) IssuePrescription(p auth.Principal, n policy.Numbers, id string, today calendar.Date, zone *time.Location) (PrescriptionResult, error) {
	if err := tx.lockPatientOf(ofPrescription, id); err != nil {
		return PrescriptionResult{}, err
	}
	res, err := prescriptionFor(tx.g, p, id)
	if err != nil {
		return res, err
	}
	if p.Role == auth.GP {
		acceptedAt, err := tx.requireAcceptedSharedCare(p, res.PatientID)
		if err != nil {
			return res, err
		}
		if zone == nil {
			zone = time.UTC
		}
		// A draft keeps the date it was written on, which the GP's
		// signature would put its name to.
		if _, why := prescriptions.PrescribedBeforeSharedCare(res.PrescribedOn, calendar.DateOf(acceptedAt, zone)); why != "" {
			return res, problem.Conflictf("%s; this draft cannot be issued: write a new prescription", why)
		}
	}
	if res.Status != StatusDraft {
		return res, notDraft(res.Status)
	}
	if res.EffectiveStatus(today, n) == prescriptions.StatusExpired {
		return res, problem.Blocked([]policy.Finding{n.Finding("L3",
			fmt.Sprintf("The prescription was written on %s and has passed its %d-day validity.", res.PrescribedOn, n.L3ValidDays),
			"Write a new prescription.")})
	}
	address, err := patientAddress(tx.g, res.PatientID)
	if err != nil {
		return res, err
	}
	if f, missing := prescriptions.PatientAddressFinding(address, true); missing {
		return res, problem.Blocked([]policy.Finding{f})
	}
	var r Regime
	if err := tx.g.Take(&r, "id = ?", res.RegimeID).Error; err != nil {
		return res, translate(err)
	}
	history, err := doseChanges(tx.g, r.ID)
	if err != nil {
		return res, err
	}
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return res, err
	}
	if r.Status != RegimeActive {
		how := "ended on " + r.EndedOn.String()
		if r.EndedOn.Before(r.StartDate) {
			how = fmt.Sprintf("withdrawn on %s, before its start on %s", r.EndedOn, r.StartDate)
		}
		return res, problem.Conflictf("the regime this draft prescribes was %s; a draft of an ended regime is not issued: cancel it", how)
	}
	// A dose change recorded after the draft was written, on any of its
	// days, leaves its doses and amounts wrong; it is never edited.
	if !sameDosePeriods(dosePeriods(history, res.StartDate, res.Days), res.DosePeriods) ||
		settingsChangedWithin(r, settings, res.Prescription) {
		return res, problem.Conflictf("the regime has changed since this draft was written; cancel it and write a new one")
	}
	// The schedule was laid out on the opening of the day it was written:
	// an instalment on a day the pharmacy has closed since could not be
	// collected, and once signed the prescription cannot be changed.
	opening, err := tx.scheduleOpening(res.PharmacyID)
	if err != nil {
		return res, err
	}
	for _, in := range res.Instalments {
		if !in.Date.Before(today) && !opening.IsOpen(in.Date) {
			return res, problem.Conflictf("the pharmacy is now closed on %s, when this draft has an instalment; cancel it and write a new one, whose schedule follows the opening", in.Date)
		}
		// A closed first day's dose collected the day before
		// (firstCollection) can only be collected while that day is to come.
		if in.Date.Before(res.StartDate) && in.Date.Before(today) {
			return res, problem.Conflictf("this draft supplies the dose for %s with a collection on %s, which has passed; cancel it and write a new one", res.StartDate, in.Date)
		}
	}
	// A day the pharmacy has closed its list for since the draft was
	// written (a day close runs early, or at 23:00 before a late issue)
	// has had its doses settled: one due on it now would be missed at once.
	if len(res.Instalments) > 0 {
		closed, err := tx.daysClosedWithin(res.PharmacyID, res.Instalments[0].Date, res.EndDate)
		if err != nil {
			return res, err
		}
		if len(closed) > 0 {
			last := closed[len(closed)-1]
			next, err := tx.firstStartAfterClosed(r, settings, last)
			if err != nil {
				return res, err
			}
			return res, problem.Conflictf("%s, and this draft has a dose collected on it; %s", closedListWhy(last, res.StartDate, next),
				startAdvice("cancel it and write a new one starting on", next))
		}
	}
	// The other way round, a day the pharmacy has reopened since is still
	// supplied early with the collection before it (wording 1, S8 for a
	// supervised day). Laid out again on the opening now, from the same
	// collection for a closed first day, the days still to come must be
	// collected as the draft has them.
	var earlier calendar.Date
	if len(res.Instalments) > 0 && res.Instalments[0].Date.Before(res.StartDate) {
		earlier = res.Instalments[0].Date
	}
	current, err := scheduleFor(r, res.StartDate, res.Days, history, settings, opening, earlier)
	if err != nil && !errors.Is(err, prescriptions.ErrInvalidSchedule) {
		return res, err
	}
	if err != nil {
		return res, problem.Conflictf("the pharmacy's opening has changed since this draft was written, and its days can no longer be laid out: %s; cancel it and write a new one",
			strings.TrimPrefix(err.Error(), prescriptions.ErrInvalidSchedule.Error()+": "))
	}
	if why := prescriptions.StaleLayout(scheduleOf(res.Instalments), current, today); why != "" {
		return res, problem.Conflictf("%s; cancel it and write a new one, whose schedule follows the opening", why)
	}
	if err := tx.refuseOverlap(r, settings, res.ID, res.StartDate, res.EndDate, res.PrescribedOn, today); err != nil {
		return res, err
	}
	// A day may have been supplied from another prescription since the
	// draft was written.
	if err := tx.refuseSuppliedDays(res.PatientID, res.ID, res.StartDate, res.Days); err != nil {
		return res, err
	}
	wording, findings := prescriptions.RequireWording(scheduleOf(res.Instalments), res.Wording)
	med, _ := dosing.LookupMedicine(res.Medicine)
	findings = append(findings, prescriptions.SupervisedDaysCarried(n, med, scheduleOf(res.Instalments), pickupOn(r, settings))...)
	held, sc1, err := tx.prescribingHeldByPractice(p, n, res.PatientID)
	if err != nil {
		return res, err
	}
	findings = append(findings, sc1...)
	now := tx.db.Now()
	// A draft is not yet a prescription; wording L8 requires is completed as
	// it is signed, and whoever signs it is its prescriber (L1): a colleague,
	// or the service after a GP practice handed back a draft it wrote. Only
	// a draft is issued, whatever happened since it was read: of two
	// issues of one draft, one wins.
	up := tx.g.Model(&Prescription{}).Where("id = ? AND status = ?", id, StatusDraft).
		Updates(map[string]any{"status": StatusIssued, "issued_at": now, "wording": mustJSON(nonNil(wording)),
			"prescriber_id": p.UserID})
	if up.Error != nil {
		return res, translate(up.Error)
	}
	if up.RowsAffected != 1 {
		var status prescriptions.Status
		if err := tx.g.Model(&Prescription{}).Select("status").Where("id = ?", id).Scan(&status).Error; err != nil {
			return res, translate(err)
		}
		return res, notDraft(status)
	}
	drafter := res.PrescriberID
	res.Status, res.IssuedAt, res.Wording, res.Warnings, res.PrescriberID = StatusIssued, &now, nonNil(wording), nonNil(findings), p.UserID
	if err := tx.Audit("prescription.issue", "prescription", id, map[string]any{"serial": res.Serial, "wording": res.Wording,
		"findings": res.Warnings, "prescriber_id": p.UserID, "drafted_by": drafter, "status": statusChange(StatusDraft, StatusIssued)}); err != nil {
		return res, err
	}
	if err := tx.tellPracticeOfServicePrescription(held, res.Prescription, drafter); err != nil {
		return res, err
	}
	if err := tx.resolveMD1ByPrescription(n, today, res.Prescription); err != nil {
		return res, err
	}
	if err := tx.warnMD1(n, today, r, &res.Warnings); err != nil {
		return res, err
	}
	return res, tx.resolveNotReissuedOnIssue(n, res.PatientID, today)
}

// daysClosedWithin lists, oldest first, the days from first to last whose
// list the pharmacy has closed (CloseDay): their due doses are settled.
func (tx *Tx) daysClosedWithin(pharmacyID string, first, last calendar.Date) ([]calendar.Date, error) {
	var closed []calendar.Date
	err := tx.g.Table("day_closes").Where("pharmacy_id = ? AND date >= ? AND date <= ?", pharmacyID, first, last).
		Order("date").Pluck("date", &closed).Error
	return closed, translate(err)
}

// closedListCollecting is the last day, from a prescription's first
// collection (earlier, or start) to its end, whose list the pharmacy has
// closed (CloseDay), or zero for none. A first day whose dose needs the
// collection day before start, earlier being zero (BuildSchedule would
// advise starting on that day), counts that day too: advice to start on a
// closed list would be refused in turn.
func (tx *Tx) closedListCollecting(r Regime, settings []RegimeSetting, start, end, earlier calendar.Date) (calendar.Date, error) {
	first := start
	if !earlier.IsZero() {
		first = earlier
	}
	closed, err := tx.daysClosedWithin(settingOn(r, settings, start).PharmacyID, first, end)
	if err != nil || len(closed) > 0 {
		return lastDate(closed), err
	}
	if !earlier.IsZero() {
		return calendar.Date{}, nil
	}
	opening, err := pharmacyOpening(tx.g, settingOn(r, settings, start).PharmacyID)
	if err != nil {
		return calendar.Date{}, err
	}
	in := scheduleInput(r, start, 1, settings, opening)
	if opening.IsOpen(start) && in.Pattern[start.Weekday()] != prescriptions.PickupEarlier {
		return calendar.Date{}, nil
	}
	day, ok := in.CollectionDayBefore(start)
	if !ok {
		return calendar.Date{}, nil
	}
	closed, err = tx.daysClosedWithin(settingOn(r, settings, day).PharmacyID, day, day)
	return lastDate(closed), err
}

func lastDate(ds []calendar.Date) calendar.Date {
	if len(ds) == 0 {
		return calendar.Date{}
	}
	return ds[len(ds)-1]
}

// closedSearchDays bounds firstStartAfterClosed's search.
const closedSearchDays = 14

// firstStartAfterClosed is the first day after closedOn, within
// closedSearchDays, on which a prescription of r can start with no
// collection on a closed list: the pharmacy dispensing then is open, the
// pattern collects on the day itself (a closed or "earlier" first day
// would be collected the day before, firstCollection), and its list is not
// closed. Zero when there is none.
func (tx *Tx) firstStartAfterClosed(r Regime, settings []RegimeSetting, closedOn calendar.Date) (calendar.Date, error) {
	openings := map[string]calendar.Opening{}
	for d := closedOn.AddDays(1); !d.After(closedOn.AddDays(closedSearchDays)); d = d.AddDays(1) {
		if d.Before(r.StartDate) {
			continue
		}
		pharmacy := settingOn(r, settings, d).PharmacyID
		opening, ok := openings[pharmacy]
		if !ok {
			var err error
			if opening, err = pharmacyOpening(tx.g, pharmacy); err != nil {
				return calendar.Date{}, err
			}
			openings[pharmacy] = opening
		}
		if !opening.IsOpen(d) || scheduleInput(r, d, 1, settings, opening).Pattern[d.Weekday()] == prescriptions.PickupEarlier {
			continue
		}
		closed, err := tx.daysClosedWithin(pharmacy, d, d)
		if err != nil {
			return calendar.Date{}, err
		}
		if len(closed) == 0 {
			return d, nil
		}
	}
	return calendar.Date{}, nil
}

// firstOpenListFrom reports whether the pharmacy has closed its list for
// day, and if so the first day after it, within closedSearchDays, that it
// is open, has not closed its list for, and on which r's pattern in force
// (settings) collects the day's dose itself: a day supplied "earlier" is
// collected the day before, so a move from it would find no collection to
// reissue at the new pharmacy (zero: none).
func (tx *Tx) firstOpenListFrom(r Regime, settings []RegimeSetting, pharmacyID string, opening calendar.Opening, day calendar.Date) (calendar.Date, bool, error) {
	closed, err := tx.daysClosedWithin(pharmacyID, day, day.AddDays(closedSearchDays))
	if err != nil || len(closed) == 0 || !closed[0].Equal(day) {
		return calendar.Date{}, false, err
	}
	for d := day.AddDays(1); !d.After(day.AddDays(closedSearchDays)); d = d.AddDays(1) {
		if opening.IsOpen(d) && !slices.ContainsFunc(closed, d.Equal) && settingOn(r, settings, d).Pattern[d.Weekday()] != regimes.PickupEarlier {
			return d, true, nil
		}
	}
	return calendar.Date{}, true, nil
}

// closedListWhy says that closedOn's list is closed and which of the days
// from start on can no longer be prescribed: those up to the day before
// next, the first start that needs no collection on a closed list.
func closedListWhy(closedOn, start, next calendar.Date) string {
	why := fmt.Sprintf("the pharmacy has closed its day list for %s: a dose collected that day could no longer be collected and would be recorded missed", closedOn)
	if next.IsZero() {
		return why
	}
	last := next.AddDays(-1)
	switch {
	case start.After(last):
	case start.Equal(last):
		why += fmt.Sprintf(", so the dose for %s can no longer be prescribed", start)
	default:
		why += fmt.Sprintf(", so the doses for %s to %s can no longer be prescribed", start, last)
	}
	return why
}

// startAdvice names the day to start on, or says to find a later one.
func startAdvice(verb string, next calendar.Date) string {
	if next.IsZero() {
		return fmt.Sprintf("%s a later day the pharmacy is open and the pattern collects on (none in the %d days after the closed day)", verb, closedSearchDays)
	}
	return fmt.Sprintf("%s %s (%s), the first day after it whose dose is collected on a list still open", verb, next, next.Weekday())
}

// notDraft answers an issue of a prescription that is no longer a draft.
func notDraft(status prescriptions.Status) error {
	return &problem.Error{Code: problem.Conflict, Message: fmt.Sprintf("only a draft can be issued; this prescription is %s", status)}
}

// settingsChangedWithin reports a draft whose days the regime's settings no
// longer match: a different pattern or pharmacy on its first day, or a
// pattern, stage or pharmacy change recorded on a later day of it (a new
// prescription is refused across one, so it came after the draft).
func settingsChangedWithin(r Regime, settings []RegimeSetting, pr Prescription) bool {
	first := settingOn(r, settings, pr.StartDate)
	if first.Pattern != pr.Pattern || first.PharmacyID != pr.PharmacyID {
		return true
	}
	for _, st := range settings {
		if st.EffectiveDate.After(pr.StartDate) && !st.EffectiveDate.After(pr.EndDate) {
			return true
		}
	}
	return false
}

// CancelPrescription cancels a draft or a live issued prescription with a
// reason. One the reader sees as completed or expired (EffectiveStatus) is
// finished and stays as it ended (NotCancellable).
func (tx *Tx) CancelPrescription(p auth.Principal, n policy.Numbers, id, reason string, today calendar.Date) (PrescriptionResult, error) {
	if err := tx.lockPatientOf(ofPrescription, id); err != nil {
		return PrescriptionResult{}, err
	}
	res, err := prescriptionFor(tx.g, p, id)
	if err != nil {
		return res, err
	}
	if p.Role == auth.GP {
		if _, err := tx.requireAcceptedSharedCare(p, res.PatientID); err != nil {
			return res, err
		}
		if err := tx.requireSignedByPractice(p, res.Prescription); err != nil {
			return res, err
		}
	}
	if why := prescriptions.NotCancellable(res.EffectiveStatus(today, n), res.Serial); why != "" {
		return res, problem.Conflictf("%s", why)
	}
	pr, err := tx.cancelPrescription(p, res.Prescription, reason)
	res.Prescription = pr
	if err != nil {
		return res, err
	}
	// The answer carries the cancellation's own findings only: what the
	// prescription said about itself when read (its wording) is no news
	// of the cancel and would read as if cancelling raised it.
	findings, err := tx.afterCancel(p, n, pr, reason, today)
	res.Warnings = nonNil(findings)
	if err != nil {
		return res, err
	}
	return res, tx.tellPharmaciesOfCancel(p, pr, reason, today, nil)
}

func (tx *Tx) cancelPrescription(p auth.Principal, pr Prescription, reason string) (Prescription, error) {
	if !prescriptions.CanTransition(pr.Status, StatusCancelled) {
		return pr, problem.Conflictf("a %s prescription cannot be cancelled", pr.Status)
	}
	now := tx.db.Now()
	// Conditional, as issuing is: the status read is the one changed.
	up := tx.g.Model(&Prescription{}).Where("id = ? AND status = ?", pr.ID, pr.Status).Updates(map[string]any{"status": StatusCancelled,
		"cancelled_at": now, "cancelled_by": p.UserID, "cancel_reason": reason})
	if up.Error != nil {
		return pr, translate(up.Error)
	}
	if up.RowsAffected != 1 {
		return pr, problem.Conflictf("prescription %s changed meanwhile; reload it", pr.Serial)
	}
	was := pr.Status
	pr.Status, pr.CancelledAt, pr.CancelledBy, pr.CancelReason = StatusCancelled, &now, &p.UserID, reason
	if err := tx.Audit("prescription.cancel", "prescription", pr.ID, map[string]any{"reason": reason, "status": statusChange(was, StatusCancelled)}); err != nil {
		return pr, err
	}
	// A prescription left with instalments on days its pharmacy closed
	// (L8), or left as written by a change that could not reissue it, is
	// answered once it is cancelled: the new one is laid out anew.
	cancelled := resolution{Reason: fmt.Sprintf("Prescription %s cancelled: %s", pr.Serial, reason),
		EntityType: "prescription", EntityID: pr.ID}
	if err := tx.resolveAlerts(pr.PatientID, AlertPharmacyClosed, closedKeyPrefix(pr.ID), cancelled); err != nil {
		return pr, err
	}
	if err := tx.resolveAlerts(pr.PatientID, AlertNotReissued, notReissuedKey(pr.ID), cancelled); err != nil {
		return pr, err
	}
	// Whoever cancels it and however (asked for, a regime end, a reissue),
	// a hand-back notice naming it as still valid is stale once nothing it
	// named still is (ADR 0008).
	return pr, tx.resolveHandBackNotices(pr, cancelled)
}

// reissueLive cancels each live prescription of the regime that reaches
// from, and issues its remaining days on a new one with the dose and
// pattern in force on each day. The remaining days start today (or at the
// prescription's start) and after every day already settled at the
// pharmacy or collected on a day now past, so no dose is supplied twice. A
// first remaining day the pharmacy is closed on is supplied with the
// collection the day before (firstCollection). The change that asked for
// the reissue stands whatever happens here: a prescription whose remaining
// days cannot be laid out is left as written, not cancelled, and the
// returned findings tell the prescriber which one to rewrite. Each new
// prescription is checked as a written one is (S8 included): its findings
// are audited with it and returned, each naming it, and never stop the
// reissue.
func (tx *Tx) reissueLive(p auth.Principal, n policy.Numbers, r Regime, from, today calendar.Date, why string) ([]Prescription, []policy.Finding, error) {
	var live []Prescription
	if err := tx.g.Where("regime_id = ? AND status = ? AND end_date >= ?", r.ID, StatusIssued, from).
		Order("start_date").Find(&live).Error; err != nil {
		return nil, nil, translate(err)
	}
	// A prescription from which nothing was supplied within L3's window is
	// void for the rest of its days: reissued, they would come back to
	// life on a new one dated today that no prescriber chose to write.
	ptrs := make([]*Prescription, len(live))
	for i := range live {
		ptrs[i] = &live[i]
	}
	if err := withFirstSupply(tx.g, ptrs); err != nil {
		return nil, nil, err
	}
	live = slices.DeleteFunc(live, func(pr Prescription) bool {
		return pr.EffectiveStatus(today, n) == prescriptions.StatusExpired
	})
	history, err := doseChanges(tx.g, r.ID)
	if err != nil {
		return nil, nil, err
	}
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return nil, nil, err
	}
	// Every pharmacy involved is share-locked before anything is cancelled
	// (ids in order, as every writer takes them): an opening change then
	// either commits first, and the cancellation below resolves its alert,
	// or waits for this change and judges the reissues.
	pharmacies := []string{r.PharmacyID}
	for _, old := range live {
		pharmacies = append(pharmacies, old.PharmacyID)
	}
	for _, st := range settings {
		pharmacies = append(pharmacies, st.PharmacyID)
	}
	slices.Sort(pharmacies)
	for _, id := range slices.Compact(pharmacies) {
		if id == "" {
			continue
		}
		if _, err := tx.scheduleOpening(id); err != nil {
			return nil, nil, err
		}
	}
	address, err := patientAddress(tx.g, r.PatientID)
	if err != nil {
		return nil, nil, err
	}
	_, noAddress := prescriptions.PatientAddressFinding(address, true)
	med, _ := dosing.LookupMedicine(r.Medicine)
	names := map[string]string{}
	pharmacyName := func(id string) (string, error) {
		if name, ok := names[id]; ok {
			return name, nil
		}
		var o Organisation
		if err := tx.g.Select("name").Take(&o, "id = ?", id).Error; err != nil {
			return "", translate(err)
		}
		names[id] = o.Name
		return o.Name, nil
	}
	var out []Prescription
	var findings []policy.Finding
	for _, old := range live {
		// An instalment whose day has passed is settled too, recorded or
		// not: its doses can no longer be supplied on a later day (MD4), and
		// a late record still goes against the cancelled prescription.
		var settled []Instalment
		if err := tx.g.Where("prescription_id = ? AND (date < ? OR EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id))",
			old.ID, today).Find(&settled).Error; err != nil {
			return nil, nil, translate(err)
		}
		// So is one every day of which another instalment already supplied
		// (the day list's supplied_elsewhere: a dose given on the
		// prescription this one replaced, before a change or move earlier
		// today): those days are not supplied again, so the reissue starts
		// after them, and the change is not refused for them
		// (refuseSuppliedDays).
		var open []Instalment
		if err := tx.g.Where("prescription_id = ? AND date >= ? AND NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)",
			old.ID, today).Find(&open).Error; err != nil {
			return nil, nil, translate(err)
		}
		elsewhere, err := suppliedElsewhere(tx.g, open)
		if err != nil {
			return nil, nil, err
		}
		for _, in := range open {
			if _, ok := elsewhere[in.ID]; ok {
				settled = append(settled, in)
			}
		}
		covers := make([][]calendar.Date, len(settled))
		for i, in := range settled {
			covers[i] = in.Covers
		}
		rest, days, ok := prescriptions.SplitAt(old.StartDate, old.Days, prescriptions.RemainingFrom(old.StartDate, today, covers))
		if !ok {
			continue // every day is already settled: nothing left to reissue
		}
		// One prescription per pharmacy: a move inside the remaining days
		// splits them at the move. Every part is laid out before anything
		// is cancelled.
		segs := pharmacySegments(r, settings, rest, days)
		nr, err := tx.notReissued(r, old, settings, rest, segs, pharmacyName)
		if err != nil {
			return nil, nil, err
		}
		earlier := make([]calendar.Date, len(segs))
		var stuck *policy.Finding
		if noAddress {
			// A record from before L2 was checked (the address can no
			// longer be cleared under a live prescription): reissuing
			// would be refused, so the prescription is left as written
			// like one that cannot be laid out, and the change stands.
			f := nr.NoAddress()
			stuck = &f
		}
		for i := 0; stuck == nil && i < len(segs); i++ {
			whyNot, next, err := tx.planReissue(r, segs[i], history, settings, today, &earlier[i])
			if err != nil {
				return nil, nil, err
			}
			if whyNot == "" {
				continue
			}
			// The advice comes from the same segments: the parts before
			// this one in full, this one from the next day that can still
			// be supplied, and the rest in full — one prescription for
			// each pharmacy, as a prescription never spans a move.
			rewrite := nr.Rewrite
			nr.Rewrite = append([]prescriptions.Rewrite{}, rewrite[:i]...)
			if !next.IsZero() {
				nr.Rewrite = append(nr.Rewrite, prescriptions.Rewrite{From: next, To: rewrite[i].To, Pharmacy: rewrite[i].Pharmacy})
			}
			nr.Rewrite = append(nr.Rewrite, rewrite[i+1:]...)
			f := nr.Unbuildable(segs[i].start, whyNot)
			stuck = &f
		}
		if stuck != nil {
			findings = append(findings, *stuck)
			if err := tx.Audit("prescription.not_reissued", "prescription", old.ID, map[string]any{"serial": old.Serial, "why": why,
				"finding": stuck}); err != nil {
				return nil, nil, err
			}
			// The answer's warning is easily lost, and until the prescriber
			// rewrites the prescription the pharmacy supplies the old dose
			// or pattern: an alert stays until it is cancelled
			// (cancelPrescription) or runs out (notreissued.go), once per
			// prescription however many changes miss it.
			if err := tx.raiseAlert(Alert{ServiceID: old.ServiceID, PatientID: old.PatientID, PharmacyID: &old.PharmacyID,
				Kind: AlertNotReissued, Rule: stuck.Rule, Message: stuck.Message + " " + stuck.Action,
				DedupeKey: notReissuedKey(old.ID)}); err != nil {
				return nil, nil, err
			}
			continue
		}
		// Settled instalments stay with the cancelled prescription, which
		// the pharmacy's records still point at.
		if _, err := tx.cancelPrescription(p, old, why); err != nil {
			return nil, nil, err
		}
		var replacing []Prescription
		for i, seg := range segs {
			in := NewPrescription{PrescribedOn: today, StartDate: seg.start, Days: seg.days, Wording: old.Wording, Issue: true}
			carried, err := tx.closedDaysCarried(n, r, med, in, history, settings, earlier[i])
			if err != nil {
				return nil, nil, err
			}
			res, err := tx.insertPrescription(p, r, old.ServiceID, in, history, settings, &old.ID, carried, earlier[i], today)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, res.Prescription)
			replacing = append(replacing, res.Prescription)
			// The change's answer lists every reissue's findings together,
			// as its audited issue holds them (S8 among them): what a
			// prescriber writing these days would be told (S6, L7, L8,
			// MD5, M2…), since nobody reads the reissue's own answer.
			for _, f := range res.Warnings {
				f.Message = fmt.Sprintf("Reissued as %s: %s", res.Serial, f.Message)
				findings = append(findings, f)
			}
		}
		// Its pharmacy (and, after a move, the new one) is told which
		// prescription now carries the days and what changed on them.
		if err := tx.tellPharmaciesOfCancel(p, old, why, today, replacing); err != nil {
			return nil, nil, err
		}
	}
	return out, findings, nil
}

// planReissue checks that seg, part of a prescription's remaining days,
// lays out as a prescription dated today, setting earlier to the collection
// day for a closed first day. For a part that cannot be laid out it says
// why, and next is the first day after its start the pharmacy collects on
// within it, from which it can still be prescribed (zero: none).
func (tx *Tx) planReissue(r Regime, seg segment, history []DoseChange, settings []RegimeSetting, today calendar.Date,
	earlier *calendar.Date) (whyNot string, next calendar.Date, err error) {
	day, whyNot, err := tx.firstCollection(r, settings, seg.start, today, today, true)
	if err != nil {
		return "", next, err
	}
	opening, err := pharmacyOpening(tx.g, settingOn(r, settings, seg.start).PharmacyID)
	if err != nil {
		return "", next, err
	}
	_, err = scheduleFor(r, seg.start, seg.days, history, settings, opening, day)
	if err == nil {
		*earlier = day
		return "", next, nil
	}
	if !errors.Is(err, prescriptions.ErrInvalidSchedule) {
		return "", next, err
	}
	if whyNot == "" {
		whyNot = strings.TrimPrefix(err.Error(), prescriptions.ErrInvalidSchedule.Error()+": ")
	}
	for d := seg.start.AddDays(1); !d.After(seg.end()); d = d.AddDays(1) {
		if opening.IsOpen(d) && settingOn(r, settings, d).Pattern[d.Weekday()] != regimes.PickupEarlier {
			return whyNot, d, nil
		}
	}
	return whyNot, next, nil
}

// notReissued describes old, whose remaining days from rest are segs, for
// a finding that it was left as written: what its pharmacy goes on
// supplying, and each segment to prescribe again in its place.
func (tx *Tx) notReissued(r Regime, old Prescription, settings []RegimeSetting, rest calendar.Date, segs []segment,
	pharmacyName func(string) (string, error)) (prescriptions.NotReissued, error) {
	at, err := pharmacyName(old.PharmacyID)
	if err != nil {
		return prescriptions.NotReissued{}, err
	}
	nr := prescriptions.NotReissued{Serial: old.Serial, Periods: old.DosePeriods, Pharmacy: at, First: rest, End: old.EndDate}
	if len(nr.Periods) == 0 {
		nr.Periods = []prescriptions.DosePeriod{{From: old.StartDate, DailyDose: old.DailyDose}}
	}
	for _, seg := range segs {
		name, err := pharmacyName(settingOn(r, settings, seg.start).PharmacyID)
		if err != nil {
			return nr, err
		}
		nr.Rewrite = append(nr.Rewrite, prescriptions.Rewrite{From: seg.start, To: seg.end(), Pharmacy: name})
	}
	return nr, nil
}

type segment struct {
	start calendar.Date
	days  int
}

func (s segment) end() calendar.Date { return prescriptions.End(s.start, s.days) }

// pharmacySegments splits days from start at each change of dispensing
// pharmacy.
func pharmacySegments(r Regime, settings []RegimeSetting, start calendar.Date, days int) []segment {
	segs := []segment{{start: start}}
	at := settingOn(r, settings, start).PharmacyID
	for i := 0; i < days; i++ {
		day := start.AddDays(i)
		if ph := settingOn(r, settings, day).PharmacyID; ph != at {
			segs = append(segs, segment{start: day})
			at = ph
		}
		segs[len(segs)-1].days++
	}
	return segs
}

// requireSignedByPractice lets a GP cancel only a prescription a GP of
// their own practice signed, or the reissue of one (ADR 0008, amended). One
// the service wrote is the service's: it may be covering days the
// practice's do not, the pharmacy dispenses from its paper, and the service
// would not know its days were left without a prescription (SC1: the
// service decides, the practice prescribes what is in force). A reissue is
// signed by the service but carries the remaining days of the prescription
// it replaces (ADR 0007), and the practice is told to prescribe what is now
// in force: days first prescribed by the practice stay the practice's.
func (tx *Tx) requireSignedByPractice(p auth.Principal, pr Prescription) error {
	signers, err := tx.signersOfReissueChain(pr)
	if err != nil {
		return err
	}
	var n int64
	if err := tx.g.Table("users").Where("id IN ? AND organisation_id = ?", signers, p.OrgID).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n > 0 {
		return nil
	}
	signer := "the specialist service"
	var org string
	if err := tx.g.Table("users").Select("organisation_id").Where("id = ?", pr.PrescriberID).Scan(&org).Error; err != nil {
		return translate(err)
	}
	if org != pr.ServiceID {
		signer = "another organisation"
	}
	why := fmt.Sprintf("Prescription %s (%s to %s) was signed by %s, not by the practice; a GP cancels only what the practice signed.",
		pr.Serial, pr.StartDate, pr.EndDate, signer)
	const action = "Ask the service to cancel it, so that it can cover the days it leaves; to stop prescribing altogether, hand shared care back."
	// A conflict, not a refusal of the role: the GP may cancel, and would
	// be allowed to cancel the practice's own prescription.
	return &problem.Error{Code: problem.Conflict, Message: "SC1: " + why + " " + action,
		Findings: []policy.Finding{{Rule: "SC1", Severity: policy.Block, Message: why, Action: action}}}
}

// signersOfReissueChain is who signed the prescription and each one it
// replaces, back to the first, which no reissue replaced.
func (tx *Tx) signersOfReissueChain(pr Prescription) ([]string, error) {
	signers := []string{pr.PrescriberID}
	seen := map[string]bool{pr.ID: true}
	for next := pr.ReplacesID; next != nil && !seen[*next]; {
		var prev Prescription
		if err := tx.g.Select("id", "prescriber_id", "replaces_id").Take(&prev, "id = ?", *next).Error; err != nil {
			return nil, translate(err)
		}
		seen[prev.ID] = true
		signers = append(signers, prev.PrescriberID)
		next = prev.ReplacesID
	}
	return signers, nil
}

// requireAcceptedSharedCare lets a GP prescribe only for patients whose
// shared care their practice has accepted (SC1).
func (tx *Tx) requireAcceptedSharedCare(p auth.Principal, patientID string) (acceptedAt time.Time, err error) {
	var at []time.Time
	if err := tx.g.Table("shared_care s").
		Joins("JOIN shared_care_events ev ON ev.shared_care_id = s.id AND ev.kind = ?", SharedAccepted).
		Where("s.patient_id = ? AND s.practice_id = ? AND s.status = ?", patientID, p.OrgID, SharedAccepted).
		Order("ev.occurred_at DESC").Limit(1).Pluck("ev.occurred_at", &at).Error; err != nil {
		return time.Time{}, translate(err)
	}
	if len(at) == 0 {
		return time.Time{}, problem.Forbiddenf("SC1: a GP writes, issues and cancels prescriptions only while the practice holds accepted shared care for this patient; it is not accepted yet, or it has ended (declined or handed back): the specialist service prescribes, and decides about the practice's prescriptions still running; ask it")
	}
	return at[0], nil
}
