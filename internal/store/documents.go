package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
)

// OriginalPrint reads a prescription's original_printed_at as whether the
// original has been printed: the API says only that (original_printed),
// not when or by whom, which the audit trail keeps.
type OriginalPrint bool

// Scan reads the column: any time means printed.
func (o *OriginalPrint) Scan(src any) error {
	*o = src != nil
	return nil
}

// Value is never written (the field is read only); it reads back as NULL
// or not.
func (o OriginalPrint) Value() (driver.Value, error) {
	return nil, errors.New("original_printed_at is set by printing only")
}

// PrescriptionDocument is everything printed on a prescription: the
// prescription, its parties, and which print this is.
type PrescriptionDocument struct {
	PrescriptionResult
	Service    Organisation
	Prescriber User
	// PrescriberOrg is where the prescriber works: their address is printed
	// (L1), the practice's for a GP under shared care.
	PrescriberOrg Organisation
	Patient       Patient
	Pharmacy      Organisation
	// PrintNumber counts every print of the prescription, this one included.
	PrintNumber int
	// Original is set on the one print that is the prescription itself:
	// the first print by the prescriber who signs it.
	Original bool
	// ReplacesSerial is the serial of the cancelled prescription this one
	// reissues; empty when it replaces none.
	ReplacesSerial string
}

// Copy reports whether this print is stamped COPY, so that it cannot be
// dispensed as well as the original.
func (d PrescriptionDocument) Copy() bool { return !d.Original }

// PrintPrescription records a print of an issued prescription and returns
// what goes on paper. The original is what the pharmacy dispenses against,
// so there is exactly one, printed by the prescriber who signs it (L1): the
// service's prescriber who wrote it, or under accepted shared care the GP
// who wrote it. Every other print — any pharmacist's, anyone else's, and
// every print after the original — is a COPY. A draft or cancelled
// prescription is not a valid prescription and is refused.
//
// Once the practice's shared care has ended, its GPs print nothing, with
// one exception: the GP who signed a prescription still live whose
// original was never printed prints that original. The prescription stays
// valid at the pharmacy after a hand-back (ADR 0008), and without its
// paper the pharmacy has nothing to dispense from; nobody else can print
// it (any other print is a COPY).
func (tx *Tx) PrintPrescription(p auth.Principal, n policy.Numbers, id string, today calendar.Date) (PrescriptionDocument, error) {
	var d PrescriptionDocument
	res, err := prescriptionFor(tx.g, p, id)
	if err != nil {
		return d, err
	}
	if p.Role == auth.Pharmacist {
		// The print carries the patient's name and address as the record
		// has them now: a pharmacy the patient has left keeps the
		// prescription's own details, not the record (scopePatients).
		if _, err := patientFor(tx.g, p, res.PatientID); err != nil {
			return d, problem.Forbiddenf("prescription %s was issued to this pharmacy, but the patient is no longer dispensed here: "+
				"a copy prints the patient's current details, which only the pharmacy dispensing to them sees", res.Serial)
		}
	}
	if p.Role == auth.GP {
		var held int64
		if err := tx.g.Table("shared_care").Where("patient_id = ? AND practice_id = ? AND status = ?", res.PatientID, p.OrgID, SharedAccepted).
			Count(&held).Error; err != nil {
			return d, translate(err)
		}
		ownOriginal := p.UserID == res.PrescriberID && res.Status == StatusIssued && !bool(res.OriginalPrinted) &&
			res.EffectiveStatus(today, n) == StatusIssued
		if held == 0 && !ownOriginal {
			return d, problem.Forbiddenf("SC1: a GP practice prints prescriptions only under shared care it has accepted; " +
				"after it ends, only the GP who signed a prescription still running prints its original, once, if it was never printed")
		}
	}
	switch res.Status {
	case StatusDraft:
		return d, problem.Conflictf("a draft cannot be printed as a valid prescription: issue it first (POST /v1/prescriptions/%s/issue)", res.ID)
	case StatusCancelled:
		return d, tx.cancelledPrint(p, res.Prescription)
	case StatusIssued:
	default:
		return d, problem.Conflictf("a %s prescription cannot be printed", res.Status)
	}
	// An address cleared since it was issued: what is printed would be no
	// prescription a pharmacy may dispense from (L2).
	address, err := patientAddress(tx.g, res.PatientID)
	if err != nil {
		return d, err
	}
	if f, missing := prescriptions.PatientAddressFinding(address, true); missing {
		f.Action = "Record the patient's address (or '" + prescriptions.NoFixedAbode + "') on the patient record (a GP asks the specialist service to record it), then print the prescription."
		return d, problem.Blocked([]policy.Finding{f})
	}
	original := false
	if signs := (p.Role == auth.Prescriber || p.Role == auth.GP) && p.UserID == res.PrescriberID; signs {
		// Conditional, so that of two prints racing only one is the original.
		up := tx.g.Table("prescriptions").Where("id = ? AND original_printed_at IS NULL", res.ID).
			Updates(map[string]any{"original_printed_at": tx.db.Now(), "original_printed_by": p.UserID})
		if up.Error != nil {
			return d, translate(up.Error)
		}
		original = up.RowsAffected == 1
	}
	if err := tx.g.Model(&Prescription{}).Where("id = ?", res.ID).
		Update("printed_count", gorm.Expr("printed_count + 1")).Error; err != nil {
		return d, translate(err)
	}
	var count int
	if err := tx.g.Model(&Prescription{}).Select("printed_count").Where("id = ?", res.ID).Scan(&count).Error; err != nil {
		return d, translate(err)
	}
	res.PrintedCount = count
	d = PrescriptionDocument{PrescriptionResult: res, PrintNumber: count, Original: original}
	if err := tx.Audit("prescription.print", "prescription", res.ID, map[string]any{"serial": res.Serial,
		"printed_count": count, "original": original, "copy": d.Copy()}); err != nil {
		return d, err
	}
	if err := tx.g.Take(&d.Service, "id = ?", res.ServiceID).Error; err != nil {
		return d, translate(err)
	}
	if err := tx.g.Take(&d.Pharmacy, "id = ?", res.PharmacyID).Error; err != nil {
		return d, translate(err)
	}
	if err := tx.g.Take(&d.Prescriber, "id = ?", res.PrescriberID).Error; err != nil {
		return d, translate(err)
	}
	if err := tx.g.Take(&d.PrescriberOrg, "id = ?", d.Prescriber.OrganisationID).Error; err != nil {
		return d, translate(err)
	}
	if err := tx.g.Take(&d.Patient, "id = ?", res.PatientID).Error; err != nil {
		return d, translate(err)
	}
	if res.ReplacesID != nil {
		if err := tx.g.Model(&Prescription{}).Select("serial").Where("id = ?", *res.ReplacesID).Scan(&d.ReplacesSerial).Error; err != nil {
			return d, translate(err)
		}
	}
	return d, nil
}

