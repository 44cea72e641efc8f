package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
)

// DoseEvent is one pharmacist record (S1) or day close's missed mark.
// Corrections are new rows pointing at the original; nothing is updated.
type DoseEvent struct {
	ID                string                    `json:"id"`
	InstalmentID      string                    `json:"instalment_id"`
	PatientID         string                    `json:"patient_id"`
	PharmacyID        string                    `json:"pharmacy_id"`
	Date              calendar.Date             `json:"date"`
	Outcome           dispensing.Outcome        `json:"outcome"`
	Reason            dispensing.WithheldReason `json:"reason"`
	IdentityConfirmed bool                      `json:"identity_confirmed"`
	OccurredAt        time.Time                 `json:"occurred_at"`
	Notes             string                    `json:"notes"`
	RecordedBy        *string                   `json:"recorded_by"`
	// RecordedByName and PharmacyName name the pharmacist who recorded
	// the event (null for day close's mark) and the pharmacy it was
	// recorded at (S1), read with it (nameDoseEvents), not stored.
	RecordedByName *string `json:"recorded_by_name" gorm:"-"`
	PharmacyName   string  `json:"pharmacy_name" gorm:"-"`
	CorrectsID     *string `json:"corrects_id"`
	// CorrectionReason says why a correction was made; "" on an original.
	CorrectionReason string    `json:"correction_reason"`
	CreatedAt        time.Time `json:"created_at"`
}

func (e DoseEvent) event() dispensing.Event {
	c := ""
	if e.CorrectsID != nil {
		c = *e.CorrectsID
	}
	return dispensing.Event{ID: e.ID, Outcome: e.Outcome, Reason: e.Reason, CorrectsID: c, CreatedAt: e.CreatedAt}
}

// Review is a prescriber's review of a patient: it lifts an MD1 block and
// restarts the M5 review interval.
type Review struct {
	ID           string        `json:"id"`
	PatientID    string        `json:"patient_id"`
	PrescriberID string        `json:"prescriber_id"`
	ReviewedAt   time.Time     `json:"reviewed_at"`
	Date         calendar.Date `json:"date"`
	Kind         string        `json:"kind"`
	Notes        string        `json:"notes"`
	ECGDate      calendar.Date `json:"ecg_date" gorm:"column:ecg_date"`
}

// LastReview is the date of a patient's latest review of the patient, ECG
// reviews aside (zero: none).
func (db *DB) LastReview(ctx context.Context, patientID string) (calendar.Date, error) {
	return lastReview(db.read(ctx), patientID)
}

// reviewMarks are the patients' reviews for days from..to, as MD1 reads
// them. An ECG review records a heart trace for M4; it is not a review of
// the patient after missed doses, so it lifts nothing.
func reviewMarks(g *gorm.DB, patientIDs []string, from, to calendar.Date) (map[string][]dispensing.ReviewMark, error) {
	out := map[string][]dispensing.ReviewMark{}
	if len(patientIDs) == 0 {
		return out, nil
	}
	var rows []Review
	if err := g.Select("patient_id, date, reviewed_at").Where("patient_id IN ? AND date >= ? AND date <= ? AND kind <> ?", patientIDs, from, to, "ecg").
		Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.PatientID] = append(out[r.PatientID], dispensing.ReviewMark{On: r.Date, At: r.ReviewedAt})
	}
	return out, nil
}

// lastReview is the date of the patient's latest review of the patient
// (M5, S6): an ECG review records a heart trace for M4 and is not one.
func lastReview(g *gorm.DB, patientID string) (calendar.Date, error) {
	var r Review
	err := g.Where("patient_id = ? AND kind <> ?", patientID, "ecg").Order("date DESC, reviewed_at DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return calendar.Date{}, nil
	}
	return r.Date, translate(err)
}

// historyWindow is how far back missed-dose runs are looked for: far longer
// than any MD1 or MD3 run that still matters.
const historyWindow = 28

// dayOutcomes expands the patients' instalments dated from..to into dose
// days with their current outcomes, across prescriptions. A day after to
// that a record without the dose carried (a take-home withheld) may have
// been prescribed again on a live instalment dated after to, which then
// decides it (dispensing.DaysAsOf): for those patients the instalments
// dated up to that day are read as well. It is rare, so it costs a second
// statement only when it happens.
func dayOutcomes(g *gorm.DB, patientIDs []string, from, to calendar.Date) (map[string][]dispensing.DayOutcome, error) {
	out, err := readDayOutcomes(g, patientIDs, from, to)
	if err != nil {
		return nil, err
	}
	var ahead []string
	last := to
	for _, id := range patientIDs {
		if l := dispensing.DecidedAhead(out[id], to); !l.IsZero() {
			ahead = append(ahead, id)
			if l.After(last) {
				last = l
			}
		}
	}
	if len(ahead) == 0 {
		return out, nil
	}
	more, err := readDayOutcomes(g, ahead, to.AddDays(1), last)
	if err != nil {
		return nil, err
	}
	for id, days := range more {
		out[id] = append(out[id], days...)
	}
	return out, nil
}

// readDayOutcomes is dayOutcomes without the days ahead. One statement
// joins each instalment with its events, scanned by hand: the day list
// runs this for every patient on it, and gorm's reflection over two full
// structs per row was nearly all of the list's cost.
func readDayOutcomes(g *gorm.DB, patientIDs []string, from, to calendar.Date) (map[string][]dispensing.DayOutcome, error) {
	out := map[string][]dispensing.DayOutcome{}
	if len(patientIDs) == 0 {
		return out, nil
	}
	// The prescriptions are narrowed first, by patient and end date (an
	// index), so each instalment is not looked up in the whole table: at
	// ten million dose events that halved the pages a day list reads.
	rows, err := g.Table("instalments").
		Select(`instalments.id, instalments.patient_id, instalments.date,
			CASE WHEN instalments.dose_days > 1 OR instalments.date < p.start_date THEN instalments.covers END,
			instalments.pharmacy_id, e.id, e.outcome, e.reason, e.corrects_id, e.created_at`).
		Joins(`JOIN (SELECT id, status, start_date FROM prescriptions WHERE patient_id IN ? AND end_date >= ? AND start_date <= ? AND status <> ?) p
			ON p.id = instalments.prescription_id`, patientIDs, from, to, StatusDraft).
		Joins("LEFT JOIN dose_events e ON e.instalment_id = instalments.id").
		Where("instalments.patient_id IN ? AND instalments.date >= ? AND instalments.date <= ?", patientIDs, from, to).
		Where("(p.status <> ? OR e.id IS NOT NULL)", StatusCancelled).
		Order("instalments.id, e.created_at, e.id").
		Rows()
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	type instalmentEvents struct {
		patientID  string
		date       calendar.Date
		covers     []calendar.Date
		pharmacyID string
		events     []dispensing.Event
	}
	var (
		list          []*instalmentEvents
		cur           *instalmentEvents
		curID         string
		id, patientID string
		date          calendar.Date
		covers        *string
		pharmacyID    string
		ev            eventColumns
	)
	dest := append([]any{&id, &patientID, &date, &covers, &pharmacyID}, ev.dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, translate(err)
		}
		if cur == nil || id != curID {
			cur, curID = &instalmentEvents{patientID: patientID, date: date, pharmacyID: pharmacyID}, id
			if cur.covers, err = coversOf(id, date, deref(covers)); err != nil {
				return nil, err
			}
			list = append(list, cur)
		}
		cur.events = ev.appendTo(cur.events)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	pharmacies := map[string]bool{}
	for _, in := range list {
		pharmacies[in.pharmacyID] = true
	}
	openings, err := recordedClosures(g, pharmacies)
	if err != nil {
		return nil, err
	}
	for _, in := range list {
		c, _ := dispensing.CurrentEvent(in.events)
		days := dispensing.Known(dispensing.ExpandInstalment(in.date, in.covers, c.Outcome), dispensing.KnownOn(in.date, in.events, zoneOf(g)))
		markClosed(days, openings[in.pharmacyID], in.date)
		out[in.patientID] = append(out[in.patientID], days...)
	}
	return out, nil
}

// eventColumns scans the dose event columns e.id, e.outcome, e.reason,
// e.corrects_id, e.created_at of a row that LEFT JOINs an instalment's
// events, into what the dispensing rules read.
type eventColumns struct {
	id, outcome, reason, correctsID *string
	createdAt                       *time.Time
}

func (c *eventColumns) dest() []any {
	return []any{&c.id, &c.outcome, &c.reason, &c.correctsID, &c.createdAt}
}

// appendTo adds the scanned event, if the row has one.
func (c *eventColumns) appendTo(events []dispensing.Event) []dispensing.Event {
	if c.id == nil {
		return events
	}
	return append(events, dispensing.Event{ID: *c.id, Outcome: dispensing.Outcome(deref(c.outcome)),
		Reason: dispensing.WithheldReason(deref(c.reason)), CorrectsID: deref(c.correctsID), CreatedAt: deref(c.createdAt)})
}

func lo(ins []Instalment) []string {
	ids := make([]string, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	return ids
}

// currentOutcomes resolves corrections: the current event per instalment.
func currentOutcomes(g *gorm.DB, instalmentIDs []string) (map[string]DoseEvent, error) {
	out := map[string]DoseEvent{}
	if len(instalmentIDs) == 0 {
		return out, nil
	}
	var evs []DoseEvent
	for start := 0; start < len(instalmentIDs); start += 500 {
		end := min(start+500, len(instalmentIDs))
		var page []DoseEvent
		if err := g.Where("instalment_id IN ?", instalmentIDs[start:end]).Order("created_at, id").Find(&page).Error; err != nil {
			return nil, translate(err)
		}
		evs = append(evs, page...)
	}
	byInst := map[string][]DoseEvent{}
	for _, e := range evs {
		byInst[e.InstalmentID] = append(byInst[e.InstalmentID], e)
	}
	for id, list := range byInst {
		events := make([]dispensing.Event, len(list))
		for i, e := range list {
			events[i] = e.event()
		}
		cur, ok := dispensing.CurrentEvent(events)
		if !ok {
			continue
		}
		for _, e := range list {
			if e.ID == cur.ID {
				out[id] = e
			}
		}
	}
	return out, nil
}

// md1Block is the MD1 block in force for a patient on a day.
func md1Block(g *gorm.DB, n policy.Numbers, patientID string, day calendar.Date) (*dispensing.Block, []dispensing.DayOutcome, error) {
	days, err := dayOutcomes(g, []string{patientID}, day.AddDays(-historyWindow), day)
	if err != nil {
		return nil, nil, err
	}
	reviews, err := reviewMarks(g, []string{patientID}, day.AddDays(-historyWindow), day)
	if err != nil {
		return nil, nil, err
	}
	if b, ok := dispensing.MD1Block(n, days[patientID], day, reviews[patientID], zoneOf(g)); ok {
		return &b, days[patientID], nil
	}
	return nil, days[patientID], nil
}

// MissedRun is the patient's current run of days without the dose and when
// its last day became known, as MD3 reads it.
func (db *DB) MissedRun(ctx context.Context, patientID string, today calendar.Date) (regimes.MissedRun, error) {
	days, err := dayOutcomes(db.read(ctx), []string{patientID}, today.AddDays(-historyWindow), today)
	if err != nil {
		return regimes.MissedRun{}, err
	}
	count, known := dispensing.MissedRunKnown(days[patientID], today, zoneOf(db.read(ctx)))
	sedative, err := sedativeRisk(db.read(ctx), patientID)
	if err != nil {
		return regimes.MissedRun{}, err
	}
	return regimes.MissedRun{Days: count, Known: known, SedativeRisk: sedative}, nil
}

// recordTarget is the instalment being recorded with what recording needs
// of its prescription and patient, read in one statement: recording a dose
// is the busiest write in the service.
type recordTarget struct {
	Instalment
	PrescriptionStatus prescriptions.Status
	PrescribedOn       calendar.Date
	CancelledAt        *time.Time
	ServiceID          string
	FirstDoseDate      calendar.Date
	IssuedAt           *time.Time
	// ReplacesID is the prescription this one reissues (nil for most),
	// whose authority it carries on (reissuedFrom).
	ReplacesID *string
}

// recordTargetFor returns an instalment at the pharmacist's pharmacy (or of
// a patient the user may see) that is on a non-draft prescription; anything
// else is NotFound, so another pharmacy's instalments reveal nothing. The
// statement takes the patient's write lock as it reads (lockingPatient),
// so recording pays no round trip for it.
func (tx *Tx) recordTargetFor(p auth.Principal, id string) (recordTarget, error) {
	var t recordTarget
	notFound := problem.NotFoundf("instalment not found")
	if !ValidID(id) {
		return t, notFound
	}
	// Scanned by hand, as recordWindowFor's rows are: gorm's reflection was
	// a good part of this statement's cost.
	q := tx.lockingPatient(tx.g.Table("instalments")).
		Select(`instalments.id, instalments.prescription_id, instalments.patient_id, instalments.pharmacy_id, instalments.date,
			instalments.dose_days, CASE WHEN instalments.dose_days > 1 OR instalments.date < prescriptions.start_date THEN instalments.covers END,
			instalments.supervised_ug, instalments.take_home_ug,
			prescriptions.status, prescriptions.prescribed_on, prescriptions.cancelled_at, prescriptions.service_id, patients.first_dose_date,
			prescriptions.issued_at, prescriptions.replaces_id`).
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Joins("JOIN patients ON patients.id = instalments.patient_id").
		Where("instalments.id = ? AND prescriptions.status <> ?", id, StatusDraft)
	if p.Role == auth.Pharmacist {
		// The pharmacist's scope (scopePatients) for this one instalment:
		// its own non-draft prescription is at their pharmacy.
		q = q.Where("instalments.pharmacy_id = ? AND prescriptions.pharmacy_id = ?", p.OrgID, p.OrgID)
	} else {
		q = scopePatients(q, p)
	}
	var covers *string
	err := q.Row().Scan(&t.ID, &t.PrescriptionID, &t.PatientID, &t.PharmacyID, &t.Date, &t.DoseDays, &covers,
		&t.Supervised, &t.TakeHome, &t.PrescriptionStatus, &t.PrescribedOn, &t.CancelledAt, &t.ServiceID, &t.FirstDoseDate,
		&t.IssuedAt, &t.ReplacesID)
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound
	}
	if err != nil {
		return t, translate(err)
	}
	t.Covers, err = coversOf(t.ID, t.Date, deref(covers))
	return t, err
}