// SummaryRecords are the records the shared care summary letter is drawn
// from (SC4).
type SummaryRecords struct {
	Patient  Patient
	Service  Organisation
	Practice Organisation
	Pharmacy Organisation
	// Arrangement is the open (proposed or accepted) arrangement, else the
	// service's latest closed one, so that the letter says where shared
	// care stands; nil: never proposed (a prescriber's draft).
	Arrangement *SharedCare
	// Timeline is the arrangement's steps, oldest first.
	Timeline []SharedCareEvent
	// Proposer is who proposed the arrangement, or the prescriber asking.
	Proposer User
	Regime   Regime
	// Setting is the regime's pattern and pharmacy in force today (on its
	// last day for an ended regime), whose pharmacy Pharmacy is: the
	// regime's row already carries a change decided for later. Planned
	// are the changes of pattern or pharmacy that take effect after today
	// while the regime runs, oldest first, so that the letter does not
	// show them as in force (SC4).
	Setting RegimeSetting
	Planned []PlannedSetting
	History []DoseChange
	// Overrides of each dose change, by dose change id; the starting dose's
	// are recorded against the regime.
	Overrides       map[string][]RuleOverride
	UserNames       map[string]string
	Days            []dispensing.DayOutcome
	Screens         []DrugScreen
	Administrations []Administration
	// LastPrescriptionEnd is, while the regime runs, the last day of the
	// prescription running today (issued, neither completed nor expired,
	// covering today); zero when none runs, and then LastPrescribedDay is
	// the last day of the latest issued prescription that ended before
	// today (zero if none did). NextPrescriptions are the issued
	// prescriptions still to start after today, oldest first, so that the
	// letter says what supply is in place after the current one, or from
	// when it is again. For an ended regime,
	// LastPrescriptionEnd is the last day up to its end that a
	// prescription covered (lastPrescribedDay), and
	// EndCancelledPrescription reports that the end cancelled a
	// prescription still running then.
	LastPrescriptionEnd      calendar.Date
	LastPrescribedDay        calendar.Date
	NextPrescriptions        []Prescription
	EndCancelledPrescription bool
	// TakenHomeAfterEnd are the days after an ended regime's end whose
	// doses a take-home collection had already handed over (the end's
	// taken_home_after_end): the patient holds them, and whoever cares for
	// the patient next must not give those days' doses again. Nil while
	// the regime runs.
	TakenHomeAfterEnd []calendar.Date
	LastReview        calendar.Date
}