// zoneOr is zone, or UTC for none.
func zoneOr(zone *time.Location) *time.Location {
	if zone == nil {
		return time.UTC
	}
	return zone
}

// maxReissueChain bounds the walk back along a reissue chain: a regime's
// prescriptions are reissued at each dose or pattern change, a few times a
// day at most, and a chain that loops must not hang a record.
const maxReissueChain = 64

// reissuedFrom reads the chain of prescriptions a reissue carries on from
// (dispensing.InServiceFor): the one it replaced (replacesID), then the
// one that one replaced, back to the first, nearest first, each with its
// instalment of date with the same dose days, if any, and its amounts
// (dispensing.SameDose). The walk stops at the first that did not cover
// every day of covers, as InServiceFor does: the ones before it lend
// nothing.
func (tx *Tx) reissuedFrom(replacesID string, date calendar.Date, covers []calendar.Date) ([]dispensing.Issue, error) {
	var chain []dispensing.Issue
	seen := map[string]bool{}
	for id := &replacesID; id != nil && !seen[*id] && len(chain) < maxReissueChain; {
		seen[*id] = true
		var pr struct {
			IssuedAt     *time.Time
			PrescribedOn calendar.Date
			PharmacyID   string
			StartDate    calendar.Date
			EndDate      calendar.Date
			ReplacesID   *string
			Serial       string
		}
		err := tx.g.Table("prescriptions").Select("issued_at, prescribed_on, pharmacy_id, start_date, end_date, replaces_id, serial").
			Where("id = ?", *id).Take(&pr).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			break
		}
		if err != nil {
			return nil, translate(err)
		}
		issue := dispensing.Issue{IssuedAt: deref(pr.IssuedAt), PrescribedOn: pr.PrescribedOn, PharmacyID: pr.PharmacyID,
			Start: pr.StartDate, End: pr.EndDate, Serial: pr.Serial}
		var day []Instalment
		if err := tx.g.Where("prescription_id = ? AND date = ?", *id, date).Find(&day).Error; err != nil {
			return nil, translate(err)
		}
		for _, in := range day {
			days := in.Covers
			if len(days) == 0 {
				days = []calendar.Date{in.Date}
			}
			if slices.Equal(days, covers) {
				issue.InstalmentID, issue.Supervised, issue.TakeHome = in.ID, in.Supervised, in.TakeHome
			}
		}
		chain = append(chain, issue)
		for _, d := range covers {
			if d.Before(pr.StartDate) || d.After(pr.EndDate) {
				return chain, nil
			}
		}
		id = pr.ReplacesID
	}
	return chain, nil
}

// coversOf is an instalment's dose days. The recording queries read the
// JSON only for an instalment covering more than its own day (dose_days),
// or dated before its prescription's start (a closed first day's dose
// collected the day before, which covers no day of its own), which saves
// decoding it for most rows.
func coversOf(id string, date calendar.Date, coversJSON string) ([]calendar.Date, error) {
	if coversJSON == "" {
		return []calendar.Date{date}, nil
	}
	var covers []calendar.Date
	if err := json.Unmarshal([]byte(coversJSON), &covers); err != nil {
		return nil, fmt.Errorf("instalment %s covers: %w", id, err)
	}
	return covers, nil
}

// recordWindow is the patient's recent record as recording a dose needs
// it: whether the instalment being recorded has events (one outcome each),
// the dose days of the MD1 window with their current outcomes, the first
// supply from the instalment's prescription (L3), and the other
// instalments whose doses were handed over (a day's dose is supplied once).
type recordWindow struct {
	recorded    bool // the instalment has events already
	days        []dispensing.DayOutcome
	firstSupply calendar.Date
	supplies    []dispensing.Supply
	// status is the instalment's prescription's, read after the patient's
	// lock (recordTargetFor's statement may predate a write it waited for).
	status prescriptions.Status
}

// recordWindowFor reads the window as it stood on asOf: today for a first
// record, the instalment's date for a correction. A correction leaves the
// instalment's own days out of days, since its outcome is what is in
// question; it still reports recorded.
func recordWindowFor(g *gorm.DB, patientID string, inst Instalment, asOf calendar.Date, correction bool) (recordWindow, error) {
	// Back from the earlier of asOf and the instalment's date, so that every
	// instalment of its prescription up to it is read for the L3 first
	// supply (a prescription is at most L6's 14 days long).
	from, to := asOf.AddDays(-historyWindow), asOf
	if inst.Date.Before(asOf) {
		from = inst.Date.AddDays(-historyWindow)
	}
	if inst.Date.After(to) {
		to = inst.Date
	}
	// Up to the last day the instalment covers, for another instalment
	// that supplied one of them.
	for _, d := range inst.Covers {
		if d.After(to) {
			to = d
		}
	}
	// Scanned by hand into the few columns the rules read: this is the
	// busiest query of the busiest write, and gorm's reflection over a
	// struct per row was a third of its cost. Whether a row is of the
	// instalment's own prescription comes back as a boolean rather than
	// as the id, for the same reason.
	rows, err := g.Table("instalments").
		Select(`instalments.id, instalments.prescription_id = ?, instalments.date,
			CASE WHEN instalments.dose_days > 1 OR instalments.date < prescriptions.start_date THEN instalments.covers END, prescriptions.status,
			e.id, e.outcome, e.reason, e.corrects_id, e.created_at`, inst.PrescriptionID).
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Joins("LEFT JOIN dose_events e ON e.instalment_id = instalments.id").
		Where("instalments.patient_id = ? AND instalments.date >= ? AND instalments.date <= ?", patientID, from, to).
		Order("instalments.id, e.created_at, e.id").
		Rows()
	if err != nil {
		return recordWindow{}, translate(err)
	}
	defer rows.Close()
	type instalmentEvents struct {
		id               string
		samePrescription bool
		date             calendar.Date
		covers           []calendar.Date
		status           prescriptions.Status
		events           []dispensing.Event
	}
	var (
		w    recordWindow
		list []*instalmentEvents
		cur  *instalmentEvents
		// Declared once, not per row: Scan takes their addresses, so each
		// would otherwise be a heap allocation on every row.
		id, status       string
		covers           *string
		samePrescription bool
		date             calendar.Date
		ev               eventColumns
	)
	dest := append([]any{&id, &samePrescription, &date, &covers, &status}, ev.dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return recordWindow{}, translate(err)
		}
		if cur == nil || id != cur.id {
			cur = &instalmentEvents{id: id, samePrescription: samePrescription, date: date, status: prescriptions.Status(status)}
			var err error
			if cur.covers, err = coversOf(id, date, deref(covers)); err != nil {
				return recordWindow{}, err
			}
			list = append(list, cur)
		}
		if id == inst.ID {
			w.recorded = w.recorded || ev.id != nil
			w.status = prescriptions.Status(status)
		}
		cur.events = ev.appendTo(cur.events)
	}
	if err := rows.Err(); err != nil {
		return recordWindow{}, translate(err)
	}
	for _, in := range list {
		c, _ := dispensing.CurrentEvent(in.events)
		if in.id == inst.ID && correction {
			continue
		}
		if in.id != inst.ID && c.Outcome.Taken() {
			w.supplies = append(w.supplies, dispensing.Supply{InstalmentID: in.id, EventID: c.ID, Date: in.date, Covers: in.covers, Outcome: c.Outcome})
		}
		if in.samePrescription && c.Outcome.Taken() && (w.firstSupply.IsZero() || in.date.Before(w.firstSupply)) {
			w.firstSupply = in.date
		}
		inWindow := !in.date.Before(asOf.AddDays(-historyWindow)) && !in.date.After(asOf)
		shown := in.status != StatusDraft && (in.status != StatusCancelled || len(in.events) > 0)
		if inWindow && shown {
			w.days = append(w.days, dispensing.Known(dispensing.ExpandInstalment(in.date, in.covers, c.Outcome), dispensing.KnownOn(in.date, in.events, zoneOf(g)))...)
		}
	}
	// As dayOutcomes reads on: a day a record without the dose carried
	// past asOf may be a later live instalment's to decide.
	if last := dispensing.DecidedAhead(w.days, asOf); !last.IsZero() {
		more, err := readDayOutcomes(g, []string{patientID}, asOf.AddDays(1), last)
		if err != nil {
			return recordWindow{}, err
		}
		w.days = append(w.days, more[patientID]...)
	}
	return w, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// NewDoseEvent is a pharmacist's record of one instalment.
type NewDoseEvent struct {
	Outcome           dispensing.Outcome
	Reason            dispensing.WithheldReason
	IdentityConfirmed bool
	OccurredAt        time.Time
	Notes             string
	CorrectsID        string
	// CorrectionReason is required with CorrectsID and refused without it.
	CorrectionReason string
	// Zone is the service's time zone, for the local date a prescription
	// was cancelled on and the local date OccurredAt falls on (nil: UTC).
	Zone *time.Location
	// Idempotency-Key and the request's hash, stored with the record so a
	// retry gets the same answer.
	IdempotencyKey string
	RequestHash    string
}