// PlannedSetting is a change of pattern or pharmacy decided for later, with
// the pharmacy it dispenses at from then.
type PlannedSetting struct {
	Setting  RegimeSetting
	Pharmacy Organisation
	// PatternChanged and PharmacyChanged say what it changes from the
	// setting before it.
	PatternChanged, PharmacyChanged bool
}

// SharedCareSummary gathers a patient's records from from to today for the
// summary letter. The prescriber's service or the GP of a practice with an
// open arrangement may read it.
func (db *DB) SharedCareSummary(ctx context.Context, p auth.Principal, n policy.Numbers, patientID string, from, today calendar.Date) (SummaryRecords, error) {
	var out SummaryRecords
	g := db.read(ctx)
	if p.Role != auth.Prescriber && p.Role != auth.GP {
		return out, problem.NotFoundf("patient not found")
	}
	pt, err := patientFor(g, p, patientID)
	if err != nil {
		return out, err
	}
	out.Patient = pt
	if out.Arrangement, err = openSharedCare(g, pt.ID); err != nil {
		return out, err
	}
	if out.Arrangement == nil && p.Role == auth.Prescriber {
		// A GP sees a patient only while an arrangement is open, so only
		// the service reads a letter after a decline or hand-back.
		if out.Arrangement, err = latestSharedCare(g, pt.ID, pt.ServiceID); err != nil {
			return out, err
		}
	}
	if out.Arrangement != nil {
		if err := moveReviewsOn(g, n, out.Arrangement); err != nil {
			return out, err
		}
		rec, err := sharedCareRecord(g, *out.Arrangement)
		if err != nil {
			return out, err
		}
		out.Timeline = rec.Timeline
	}
	practiceID := ""
	switch {
	case out.Arrangement != nil:
		practiceID = out.Arrangement.PracticeID
	case pt.GPPracticeID != nil:
		practiceID = *pt.GPPracticeID
	default:
		return out, problem.Conflictf("the patient has no GP practice to write to: set gp_practice_id or propose shared care with a practice")
	}
	if p.Role == auth.GP && practiceID != p.OrgID {
		return out, problem.NotFoundf("patient not found")
	}
	if err := g.Take(&out.Practice, "id = ?", practiceID).Error; err != nil {
		return out, translate(err)
	}
	if err := g.Take(&out.Service, "id = ?", pt.ServiceID).Error; err != nil {
		return out, translate(err)
	}
	proposer := p.UserID
	if out.Arrangement != nil {
		proposer = out.Arrangement.ProposedBy
	}
	if p.Role == auth.Prescriber || out.Arrangement != nil {
		if err := g.Take(&out.Proposer, "id = ?", proposer).Error; err != nil {
			return out, translate(err)
		}
	}
	// A regime withdrawn before its start (ended before it) was never the
	// patient's treatment, so the letter does not describe it.
	err = g.Where("patient_id = ? AND (ended_on IS NULL OR ended_on >= start_date)", pt.ID).
		Order("CASE WHEN status = 'active' THEN 0 ELSE 1 END, start_date DESC, id DESC").Take(&out.Regime).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return out, problem.Conflictf("the patient has no regime to summarise")
	}
	if err != nil {
		return out, translate(err)
	}
	settings, err := regimeSettings(g, out.Regime.ID)
	if err != nil {
		return out, err
	}
	asOf := today
	if out.Regime.Status != RegimeActive && out.Regime.EndedOn.Before(today) {
		asOf = out.Regime.EndedOn
	}
	out.Setting = settingOn(out.Regime, settings, asOf)
	// A Buvidal regime may have no pharmacy (BV2): a prescription still
	// running from before a switch is dispensed at the patient's.
	pharmacyID := out.Setting.PharmacyID
	if pharmacyID == "" && pt.PharmacyID != nil {
		pharmacyID = *pt.PharmacyID
	}
	if pharmacyID != "" {
		if err := g.Take(&out.Pharmacy, "id = ?", pharmacyID).Error; err != nil {
			return out, translate(err)
		}
	}
	if out.Regime.Status == RegimeActive {
		prev := out.Setting
		for _, st := range settings {
			if !st.EffectiveDate.After(asOf) {
				continue
			}
			st = settingOn(out.Regime, settings, st.EffectiveDate)
			pl := PlannedSetting{Setting: st, PatternChanged: st.Pattern != prev.Pattern, PharmacyChanged: st.PharmacyID != prev.PharmacyID}
			prev = st
			if !pl.PatternChanged && !pl.PharmacyChanged {
				continue // a stage change: the stage is told apart
			}
			if st.PharmacyID != "" {
				if err := g.Take(&pl.Pharmacy, "id = ?", st.PharmacyID).Error; err != nil {
					return out, translate(err)
				}
			}
			out.Planned = append(out.Planned, pl)
		}
	}
	if out.History, err = doseChanges(g, out.Regime.ID); err != nil {
		return out, err
	}
	ids := []string{out.Regime.ID}
	for _, c := range out.History {
		ids = append(ids, c.ID)
	}
	var ovs []RuleOverride
	if err := g.Where("entity_type IN ? AND entity_id IN ?", []string{"regime", "dose_change"}, ids).Order("created_at, id").Find(&ovs).Error; err != nil {
		return out, translate(err)
	}
	out.Overrides = map[string][]RuleOverride{}
	for _, o := range ovs {
		out.Overrides[o.EntityID] = append(out.Overrides[o.EntityID], o)
	}
	if out.UserNames, err = userNames(g, func(add func(string)) {
		for _, c := range out.History {
			add(c.PrescriberID)
		}
	}); err != nil {
		return out, err
	}
	days, err := dayOutcomes(g, []string{pt.ID}, from, today)
	if err != nil {
		return out, err
	}
	out.Days = days[pt.ID]
	if err := g.Where("patient_id = ? AND date >= ?", pt.ID, from).Order("date DESC, created_at DESC").Find(&out.Screens).Error; err != nil {
		return out, translate(err)
	}
	if err := g.Where("regime_id = ? AND date >= ?", out.Regime.ID, from).Where(standingAdministration).Order("date, created_at").Find(&out.Administrations).Error; err != nil {
		return out, translate(err)
	}
	if out.Regime.Status == RegimeActive {
		if err := prescriptionsInPlace(g, n, pt.ID, today, &out); err != nil {
			return out, err
		}
	} else {
		if out.LastPrescriptionEnd, out.EndCancelledPrescription, err = lastPrescribedDay(g, out.Regime); err != nil {
			return out, err
		}
		if out.TakenHomeAfterEnd, err = handedOverFrom(g, out.Regime.ID, out.Regime.EndedOn.AddDays(1)); err != nil {
			return out, err
		}
	}
	if out.LastReview, err = lastReview(g, pt.ID); err != nil {
		return out, fmt.Errorf("last review: %w", err)
	}
	return out, nil
}

// prescriptionsInPlace fills in, for a running regime's letter, the
// prescription running today, or when none does, the last day prescribed
// before today, and the prescriptions still to start: a GP taking over must
// see that no supply is in place rather than a past end date. A
// prescription whose first instalment lapsed (expired) supplies nothing
// and is not running, though its days, once past, were prescribed.
func prescriptionsInPlace(g *gorm.DB, n policy.Numbers, patientID string, today calendar.Date, out *SummaryRecords) error {
	var ps []Prescription
	if err := g.Where("patient_id = ? AND status = ?", patientID, StatusIssued).Order("start_date, end_date, serial").
		Find(&ps).Error; err != nil {
		return translate(err)
	}
	for i, pr := range ps {
		switch st := pr.EffectiveStatus(today, n); {
		case st == StatusIssued && !pr.StartDate.After(today) && !pr.EndDate.Before(today):
			if pr.EndDate.After(out.LastPrescriptionEnd) {
				out.LastPrescriptionEnd = pr.EndDate
			}
		case st == StatusIssued && pr.StartDate.After(today):
			out.NextPrescriptions = append(out.NextPrescriptions, ps[i])
		case pr.EndDate.Before(today):
			// Completed, or expired with its first instalment never
			// collected: its days were prescribed, and are past.
			if pr.EndDate.After(out.LastPrescribedDay) {
				out.LastPrescribedDay = pr.EndDate
			}
		}
	}
	return nil
}