// RecordDose saves a dose event under S1, S3, S7, L3, MD1 and MD4. A second
// outcome for the same instalment is a Conflict carrying the record in force.
func (tx *Tx) RecordDose(p auth.Principal, n policy.Numbers, instalmentID string, in NewDoseEvent, today calendar.Date) (DoseEvent, []policy.Finding, error) {
	inst, err := tx.recordTargetFor(p, instalmentID)
	if err != nil {
		return DoseEvent{}, nil, err
	}
	correction := in.CorrectsID != ""
	if err := dispensing.ValidateRecord(in.Outcome, in.Reason, in.IdentityConfirmed, in.Notes, correction); err != nil {
		return DoseEvent{}, nil, err
	}
	if correction == !problem.Visible(in.CorrectionReason) {
		return DoseEvent{}, nil, problem.Invalidf("correction_reason", "S1", "a correction, and only a correction, carries correction_reason")
	}
	if err := tx.refuseRecordOnClosedDay(inst.PharmacyID, inst.Date, in.Outcome); err != nil {
		return DoseEvent{}, nil, err
	}
	// A correction speaks for the instalment's own day.
	asOf := today
	if correction {
		asOf = inst.Date
	}
	w, err := recordWindowFor(tx.g, inst.PatientID, inst.Instalment, asOf, correction)
	if err != nil {
		return DoseEvent{}, nil, err
	}
	if err := tx.refreshTarget(&inst, w); err != nil {
		return DoseEvent{}, nil, err
	}
	var existing []DoseEvent
	if w.recorded {
		if err := tx.g.Where("instalment_id = ?", inst.ID).Order("created_at, id").Find(&existing).Error; err != nil {
			return DoseEvent{}, nil, translate(err)
		}
		// A 409 answers with one of them, named for the pharmacist who
		// meets the patient again (S1).
		if err := nameDoseEventList(tx.g, existing); err != nil {
			return DoseEvent{}, nil, err
		}
	}
	if correction {
		found := false
		for _, e := range existing {
			found = found || e.ID == in.CorrectsID
		}
		if !found {
			return DoseEvent{}, nil, problem.Invalidf("corrects_id", "exists", "corrects_id must name a record of this instalment")
		}
		// Corrections form one line, each correcting the one before: a
		// second correction of the same record would fork the history into
		// two competing accounts of the dose.
		for _, e := range existing {
			if e.CorrectsID != nil && *e.CorrectsID == in.CorrectsID {
				return DoseEvent{}, nil, alreadyCorrected(existing)
			}
		}
		// A correction still withheld for the same reason, leaving notes
		// out (its time fixed, say), keeps the corrected record's notes:
		// the record carries them, and "other" has its reason still (S3).
		if in.Outcome == dispensing.Withheld && in.Notes == "" {
			in.Notes = notesKept(existing, in.CorrectsID, in.Reason, "")
		}
		// A correction that keeps the dose given (a note added, supervised
		// told from collected) without a time happened when the dose was
		// given, not now: after a same-day cancellation "now" would be past
		// the prescription it was given from.
		for _, e := range existing {
			if e.ID == in.CorrectsID && in.OccurredAt.IsZero() && e.Outcome.Taken() && in.Outcome.Taken() {
				in.OccurredAt = e.OccurredAt
			}
		}
		var f problem.Fields
		dispensing.CheckNotes(&f, in.Outcome, in.Reason, in.Notes)
		if err := f.Err(); err != nil {
			return DoseEvent{}, nil, err
		}
		// Missed waits for the day's end, as a first record of it does.
		if in.Outcome == dispensing.Missed && inst.Date.Equal(today) {
			var closes int64
			if err := tx.g.Table("day_closes").Where("pharmacy_id = ? AND date = ?", inst.PharmacyID, inst.Date).Count(&closes).Error; err != nil {
				return DoseEvent{}, nil, translate(err)
			}
			if err := dispensing.CheckMissedCorrection(in.Outcome, inst.Date, today, closes > 0); err != nil {
				return DoseEvent{}, nil, err
			}
		}
	} else if len(existing) > 0 {
		// The record in force is the one to correct: the first, once
		// corrected, would only answer 409 again (alreadyCorrected).
		cur := currentRecord(existing)
		return DoseEvent{}, nil, &problem.Error{Code: problem.Conflict, Existing: cur,
			Message: fmt.Sprintf("this instalment already has an outcome (%s); to change it, post a correction with corrects_id %s and a reason", cur.Outcome, cur.ID)}
	}
	check := dispensing.RecordInput{Today: today, InstalmentDate: inst.Date, PrescriptionStatus: inst.PrescriptionStatus,
		PrescribedOn: inst.PrescribedOn, FirstSupply: w.firstSupply, Outcome: in.Outcome, Supervised: inst.Supervised, TakeHome: inst.TakeHome,
		Correction: correction, Given: in.OccurredAt, CancelledAt: deref(inst.CancelledAt), Zone: in.Zone}
	// Reviews matter only to a run long enough to block: read them then.
	if dispensing.ConsecutiveMissed(w.days, asOf) >= n.MD1ConsecutiveMissedDays {
		reviews, err := reviewMarks(tx.g, []string{inst.PatientID}, asOf.AddDays(-historyWindow), asOf)
		if err != nil {
			return DoseEvent{}, nil, err
		}
		if b, ok := dispensing.MD1Block(n, w.days, asOf, reviews[inst.PatientID], zoneOf(tx.g)); ok {
			check.Block = &b
		}
	}
	if correction {
		events := make([]dispensing.Event, len(existing))
		for i, e := range existing {
			events[i] = e.event()
		}
		cur, _ := dispensing.CurrentEvent(events)
		check.Current = cur.Outcome
		if inst.CancelledAt != nil {
			zone := in.Zone
			if zone == nil {
				zone = time.UTC
			}
			check.CancelledOn = calendar.DateOf(*inst.CancelledAt, zone)
		}
	}
	if findings := dispensing.CanRecord(n, check); len(findings) > 0 {
		return DoseEvent{}, nil, problem.Blocked(findings)
	}
	// A day's dose is supplied once: a second prescription covering a day
	// already supplied (refused when it is written, refuseSuppliedDays)
	// must not hand it over again. A correction between supervised and
	// collected moves no dose, so it is not a second supply.
	if check.Supply() {
		if twice := dispensing.AlreadySupplied(w.supplies, inst.Covers); len(twice) > 0 {
			return DoseEvent{}, nil, tx.secondSupply(twice)
		}
	}
	if in.Outcome.Taken() && !in.IdentityConfirmed {
		return DoseEvent{}, nil, problem.Invalidf("identity_confirmed", "S1",
			"confirm the patient's identity before a dose is handed over; if it cannot be confirmed, record withheld with reason identity_not_confirmed")
	}
	now := tx.db.Now()
	occurred := dispensing.OccurredInput{Outcome: in.Outcome, InstalmentDate: inst.Date, Given: in.OccurredAt, Now: now, Zone: in.Zone,
		IssuedAt: deref(inst.IssuedAt), PrescribedOn: inst.PrescribedOn, PharmacyID: inst.PharmacyID, Covers: inst.Covers,
		Supervised: inst.Supervised, TakeHome: inst.TakeHome}
	// A reissue's predecessors are read only for a dose given at a time
	// before the reissue itself was in service: recording is the busiest
	// write, and nearly every record is after its prescription's issue.
	if inst.ReplacesID != nil && in.Outcome.Taken() && !in.OccurredAt.IsZero() &&
		in.OccurredAt.Before(dispensing.InService(occurred.IssuedAt, occurred.PrescribedOn, zoneOr(in.Zone))) {
		if occurred.Reissues, err = tx.reissuedFrom(*inst.ReplacesID, inst.Date, inst.Covers); err != nil {
			return DoseEvent{}, nil, err
		}
	}
	in.OccurredAt, err = dispensing.OccurredAt(occurred)
	if err != nil {
		return DoseEvent{}, nil, err
	}
	e := DoseEvent{ID: newID(), InstalmentID: inst.ID, PatientID: inst.PatientID, PharmacyID: inst.PharmacyID, Date: inst.Date,
		Outcome: in.Outcome, Reason: in.Reason, IdentityConfirmed: in.IdentityConfirmed, OccurredAt: in.OccurredAt.UTC().Truncate(time.Microsecond),
		Notes: in.Notes, RecordedBy: &p.UserID, CreatedAt: now}
	if correction {
		e.CorrectsID, e.CorrectionReason = &in.CorrectsID, in.CorrectionReason
	}
	if err := tx.insertDoseEvent(&e); err != nil {
		return e, nil, err
	}
	action := "dose_event.record"
	if correction {
		action = "dose_event.correct"
	}
	if err := tx.Audit(action, "instalment", inst.ID, e); err != nil {
		return e, nil, err
	}
	var notes []policy.Finding
	if in.Outcome == dispensing.Withheld {
		f := dispensing.AlertForWithheld(in.Reason, notesKept(existing, in.CorrectsID, in.Reason, in.Notes), inst.Date, today)
		notes = append(notes, f)
	}
	// A withheld record corrected to withheld for the same reason with the
	// same notes (to fix its time, say) is the event the prescriber was
	// told of already: its alert stands, and no second one tells it again.
	// New notes are news: the alert quoting them replaces the old one.
	// A dose withheld because the patient was intoxicated, corrected to
	// one handed over, keeps its alert open (resolveByCorrection); the
	// pharmacist is reminded to reassess the patient first (S3).
	for _, o := range existing {
		if correction && o.ID == in.CorrectsID && dispensing.KeepsIntoxicationAlert(o.Outcome, o.Reason, in.Outcome) {
			notes = append(notes, dispensing.DosedAfterIntoxication(o.OccurredAt, e.OccurredAt, e.Outcome, in.Zone))
		}
	}
	if in.Outcome == dispensing.Withheld && !unchangedWithheld(existing, in.CorrectsID, in.Outcome, in.Reason, in.Notes) {
		f := notes[len(notes)-1]
		if err := tx.raiseAlert(Alert{ServiceID: inst.ServiceID, PatientID: inst.PatientID, PharmacyID: &inst.PharmacyID,
			Kind: AlertWithheld, Rule: f.Rule, Message: fmt.Sprintf("On %s: %s", inst.Date, f.Message),
			DedupeKey: "withheld:" + e.ID}); err != nil {
			return e, nil, err
		}
	}
	// Who corrected, named in every resolution the correction makes.
	var correctedBy string
	if correction {
		if correctedBy, err = tx.correctedBy(p.UserID); err != nil {
			return e, nil, err
		}
		if err := tx.resolveByCorrection(n, today, inst.PatientID, existing, e, correctedBy); err != nil {
			return e, nil, err
		}
	}
	// A day without the dose is alerted when it is recorded, as day close
	// alerts a day it marks missed: a refusal, a dose withheld, a record
	// corrected to missed. It may start or lengthen a run MD2 alerts (the
	// first day in titration, the second in a row when stable) or make it
	// long enough for MD1: the prescriber hears of it now, not at a day
	// close that finds nothing missed. MD1 is judged as of the last day the
	// instalment covers: Saturday's instalment withheld takes Sunday's
	// dose with it, so the run the patient comes back to on Monday is
	// already known. A correction that hands the dose over says the day
	// was not one without it after all: the MD2 alert of a run it breaks
	// or shortens below MD2's figure is resolved, and what is left of the
	// run is alerted if it still reaches it; so is an intermittent
	// attendance alert (S4) the day no longer makes.
	var handedOver *resolution
	if correction && in.Outcome.Taken() && !check.Current.Taken() {
		handedOver = &resolution{Reason: fmt.Sprintf("The record of %s was corrected to %s: %s. %s", e.Date, e.Outcome,
			strings.TrimRight(e.CorrectionReason, ". "), correctedBy), EntityType: "dose_event", EntityID: e.ID}
	}
	if !in.Outcome.Taken() || handedOver != nil {
		through := today
		for _, d := range inst.Covers {
			if d.After(through) {
				through = d
			}
		}
		if _, err := tx.missedAlerts(n, inst.PatientID, inst.PrescriptionID, through, inst.Covers, handedOver); err != nil {
			return e, nil, err
		}
	}
	// The first dose taken starts treatment (rapid access); a correction
	// into or out of a dose taken may move it.
	if err := tx.keepFirstDose(inst.PatientID, inst.FirstDoseDate, firstDayCovered(inst.Date, inst.Covers), check.Current, in.Outcome, e.ID); err != nil {
		return e, nil, err
	}
	if err := tx.nameRecorded(p, &e); err != nil {
		return e, nil, err
	}
	if in.IdempotencyKey != "" {
		if err := tx.g.Create(&idempotencyKey{UserID: p.UserID, Key: in.IdempotencyKey, RequestHash: in.RequestHash,
			Status: 201, Body: mustJSON(DoseEventResult{Event: e, Notes: nonNil(notes)}), CreatedAt: now}).Error; err != nil {
			return e, nil, translate(err)
		}
	}
	return e, nonNil(notes), nil
}

// secondSupply is the Conflict answering a dose handed over for days
// another instalment supplied: it names each with its prescription's
// serial, and carries the record of the first supply as existing.
func (tx *Tx) secondSupply(twice []dispensing.SuppliedDay) error {
	var ids []string
	for _, sd := range twice {
		ids = append(ids, sd.By.InstalmentID)
	}
	var rows []struct{ ID, Serial string }
	if err := tx.g.Table("instalments").Select("instalments.id, prescriptions.serial").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.id IN ?", ids).Scan(&rows).Error; err != nil {
		return translate(err)
	}
	for i := range twice {
		for _, r := range rows {
			if r.ID == twice[i].By.InstalmentID {
				twice[i].By.Serial = r.Serial
			}
		}
	}
	var first DoseEvent
	if err := tx.g.Take(&first, "id = ?", twice[0].By.EventID).Error; err != nil {
		return translate(err)
	}
	if err := nameDoseEvents(tx.g, []*DoseEvent{&first}); err != nil {
		return err
	}
	return &problem.Error{Code: problem.Conflict, Existing: first, Message: dispensing.SecondSupplyMessage(twice)}
}

// currentRecord is the record in force among an instalment's records (at
// least one): the latest of the correction chain (dispensing.CurrentEvent).
func currentRecord(existing []DoseEvent) DoseEvent {
	events := make([]dispensing.Event, len(existing))
	for i, e := range existing {
		events[i] = e.event()
	}
	if cur, ok := dispensing.CurrentEvent(events); ok {
		for _, e := range existing {
			if e.ID == cur.ID {
				return e
			}
		}
	}
	return existing[len(existing)-1]
}

// alreadyCorrected is the Conflict answering a second correction of one
// record: it carries the instalment's current record, which is the one to
// correct.
func alreadyCorrected(existing []DoseEvent) error {
	cur := currentRecord(existing)
	return &problem.Error{Code: problem.Conflict, Existing: cur,
		Message: fmt.Sprintf("that record was already corrected; correct the current record instead (corrects_id %s)", cur.ID)}
}

// insertDoseEvent saves a dose event. A correction is saved only if no
// other correction of its record exists (dose_events_one_correction,
// migration 00015): one that lost the race to a writer that did not queue
// behind the patient's lock gets the answer RecordDose's own check gives,
// not a database error.
func (tx *Tx) insertDoseEvent(e *DoseEvent) error {
	if e.CorrectsID == nil {
		return translate(tx.g.Create(e).Error)
	}
	res := tx.g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "corrects_id"}},
		TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "corrects_id IS NOT NULL"}}}, DoNothing: true}).Create(e)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var existing []DoseEvent
	if err := tx.g.Where("instalment_id = ?", e.InstalmentID).Order("created_at, id").Find(&existing).Error; err != nil {
		return translate(err)
	}
	if err := nameDoseEventList(tx.g, existing); err != nil {
		return err
	}
	return alreadyCorrected(existing)
}

// DoseEventResult is the answer to a recorded dose.
type DoseEventResult struct {
	Event DoseEvent        `json:"event"`
	Notes []policy.Finding `json:"notes"`
}

type idempotencyKey struct {
	UserID      string
	Key         string
	RequestHash string
	Status      int
	Body        string
	CreatedAt   time.Time
}

func (idempotencyKey) TableName() string { return "idempotency_keys" }

// Idempotent returns the stored answer to an earlier request with the same
// key by the same user, if any.
func (db *DB) Idempotent(ctx context.Context, userID, key string) (hash string, status int, body string, ok bool, err error) {
	var k idempotencyKey
	err = db.read(ctx).Take(&k, "user_id = ? AND key = ?", userID, key).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", 0, "", false, nil
	}
	if err != nil {
		return "", 0, "", false, translate(err)
	}
	return k.RequestHash, k.Status, k.Body, true, nil
}

// OutcomeOf returns the first record of an instalment (for 409 answers
// after a race lost at the unique index).
func (db *DB) OutcomeOf(ctx context.Context, instalmentID string) (DoseEvent, error) {
	var e DoseEvent
	g := db.read(ctx)
	if err := g.Where("instalment_id = ? AND corrects_id IS NULL", instalmentID).Take(&e).Error; err != nil {
		return e, translate(err)
	}
	return e, nameDoseEvents(g, []*DoseEvent{&e})
}

// DayListEntry is one line of a pharmacy's day list.
type DayListEntry struct {
	InstalmentID   string        `json:"instalment_id"`
	PrescriptionID string        `json:"prescription_id"`
	Serial         string        `json:"serial"`
	PatientID      string        `json:"patient_id"`
	PatientName    string        `json:"patient_name"`
	DateOfBirth    calendar.Date `json:"date_of_birth"`
	NHSNumber      string        `json:"nhs_number"`
	// NHSNumberDisplay is the NHS number 3-3-4, as the patient's card shows it.
	NHSNumberDisplay string            `json:"nhs_number_display"`
	Medicine         string            `json:"medicine"`
	MedicineName     string            `json:"medicine_name"`
	Date             calendar.Date     `json:"date"`
	Covers           []calendar.Date   `json:"covers"`
	Supervised       dosing.Micrograms `json:"supervised"`
	TakeHome         dosing.Micrograms `json:"take_home"`
	// Unit is what Supervised and TakeHome are measured in: "ml" of
	// methadone oral solution, "mg" of anything else.
	Unit     string               `json:"unit"`
	State    dispensing.State     `json:"state"`
	Outcome  *DoseEvent           `json:"outcome"`
	Block    *dispensing.Block    `json:"block"`
	Warnings []dispensing.Warning `json:"warnings"`
	// PharmacyClosed marks a line recorded missed on a day the pharmacy
	// recorded as closed, often afterwards (ADR 0016): the dose was missed
	// because the pharmacy was closed. Derived from the opening; the
	// record itself is not changed.
	PharmacyClosed bool `json:"pharmacy_closed"`
	// SuppliedBy are the instalments that already handed over every day
	// the line covers (state supplied_elsewhere); empty otherwise.
	SuppliedBy []SuppliedBy `json:"supplied_by"`

	// at is where the line sorts, as served: the page after it starts
	// from here (Cursor).
	at DayListCursor
}

// DayListCursor is where a page of the day list ended: the sort key of
// its last line as it was served (the patient's names then) and the
// line's instalment. The next page starts after that key, so a patient
// renamed, or an instalment cancelled, between pages moves no line past
// the reader and none is dropped (a renamed patient appears where the
// new name sorts).
type DayListCursor struct {
	FamilyName   string `json:"f"`
	GivenName    string `json:"g"`
	InstalmentID string `json:"i"`
}

// Cursor is where the page after this line starts.
func (e DayListEntry) Cursor() DayListCursor { return e.at }

type dayListRow struct {
	Instalment
	Serial             string
	RegimeID           string
	Medicine           string
	PrescriptionStatus prescriptions.Status
	PrescribedOn       calendar.Date
	GivenName          string
	FamilyName         string
	DateOfBirth        calendar.Date
	NHSNumber          string
	Stage              regimes.Stage
}

// DayList is every instalment due at a pharmacy on a day, for the
// pharmacist's identity check and safety warnings (MD1, S6), today being
// today in the service's time zone.
func (db *DB) DayList(ctx context.Context, p auth.Principal, n policy.Numbers, pharmacyID string, day, today calendar.Date) ([]DayListEntry, error) {
	return db.DayListPage(ctx, p, n, pharmacyID, day, today, nil, 0)
}

// DayListPage is one page of the day list, by patient name: at most
// limit+1 lines (all of them when limit is 0) after the sort key after
// (nil for the first page), the Cursor of the last line of the page
// before. The lines are told apart
// from the whole day, so a page warns of an NHS number another page's
// line shares.
//
// A day before day whose instalment has no record counts as missed once it
// has gone by, closed or not (dispensing.UnclosedAsMissed); on a list for a
// day still to come, the days from today on have not, so MD1 and the
// prompts read the days as of today.
func (db *DB) DayListPage(ctx context.Context, p auth.Principal, n policy.Numbers, pharmacyID string, day, today calendar.Date, after *DayListCursor, limit int) ([]DayListEntry, error) {
	if p.Role != auth.Pharmacist || p.OrgID != pharmacyID {
		return nil, problem.NotFoundf("pharmacy not found")
	}
	g := db.read(ctx)
	var rows []dayListRow
	err := g.Table("instalments").
		Select(`instalments.*, prescriptions.serial, prescriptions.regime_id, prescriptions.medicine,
			prescriptions.status AS prescription_status, prescriptions.prescribed_on, patients.given_name, patients.family_name, patients.date_of_birth, patients.nhs_number,
			COALESCE((SELECT rs.stage FROM regime_settings rs WHERE rs.regime_id = regimes.id AND rs.effective_date <= ?
				AND NOT EXISTS (SELECT 1 FROM regime_setting_withdrawals sw WHERE sw.setting_id = rs.id)
				ORDER BY rs.effective_date DESC, rs.created_at DESC, rs.id DESC LIMIT 1), regimes.stage) AS stage`, day).
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Joins("JOIN patients ON patients.id = instalments.patient_id").
		Joins("JOIN regimes ON regimes.id = prescriptions.regime_id").
		Where("instalments.pharmacy_id = ? AND instalments.date = ?", pharmacyID, day).
		Where("(prescriptions.status = ? OR EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id))", StatusIssued).
		Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	order := patients.NewNameOrder()
	byName := func(family, given, id string, r dayListRow) int {
		if c := order.Compare(family, given, r.FamilyName, r.GivenName); c != 0 {
			return c
		}
		return strings.Compare(id, r.ID)
	}
	slices.SortFunc(rows, func(a, b dayListRow) int { return byName(a.FamilyName, a.GivenName, a.ID, b) })
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	current, err := currentOutcomes(g, ids)
	if err != nil {
		return nil, err
	}
	if rows, err = withoutLapsed(g, n, rows, current, day); err != nil {
		return nil, err
	}
	// One NHS number under two patient records (two services prescribing)
	// is the most serious thing on the list: it goes first on every line.
	records := map[string]map[string]bool{}
	for _, r := range rows {
		if records[r.NHSNumber] == nil {
			records[r.NHSNumber] = map[string]bool{}
		}
		records[r.NHSNumber][r.PatientID] = true
	}
	if after != nil {
		rows = slices.DeleteFunc(rows, func(r dayListRow) bool {
			return byName(after.FamilyName, after.GivenName, after.InstalmentID, r) >= 0
		})
	}
	if limit > 0 && len(rows) > limit+1 {
		rows = rows[:limit+1]
	}
	patientIDs := make([]string, 0, len(rows))
	regimeIDs := make([]string, 0, len(rows))
	for _, r := range rows {
		patientIDs = append(patientIDs, r.PatientID)
		regimeIDs = append(regimeIDs, r.RegimeID)
	}
	history, err := dayOutcomes(g, patientIDs, day.AddDays(-historyWindow), day)
	if err != nil {
		return nil, err
	}
	reviews, err := reviewMarks(g, patientIDs, day.AddDays(-historyWindow), day)
	if err != nil {
		return nil, err
	}
	changes := map[string][]DoseChange{}
	if len(regimeIDs) > 0 {
		var all []DoseChange
		if err := g.Where("regime_id IN ?", regimeIDs).Where(standingDoseChange).Order("effective_date, created_at").Find(&all).Error; err != nil {
			return nil, translate(err)
		}
		for _, c := range all {
			changes[c.RegimeID] = append(changes[c.RegimeID], c)
		}
	}
	// The instalments before the day of the patients whose dose changed
	// lately, for the first instalment at the new dose (warningInput).
	var changed []string
	var earliest calendar.Date
	for _, r := range rows {
		last := dispensing.DoseSupply{Date: r.Date, Covers: r.Covers}.Last()
		if c := lastDoseChange(changes[r.RegimeID], last); !c.IsZero() && !c.Before(day.AddDays(-historyWindow)) {
			changed = append(changed, r.PatientID)
			if earliest.IsZero() || c.Before(earliest) {
				earliest = c
			}
		}
	}
	var earlier map[string][]dispensing.DoseSupply
	if len(changed) > 0 {
		// An instalment covers days from its own date, so one dated up to
		// historyWindow days before a change may carry its first day.
		if earlier, err = doseSupplies(g, changed, earliest.AddDays(-historyWindow), day.AddDays(-1)); err != nil {
			return nil, err
		}
	}
	opening, err := pharmacyOpening(g, pharmacyID)
	if err != nil {
		return nil, err
	}
	// The lines' records name who recorded them, read for the page at once.
	outcomes := map[string]*DoseEvent{}
	named := make([]*DoseEvent, 0, len(rows))
	for _, r := range rows {
		if ev, ok := current[r.ID]; ok {
			outcomes[r.ID] = &ev
			named = append(named, &ev)
		}
	}
	if err := nameDoseEvents(g, named); err != nil {
		return nil, err
	}
	// A line with no record whose every day another instalment supplied
	// (the cancelled predecessor's dose given before a same-day change or
	// move, recorded with its time; the pharmacy moved from) has nothing
	// due: it says so and by what, rather than inviting a second dose.
	var unrecorded []string
	var lastCovered calendar.Date
	for _, r := range rows {
		if _, ok := current[r.ID]; !ok {
			unrecorded = append(unrecorded, r.PatientID)
			if l := (dispensing.DoseSupply{Date: r.Date, Covers: r.Covers}).Last(); l.After(lastCovered) {
				lastCovered = l
			}
		}
	}
	given, err := handedOver(g, unrecorded, day, lastCovered)
	if err != nil {
		return nil, err
	}
	out := make([]DayListEntry, 0, len(rows))
	for _, r := range rows {
		med, _ := dosing.LookupMedicine(r.Medicine)
		e := DayListEntry{InstalmentID: r.ID, PrescriptionID: r.PrescriptionID, Serial: r.Serial, PatientID: r.PatientID,
			PatientName: r.GivenName + " " + r.FamilyName, DateOfBirth: r.DateOfBirth, NHSNumber: r.NHSNumber,
			NHSNumberDisplay: patients.FormatNHSNumber(r.NHSNumber), Medicine: r.Medicine, MedicineName: med.Name, Date: r.Date,
			Covers: r.Covers, Supervised: med.QuantityOf(r.Supervised), TakeHome: med.QuantityOf(r.TakeHome), Unit: med.UnitSymbol(),
			at: DayListCursor{FamilyName: r.FamilyName, GivenName: r.GivenName, InstalmentID: r.ID}}
		asOf := day
		if day.After(today) {
			asOf = today
		}
		days := dispensing.UnclosedAsMissed(history[r.PatientID], asOf)
		if b, ok := dispensing.MD1Block(n, days, asOf, reviews[r.PatientID], zoneOf(g)); ok {
			e.Block = &b
		}
		var outcome dispensing.Outcome
		if ev, ok := outcomes[r.ID]; ok {
			e.Outcome, outcome = ev, ev.Outcome
		}
		e.PharmacyClosed = outcome == dispensing.Missed && opening.RecordedClosed(r.Date)
		var elsewhere []dispensing.SuppliedDay
		if e.Outcome == nil {
			elsewhere = dispensing.SuppliedElsewhere(given[r.PatientID], r.Date, r.Covers)
		}
		e.State = dispensing.StateOf(outcome, e.Block != nil, len(elsewhere) > 0)
		e.SuppliedBy = nonNil(suppliedByOf(elsewhere))
		if len(elsewhere) > 0 {
			// Nothing is handed over on the line, so the prompts about
			// handing it over (a block, the new dose, titration) do not apply.
			e.Warnings = []dispensing.Warning{dispensing.SuppliedElsewhereWarning(elsewhere, pharmacyID, zoneOf(g))}
		} else {
			e.Warnings = nonNil(dispensing.Warnings(warningInput(e.Block, r.Stage, changes[r.RegimeID], days, r.Instalment, earlier[r.PatientID], opening.IsOpen)))
		}
		if n := len(records[e.NHSNumber]); n > 1 {
			e.Warnings = append([]dispensing.Warning{dispensing.SameNHSNumber(n - 1)}, e.Warnings...)
		}
		out = append(out, e)
	}
	return out, nil
}

// withoutLapsed leaves out the day's instalments, not yet recorded, of
// issued prescriptions that L3 has made void: none of their instalments was
// supplied within 28 days of the prescription date, so nothing may be
// supplied from them (dispensing.FirstInstalmentLapsed). Only prescriptions
// old enough to have lapsed are read again, so an ordinary day costs nothing.
func withoutLapsed(g *gorm.DB, n policy.Numbers, rows []dayListRow, current map[string]DoseEvent, day calendar.Date) ([]dayListRow, error) {
	var candidates []string
	for _, r := range rows {
		_, recorded := current[r.ID]
		if !recorded && r.PrescriptionStatus == StatusIssued && dispensing.FirstInstalmentLapsed(n, r.PrescribedOn, calendar.Date{}, day) {
			candidates = append(candidates, r.PrescriptionID)
		}
	}
	if len(candidates) == 0 {
		return rows, nil
	}
	var supplied []Instalment
	if err := g.Where("prescription_id IN ? AND date < ?", candidates, day).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").Find(&supplied).Error; err != nil {
		return nil, translate(err)
	}
	outcomes, err := currentOutcomes(g, lo(supplied))
	if err != nil {
		return nil, err
	}
	first := map[string]calendar.Date{}
	for _, in := range supplied {
		if f, ok := first[in.PrescriptionID]; outcomes[in.ID].Outcome.Taken() && (!ok || in.Date.Before(f)) {
			first[in.PrescriptionID] = in.Date
		}
	}
	out := rows[:0]
	for _, r := range rows {
		_, recorded := current[r.ID]
		if !recorded && r.PrescriptionStatus == StatusIssued && dispensing.FirstInstalmentLapsed(n, r.PrescribedOn, first[r.PrescriptionID], day) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// warningInput works out the prompts for one patient's line: the MD1
// block, a dose change, titration (S6) and yesterday's dose (MD2).
//
// The dose-change prompt goes on the first instalment that supplies the
// new dose (dispensing.FirstAtNewDose), judged by its amounts and the days
// it covers rather than by the calendar: a dose given before the
// prescriber changed it from that same day was the old dose, and the first
// at the new dose is the next day's; a Saturday take-home carrying a change
// from Sunday is. earlier are the patient's instalments dated before the
// line (doseSupplies), read when a change falls within historyWindow of it;
// a change older than that is no longer news on the line.
//
// In titration (S6) the prompt names the days whose doses the line hands
// over to take home, and whether the pharmacy (open: its opening) is
// closed on all of them, so that it does not say to supervise them.
func warningInput(block *dispensing.Block, stage regimes.Stage, changes []DoseChange, days []dispensing.DayOutcome,
	line Instalment, earlier []dispensing.DoseSupply, open func(calendar.Date) bool) dispensing.WarningInput {
	day := line.Date
	supply := dispensing.DoseSupply{Date: line.Date, Covers: line.Covers, Amount: line.Supervised + line.TakeHome}
	doseOn := func(d calendar.Date) dosing.Micrograms { return DoseOn(changes, d) }
	in := dispensing.WarningInput{Blocked: block, NewDose: DoseOn(changes, supply.Last()), InTitration: stage.Titrating()}
	if in.InTitration && line.TakeHome > 0 {
		covered := line.Covers
		if len(covered) == 0 {
			covered = []calendar.Date{line.Date}
		}
		in.SupervisedToday = line.Supervised > 0 && slices.ContainsFunc(covered, line.Date.Equal)
		in.TakenHomeClosed = true
		for _, d := range covered {
			if in.SupervisedToday && d.Equal(line.Date) {
				continue
			}
			in.TakenHome = append(in.TakenHome, d)
			in.TakenHomeClosed = in.TakenHomeClosed && !open(d)
		}
	}
	lastChange := lastDoseChange(changes, supply.Last())
	var lastVisit, prevDay calendar.Date
	var prevOutcome dispensing.Outcome
	var prevClosed bool
	// The days as MD1 reads them: one per date, a day prescribed again
	// decided by its new instalment.
	for _, d := range dispensing.DaysAsOf(days, day) {
		if !d.Date.Before(day) {
			continue
		}
		if d.Outcome.Taken() {
			lastVisit = d.Date
		}
		if d.Outcome != "" {
			prevDay, prevOutcome, prevClosed = d.Date, d.Outcome, d.ClosedMissed()
		}
	}
	if !lastChange.IsZero() && supply.AtNewDose(lastChange, doseOn) {
		in.FirstDoseAfterChange = !lastChange.Before(day.AddDays(-historyWindow)) &&
			dispensing.FirstAtNewDose(supply, earlier, lastChange, doseOn)
		in.DoseChangedSinceLastVisit = !in.FirstDoseAfterChange && !lastVisit.IsZero() && lastVisit.Before(lastChange)
		if in.FirstDoseAfterChange && lastChange.After(day) {
			in.NewDoseFrom = lastChange
		}
	}
	in.MissedYesterday = prevDay.Equal(day.AddDays(-1)) && !prevOutcome.Taken()
	in.YesterdayClosed = in.MissedYesterday && prevClosed
	return in
}

// lastDoseChange is the effective date of the latest dose change, not the
// regime's starting dose, in force by through; zero when none.
func lastDoseChange(changes []DoseChange, through calendar.Date) calendar.Date {
	var last calendar.Date
	for _, c := range changes {
		// A change that leaves the dose as it was (a titration held, the
		// planned steps withdrawn: T1) changes nothing handed over.
		on := c.EffectiveDate
		if c.From != 0 && !on.After(through) && on.After(last) && DoseOn(changes, on) != DoseOn(changes, on.AddDays(-1)) {
			last = on
		}
	}
	return last
}

// doseSupplies are the patients' instalments dated from..to whose current
// record handed their doses over (of any prescription, a cancelled one's
// record standing), with their amounts, for the dose-change prompts: the
// first dose at a new dose is the first the patient was given, so an
// instalment missed, withheld or refused, or gone by unrecorded (another
// supplied its days, or its day is not closed yet), is not it. One dated
// from today on, not yet recorded, is still to be collected and counts.
func doseSupplies(g *gorm.DB, patientIDs []string, from, to calendar.Date) (map[string][]dispensing.DoseSupply, error) {
	out := map[string][]dispensing.DoseSupply{}
	if len(patientIDs) == 0 || to.Before(from) {
		return out, nil
	}
	// On a list for a day to come, the instalments from today on are still
	// to be collected: one at the new dose before the line is the first.
	today := todayOf(g)
	var rows []Instalment
	if err := g.Table("instalments").Select("instalments.*").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.patient_id IN ? AND instalments.date >= ? AND instalments.date <= ?", patientIDs, from, to).
		Where("(EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id) OR (prescriptions.status = ? AND instalments.date >= ?))",
			StatusIssued, today).
		Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	current, err := currentOutcomes(g, lo(rows))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		ev, recorded := current[r.ID]
		if recorded && !ev.Outcome.Taken() || !recorded && r.Date.Before(today) {
			continue
		}
		out[r.PatientID] = append(out[r.PatientID], dispensing.DoseSupply{Date: r.Date, Covers: r.Covers, Amount: r.Supervised + r.TakeHome})
	}
	return out, nil
}