// lastPrescribedDay is the last day up to an ended regime's end that one of
// its prescriptions covered, and whether the end cancelled one still
// running then. Ending a regime cancels every prescription reaching its end
// day (EndRegime), the days before the end included, so the latest
// uncancelled one would date the treatment's last prescribed day too
// early: a prescription the end cancelled covered the days up to the end.
// One cancelled for another reason (replaced, or withdrawn by its
// prescriber) is not counted: its days were reissued or not prescribed.
func lastPrescribedDay(g *gorm.DB, r Regime) (last calendar.Date, cancelled bool, err error) {
	var ps []Prescription
	if err := g.Where("regime_id = ? AND start_date <= ?", r.ID, r.EndedOn).
		Where("status = ? OR (status = ? AND cancel_reason = ?)", StatusIssued, StatusCancelled, RegimeEndReason(r.EndedOn, r.EndReason)).
		Find(&ps).Error; err != nil {
		return last, false, translate(err)
	}
	for _, pr := range ps {
		end := pr.EndDate
		if end.After(r.EndedOn) {
			end = r.EndedOn
		}
		if end.After(last) {
			last = end
		}
		cancelled = cancelled || pr.Status == StatusCancelled
	}
	return last, cancelled, nil
}

// cancelledPrint answers the print of a cancelled prescription: 409 naming
// the prescriptions that replaced it and are still issued, found by
// following the replaces_id chain past any reissue cancelled in turn, each
// with whether the reader's print of it would be its original or a COPY;
// or saying that none did. A pharmacist is named only those issued to
// their pharmacy.
func (tx *Tx) cancelledPrint(p auth.Principal, pr Prescription) error {
	var live []Prescription
	seen := map[string]bool{pr.ID: true}
	for frontier := []string{pr.ID}; len(frontier) > 0; {
		var next []Prescription
		if err := tx.g.Where("replaces_id IN ? AND status <> ?", frontier, StatusDraft).Order("start_date, serial").
			Find(&next).Error; err != nil {
			return translate(err)
		}
		frontier = nil
		for _, n := range next {
			if seen[n.ID] {
				continue
			}
			seen[n.ID] = true
			switch n.Status {
			case StatusCancelled:
				frontier = append(frontier, n.ID)
			case StatusIssued:
				if p.Role != auth.Pharmacist || n.PharmacyID == p.OrgID {
					live = append(live, n)
				}
			}
		}
	}
	why := fmt.Sprintf("prescription %s was cancelled (%s)", pr.Serial, pr.CancelReason)
	if len(live) == 0 {
		return problem.Conflictf("%s and no issued prescription replaced it: it cannot be printed as a valid prescription", why)
	}
	// Whether the reader gets a valid prescription from it: only the
	// prescriber who signed it prints its original, once (PrintPrescription);
	// anyone else — a pharmacist, a GP when the service's prescriber
	// signed it — gets a COPY, and must be told so rather than sent to
	// print what they cannot dispense from.
	names := make([]string, len(live))
	mine := 0
	for i, n := range live {
		names[i] = fmt.Sprintf("%s (id %s, %s to %s", n.Serial, n.ID, n.StartDate, n.EndDate)
		signs := (p.Role == auth.Prescriber || p.Role == auth.GP) && p.UserID == n.PrescriberID
		switch {
		case signs && !bool(n.OriginalPrinted):
			mine++
			names[i] += ", signed by you: your print is its original)"
		case signs:
			names[i] += ", signed by you; its original is already printed, so a print is a COPY)"
		default:
			var signer string
			if err := tx.g.Table("users").Select("name").Where("id = ?", n.PrescriberID).Scan(&signer).Error; err != nil {
				return translate(err)
			}
			names[i] += fmt.Sprintf(", signed by %s, who prints its original: a print by you is a COPY, not for dispensing)", signer)
		}
	}
	if mine == len(live) {
		that := "that one"
		if len(live) > 1 {
			that = "those"
		}
		return problem.Conflictf("%s and replaced by %s: print %s (GET /v1/prescriptions/{id}/pdf), not this one",
			why, strings.Join(names, " and "), that)
	}
	that := "that prescription is the one"
	if len(live) > 1 {
		that = "those prescriptions are the ones"
	}
	return problem.Conflictf("%s and replaced by %s: %s to dispense from, not this one", why, strings.Join(names, " and "), that)
}