// CloseDayResult reports what a day close did.
type CloseDayResult struct {
	PharmacyID string        `json:"pharmacy_id"`
	Date       calendar.Date `json:"date"`
	Missed     int           `json:"missed"`
	Alerts     int           `json:"alerts"`
	AlreadyRun bool          `json:"already_closed"`
}

// CloseDay marks the day's (and any earlier unclosed day's) due
// instalments without an outcome as missed, then raises MD1/MD2 alerts,
// and resolves the alerts about prescriptions left as written that have
// now run out (resolveNotReissuedAtClose). It is safe to run twice:
// outcomes are unique per instalment. Run again for a day already closed,
// it marks what fell due on it since (a prescription is refused a closed
// day, but one issued as the close committed, at a pharmacy with no
// patient for the close to lock, is not seen by it), since a closed day
// must not leave a dose due on it;
// AlreadyRun says the day had been closed before.
func (tx *Tx) CloseDay(n policy.Numbers, zone *time.Location, pharmacyID string, day calendar.Date) (CloseDayResult, error) {
	res := CloseDayResult{PharmacyID: pharmacyID, Date: day}
	// Outcomes are safe without it (dose_events_one_outcome), but the
	// alerts below are judged from the patients' records, which a review
	// or a correction at the same moment would change under them. The
	// window back, and ahead to the next open day (blockedAheadAlerts).
	if err := tx.lockPatientsAt(pharmacyID, day.AddDays(-historyWindow), day.AddDays(historyWindow+1)); err != nil {
		return res, err
	}
	var prior int64
	if err := tx.g.Table("day_closes").Where("pharmacy_id = ? AND date = ?", pharmacyID, day).Count(&prior).Error; err != nil {
		return res, translate(err)
	}
	res.AlreadyRun = prior > 0
	// A prescription cancelled after an instalment's day (a dose change
	// reissues the remaining days) was live on it, so an instalment left
	// unrecorded that day is missed all the same.
	var found []struct {
		Instalment
		CancelledAt *time.Time
	}
	err := tx.g.Table("instalments").Select("instalments.*, prescriptions.cancelled_at").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.pharmacy_id = ? AND instalments.date <= ? AND instalments.date >= ?", pharmacyID, day, day.AddDays(-historyWindow)).
		Where("(prescriptions.status = ? OR (prescriptions.status = ? AND prescriptions.cancelled_at >= ?))",
			StatusIssued, StatusCancelled, day.AddDays(-historyWindow).Start(zone).UTC()).
		Where("NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Find(&found).Error
	if err != nil {
		return res, translate(err)
	}
	var due []Instalment
	for _, f := range found {
		if f.CancelledAt == nil || calendar.DateOf(*f.CancelledAt, zone).After(f.Date) {
			due = append(due, f.Instalment)
		}
	}
	// An instalment whose every day another instalment supplied (its
	// cancelled predecessor's dose given before a same-day change or move,
	// another pharmacy's) was not missed: the dose was given, and a missed
	// record would say otherwise, and read as the first at a new dose.
	elsewhere, err := suppliedElsewhere(tx.g, due)
	if err != nil {
		return res, err
	}
	due = slices.DeleteFunc(due, func(in Instalment) bool {
		_, ok := elsewhere[in.ID]
		return ok
	})
	now := tx.db.Now()
	// Per patient: the prescription, the dose days the missed instalments
	// covered (a Saturday collection covers Sunday too) and the last of them.
	type missedRun struct {
		prescriptionID string
		days           []calendar.Date
		through        calendar.Date
	}
	patients := map[string]missedRun{}
	for _, in := range due {
		if !dispensing.MissedAtClose(in.Date, day, "") {
			continue
		}
		e := DoseEvent{ID: newID(), InstalmentID: in.ID, PatientID: in.PatientID, PharmacyID: in.PharmacyID, Date: in.Date,
			Outcome: dispensing.Missed, OccurredAt: now, Notes: "Not collected by day close", CreatedAt: now}
		r := tx.g.Clauses(clause.OnConflict{DoNothing: true}).Create(&e)
		if r.Error != nil {
			return res, translate(r.Error)
		}
		if r.RowsAffected == 0 {
			continue
		}
		if err := tx.Audit("dose_event.missed", "instalment", in.ID, e); err != nil {
			return res, err
		}
		res.Missed++
		run := patients[in.PatientID]
		run.prescriptionID = in.PrescriptionID
		for _, d := range append(in.Covers, in.Date) {
			if d.After(run.through) {
				run.through = d
			}
		}
		run.days = slices.Concat(run.days, in.Covers, []calendar.Date{in.Date})
		patients[in.PatientID] = run
	}
	for patientID, run := range patients {
		// Judged as of the day closed at the earliest: a close that marks
		// only days gone by before it (it ran late, or not at all) must not
		// alert an MD1 block that a review, or a dose taken since, has
		// ended; MD1 counted those days from the day after each.
		through := run.through
		if day.After(through) {
			through = day
		}
		n2, err := tx.missedAlerts(n, patientID, run.prescriptionID, through, run.days, nil)
		if err != nil {
			return res, err
		}
		res.Alerts += n2
	}
	ahead, err := tx.blockedAheadAlerts(n, pharmacyID, day)
	if err != nil {
		return res, err
	}
	res.Alerts += ahead
	if err := tx.resolveNotReissuedAtClose(n, zone, pharmacyID, day); err != nil {
		return res, err
	}
	if !res.AlreadyRun {
		ins := tx.g.Exec("INSERT INTO day_closes (pharmacy_id, date, closed_at, missed) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			pharmacyID, day, now, res.Missed)
		if ins.Error != nil {
			return res, translate(ins.Error)
		}
		// Another close of the day, at a pharmacy with no patients to lock,
		// got there first: this one is the repeat.
		res.AlreadyRun = ins.RowsAffected == 0
		if !res.AlreadyRun {
			if err := tx.Audit("pharmacy.day_close", "organisation", pharmacyID, res); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// blockedAheadAlerts raises the MD1 alert (raiseMD1Alert: once a pharmacy
// while one is open) for every patient due at the pharmacy on its next open day
// after day whom MD1 will block then. A block can come to stand without a
// day close marking anything missed — a withheld Saturday instalment takes
// the closed Sunday's dose with it — or have been left without an alert by
// an older binary; either way the prescriber must hear of it before the
// patient is turned away.
func (tx *Tx) blockedAheadAlerts(n policy.Numbers, pharmacyID string, day calendar.Date) (int, error) {
	opening, err := pharmacyOpening(tx.g, pharmacyID)
	if err != nil {
		return 0, err
	}
	next := day.AddDays(1)
	for i := 0; i < historyWindow && !opening.IsOpen(next); i++ {
		next = next.AddDays(1)
	}
	var due []struct{ PatientID, ServiceID string }
	if err := tx.g.Table("instalments").Select("DISTINCT instalments.patient_id, prescriptions.service_id").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.pharmacy_id = ? AND instalments.date = ? AND prescriptions.status = ?", pharmacyID, next, StatusIssued).
		Where("NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("instalments.patient_id").Scan(&due).Error; err != nil {
		return 0, translate(err)
	}
	if len(due) == 0 {
		return 0, nil
	}
	ids := make([]string, len(due))
	for i, d := range due {
		ids[i] = d.PatientID
	}
	history, err := dayOutcomes(tx.g, ids, next.AddDays(-historyWindow), next)
	if err != nil {
		return 0, err
	}
	reviews, err := reviewMarks(tx.g, ids, next.AddDays(-historyWindow), next)
	if err != nil {
		return 0, err
	}
	raised := 0
	for _, d := range due {
		b, ok := dispensing.MD1Block(n, history[d.PatientID], next, reviews[d.PatientID], zoneOf(tx.g))
		if !ok {
			continue
		}
		isNew, err := tx.raiseMD1Alert(d.ServiceID, d.PatientID, pharmacyID, b)
		if err != nil {
			return raised, err
		}
		if isNew {
			raised++
		}
	}
	return raised, nil
}

// raiseMD1Alert asks the prescriber to review a blocked patient, and tells
// pharmacyID not to dispense, unless an MD1 alert about the patient
// addressed to that pharmacy is still open. Each pharmacy gets its own: a
// patient who moved is refused at the new pharmacy, which must hear of the
// block even though the old one, where the days were missed, already has.
// A block that returns after a review resolved the last one (another day
// without a dose) is news, so it gets a new alert: the key names the
// pharmacy and the run's last missed day as well as its first. A review
// resolves them all (resolveMD1IfLifted).
func (tx *Tx) raiseMD1Alert(serviceID, patientID, pharmacyID string, b dispensing.Block) (bool, error) {
	var open int64
	if err := tx.g.Model(&Alert{}).Where("patient_id = ? AND kind = ? AND pharmacy_id = ?", patientID, AlertMD1Block, pharmacyID).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").Count(&open).Error; err != nil {
		return false, translate(err)
	}
	if open > 0 {
		return false, nil
	}
	return tx.raiseAlertOnce(Alert{ServiceID: serviceID, PatientID: patientID, PharmacyID: &pharmacyID, Kind: AlertMD1Block,
		Rule: "MD1", Message: b.AlertMessage(), DedupeKey: fmt.Sprintf("md1:%s:%s:%s:%s", patientID, pharmacyID, b.Since, b.LastMissed)})
}

// nextDuePharmacy is the pharmacy of the patient's first instalment on or
// after day that is not yet recorded, on an issued prescription: where MD1
// will turn the patient away next. Empty when none is prescribed.
func nextDuePharmacy(g *gorm.DB, patientID string, day calendar.Date) (string, error) {
	var ids []string
	if err := g.Table("instalments").Select("instalments.pharmacy_id").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.patient_id = ? AND instalments.date >= ? AND prescriptions.status = ?", patientID, day, StatusIssued).
		Where("NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("instalments.date").Limit(1).Pluck("instalments.pharmacy_id", &ids).Error; err != nil {
		return "", translate(err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}

// missedAlerts raises the alerts days without the dose call for, as day
// close marks them and as a record that hands nothing over makes them: MD1
// and S4 as they stand on day, and MD2 for the runs of such days that the
// days on made or changed (md2Alerts): day close's missed days, a
// record's instalment days. A correction that hands the dose over (by not
// nil) resolves the MD2 alerts of the runs it undid.
func (tx *Tx) missedAlerts(n policy.Numbers, patientID, prescriptionID string, day calendar.Date, on []calendar.Date, by *resolution) (int, error) {
	var pr Prescription
	if err := tx.g.Take(&pr, "id = ?", prescriptionID).Error; err != nil {
		return 0, translate(err)
	}
	var r Regime
	if err := tx.g.Take(&r, "id = ?", pr.RegimeID).Error; err != nil {
		return 0, translate(err)
	}
	block, days, err := md1Block(tx.g, n, patientID, day)
	if err != nil {
		return 0, err
	}
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return 0, err
	}
	// A run holding a day corrected late is read back as far as a run
	// ending on day would be.
	runDays := days
	if first := slices.MinFunc(append([]calendar.Date{day}, on...), calendar.Date.Compare); first.Before(day) {
		more, err := dayOutcomes(tx.g, []string{patientID}, first.AddDays(-historyWindow), day)
		if err != nil {
			return 0, err
		}
		runDays = more[patientID]
	}
	raised, err := tx.md2Alerts(n, pr, r, settings, patientID, runDays, day, on, by)
	if err != nil {
		return raised, err
	}
	if by != nil {
		if err := tx.resolveAttendanceByCorrection(n, patientID, on, *by); err != nil {
			return raised, err
		}
	}
	var alerts []Alert
	if block != nil {
		// The pharmacy whose record or close made the block hears of it,
		// and so does the one where the patient is next due, when that is
		// another (a move): it is the one that must refuse.
		pharmacies := []string{pr.PharmacyID}
		next, err := nextDuePharmacy(tx.g, patientID, day)
		if err != nil {
			return raised, err
		}
		if next != "" && next != pr.PharmacyID {
			pharmacies = append(pharmacies, next)
		}
		for _, ph := range pharmacies {
			isNew, err := tx.raiseMD1Alert(pr.ServiceID, patientID, ph, *block)
			if err != nil {
				return raised, err
			}
			if isNew {
				raised++
			}
		}
	}
	if f, counted, ok := dispensing.IntermittentAttendance(n, days, day); ok {
		// At most one a window: the pattern, not each further missed day,
		// is the news. One a correction or a closure recorded afterwards
		// took back does not count: the pattern it spoke of was not there,
		// and a day opened again brings it back (ADR 0016).
		var recent int64
		if err := tx.g.Model(&Alert{}).Where("patient_id = ? AND kind = ? AND created_at >= ?", patientID, AlertAttendance,
			tx.db.Now().AddDate(0, 0, -n.S4AttendanceWindowDays)).
			Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id AND r.entity_type IN ?)", []string{"dose_event", "organisation"}).
			Count(&recent).Error; err != nil {
			return 0, translate(err)
		}
		if recent == 0 {
			key, err := tx.newAttendanceKey(patientID, counted[0])
			if err != nil {
				return raised, err
			}
			alerts = append(alerts, Alert{ServiceID: pr.ServiceID, PatientID: patientID, PharmacyID: &pr.PharmacyID, Kind: AlertAttendance,
				Rule: f.Rule, Message: f.Message, DedupeKey: key})
		}
	}
	for _, a := range alerts {
		isNew, err := tx.raiseAlertOnce(a)
		if err != nil {
			return raised, err
		}
		if isNew {
			raised++
		}
	}
	return raised, nil
}

// ClosedOn lists the pharmacies that have closed day, in id order: a close
// of a day already closed is answered already_closed without being run
// again, even before the scheduled close time (the early close was
// confirmed the first time).
func (db *DB) ClosedOn(ctx context.Context, day calendar.Date) ([]string, error) {
	var ids []string
	err := db.read(ctx).Table("day_closes").Where("date = ?", day).Order("pharmacy_id").Pluck("pharmacy_id", &ids).Error
	return ids, translate(err)
}

// LastDayClosed is the latest day that every pharmacy with a day close on
// record has closed: the last day the whole day close (CloseDayAll) can
// have succeeded for. Zero when no day has been closed. A pharmacy without
// a close yet is new, and counts from its first.
func (db *DB) LastDayClosed(ctx context.Context) (calendar.Date, error) {
	var last calendar.Date
	err := db.read(ctx).Raw("SELECT MIN(latest) FROM (SELECT MAX(date) AS latest FROM day_closes GROUP BY pharmacy_id) closes").
		Row().Scan(&last)
	return last, translate(err)
}

// CloseDayAll runs day close at every pharmacy, each in its own
// transaction, then raises the day's scheduled alerts (BV8, M5, M4, SC1). A
// pharmacy that fails stops neither the others nor the scheduled alerts: a
// missed dose left unmarked at one pharmacy must not hide another's MD1
// block. It returns the results of the pharmacies that closed, and every
// failure joined in the error. It holds the history lock, so that it never
// settles a day another process is still writing history for.
func (db *DB) CloseDayAll(ctx context.Context, n policy.Numbers, zone *time.Location, day calendar.Date) ([]CloseDayResult, error) {
	var out []CloseDayResult
	err := db.WithHistoryLock(ctx, func() error {
		var err error
		out, err = db.closeDayAll(ctx, n, zone, day)
		return err
	})
	return out, err
}

func (db *DB) closeDayAll(ctx context.Context, n policy.Numbers, zone *time.Location, day calendar.Date) ([]CloseDayResult, error) {
	pharmacies, err := db.Organisations(ctx, auth.Pharmacy)
	if err != nil {
		return nil, err
	}
	var (
		out  []CloseDayResult
		errs []error
	)
	for _, ph := range pharmacies {
		if err := ctx.Err(); err != nil {
			return out, errors.Join(append(errs, err)...)
		}
		var res CloseDayResult
		err := db.Write(ctx, func(tx *Tx) error {
			var err error
			res, err = tx.CloseDay(n, zone, ph.ID, day)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("day close at %s: %w", ph.ID, err))
			continue
		}
		out = append(out, res)
	}
	if err := db.Write(ctx, func(tx *Tx) error { return tx.ApplyPharmacyMoves(day.AddDays(1)) }); err != nil {
		errs = append(errs, fmt.Errorf("pharmacy moves: %w", err))
	}
	if err := db.Write(ctx, func(tx *Tx) error { return tx.raiseScheduledAlerts(n, day) }); err != nil {
		errs = append(errs, fmt.Errorf("scheduled alerts: %w", err))
	}
	return out, errors.Join(errs...)
}

// raiseScheduledAlerts: Buvidal injection overdue (BV8), regime review due
// (M5), high-dose ECG due (M4) and reviews under shared care (SC1), once
// per due date.
func (tx *Tx) raiseScheduledAlerts(n policy.Numbers, day calendar.Date) error {
	if err := tx.sharedCareReviewAlerts(n, day); err != nil {
		return err
	}
	// Only the columns the alerts read: every active regime is held for
	// the whole of the judging.
	var active []Regime
	if err := tx.g.Select("id, patient_id, service_id, medicine, pattern, start_date, ecg_date").
		Where("status = ?", RegimeActive).Find(&active).Error; err != nil {
		return translate(err)
	}
	// The reviews, doses and injections the alerts are judged from are
	// read once for every regime: read a regime at a time, they were most
	// of a day close's time at twenty thousand patients.
	reviews, err := activeRegimeReviews(tx.g)
	if err != nil {
		return err
	}
	doses, err := methadoneDosesOn(tx.g, day)
	if err != nil {
		return err
	}
	nextInjections, err := activeRegimeNextInjections(tx.g, n, active)
	if err != nil {
		return err
	}
	var alerts []Alert
	for _, r := range active {
		med, _ := dosing.LookupMedicine(r.Medicine)
		rev := reviews.latest[r.PatientID]
		from := r.StartDate
		if rev.After(from) {
			from = rev
		}
		if due := regimes.ReviewDue(from, n); !day.Before(due) {
			alerts = append(alerts, Alert{ServiceID: r.ServiceID, PatientID: r.PatientID, Kind: AlertReviewDue, Rule: "M5",
				Message:   fmt.Sprintf("Regime review was due on %s (at least every %d months).", due, n.M5ReviewMonths),
				DedupeKey: fmt.Sprintf("review:%s:%s", r.ID, due)})
		}
		// S6: once, when the first weeks of supervision are up, unless the
		// service has reviewed since then (a practice's review does not
		// answer it) or the pattern no longer supervises any day.
		due := regimes.SupervisionReviewDue(med, r.StartDate, n)
		serviceRev := rev
		if !due.IsZero() && !day.Before(due) && !rev.Before(due) {
			serviceRev = reviews.byOrganisation[[2]string{r.PatientID, r.ServiceID}]
		}
		if !due.IsZero() && !day.Before(due) && serviceRev.Before(due) && r.Pattern.Supervises() {
			alerts = append(alerts, Alert{ServiceID: r.ServiceID, PatientID: r.PatientID, Kind: AlertSupervisionReviewDue, Rule: "S6",
				Message: fmt.Sprintf("Consumption has been supervised since %s, the start of %s: review whether supervision is still needed (due %s).",
					r.StartDate, med.Class, due),
				DedupeKey: fmt.Sprintf("s6:%s:%s", r.ID, due)})
		}
		if dose := doses[r.ID]; med.Class == dosing.ClassMethadone && dose >= n.M4HighDose {
			ecg := r.ECGDate
			if due := regimes.ECGRecheckDue(ecg, n); ecg.IsZero() || !day.Before(due) {
				alerts = append(alerts, Alert{ServiceID: r.ServiceID, PatientID: r.PatientID, Kind: AlertECGDue, Rule: "M4",
					Message:   fmt.Sprintf("High-dose methadone (%s): an ECG/QTc check is due.", dose),
					DedupeKey: fmt.Sprintf("ecg:%s:%s", r.ID, due)})
			}
		}
		if med.Injectable {
			// The regime's first dose too: after a switch it is due by the
			// old product's last dose, for a new patient on the start date.
			// The day close runs at the end of the day, so the window has
			// closed once the day closed is its last.
			next := nextInjections[r.ID]
			if !day.Before(next.Latest) {
				alerts = append(alerts, Alert{ServiceID: r.ServiceID, PatientID: r.PatientID, Kind: AlertInjectionOverdue, Rule: "BV8",
					Message:   overdueMessage(r, next),
					DedupeKey: fmt.Sprintf("bv8:%s:%s", r.ID, next.Latest)})
			}
		}
	}
	return tx.raiseNewAlerts(alerts)
}

// reviewDates are the dates of patients' latest reviews, ECG reviews
// aside (as lastReview), and of the latest by each organisation's users:
// S6 asks for the treatment service's own review, since whether
// supervision goes on is theirs to decide, and a practice's review under
// shared care does not answer it.
type reviewDates struct {
	latest         map[string]calendar.Date
	byOrganisation map[[2]string]calendar.Date // patient, organisation
}

// activeRegimeReviews are the reviewDates of every patient on an active
// regime.
func activeRegimeReviews(g *gorm.DB) (reviewDates, error) {
	out := reviewDates{latest: map[string]calendar.Date{}, byOrganisation: map[[2]string]calendar.Date{}}
	var rows []struct {
		PatientID      string
		OrganisationID *string
		Date           calendar.Date
	}
	// LEFT JOIN: every review counts towards the latest, as in lastReview.
	if err := g.Table("reviews r").Select("r.patient_id, u.organisation_id, MAX(r.date) AS date").
		Joins("LEFT JOIN users u ON u.id = r.prescriber_id").
		Where("r.kind <> ? AND r.patient_id IN (SELECT patient_id FROM regimes WHERE status = ?)", "ecg", RegimeActive).
		Group("r.patient_id, u.organisation_id").Scan(&rows).Error; err != nil {
		return out, translate(err)
	}
	for _, r := range rows {
		if r.Date.After(out.latest[r.PatientID]) {
			out.latest[r.PatientID] = r.Date
		}
		if r.OrganisationID != nil {
			out.byOrganisation[[2]string{r.PatientID, *r.OrganisationID}] = r.Date
		}
	}
	return out, nil
}

// methadoneDosesOn is the dose on day (DoseOn) of every active methadone
// regime with a standing dose change in force by then, by regime id: M4
// reads no other dose.
func methadoneDosesOn(g *gorm.DB, day calendar.Date) (map[string]dosing.Micrograms, error) {
	var codes []string
	for _, m := range dosing.Formulary() {
		if m.Class == dosing.ClassMethadone {
			codes = append(codes, m.Code)
		}
	}
	// Read a regime at a time from one statement, in regime order, and
	// let go once its dose is known: every change of every active regime
	// held at once was most of a day close's memory at ten million dose
	// events.
	rows, err := g.Model(&DoseChange{}).Select("id, regime_id, to_ug, effective_date, created_at").
		Where("regime_id IN (SELECT id FROM regimes WHERE status = ? AND medicine IN ?)", RegimeActive, codes).
		Where(standingDoseChange).Where("effective_date <= ?", day).
		Order("regime_id, effective_date, created_at, id").Rows()
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]dosing.Micrograms{}
	var (
		changes []DoseChange
		c       DoseChange
		to      int64
	)
	for rows.Next() {
		if err := rows.Scan(&c.ID, &c.RegimeID, &to, &c.EffectiveDate, &c.CreatedAt); err != nil {
			return nil, translate(err)
		}
		c.To = dosing.Micrograms(to)
		if len(changes) > 0 && changes[0].RegimeID != c.RegimeID {
			out[changes[0].RegimeID] = DoseOn(changes, day)
			changes = changes[:0]
		}
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	if len(changes) > 0 {
		out[changes[0].RegimeID] = DoseOn(changes, day)
	}
	return out, nil
}

// activeRegimeNextInjections is, for each of the active regimes that is
// injectable, its next injection (regimes.NextInjection), by regime id,
// judged from the injections recentInjections gives at its start date:
// each of the regime's own, and the patient's others given within BV7's
// reuse window before its start. The administrations are read in one
// statement for every such patient, in patient order, and each patient's
// are let go once that patient's regimes are judged: held all at once (a
// slice of every administration, then copies by patient and by regime)
// they were most of the memory of a day close at ten million dose events.
func activeRegimeNextInjections(g *gorm.DB, n policy.Numbers, active []Regime) (map[string]regimes.InjectionDue, error) {
	var injectable []string
	for _, m := range dosing.Formulary() {
		if m.Injectable {
			injectable = append(injectable, m.Code)
		}
	}
	byPatient := map[string][]Regime{}
	for _, r := range active {
		if slices.Contains(injectable, r.Medicine) {
			byPatient[r.PatientID] = append(byPatient[r.PatientID], r)
		}
	}
	out := make(map[string]regimes.InjectionDue, len(byPatient))
	if len(byPatient) == 0 {
		return out, nil
	}
	var given, recent []regimes.Administration
	judge := func(patientID string) {
		for _, r := range byPatient[patientID] {
			med, _ := dosing.LookupMedicine(r.Medicine)
			since := r.StartDate.AddDays(-7 * n.BV7SiteReuseWeeks)
			recent = recent[:0]
			for _, a := range given {
				if a.Regime == r.ID || !a.Date.Before(since) {
					recent = append(recent, a)
				}
			}
			// NextInjection keeps no reference to recent: After is a copy.
			out[r.ID] = regimes.NextInjection(med, r.StartDate, recent, n)
		}
	}
	rows, err := g.Table("administrations").
		Select("regimes.patient_id, administrations.regime_id, administrations.date, administrations.dose_ug, administrations.extra, administrations.site, regimes.medicine").
		Joins("JOIN regimes ON regimes.id = administrations.regime_id").
		Where("regimes.patient_id IN (SELECT patient_id FROM regimes WHERE status = ? AND medicine IN ?)", RegimeActive, injectable).
		Where(standingAdministration).
		Order("regimes.patient_id, administrations.date, administrations.created_at").Rows()
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var (
		cur, patientID, regimeID, site, medicine string
		date                                     calendar.Date
		dose                                     int64
		extra                                    bool
	)
	for rows.Next() {
		if err := rows.Scan(&patientID, &regimeID, &date, &dose, &extra, &site, &medicine); err != nil {
			return nil, translate(err)
		}
		if patientID != cur {
			judge(cur)
			cur, given = patientID, given[:0]
		}
		given = append(given, regimes.Administration{Date: date, Dose: dosing.Micrograms(dose), Site: regimes.Site(site),
			Extra: extra, Medicine: medicine, Regime: regimeID})
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	judge(cur)
	// A regime whose patient has no injection on record is due its first.
	for _, rs := range byPatient {
		for _, r := range rs {
			if _, ok := out[r.ID]; !ok {
				med, _ := dosing.LookupMedicine(r.Medicine)
				out[r.ID] = regimes.NextInjection(med, r.StartDate, nil, n)
			}
		}
	}
	return out, nil
}

// raiseNewAlerts raises the alerts in order (raiseAlert), first leaving
// out in one read those whose dedupe key is taken: a scheduled alert,
// raised once per due date, is mostly already there.
func (tx *Tx) raiseNewAlerts(alerts []Alert) error {
	keys := make([]string, len(alerts))
	for i, a := range alerts {
		keys[i] = a.DedupeKey
	}
	raised := map[string]bool{}
	for chunk := range slices.Chunk(keys, 1000) {
		var found []string
		if err := tx.g.Model(&Alert{}).Where("dedupe_key IN ?", chunk).Pluck("dedupe_key", &found).Error; err != nil {
			return translate(err)
		}
		for _, k := range found {
			raised[k] = true
		}
	}
	for _, a := range alerts {
		if raised[a.DedupeKey] {
			continue
		}
		if err := tx.raiseAlert(a); err != nil {
			return err
		}
	}
	return nil
}

// overdueMessage is BV8's overdue alert, saying which dose was due.
func overdueMessage(r Regime, next regimes.InjectionDue) string {
	msg := fmt.Sprintf("Buvidal injection overdue: the window closed on %s.", next.Latest)
	switch {
	case next.After == nil:
		return msg + fmt.Sprintf(" The regime started on %s and its first injection, due on %s, is not recorded.", r.StartDate, next.Due)
	case next.After.Regime != r.ID:
		med, _ := dosing.LookupMedicine(next.After.Medicine)
		return msg + fmt.Sprintf(" The first injection of the regime started on %s was due on %s, after the last %s dose (%s on %s); none is recorded.",
			r.StartDate, next.Due, med.Interval, next.After.Dose, next.After.Date)
	}
	return msg
}

// RecordReview records a prescriber's review; it lifts an MD1 block
// (RecordReviewMD1).
func (tx *Tx) RecordReview(p auth.Principal, n policy.Numbers, today calendar.Date, r *Review) error {
	_, err := tx.RecordReviewMD1(p, n, today, r)
	return err
}

// ReviewMD1 is what a review did to the MD1 block that stood when it was
// recorded: the reviewer must not be left believing dispensing may resume
// when it may not.
type ReviewMD1 struct {
	// Lifted: a block stood before the review and none stands after it.
	Lifted bool
	// Stands is the block standing after the review (nil: none), and Why
	// says why the review left it standing.
	Stands *dispensing.Block
	Why    string
}

// RecordReviewMD1 records a prescriber's review and says whether it lifted
// an MD1 block. A GP reviews only patients whose shared care the practice
// has accepted: the practice then prescribes, so it must be able to lift a
// block on its own prescriptions (MD1); a proposal alone gives it no such
// say.
func (tx *Tx) RecordReviewMD1(p auth.Principal, n policy.Numbers, today calendar.Date, r *Review) (ReviewMD1, error) {
	var out ReviewMD1
	if err := tx.lockPatient(r.PatientID); err != nil {
		return out, err
	}
	pt, err := reviewablePatient(tx.g, p, r.PatientID)
	if err != nil {
		return out, err
	}
	before, _, err := md1Block(tx.g, n, r.PatientID, today)
	if err != nil {
		return out, err
	}
	r.ID, r.PrescriberID, r.ReviewedAt = newID(), p.UserID, tx.db.Now()
	if err := tx.g.Create(r).Error; err != nil {
		return out, translate(err)
	}
	if before != nil {
		// The block is judged again with the review in: one dated before
		// the run's last missed day was about fewer days and lifts nothing
		// (MD1Block).
		after, _, err := md1Block(tx.g, n, r.PatientID, today)
		if err != nil {
			return out, err
		}
		out.Lifted, out.Stands = after == nil, after
		if after != nil {
			out.Why = after.NotLiftedBy(r.Date, r.Kind == "ecg")
		}
	}
	if !r.ECGDate.IsZero() {
		// The regime keeps its latest ECG: an older one recorded late is in
		// the review, and does not move the M4 clock back. Each regime
		// moved is audited from its ECG date to the new one, as ChangeDose
		// audits one recorded with a change of dose.
		var older []Regime
		if err := tx.g.Where("patient_id = ? AND status = ? AND (ecg_date IS NULL OR ecg_date < ?)", r.PatientID, RegimeActive, r.ECGDate).
			Order("id").Find(&older).Error; err != nil {
			return out, translate(err)
		}
		for _, rg := range older {
			if err := tx.g.Model(&Regime{}).Where("id = ?", rg.ID).Update("ecg_date", r.ECGDate).Error; err != nil {
				return out, translate(err)
			}
			if err := tx.Audit("regime.update", "regime", rg.ID, map[string]any{"ecg_date": map[string]any{"from": rg.ECGDate, "to": r.ECGDate},
				"review_id": r.ID}); err != nil {
				return out, err
			}
		}
	}
	if err := tx.Audit("review.create", "patient", r.PatientID, r); err != nil {
		return out, err
	}
	if out.Lifted && p.Role == auth.GP {
		// The practice may let dispensing resume, but whether the dose
		// must come down after the days without it (MD3) is the
		// service's to decide (SC1).
		if err := tx.raiseAlert(Alert{ServiceID: pt.ServiceID, PatientID: r.PatientID, Kind: AlertSharedCare, Rule: "SC1",
			Message: fmt.Sprintf("The GP practice reviewed the patient after %d consecutive days without a dose (%s to %s) and lifted the MD1 block. "+
				"Decide whether the dose needs re-titrating (MD3): the practice does not change the dose.", before.Missed, before.Since, before.LastMissed),
			DedupeKey: "shared_care:gp_lifted_md1:" + r.ID}); err != nil {
			return out, err
		}
	}
	return out, tx.resolveByReview(p, n, today, *r)
}

// resolveByCorrection answers the alerts a corrected dose record took away:
// a withheld record corrected to another outcome, or to another reason,
// and an MD1 block that a missed day corrected to a dose taken no longer
// stands. A withheld record corrected to withheld for another reason, or
// with other notes, has raised its own alert, with the reason and notes
// now recorded, so the first one's (S3's "intoxicated", say, or notes
// since completed) is not left standing beside it; one corrected to
// withheld as it was (its time fixed, say) raised none, and its alert,
// about the same event, stands (unchangedWithheld). A dose withheld
// because the patient was intoxicated and corrected to one handed over
// keeps its alert: the intoxication is still the prescriber's to hear of
// (S3, S4; dispensing.KeepsIntoxicationAlert). correctedBy names who
// corrected (correctedBy).
func (tx *Tx) resolveByCorrection(n policy.Numbers, today calendar.Date, patientID string, existing []DoseEvent, e DoseEvent, correctedBy string) error {
	if !unchangedWithheld(existing, *e.CorrectsID, e.Outcome, e.Reason, e.Notes) {
		// "corrected to supervised: forgot to record": the correction's
		// reason follows the colon. New notes are quoted as notes, and the
		// correction's reason then labelled as such, never read as them.
		to, why := string(e.Outcome), ": "+strings.TrimRight(e.CorrectionReason, ". ")
		if e.Outcome == dispensing.Withheld {
			to = "withheld " + e.Reason.Because()
			for _, orig := range existing {
				if orig.ID == *e.CorrectsID && orig.Outcome == dispensing.Withheld && orig.Reason == e.Reason {
					to += fmt.Sprintf(", with new notes “%s”", dispensing.NotesExcerpt(notesKept(existing, *e.CorrectsID, e.Reason, e.Notes)))
					why = ". Reason for the correction: " + strings.TrimRight(e.CorrectionReason, ". ")
				}
			}
		}
		// The alert is the corrected record's, or, when that record only
		// restated the withholding before it, that one's (which raised it).
		// A dose withheld for intoxication and then handed over keeps its
		// alert (dispensing.KeepsIntoxicationAlert): the record handing it
		// over is passed by to reach the withholding when this correction
		// withholds the dose again, since the alert it raises replaces the
		// one kept open.
		for id := *e.CorrectsID; id != ""; {
			orig := eventByID(existing, id)
			if orig != nil && orig.Outcome.Taken() && e.Outcome == dispensing.Withheld {
				if prev := eventByID(existing, deref(orig.CorrectsID)); prev != nil &&
					dispensing.KeepsIntoxicationAlert(prev.Outcome, prev.Reason, orig.Outcome) {
					orig = prev
				}
			}
			if orig == nil || orig.Outcome != dispensing.Withheld || dispensing.KeepsIntoxicationAlert(orig.Outcome, orig.Reason, e.Outcome) {
				break
			}
			if err := tx.resolveAlerts(patientID, AlertWithheld, "withheld:"+orig.ID, resolution{
				Reason:     fmt.Sprintf("The withheld record of %s was corrected to %s%s. %s", e.Date, to, why, correctedBy),
				EntityType: "dose_event", EntityID: e.ID}); err != nil {
				return err
			}
			id = ""
			if orig.CorrectsID != nil && unchangedWithheld(existing, *orig.CorrectsID, orig.Outcome, orig.Reason, orig.Notes) {
				id = *orig.CorrectsID
			}
		}
	}
	if !e.Outcome.Taken() {
		return nil
	}
	return tx.resolveMD1IfLifted(n, today, patientID, resolution{
		Reason: fmt.Sprintf("The record of %s was corrected to %s: %s. The MD1 block no longer applies and dispensing may resume. %s",
			e.Date, e.Outcome, strings.TrimRight(e.CorrectionReason, ". "), correctedBy),
		EntityType: "dose_event", EntityID: e.ID})
}

// eventByID is the record id among existing, nil when none.
func eventByID(existing []DoseEvent, id string) *DoseEvent {
	for i := range existing {
		if existing[i].ID == id {
			return &existing[i]
		}
	}
	return nil
}

// unchangedWithheld reports whether a correction of the record correctsID
// ("" for a first record) to outcome, reason and notes leaves a withheld
// record as its alert told it: withheld for the same reason, with the
// same notes as the alert quotes them (dispensing.AlertForWithheld), so
// the alert standing says all the prescriber would read in a new one.
func unchangedWithheld(existing []DoseEvent, correctsID string, outcome dispensing.Outcome, reason dispensing.WithheldReason, notes string) bool {
	if correctsID == "" || outcome != dispensing.Withheld {
		return false
	}
	for _, orig := range existing {
		if orig.ID == correctsID {
			// Read for one day: the day's wording changes as days pass,
			// what the pharmacist said does not.
			var day calendar.Date
			return orig.Outcome == dispensing.Withheld && orig.Reason == reason &&
				dispensing.AlertForWithheld(orig.Reason, notesKept(existing, deref(orig.CorrectsID), orig.Reason, orig.Notes), day, day).Message ==
					dispensing.AlertForWithheld(reason, notesKept(existing, correctsID, reason, notes), day, day).Message
		}
	}
	return false
}

// notesKept is the notes of a withheld record for reason, correcting the
// record correctsID ("" for none), as its alert reads them: the notes it
// gives, or, when it leaves them out, those of the record it corrects, if
// that one was withheld for the same reason (back along corrections that
// left them out too). A correction fixing only the time of a withheld
// record, without restating its notes, does not take them back: the
// prescriber's alert quoting them stands (unchangedWithheld).
func notesKept(existing []DoseEvent, correctsID string, reason dispensing.WithheldReason, notes string) string {
	for hops := 0; notes == "" && correctsID != "" && hops < len(existing); hops++ {
		var orig *DoseEvent
		for i := range existing {
			if existing[i].ID == correctsID {
				orig = &existing[i]
			}
		}
		if orig == nil || orig.Outcome != dispensing.Withheld || orig.Reason != reason {
			break
		}
		notes, correctsID = orig.Notes, deref(orig.CorrectsID)
	}
	return notes
}

// correctedBy says who made a correction, for the resolutions it makes: a
// prescriber reading that an alert was taken back wants to know whom to
// ask about it.
func (tx *Tx) correctedBy(userID string) (string, error) {
	who, err := tx.whoIs(userID)
	return "Corrected by " + who + ".", err
}

// whoIs names a user and their organisation ("Tom Hughes at Castle Street
// Pharmacy"), for the resolutions their records make.
func (tx *Tx) whoIs(userID string) (string, error) {
	var who struct{ UserName, OrganisationName string }
	if err := tx.g.Table("users").Select("users.name AS user_name, organisations.name AS organisation_name").
		Joins("JOIN organisations ON organisations.id = users.organisation_id").
		Where("users.id = ?", userID).Take(&who).Error; err != nil {
		return "", translate(err)
	}
	return fmt.Sprintf("%s at %s", who.UserName, who.OrganisationName), nil
}

// resolveMD1IfLifted resolves the patient's MD1 alerts when no block stands
// today: the alert tells the pharmacy not to dispense, and must not
// outlive the block.
func (tx *Tx) resolveMD1IfLifted(n policy.Numbers, today calendar.Date, patientID string, by resolution) error {
	block, _, err := md1Block(tx.g, n, patientID, today)
	if err != nil || block != nil {
		return err
	}
	return tx.resolveAlerts(patientID, AlertMD1Block, "", by)
}

// resolveMD1ByPrescription resolves the patient's MD1 alerts when a
// prescription just issued leaves no block standing today. A take-home
// withheld takes its later days with it, so MD1 may block for them; once
// its prescription is cancelled and those days prescribed again, they are
// the new instalments' to supply (dispensing.DaysAsOf), and an alert still
// saying "do not dispense" would turn the patient away from them.
func (tx *Tx) resolveMD1ByPrescription(n policy.Numbers, today calendar.Date, pr Prescription) error {
	// Most prescriptions find no MD1 alert open: the block is not worked
	// out for them.
	var open int64
	if err := tx.g.Model(&Alert{}).Where("patient_id = ? AND kind = ?", pr.PatientID, AlertMD1Block).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").Count(&open).Error; err != nil {
		return translate(err)
	}
	if open == 0 {
		return nil
	}
	return tx.resolveMD1IfLifted(n, today, pr.PatientID, resolution{
		Reason: fmt.Sprintf("Prescription %s issued from %s: the days it prescribed again are its own to supply, "+
			"so the MD1 block no longer applies and dispensing may resume.", pr.Serial, pr.StartDate),
		EntityType: "prescription", EntityID: pr.ID})
}

// resolveByReview answers the alerts a review answers: the MD1 block it
// lifts, the regime review due (M5), the supervision review (S6) when the
// service reviewed, the party's review under shared care (SC1), and an ECG
// due (M4) when the review records a recent ECG.
func (tx *Tx) resolveByReview(p auth.Principal, n policy.Numbers, today calendar.Date, r Review) error {
	by := func(reason string, args ...any) resolution {
		return resolution{Reason: fmt.Sprintf(reason, args...), EntityType: "review", EntityID: r.ID}
	}
	if err := tx.resolveMD1IfLifted(n, today, r.PatientID,
		by("Review recorded for %s: the MD1 block is lifted and dispensing may resume.", r.Date)); err != nil {
		return err
	}
	// An ECG review answers the ECG alone, not a review of the patient.
	if r.Kind != "ecg" {
		if err := tx.resolveAlerts(r.PatientID, AlertReviewDue, "", by("Review recorded for %s.", r.Date)); err != nil {
			return err
		}
		// S6 asks whether supervision is still needed, which only the
		// service decides (SC1): the practice neither sees the alert nor may
		// change the pattern, so its review does not answer it.
		if p.Role != auth.GP {
			if err := tx.resolveAlerts(r.PatientID, AlertSupervisionReviewDue, "", by("Review recorded for %s: the need for supervision was reviewed.", r.Date)); err != nil {
				return err
			}
		}
		if err := tx.resolveAlerts(r.PatientID, AlertAttendance, "", by("Review recorded for %s.", r.Date)); err != nil {
			return err
		}
		party := AlertSpecialistReviewDue
		if p.Role == auth.GP {
			party = AlertGPReviewDue
		}
		if err := tx.resolveAlerts(r.PatientID, party, "", by("Review recorded for %s.", r.Date)); err != nil {
			return err
		}
	}
	if !r.ECGDate.IsZero() && today.Before(regimes.ECGRecheckDue(r.ECGDate, n)) {
		return tx.resolveAlerts(r.PatientID, AlertECGDue, "", by("ECG recorded on %s.", r.ECGDate))
	}
	return nil
}

// reviewablePatient is patientFor narrowed, for a GP, to accepted shared
// care; anyone else's patient is NotFound.
func reviewablePatient(g *gorm.DB, p auth.Principal, id string) (Patient, error) {
	if p.Role != auth.GP {
		return patientFor(g, p, id)
	}
	var pt Patient
	if !ValidID(id) {
		return pt, problem.NotFoundf("patient not found")
	}
	err := g.Where(`patients.id = ? AND EXISTS (SELECT 1 FROM shared_care s WHERE s.patient_id = patients.id
		AND s.practice_id = ? AND s.status = ?)`, id, p.OrgID, SharedAccepted).Take(&pt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return pt, problem.NotFoundf("patient not found")
	}
	return pt, translate(err)
}

// sentToPharmacy reports whether any of a patient's prescriptions was
// issued to the pharmacy, whatever became of it since.
func sentToPharmacy(g *gorm.DB, pharmacyID, patientID string) (bool, error) {
	if !ValidID(patientID) {
		return false, nil
	}
	var n int64
	err := g.Table("prescriptions").Where("patient_id = ? AND pharmacy_id = ? AND status <> ?", patientID, pharmacyID, StatusDraft).
		Limit(1).Count(&n).Error
	return n > 0, translate(err)
}

// PatientDoses is a patient's dose history with adherence.
type PatientDoses struct {
	Instalments []InstalmentHistory  `json:"instalments"`
	Adherence   dispensing.Adherence `json:"adherence"`
	From        calendar.Date        `json:"from"`
	To          calendar.Date        `json:"to"`
}

// InstalmentHistory is an instalment with every event, corrections included.
// A cancelled prescription's instalments stay in the history beside those
// of the prescription that replaced it (a dose change or a pharmacy move
// reissues the remaining days): Serial and PrescriptionStatus tell them
// apart.
type InstalmentHistory struct {
	Instalment
	Serial string `json:"serial"`
	// PrescriptionStatus is the prescription's status as a reader sees it
	// today (Prescription.EffectiveStatus): issued, completed, expired or
	// cancelled.
	PrescriptionStatus prescriptions.Status `json:"prescription_status"`
	Current            dispensing.Outcome   `json:"current_outcome"`
	Events             []DoseEvent          `json:"events"`
	// PharmacyClosed marks an instalment recorded missed on a day its
	// pharmacy recorded as closed (ADR 0016), as the day list does.
	PharmacyClosed bool `json:"pharmacy_closed"`
}

// DoseHistory returns the instalments covering a dose day in [from, to],
// with their events: one dated before from is listed when it carried a
// day of the window (Saturday's collection carries a closed Sunday).
// Adherence counts each dose day in the window once, as the missed-dose
// rules read it (dispensing.ComputeAdherence): taken if any instalment for
// it was, so a cancelled prescription's day and its replacement's are one
// day, and a day a withheld take-home carried but prescribed again goes by
// its new instalment, not due until that is recorded. today and n decide
// each prescription's status (L3).
func (db *DB) DoseHistory(ctx context.Context, p auth.Principal, n policy.Numbers, patientID string, from, to, today calendar.Date) (PatientDoses, error) {
	out := PatientDoses{From: from, To: to, Instalments: []InstalmentHistory{}}
	g := db.read(ctx)
	if _, err := patientFor(g, p, patientID); err != nil {
		// A pharmacy the patient has left keeps the history of its own
		// instalments (the rows below are its own only): its dose records
		// and their corrections are its past work, not the patient's
		// current record.
		if p.Role != auth.Pharmacist || problem.CodeOf(err) != problem.NotFound {
			return out, err
		}
		if ok, derr := sentToPharmacy(g, p.OrgID, patientID); derr != nil {
			return out, derr
		} else if !ok {
			return out, err
		}
	}
	// An instalment covers days from its own date, at most a prescription's
	// length of them (L6, within historyWindow): those dated up to
	// historyWindow days before from are read when they cover more than
	// their own day, or a later day of their own (a closed first day
	// collected the day before, ADR 0011), on the same (patient_id, date)
	// index.
	q := g.Table("instalments").Select(`instalments.*, prescriptions.serial, prescriptions.status AS prescription_status,
			prescriptions.prescribed_on, prescriptions.end_date`).
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.patient_id = ? AND instalments.date >= ? AND instalments.date <= ?", patientID, from.AddDays(-historyWindow), to).
		Where("(instalments.date >= ? OR instalments.dose_days > 1 OR instalments.date < prescriptions.start_date)", from).
		Where("prescriptions.status <> ?", StatusDraft).Order("instalments.date, instalments.id")
	if p.Role == auth.Pharmacist {
		q = q.Where("instalments.pharmacy_id = ?", p.OrgID)
	}
	type historyRow struct {
		Instalment
		Serial             string
		PrescriptionStatus prescriptions.Status
		PrescribedOn       calendar.Date
		EndDate            calendar.Date
	}
	var rows []historyRow
	if err := q.Find(&rows).Error; err != nil {
		return out, translate(err)
	}
	rows = slices.DeleteFunc(rows, func(r historyRow) bool {
		return r.Date.Before(from) && !slices.ContainsFunc(r.Covers, func(d calendar.Date) bool { return !d.Before(from) })
	})
	ids := make([]string, len(rows))
	byPrescription := map[string]*Prescription{}
	var prs []*Prescription
	for i, r := range rows {
		ids[i] = r.ID
		if _, ok := byPrescription[r.PrescriptionID]; !ok {
			pr := &Prescription{ID: r.PrescriptionID, Status: r.PrescriptionStatus, PrescribedOn: r.PrescribedOn, EndDate: r.EndDate}
			byPrescription[r.PrescriptionID] = pr
			prs = append(prs, pr)
		}
	}
	if err := withFirstSupply(g, prs); err != nil {
		return out, err
	}
	var evs []DoseEvent
	for start := 0; start < len(ids); start += 500 {
		var page []DoseEvent
		if err := g.Where("instalment_id IN ?", ids[start:min(start+500, len(ids))]).Order("created_at, id").Find(&page).Error; err != nil {
			return out, translate(err)
		}
		evs = append(evs, page...)
	}
	if err := nameDoseEventList(g, evs); err != nil {
		return out, err
	}
	byInst := map[string][]DoseEvent{}
	for _, e := range evs {
		byInst[e.InstalmentID] = append(byInst[e.InstalmentID], e)
	}
	pharmacies := map[string]bool{}
	for _, r := range rows {
		pharmacies[r.PharmacyID] = true
	}
	openings, err := recordedClosures(g, pharmacies)
	if err != nil {
		return out, err
	}
	var days []dispensing.DayOutcome
	for _, r := range rows {
		h := InstalmentHistory{Instalment: r.Instalment, Serial: r.Serial,
			PrescriptionStatus: byPrescription[r.PrescriptionID].EffectiveStatus(today, n), Events: nonNil(byInst[r.ID])}
		events := make([]dispensing.Event, len(h.Events))
		for i, e := range h.Events {
			events[i] = e.event()
		}
		h.Current, _ = dispensing.CurrentOutcome(events)
		// A cancelled prescription's instalment nobody recorded will never
		// be supplied: it has no say over a day, as in dayOutcomes.
		if r.PrescriptionStatus != StatusCancelled || len(events) > 0 {
			expanded := dispensing.ExpandInstalment(r.Date, r.Covers, h.Current)
			markClosed(expanded, openings[r.PharmacyID], r.Date)
			days = append(days, expanded...)
		}
		h.PharmacyClosed = h.Current == dispensing.Missed && openings[r.PharmacyID].RecordedClosed(r.Date)
		out.Instalments = append(out.Instalments, h)
	}
	out.Adherence = dispensing.ComputeAdherence(days, from, to)
	return out, nil
}

// DispensedDay is the controlled-drug total handed out at a pharmacy.
type DispensedDay struct {
	Date       calendar.Date     `json:"date"`
	Medicine   string            `json:"medicine"`
	Supervised dosing.Micrograms `json:"supervised"`
	TakeHome   dosing.Micrograms `json:"take_home"`
	Total      dosing.Micrograms `json:"total"`
}

// PharmacyBalance totals what a pharmacy dispensed per day and medicine:
// the instalments whose record in force handed the dose over, split into
// supervised and take-home as prescribed on them, not by the outcome
// recorded (a supervised visit hands the take-home part over too).
func (db *DB) PharmacyBalance(ctx context.Context, p auth.Principal, pharmacyID string, from, to calendar.Date) ([]DispensedDay, error) {
	if p.Role != auth.Pharmacist || p.OrgID != pharmacyID {
		return nil, problem.NotFoundf("pharmacy not found")
	}
	g := db.read(ctx)
	var ins []struct {
		Instalment
		Medicine string
	}
	if err := g.Table("instalments").Select("instalments.*, prescriptions.medicine").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("instalments.pharmacy_id = ? AND instalments.date >= ? AND instalments.date <= ?", pharmacyID, from, to).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Find(&ins).Error; err != nil {
		return nil, translate(err)
	}
	ids := make([]string, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	current, err := currentOutcomes(g, ids)
	if err != nil {
		return nil, err
	}
	type key struct {
		date calendar.Date
		med  string
	}
	totals := map[key]*DispensedDay{}
	for _, in := range ins {
		if !current[in.ID].Outcome.Taken() {
			continue
		}
		k := key{in.Date, in.Medicine}
		d := totals[k]
		if d == nil {
			d = &DispensedDay{Date: in.Date, Medicine: in.Medicine}
			totals[k] = d
		}
		d.Supervised += in.Supervised
		d.TakeHome += in.TakeHome
		d.Total += in.Supervised + in.TakeHome
	}
	out := make([]DispensedDay, 0, len(totals))
	for _, d := range totals {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Date.Equal(out[j].Date) {
			return out[i].Date.Before(out[j].Date)
		}
		return out[i].Medicine < out[j].Medicine
	})
	return out, nil
}

// PrescriptionBalance is prescribed against dispensed for one prescription:
// Prescribed = Dispensed + NotSupplied + Cancelled + Expired + Remaining,
// so a controlled-drug reconciliation accounts for every milligram.
type PrescriptionBalance struct {
	PrescriptionID string            `json:"prescription_id"`
	Prescribed     dosing.Micrograms `json:"prescribed"`
	Dispensed      dosing.Micrograms `json:"dispensed"`
	NotSupplied    dosing.Micrograms `json:"not_supplied"` // missed, withheld or refused: never supplied later (MD4)
	// Cancelled and Expired are the instalments with no record left on a
	// prescription that can no longer be dispensed from.
	Cancelled dosing.Micrograms `json:"cancelled"`
	Expired   dosing.Micrograms `json:"expired"`
	Remaining dosing.Micrograms `json:"remaining"`
}

// BalanceOf computes a prescription's balance; status is its effective
// status today (an issued prescription may have expired unsupplied, L3).
func BalanceOf(res PrescriptionResult, current map[string]DoseEvent, status prescriptions.Status) PrescriptionBalance {
	b := PrescriptionBalance{PrescriptionID: res.ID, Prescribed: res.Total}
	var open dosing.Micrograms
	for _, in := range res.Instalments {
		ev, ok := current[in.ID]
		switch {
		case ok && ev.Outcome.Taken():
			b.Dispensed += in.Supervised + in.TakeHome
		case ok:
			b.NotSupplied += in.Supervised + in.TakeHome
		default:
			open += in.Supervised + in.TakeHome
		}
	}
	switch status {
	case prescriptions.StatusCancelled:
		b.Cancelled = open
	case prescriptions.StatusExpired:
		b.Expired = open
	default:
		b.Remaining = open
	}
	return b
}

// PrescriptionBalanceFor returns the balance of a prescription the user may see.
func (db *DB) PrescriptionBalanceFor(ctx context.Context, p auth.Principal, n policy.Numbers, id string, today calendar.Date) (PrescriptionBalance, error) {
	res, err := db.PrescriptionFor(ctx, p, id)
	if err != nil {
		return PrescriptionBalance{}, err
	}
	current, err := currentOutcomes(db.read(ctx), lo(res.Instalments))
	if err != nil {
		return PrescriptionBalance{}, err
	}
	return BalanceOf(res, current, res.EffectiveStatus(today, n)), nil
}
