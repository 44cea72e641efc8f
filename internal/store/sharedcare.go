package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/sharedcare"
)

// Shared care statuses. Proposed and accepted arrangements are "open": a
// patient has at most one (the shared_care_one_open index).
const (
	SharedProposed   = "proposed"
	SharedAccepted   = "accepted"
	SharedDeclined   = "declined"
	SharedHandedBack = "handed_back"
)

// Parties to a shared care arrangement, as recorded on its timeline.
const (
	PartyService  = "specialist_service"
	PartyPractice = "gp_practice"
)

// SharedCareCriterion is one SC3 criterion as judged when the arrangement
// was proposed, with the prescriber's override when it was not met.
type SharedCareCriterion struct {
	sharedcare.Criterion
	Overridden     bool   `json:"overridden"`
	OverrideReason string `json:"override_reason"`
	// AtProposal is the criterion as judged when shared care was
	// proposed, once the practice's acceptance judged it again (the
	// criterion itself then says what held at acceptance); nil before.
	AtProposal *CriterionAtProposal `json:"at_proposal"`
}

// CriterionAtProposal is how a criterion stood when shared care was
// proposed.
type CriterionAtProposal struct {
	Met        bool   `json:"met"`
	Detail     string `json:"detail"`
	Overridden bool   `json:"overridden"`
}

// SharedCare is an arrangement for a patient's GP practice to prescribe
// under the specialist service (SC1).
type SharedCare struct {
	ID                  string                `json:"id"`
	PatientID           string                `json:"patient_id"`
	ServiceID           string                `json:"service_id"`
	PracticeID          string                `json:"practice_id"`
	Status              string                `json:"status"`
	Criteria            []SharedCareCriterion `json:"criteria" gorm:"serializer:json"`
	ProposedBy          string                `json:"proposed_by"`
	ProposedAt          time.Time             `json:"proposed_at"`
	SpecialistReviewDue calendar.Date         `json:"specialist_review_due"`
	GPReviewDue         calendar.Date         `json:"gp_review_due" gorm:"column:gp_review_due"`
}

func (SharedCare) TableName() string { return "shared_care" }

// SharedCareEvent is one step on an arrangement's timeline.
type SharedCareEvent struct {
	ID           string    `json:"id"`
	SharedCareID string    `json:"shared_care_id"`
	Kind         string    `json:"kind"`  // proposed, accepted, declined, handed_back, regime_changed
	Party        string    `json:"party"` // specialist_service or gp_practice
	UserID       string    `json:"user_id"`
	UserName     string    `json:"user_name" gorm:"-"`
	Reason       string    `json:"reason"`
	OccurredAt   time.Time `json:"occurred_at"`
}

func (SharedCareEvent) TableName() string { return "shared_care_events" }

// SharedCareRecord is an arrangement with its timeline and overrides.
type SharedCareRecord struct {
	SharedCare
	PracticeName string            `json:"practice_name"`
	Timeline     []SharedCareEvent `json:"timeline"`
	Overrides    []RuleOverride    `json:"overrides"`
}

// CriterionOverride is a prescriber's reason to go ahead although an SC3
// criterion is not met. Rule is a criterion key, or "SC3" for every failed one.
type CriterionOverride struct {
	Rule   string
	Reason string
}

// CriterionKeys are the rule names an override may give.
func CriterionKeys() []string {
	return []string{"SC3", sharedcare.KeyStableDose, sharedcare.KeyAdherence, sharedcare.KeyNoMissedDoseBlock, sharedcare.KeyNegativeScreen}
}

// ProposeSharedCare is a prescriber's proposal.
type ProposeSharedCare struct {
	PatientID  string
	PracticeID string // empty: the patient's registered practice
	Overrides  []CriterionOverride
}

// Eligibility is the SC3 judgement a proposal made today would meet,
// without proposing.
type Eligibility struct {
	PatientID string        `json:"patient_id"`
	Date      calendar.Date `json:"date"`
	// Eligible is true when every criterion is met; unmet ones can still be
	// overridden with a reason when proposing.
	Eligible bool                  `json:"eligible"`
	Criteria []SharedCareCriterion `json:"criteria"`
	// OpenSharedCareID is a proposed or accepted arrangement that a new
	// proposal would clash with.
	OpenSharedCareID *string `json:"open_shared_care_id"`
}

// SharedCareEligibility evaluates SC3 for a patient on today from the
// records (the current dose's start, dose days over the window, MD1 runs
// and drug screens), so a prescriber can check before proposing. It reads
// only.
func (db *DB) SharedCareEligibility(ctx context.Context, p auth.Principal, n policy.Numbers, patientID string, today calendar.Date) (Eligibility, error) {
	g := db.read(ctx)
	pt, err := patientFor(g, p, patientID)
	if err != nil {
		return Eligibility{}, err
	}
	cs, err := eligibility(g, n, pt.ID, today)
	if err != nil {
		return Eligibility{}, err
	}
	judged, _ := judge(n, cs, nil)
	out := Eligibility{PatientID: pt.ID, Date: today, Eligible: sharedcare.AllMet(cs), Criteria: judged}
	open, err := openSharedCare(g, pt.ID)
	if err != nil {
		return Eligibility{}, err
	}
	if open != nil {
		out.OpenSharedCareID = &open.ID
	}
	return out, nil
}

func eligibility(g *gorm.DB, n policy.Numbers, patientID string, today calendar.Date) ([]sharedcare.Criterion, error) {
	var r Regime
	if err := g.Take(&r, "patient_id = ? AND status = ?", patientID, RegimeActive).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, problem.Conflictf("the patient has no active regime: shared care continues a stable treatment (SC1)")
		}
		return nil, translate(err)
	}
	history, err := doseChanges(g, r.ID)
	if err != nil {
		return nil, err
	}
	in := sharedcare.EligibilityInput{Today: today}
	// The latest entry that changes the dose, even if future-dated: a
	// change already decided means the dose is not stable. One that leaves
	// it as it was (a stage changed alone, a titration held) does not.
	for _, h := range history {
		if h.From == 0 || DoseOn(history, h.EffectiveDate) != DoseOn(history, h.EffectiveDate.AddDays(-1)) {
			in.LastDoseChange = h.EffectiveDate
		}
	}
	from, to := sharedcare.Window(n, today)
	last := to.AddDays(-1) // the window excludes today
	// Look further back for MD1 runs, so a run that began before the window
	// and reached the threshold inside it is counted.
	days, err := dayOutcomes(g, []string{patientID}, from.AddDays(-historyWindow), last)
	if err != nil {
		return nil, err
	}
	if med, _ := dosing.LookupMedicine(r.Medicine); med.Injectable {
		// Nothing is dispensed: adherence is injections given on time (BV8).
		a, err := injectionAdherence(g, n, r, from, to)
		if err != nil {
			return nil, err
		}
		in.Injections, in.DueDoses, in.TakenDoses = true, a.Due, a.OnTime
	} else {
		a := dispensing.ComputeAdherence(days[patientID], from, last)
		in.DueDoses, in.TakenDoses = a.Due, a.Taken
	}
	in.MD1BlocksInWindow = dispensing.MD1Runs(n, days[patientID], from, last)
	if b, _, err := md1Block(g, n, patientID, today); err != nil {
		return nil, err
	} else if b != nil {
		in.BlockedSince = b.Since
	}
	var screens []DrugScreen
	if err := g.Where("patient_id = ? AND date >= ? AND date <= ?", patientID, today.AddDays(-7*n.SC3ScreenWeeks), today).
		Order("date DESC, created_at DESC").Find(&screens).Error; err != nil {
		return nil, translate(err)
	}
	in.ScreensInWindow = len(screens)
	// The latest negative and the latest positive, whatever order the
	// screens of one day were entered in.
	var regs []Regime
	if err := g.Where("patient_id = ?", patientID).Find(&regs).Error; err != nil {
		return nil, translate(err)
	}
	for _, s := range screens { // newest first
		rx := prescribedAround(regs, s.Date)
		if s.NegativeForIllicitOpioids(rx) && in.LastNegativeOpioidScreen.IsZero() {
			in.LastNegativeOpioidScreen = s.Date
		}
		if found := s.IllicitOpioidsFound(rx); len(found) > 0 && in.PositiveSince.IsZero() {
			in.PositiveSince, in.PositiveFor = s.Date, found
		}
	}
	return sharedcare.Evaluate(n, in), nil
}

// judge applies the prescriber's overrides to the criteria: a failed
// criterion goes ahead only with a reason, given for its key or for "SC3".
// SC3 is an [U] default, so it never blocks outright.
func judge(n policy.Numbers, cs []sharedcare.Criterion, overrides []CriterionOverride) ([]SharedCareCriterion, []policy.Finding) {
	reasons := map[string]string{}
	for _, o := range overrides {
		if r := problem.TrimText(o.Reason); r != "" {
			reasons[o.Rule] = r
		}
	}
	out := make([]SharedCareCriterion, len(cs))
	var stopping []policy.Finding
	for i, c := range cs {
		out[i] = SharedCareCriterion{Criterion: c}
		if c.Met {
			continue
		}
		reason, ok := reasons[c.Key]
		if !ok {
			reason, ok = reasons["SC3"]
		}
		if ok {
			out[i].Overridden, out[i].OverrideReason = true, reason
			continue
		}
		stopping = append(stopping, n.FindingAt("SC3", policy.Override,
			fmt.Sprintf("%s: %s Not met: %s", c.Key, c.Description, c.Detail),
			fmt.Sprintf(`If shared care is still right, give a reason: overrides: [{"rule": %q, "reason": "..."}].`, c.Key)))
	}
	return out, stopping
}

// SharedCareProposal is a proposal's answer: the arrangement, and the
// findings to show with it, such as an override that was not needed.
type SharedCareProposal struct {
	SharedCareRecord
	Warnings []policy.Finding `json:"warnings"`
}

// unneededOverrides are SC3 info findings for the overrides given for
// criteria that are met: as with any rule that did not fire
// (policy.Decide), they are not recorded, and the prescriber is told so,
// with the proposal or with its refusal, rather than left to think a
// reason was filed.
func unneededOverrides(n policy.Numbers, cs []sharedcare.Criterion, overrides []CriterionOverride) []policy.Finding {
	out := []policy.Finding{}
	for _, o := range overrides {
		if o.Rule == "SC3" {
			if sharedcare.AllMet(cs) {
				out = append(out, n.FindingAt("SC3", policy.Info,
					"Every shared care criterion is met: the SC3 override was not needed and is not recorded.", ""))
			}
			continue
		}
		for _, c := range cs {
			if c.Key == o.Rule && c.Met {
				out = append(out, n.FindingAt("SC3", policy.Info,
					fmt.Sprintf("%s: %s Met, so its override was not needed and is not recorded.", c.Key, c.Description), ""))
			}
		}
	}
	return out
}

// ProposeSharedCare proposes shared care of a patient with a GP practice
// after checking SC3 eligibility; unmet criteria need override reasons.
func (tx *Tx) ProposeSharedCare(p auth.Principal, n policy.Numbers, in ProposeSharedCare, today calendar.Date) (SharedCareProposal, error) {
	var rec SharedCareProposal
	if err := tx.lockPatient(in.PatientID); err != nil {
		return rec, err
	}
	pt, err := patientFor(tx.g, p, in.PatientID)
	if err != nil {
		return rec, err
	}
	practice := in.PracticeID
	if practice == "" && pt.GPPracticeID != nil {
		practice = *pt.GPPracticeID
	}
	if practice == "" {
		return rec, problem.Invalidf("practice_id", "required", "practice_id is required: the patient has no registered GP practice")
	}
	if err := tx.checkOrg("practice_id", &practice, auth.GPPractice); err != nil {
		return rec, err
	}
	var open SharedCare
	err = tx.g.Where("patient_id = ? AND status IN ?", pt.ID, []string{SharedProposed, SharedAccepted}).Take(&open).Error
	if err == nil {
		return rec, &problem.Error{Code: problem.Conflict, Existing: open,
			Message: fmt.Sprintf("the patient already has %s %s shared care arrangement; hand it back before proposing another",
				article(string(open.Status)), open.Status)}
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return rec, translate(err)
	}
	cs, err := eligibility(tx.g, n, pt.ID, today)
	if err != nil {
		return rec, err
	}
	judged, stopping := judge(n, cs, in.Overrides)
	if len(stopping) > 0 {
		// As a refusal by policy.Decide lists overrides that do not apply,
		// this one lists those sent for criteria that are met.
		e := problem.Blocked(append(stopping, unneededOverrides(n, cs, in.Overrides)...))
		e.Message = fmt.Sprintf("SC3: %d of %d shared care criteria are not met; each needs an override reason.", len(stopping), len(cs))
		// The answer lists every criterion, met, failed or overridden, so
		// the prescriber sees the whole judgement, not only what stopped it.
		e.Criteria = judged
		return rec, e
	}
	now := tx.db.Now()
	sc := SharedCare{ID: newID(), PatientID: pt.ID, ServiceID: pt.ServiceID, PracticeID: practice, Status: SharedProposed,
		Criteria: judged, ProposedBy: p.UserID, ProposedAt: now}
	if err := tx.g.Create(&sc).Error; err != nil {
		return rec, translate(err)
	}
	if err := tx.Audit("shared_care.propose", "shared_care", sc.ID, sc); err != nil {
		return rec, err
	}
	if err := tx.sharedCareEvent(p, sc.ID, SharedProposed, PartyService, ""); err != nil {
		return rec, err
	}
	var applied []policy.OverrideReason
	for _, c := range judged {
		if c.Overridden {
			applied = append(applied, policy.OverrideReason{Rule: "SC3", Reason: c.Key + ": " + c.OverrideReason})
		}
	}
	if _, err := tx.recordOverrides(p, "shared_care", sc.ID, applied); err != nil {
		return rec, err
	}
	if err := tx.tellPracticeOfProposal(p, sc); err != nil {
		return rec, err
	}
	rec.Warnings = unneededOverrides(n, cs, in.Overrides)
	if w, err := otherPracticeWarning(tx.g, n, pt, practice); err != nil {
		return rec, err
	} else if w != nil {
		rec.Warnings = append(rec.Warnings, *w)
	}
	rec.SharedCareRecord, err = sharedCareRecord(tx.g, sc)
	return rec, err
}

// proposedKey is the dedupe key of the practice's notice of a proposal,
// resolved by the practice's answer or the service's withdrawal.
func proposedKey(scID string) string { return "shared_care:proposed:" + scID }

// tellPracticeOfProposal alerts the practice a proposal sc is made to: a
// GP otherwise finds a proposal only by looking through its patients. The
// alert is addressed to the practice (ADR 0008), and stays open until the
// arrangement is answered (resolveProposal).
func (tx *Tx) tellPracticeOfProposal(p auth.Principal, sc SharedCare) error {
	names, err := userNames(tx.g, func(add func(string)) { add(p.UserID) })
	if err != nil {
		return err
	}
	var org Organisation
	if err := tx.g.Take(&org, "id = ?", sc.ServiceID).Error; err != nil {
		return translate(err)
	}
	msg := sharedcare.ProposedMessage{SharedCareID: sc.ID, By: names[p.UserID], ByOrganisation: org.Name, On: calendar.DateOf(sc.ProposedAt, zoneOf(tx.g))}
	for _, c := range sc.Criteria {
		if c.Overridden {
			msg.Overridden = append(msg.Overridden, fmt.Sprintf("%s (reason given: %s)", c.Key, c.OverrideReason))
		}
	}
	r, err := currentRegime(tx.g, sc.PatientID)
	if err != nil {
		return err
	}
	med, _ := dosing.LookupMedicine(r.Medicine)
	msg.Injections = med.Injectable
	return tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, PracticeID: &sc.PracticeID, Kind: AlertSharedCare,
		Rule: "SC1", Message: msg.ToPractice(), DedupeKey: proposedKey(sc.ID)})
}

// resolveProposal resolves the practice's notice of a proposal once the
// arrangement is answered: accepted, declined or withdrawn.
func (tx *Tx) resolveProposal(sc SharedCare, what string) error {
	return tx.resolveAlerts(sc.PatientID, AlertSharedCare, proposedKey(sc.ID),
		resolution{Reason: "Shared care " + what, EntityType: "shared_care", EntityID: sc.ID})
}

// otherPracticeWarning is an SC1 warning when shared care is proposed to a
// practice the patient is not registered with: the GP who takes over
// prescribing is normally the patient's own. Nil for the registered one.
func otherPracticeWarning(g *gorm.DB, n policy.Numbers, pt Patient, practice string) (*policy.Finding, error) {
	registered := deref(pt.GPPracticeID)
	if registered == practice {
		return nil, nil
	}
	var o Organisation
	if err := g.Take(&o, "id = ?", practice).Error; err != nil {
		return nil, translate(err)
	}
	const action = "Check the practice: while shared care is open, the registered practice can only be set to it (PATCH /v1/patients/{id} gp_practice_id)."
	if registered == "" {
		f := n.FindingAt("SC1", policy.Warn, fmt.Sprintf("The patient has no registered GP practice; shared care is proposed to %s.", o.Name), action)
		return &f, nil
	}
	var reg Organisation
	if err := g.Take(&reg, "id = ?", registered).Error; err != nil {
		return nil, translate(err)
	}
	f := n.FindingAt("SC1", policy.Warn, fmt.Sprintf("Shared care is proposed to %s, not to %s, the practice the patient is registered with.", o.Name, reg.Name), action)
	return &f, nil
}

func (tx *Tx) sharedCareEvent(p auth.Principal, id, kind, party, reason string) error {
	ev := SharedCareEvent{ID: newID(), SharedCareID: id, Kind: kind, Party: party, UserID: p.UserID, Reason: reason, OccurredAt: tx.db.Now()}
	if err := tx.g.Create(&ev).Error; err != nil {
		return translate(err)
	}
	return nil
}

// sharedCareFor returns an arrangement the user is party to: the
// prescriber's service or the GP's practice. Anyone else gets NotFound.
func sharedCareFor(g *gorm.DB, p auth.Principal, id string) (SharedCare, error) {
	sc, err := sharedCareOfParty(g, p, id)
	if err != nil {
		return SharedCare{}, err
	}
	// A GP whose practice no longer holds the patient (declined, handed
	// back) sees neither the patient nor the arrangement.
	if _, err := patientFor(g, p, sc.PatientID); err != nil {
		return SharedCare{}, problem.NotFoundf("shared care arrangement not found")
	}
	return sc, nil
}

// sharedCareOfParty is an arrangement the user's organisation is party to,
// whatever has become of it since.
func sharedCareOfParty(g *gorm.DB, p auth.Principal, id string) (SharedCare, error) {
	var sc SharedCare
	if !ValidID(id) {
		return sc, problem.NotFoundf("shared care arrangement not found")
	}
	err := g.Take(&sc, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sc, problem.NotFoundf("shared care arrangement not found")
	}
	if err != nil {
		return sc, translate(err)
	}
	switch {
	case p.Role == auth.Prescriber && sc.ServiceID == p.OrgID:
	case p.Role == auth.GP && sc.PracticeID == p.OrgID:
	default:
		return SharedCare{}, problem.NotFoundf("shared care arrangement not found")
	}
	return sc, nil
}

// sharedCareToMove is the arrangement a user of a party accepts, declines
// or hands back (to). A GP's practice loses sight of the patient once its
// arrangement is declined or handed back, so a GP's answer that lost a
// race to a colleague's (or the service's) finds the arrangement closed:
// it is told so (409, naming where shared care now stands), as the
// service would be, and not that the arrangement does not exist; the
// practice was party to it, and the message says no more than its own
// answer or the service's alert told it. The arrangement itself stays out
// of the answer, as the patient's record does.
func sharedCareToMove(g *gorm.DB, p auth.Principal, id, to string) (SharedCare, error) {
	sc, err := sharedCareOfParty(g, p, id)
	if err != nil {
		return SharedCare{}, err
	}
	if _, err := patientFor(g, p, sc.PatientID); err != nil {
		if sc.Status == SharedDeclined || sc.Status == SharedHandedBack {
			return SharedCare{}, problem.Conflictf("%s", transitionConflict(sc.Status, to))
		}
		return SharedCare{}, problem.NotFoundf("shared care arrangement not found")
	}
	return sc, nil
}

// transition moves an arrangement from one of the allowed statuses, with a
// conditional update so that two answers racing cannot both win.
func (tx *Tx) transition(sc SharedCare, from []string, to string, extra map[string]any) error {
	ok := false
	for _, f := range from {
		ok = ok || sc.Status == f
	}
	if !ok {
		return &problem.Error{Code: problem.Conflict, Existing: sc, Message: transitionConflict(sc.Status, to)}
	}
	updates := map[string]any{"status": to}
	for k, v := range extra {
		updates[k] = v
	}
	res := tx.g.Model(&SharedCare{}).Where("id = ? AND status IN ?", sc.ID, from).Updates(updates)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		// Another answer won meanwhile: say where shared care stands now.
		var now SharedCare
		if err := tx.g.Take(&now, "id = ?", sc.ID).Error; err != nil {
			return translate(err)
		}
		return problem.Conflictf("%s", transitionConflict(now.Status, to))
	}
	return nil
}

// transitionConflict says in plain words why an arrangement in status
// cannot move to status to, and what can be done instead. The moves are
// accept and decline (from proposed) and hand back (from proposed, or only
// from accepted for the practice).
func transitionConflict(status, to string) string {
	words := map[string]string{SharedProposed: "proposed", SharedAccepted: "accepted",
		SharedDeclined: "declined", SharedHandedBack: "handed back"}
	verbs := map[string]string{SharedAccepted: "accept", SharedDeclined: "decline", SharedHandedBack: "hand back"}
	switch {
	case status == to:
		return fmt.Sprintf("shared care is already %s", words[status])
	case status == SharedProposed:
		// Only the practice is refused here: it has not taken over
		// prescribing, so it has nothing to hand back.
		return "shared care is only proposed; the practice declines a proposal rather than handing it back"
	case status == SharedAccepted:
		return fmt.Sprintf("shared care is already accepted, so it can no longer be %s; hand it back to end it", words[to])
	default:
		// Declined and handed back are final: a new arrangement starts
		// with a new proposal.
		return fmt.Sprintf("shared care was %s, so there is nothing to %s; the service may propose it again", words[status], verbs[to])
	}
}

// SharedCareAcceptance is an acceptance's answer: the arrangement, its
// criteria judged again on the day of acceptance, and an SC3 warning for
// each criterion met at the proposal that no longer is.
type SharedCareAcceptance struct {
	SharedCareRecord
	Warnings []policy.Finding `json:"warnings"`
}

// AcceptSharedCare is the GP practice taking over prescribing. Review dates
// are set: the specialist reviews at least yearly (SC1), the regime every
// M5 interval. The SC3 criteria are judged again, as a proposal today
// would judge them: the practice decides on what holds now, so a
// criterion met at the proposal and not now is a warning in the answer,
// an alert to the service, and what the arrangement (and the letter)
// records; the proposal's judgement stays beside it (at_proposal). SC3 is
// advice [U], and the practice is a clinician deciding with it in front
// of it, so acceptance is not stopped.
//
// zone is the service's time zone, to date the proposal in messages.
func (tx *Tx) AcceptSharedCare(p auth.Principal, n policy.Numbers, id string, today calendar.Date, zone *time.Location) (SharedCareAcceptance, error) {
	rec := SharedCareAcceptance{Warnings: []policy.Finding{}}
	if err := tx.lockPatientOf(ofSharedCare, id); err != nil {
		return rec, err
	}
	sc, err := sharedCareToMove(tx.g, p, id, SharedAccepted)
	if err != nil {
		return rec, err
	}
	if sc.Status == SharedProposed {
		// Shared care continues a treatment (SC1). Ending the regime closes
		// the arrangement, but one left open by an earlier release must not
		// pass prescribing of nothing to the practice.
		var active int64
		if err := tx.g.Model(&Regime{}).Where("patient_id = ? AND status = ?", sc.PatientID, RegimeActive).Count(&active).Error; err != nil {
			return rec, translate(err)
		}
		if active == 0 {
			const why = "The patient has no active regime: the treatment this shared care would continue has ended."
			const action = "Ask the specialist service to withdraw this proposal (hand it back); it proposes shared care again once a new regime is stable."
			return rec, &problem.Error{Code: problem.Conflict, Existing: sc, Message: "SC1: " + why + " " + action,
				Findings: []policy.Finding{n.FindingAt("SC1", policy.Block, why, action)}}
		}
	}
	spec := regimes.AddMonths(today, n.SC1SpecialistReviewMonths)
	gp := regimes.AddMonths(today, n.M5ReviewMonths)
	extra := map[string]any{"specialist_review_due": spec, "gp_review_due": gp}
	var lapsed []sharedcare.Lapse
	if sc.Status == SharedProposed {
		cs, err := eligibility(tx.g, n, sc.PatientID, today)
		if err != nil {
			return rec, err
		}
		sc.Criteria, lapsed = rejudge(sc.Criteria, cs)
		buf, err := json.Marshal(sc.Criteria)
		if err != nil {
			return rec, err
		}
		extra["criteria"] = string(buf)
	}
	if err := tx.transition(sc, []string{SharedProposed}, SharedAccepted, extra); err != nil {
		return rec, err
	}
	was := sc.Status
	sc.Status, sc.SpecialistReviewDue, sc.GPReviewDue = SharedAccepted, spec, gp
	if err := tx.sharedCareEvent(p, sc.ID, SharedAccepted, PartyPractice, ""); err != nil {
		return rec, err
	}
	if zone == nil {
		zone = time.UTC
	}
	proposed := calendar.DateOf(sc.ProposedAt, zone)
	var lapsedKeys []string
	for _, l := range lapsed {
		lapsedKeys = append(lapsedKeys, l.Now.Key)
		rec.Warnings = append(rec.Warnings, n.FindingAt("SC3", policy.Warn, l.Message(proposed),
			"The specialist service is alerted; discuss with it whether shared care is still right. Either party may hand prescribing back (SC1)."))
	}
	if err := tx.Audit("shared_care.accept", "shared_care", sc.ID, map[string]any{"specialist_review_due": spec, "gp_review_due": gp,
		"criteria": sc.Criteria, "lapsed_criteria": lapsedKeys, "status": statusChange(was, SharedAccepted)}); err != nil {
		return rec, err
	}
	if rec.SharedCareRecord, err = sharedCareRecord(tx.g, sc); err != nil {
		return rec, err
	}
	if err := tx.resolveProposal(sc, "accepted by the practice"); err != nil {
		return rec, err
	}
	if len(lapsed) > 0 {
		// This notice says the practice accepted, and what no longer holds.
		if err := tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, Kind: AlertSharedCare, Rule: "SC3",
			Message:   sharedcare.LapsedToService(rec.PracticeName, proposed, today, lapsed),
			DedupeKey: "shared_care:accepted_lapsed:" + sc.ID}); err != nil {
			return rec, err
		}
		return rec, nil
	}
	// The service is told, as it is of a decline (SC1): from now on
	// prescribing (or giving Buvidal) is the practice's.
	names, err := userNames(tx.g, func(add func(string)) { add(p.UserID) })
	if err != nil {
		return rec, err
	}
	r, err := currentRegime(tx.g, sc.PatientID)
	if err != nil {
		return rec, err
	}
	med, _ := dosing.LookupMedicine(r.Medicine)
	msg := sharedcare.AcceptedMessage{Practice: rec.PracticeName, By: names[p.UserID], On: today, Injections: med.Injectable}
	return rec, tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, Kind: AlertSharedCare, Rule: "SC1",
		Message: msg.ToService(), DedupeKey: "shared_care:accepted:" + sc.ID})
}

// rejudge is an arrangement's criteria judged again (now), each keeping
// how it stood at the proposal (then) and the prescriber's override while
// it is still unmet, with those met then and not now.
func rejudge(then []SharedCareCriterion, now []sharedcare.Criterion) ([]SharedCareCriterion, []sharedcare.Lapse) {
	out := make([]SharedCareCriterion, len(now))
	before := make([]sharedcare.Criterion, len(then))
	for i, t := range then {
		before[i] = t.Criterion
	}
	for i, c := range now {
		out[i] = SharedCareCriterion{Criterion: c}
		for _, t := range then {
			if t.Key != c.Key {
				continue
			}
			out[i].AtProposal = &CriterionAtProposal{Met: t.Met, Detail: t.Detail, Overridden: t.Overridden}
			if !c.Met && t.Overridden {
				out[i].Overridden, out[i].OverrideReason = true, t.OverrideReason
			}
		}
	}
	return out, sharedcare.Lapsed(before, now)
}

// DeclineSharedCare is the GP practice refusing a proposal, with a reason;
// the service is alerted.
func (tx *Tx) DeclineSharedCare(p auth.Principal, n policy.Numbers, id, reason string) (SharedCareRecord, error) {
	if err := tx.lockPatientOf(ofSharedCare, id); err != nil {
		return SharedCareRecord{}, err
	}
	sc, err := sharedCareToMove(tx.g, p, id, SharedDeclined)
	if err != nil {
		return SharedCareRecord{}, err
	}
	if err := tx.transition(sc, []string{SharedProposed}, SharedDeclined, nil); err != nil {
		return SharedCareRecord{}, err
	}
	was := sc.Status
	sc.Status = SharedDeclined
	if err := tx.sharedCareEvent(p, sc.ID, SharedDeclined, PartyPractice, reason); err != nil {
		return SharedCareRecord{}, err
	}
	if err := tx.Audit("shared_care.decline", "shared_care", sc.ID, map[string]any{"reason": reason, "status": statusChange(was, SharedDeclined)}); err != nil {
		return SharedCareRecord{}, err
	}
	if err := tx.resolveProposal(sc, "declined by the practice: "+reason); err != nil {
		return SharedCareRecord{}, err
	}
	msg := sharedcare.DeclinedMessage{Reason: reason}
	r, err := currentRegime(tx.g, sc.PatientID)
	if err != nil {
		return SharedCareRecord{}, err
	}
	if msg.Injections, msg.NextInjection, err = injectionsOf(tx.g, n, r); err != nil {
		return SharedCareRecord{}, err
	}
	if err := tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, Kind: AlertSharedCare, Rule: "SC1",
		Message: msg.ToService(), DedupeKey: "shared_care:declined:" + sc.ID}); err != nil {
		return SharedCareRecord{}, err
	}
	return sharedCareRecord(tx.g, sc)
}

// HandBack is a hand-back's answer: the arrangement, and the prescriptions
// the practice's GPs signed that are still live. Those stay valid at the
// pharmacy, which may be dispensing from the paper, until the service
// decides to let each run to its end or to cancel it (ADR 0008).
type HandBack struct {
	SharedCareRecord
	LivePracticePrescriptions []Prescription `json:"live_practice_prescriptions"`
}

// HandBackSharedCare ends an arrangement: either party may hand
// prescribing back, and the other is alerted (SC1). A proposal handed back
// by the service is withdrawn. Prescriptions the practice's GPs signed are
// left as they are, for the service to decide about.
func (tx *Tx) HandBackSharedCare(p auth.Principal, n policy.Numbers, id, reason string, today calendar.Date) (HandBack, error) {
	if err := tx.lockPatientOf(ofSharedCare, id); err != nil {
		return HandBack{}, err
	}
	sc, err := sharedCareToMove(tx.g, p, id, SharedHandedBack)
	if err != nil {
		return HandBack{}, err
	}
	if p.Role == auth.GP {
		// A practice that has not accepted declines instead.
		return tx.closeSharedCare(p, n, sc, closing{party: PartyPractice, from: []string{SharedAccepted}, reason: reason, today: today})
	}
	return tx.closeSharedCare(p, n, sc, closing{party: PartyService, from: []string{SharedProposed, SharedAccepted}, reason: reason, today: today})
}

// closing is how an arrangement ends: by which party, from which
// statuses, why, on which day (for the practice's prescriptions still
// live), and, when the service ended the regime, on which day and which of
// the practice's prescriptions that cancelled.
type closing struct {
	party       string
	from        []string
	reason      string
	today       calendar.Date
	regimeEnded calendar.Date
	cancelled   []Prescription
}

// closeSharedCare hands an arrangement back (or withdraws a proposal), with
// the reason on the timeline and in the audit trail.
//
// The other party is alerted. The practice gets an alert addressed to it
// (practice_id), which it keeps seeing after it has lost sight of the
// patient: it says only who the patient is (name, NHS number, date of
// birth, as on every alert), that the service took prescribing back or
// withdrew, the reason, and which of the practice's own prescriptions are
// still live or were cancelled. The service gets the hand-back of a
// practice, or, whoever handed back, the practice's prescriptions still
// live, which it must decide about.
func (tx *Tx) closeSharedCare(p auth.Principal, n policy.Numbers, sc SharedCare, c closing) (HandBack, error) {
	was := sc.Status
	wasAccepted := was == SharedAccepted
	if err := tx.transition(sc, c.from, SharedHandedBack, nil); err != nil {
		return HandBack{}, err
	}
	sc.Status = SharedHandedBack
	reason := c.reason
	if !c.regimeEnded.IsZero() {
		reason = RegimeEndReason(c.regimeEnded, c.reason)
	}
	if err := tx.sharedCareEvent(p, sc.ID, SharedHandedBack, c.party, reason); err != nil {
		return HandBack{}, err
	}
	live, err := practicePrescriptions(tx.g, sc, c.today)
	if err != nil {
		return HandBack{}, err
	}
	if err := tx.Audit("shared_care.hand_back", "shared_care", sc.ID, map[string]any{"party": c.party, "reason": reason,
		"live_practice_prescriptions": serials(live), "cancelled_practice_prescriptions": serials(c.cancelled),
		"status": statusChange(was, SharedHandedBack)}); err != nil {
		return HandBack{}, err
	}
	if !wasAccepted {
		if err := tx.resolveProposal(sc, "proposal withdrawn by the service: "+reason); err != nil {
			return HandBack{}, err
		}
	}
	// The reviews shared care asked for (SC1, M5) are no longer the
	// arrangement's to do.
	closed := resolution{Reason: "Shared care ended: " + reason, EntityType: "shared_care", EntityID: sc.ID}
	for _, k := range []struct{ kind, prefix string }{{AlertSpecialistReviewDue, "sc_review:specialist:"}, {AlertGPReviewDue, "sc_review:gp:"}} {
		if err := tx.resolveAlerts(sc.PatientID, k.kind, k.prefix+sc.ID+":", closed); err != nil {
			return HandBack{}, err
		}
	}
	names, err := prescriberNames(tx.g, append(slices.Clone(live), c.cancelled...))
	if err != nil {
		return HandBack{}, err
	}
	msg := sharedcare.ClosedMessage{ByService: c.party == PartyService, WasAccepted: wasAccepted, Reason: c.reason,
		RegimeEnded: c.regimeEnded, Live: prescriptionRefs(live, names), Cancelled: prescriptionRefs(c.cancelled, names)}
	r, err := currentRegime(tx.g, sc.PatientID)
	if err != nil {
		return HandBack{}, err
	}
	if msg.Injections, msg.NextInjection, err = injectionsOf(tx.g, n, r); err != nil {
		return HandBack{}, err
	}
	if c.party == PartyService {
		if err := tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, PracticeID: &sc.PracticeID, Kind: AlertSharedCare,
			Rule: "SC1", Message: msg.ToPractice(), DedupeKey: "shared_care:closed_by_service:" + sc.ID}); err != nil {
			return HandBack{}, err
		}
	}
	if toService := msg.ToService(); toService != "" {
		if err := tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, Kind: AlertSharedCare, Rule: "SC1",
			Message: toService, DedupeKey: "shared_care:handed_back:" + sc.ID}); err != nil {
			return HandBack{}, err
		}
	}
	rec, err := sharedCareRecord(tx.g, sc)
	return HandBack{SharedCareRecord: rec, LivePracticePrescriptions: nonNil(live)}, err
}

// prescribingHeldByPractice is, when a user of the service writes or issues
// a prescription for a patient whose prescribing a practice holds under
// accepted shared care, that arrangement with the SC1 warning for the
// answer: prescribing sits with the practice. Nil for anyone else.
func (tx *Tx) prescribingHeldByPractice(p auth.Principal, n policy.Numbers, patientID string) (*SharedCare, []policy.Finding, error) {
	if p.Role != auth.Prescriber {
		return nil, nil, nil
	}
	sc, err := openSharedCare(tx.g, patientID)
	if err != nil || sc == nil || sc.Status != SharedAccepted {
		return nil, nil, err
	}
	var o Organisation
	if err := tx.g.Take(&o, "id = ?", sc.PracticeID).Error; err != nil {
		return nil, nil, translate(err)
	}
	msg, action := sharedcare.ServicePrescribingWarning(o.Name)
	return sc, []policy.Finding{n.FindingAt("SC1", policy.Warn, msg, action)}, nil
}

// tellPracticeOfServicePrescription alerts the practice holding accepted
// shared care (sc) that the service issued pr, which covers days the
// practice would otherwise prescribe (SC1); drafter wrote the draft the
// service signed ("" when the signer wrote it).
func (tx *Tx) tellPracticeOfServicePrescription(sc *SharedCare, pr Prescription, drafter string) error {
	if sc == nil || pr.Status != StatusIssued {
		return nil
	}
	names, err := userNames(tx.g, func(add func(string)) { add(pr.PrescriberID); add(drafter) })
	if err != nil {
		return err
	}
	msg := sharedcare.ServicePrescribed{Prescription: prescriptionRefs([]Prescription{pr}, names)[0]}
	if drafter != "" && drafter != pr.PrescriberID {
		msg.DraftedBy = names[drafter]
	}
	return tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, PracticeID: &sc.PracticeID, Kind: AlertSharedCare,
		Rule: "SC1", Message: msg.ToPractice(), DedupeKey: "shared_care:service_issued:" + pr.ID})
}

// uncoveredByCancel are the days from today (or its start) to the end of a
// cancelled prescription pr that no supply already made covers, in runs:
// while the regime runs, the pharmacy has nothing to dispense them from.
func (tx *Tx) uncoveredByCancel(pr Prescription, today calendar.Date) ([]dayRange, error) {
	from := pr.StartDate
	if from.Before(today) {
		from = today
	}
	if pr.EndDate.Before(from) || pr.IssuedAt == nil {
		return nil, nil
	}
	var r Regime
	if err := tx.g.Take(&r, "id = ?", pr.RegimeID).Error; err != nil {
		return nil, translate(err)
	}
	if r.Status != RegimeActive {
		return nil, nil
	}
	supplies, err := suppliesOf(tx.g, pr.PatientID, "", from, pr.EndDate)
	if err != nil {
		return nil, err
	}
	supplied := map[calendar.Date]bool{}
	for _, s := range supplies {
		for _, d := range s.Covers {
			supplied[d] = true
		}
	}
	var out []dayRange
	for d := from; !d.After(pr.EndDate); d = d.AddDays(1) {
		switch {
		case supplied[d]:
		case len(out) > 0 && out[len(out)-1].to.Equal(d.AddDays(-1)):
			out[len(out)-1].to = d
		default:
			out = append(out, dayRange{from: d, to: d})
		}
	}
	return out, nil
}

// afterCancel is what cancelling an issued prescription pr leaves: an MD5
// finding for the answer naming the days to come it no longer covers, and,
// when the canceller's organisation is not the signer's (a GP cancelling
// the service's reissue, the service a GP's prescription), an alert to the
// signer's organisation, which answers for it (L1) and may need to
// prescribe those days.
func (tx *Tx) afterCancel(p auth.Principal, n policy.Numbers, pr Prescription, reason string, today calendar.Date) ([]policy.Finding, error) {
	gaps, err := tx.uncoveredByCancel(pr, today)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(gaps))
	for i, g := range gaps {
		texts[i] = g.text()
	}
	uncovered := strings.Join(texts, ", ")
	signerOrg, err := signerOrganisation(tx.g, pr)
	if err != nil {
		return nil, err
	}
	other := pr.IssuedAt != nil && signerOrg != "" && signerOrg != p.OrgID
	var out []policy.Finding
	if uncovered != "" {
		action := "Write a prescription for those days, or make sure the patient is not expecting a dose."
		if other {
			action = "The organisation that signed it is alerted; agree with it who prescribes those days."
		}
		out = append(out, n.Finding("MD5", fmt.Sprintf("Cancelling prescription %s leaves %s without a prescription: the pharmacy has nothing to dispense from.",
			pr.Serial, uncovered), action))
	}
	return out, tx.tellSignerOfCancel(p, pr, cancelNotice{reason: reason, today: today, uncovered: uncovered})
}

// signerOrganisation is the organisation of the user who signed pr.
func signerOrganisation(g *gorm.DB, pr Prescription) (string, error) {
	var org string
	if err := g.Table("users").Select("organisation_id").Where("id = ?", pr.PrescriberID).Scan(&org).Error; err != nil {
		return "", translate(err)
	}
	return org, nil
}

// cancelNotice is what the signer of a cancelled prescription is told
// beside who cancelled it: why, on which day, the days left without a
// prescription, and the prescriptions carrying its remaining days.
type cancelNotice struct {
	reason    string
	today     calendar.Date
	uncovered string
	reissued  []Prescription
}

// tellSignerOfCancel alerts the organisation whose prescriber signed pr,
// an issued prescription a user of another organisation (p's) cancelled:
// the signer answers for it (L1) and may need to prescribe its days
// (SC1). Every cancellation of another's prescription comes here — one
// asked for, the end of the regime, a change reissuing it — except those
// a shared-care notice of the same change already names to the practice
// holding the arrangement (the hand-back at a regime end, a change under
// accepted shared care). An alert addressed to a practice goes on being
// seen by it after shared care ended (ADR 0008). Nothing for one's own.
func (tx *Tx) tellSignerOfCancel(p auth.Principal, pr Prescription, c cancelNotice) error {
	if pr.IssuedAt == nil {
		return nil
	}
	signerOrg, err := signerOrganisation(tx.g, pr)
	if err != nil || signerOrg == "" || signerOrg == p.OrgID {
		return err
	}
	names, err := userNames(tx.g, func(add func(string)) {
		add(pr.PrescriberID)
		add(p.UserID)
		for _, r := range c.reissued {
			add(r.PrescriberID)
		}
	})
	if err != nil {
		return err
	}
	var org Organisation
	if err := tx.g.Take(&org, "id = ?", p.OrgID).Error; err != nil {
		return translate(err)
	}
	msg := sharedcare.CancelledByOther{By: names[p.UserID], ByOrganisation: org.Name, Prescription: prescriptionRefs([]Prescription{pr}, names)[0],
		Reason: c.reason, On: c.today, Uncovered: c.uncovered, ReissuedAs: prescriptionRefs(c.reissued, names)}
	a := Alert{ServiceID: pr.ServiceID, PatientID: pr.PatientID, Kind: AlertSharedCare, Rule: "SC1", Message: msg.ToSigner(),
		DedupeKey: "prescription_cancelled:" + pr.ID}
	if signerOrg != pr.ServiceID {
		a.PracticeID = &signerOrg
	}
	return tx.raiseAlert(a)
}

// resolveHandBackNotices resolves, once pr is cancelled, the hand-back
// notices that listed it among the practice's prescriptions still valid
// at the pharmacy — the practice's "still valid" and the service's
// "decide for each" (ADR 0008) — when none of those it listed is still
// valid: nothing is left to decide, and the practice, told of the cancel,
// must not read its prescription as running. A notice listing another
// still running stays open.
func (tx *Tx) resolveHandBackNotices(pr Prescription, by resolution) error {
	if pr.IssuedAt == nil {
		return nil
	}
	signerOrg, err := signerOrganisation(tx.g, pr)
	if err != nil || signerOrg == "" {
		return err
	}
	var backs []struct {
		ID         string
		OccurredAt time.Time
	}
	if err := tx.g.Table("shared_care s").Select("s.id, ev.occurred_at").
		Joins("JOIN shared_care_events ev ON ev.shared_care_id = s.id AND ev.kind = ?", SharedHandedBack).
		Where("s.patient_id = ? AND s.practice_id = ? AND s.status = ? AND ev.occurred_at >= ?", pr.PatientID, signerOrg, SharedHandedBack, *pr.IssuedAt).
		Order("s.id").Scan(&backs).Error; err != nil {
		return translate(err)
	}
	zone, today := zoneOf(tx.g), todayOf(tx.g)
	for _, b := range backs {
		day := calendar.DateOf(b.OccurredAt, zone)
		if pr.EndDate.Before(day) {
			continue // over before the hand-back: not listed
		}
		var still int64
		if err := tx.g.Model(&Prescription{}).
			Where("patient_id = ? AND status = ? AND id <> ? AND issued_at <= ? AND end_date >= ? AND end_date >= ?",
				pr.PatientID, StatusIssued, pr.ID, b.OccurredAt, day, today).
			Where("prescriber_id IN (SELECT u.id FROM users u WHERE u.organisation_id = ?)", signerOrg).
			Count(&still).Error; err != nil {
			return translate(err)
		}
		if still > 0 {
			continue
		}
		for _, key := range []string{"shared_care:closed_by_service:" + b.ID, "shared_care:handed_back:" + b.ID} {
			if err := tx.resolveAlerts(pr.PatientID, AlertSharedCare, key, by); err != nil {
				return err
			}
		}
	}
	return nil
}

// SharedRegimeChanged is the timeline step of a change the service made
// to the regime under accepted shared care.
const SharedRegimeChanged = "regime_changed"

// tellPracticeOfChange records a change the service made to the regime
// (changeID: the dose change or settings entry) on an accepted
// arrangement's timeline, audited, and alerts the practice, which
// prescribes what is in force (SC1), with the live prescriptions the
// change cancelled and reissued under the service. The signer of any
// other prescription the change cancelled whose organisation is not the
// changer's (a practice after its shared care ended, or one only proposed
// to) is told by its own alert naming the reissue (tellSignerOfCancel).
func (tx *Tx) tellPracticeOfChange(p auth.Principal, n policy.Numbers, r Regime, changeID, what, reason string, reissued []Prescription) error {
	sc, err := openSharedCare(tx.g, r.PatientID)
	if err != nil {
		return err
	}
	var oldIDs []string
	for _, pr := range reissued {
		if pr.ReplacesID != nil && !slices.Contains(oldIDs, *pr.ReplacesID) {
			oldIDs = append(oldIDs, *pr.ReplacesID)
		}
	}
	var olds []Prescription
	if len(oldIDs) > 0 {
		if err := tx.g.Where("id IN ?", oldIDs).Order("start_date, id").Find(&olds).Error; err != nil {
			return translate(err)
		}
	}
	accepted := sc != nil && sc.Status == SharedAccepted
	today := todayOf(tx.g)
	// The signer is told the change and its reason, as the practice
	// holding shared care is, not only that the days were reissued.
	why := sharedcare.RegimeChange{What: what, Reason: reason}.Timeline()
	for _, old := range olds {
		org, err := signerOrganisation(tx.g, old)
		if err != nil {
			return err
		}
		if accepted && org == sc.PracticeID {
			continue // the regime_changed notice below names it
		}
		var carried []Prescription
		for _, pr := range reissued {
			if pr.ReplacesID != nil && *pr.ReplacesID == old.ID {
				carried = append(carried, pr)
			}
		}
		if err := tx.tellSignerOfCancel(p, old, cancelNotice{reason: why, today: today, reissued: carried}); err != nil {
			return err
		}
	}
	if !accepted {
		return nil
	}
	names, err := prescriberNames(tx.g, append(slices.Clone(olds), reissued...))
	if err != nil {
		return err
	}
	change := sharedcare.RegimeChange{What: what, Reason: reason}
	if change.Injections, change.NextInjection, err = injectionsOf(tx.g, n, r); err != nil {
		return err
	}
	replaced := map[string][]string{}
	for _, old := range olds {
		rep := sharedcare.Replacement{Old: prescriptionRefs([]Prescription{old}, names)[0]}
		for _, pr := range reissued {
			if pr.ReplacesID != nil && *pr.ReplacesID == old.ID {
				rep.New = append(rep.New, prescriptionRefs([]Prescription{pr}, names)[0])
				replaced[old.Serial] = append(replaced[old.Serial], pr.Serial)
			}
		}
		change.Replaced = append(change.Replaced, rep)
	}
	if err := tx.sharedCareEvent(p, sc.ID, SharedRegimeChanged, PartyService, change.Timeline()); err != nil {
		return err
	}
	if err := tx.Audit("shared_care.regime_changed", "shared_care", sc.ID, map[string]any{"regime_id": r.ID, "change_id": changeID,
		"change": change.Timeline(), "replaced": replaced}); err != nil {
		return err
	}
	return tx.raiseAlert(Alert{ServiceID: sc.ServiceID, PatientID: sc.PatientID, PracticeID: &sc.PracticeID, Kind: AlertRegimeChanged,
		Rule: "SC1", Message: change.ToPractice(), DedupeKey: "regime_changed:" + sc.ID + ":" + changeID})
}

// endSharedCareWithRegime closes the patient's open arrangement when the
// service ends the regime: shared care continues a treatment (SC1), so with
// none there is nothing for the practice to prescribe or review. It is the
// service's hand-back (or the withdrawal of a proposal) with the end's
// reason; the practice is told which of its GPs' prescriptions the end
// cancelled.
func (tx *Tx) endSharedCareWithRegime(p auth.Principal, n policy.Numbers, r Regime, reason string, cancelled []Prescription) error {
	sc, err := openSharedCare(tx.g, r.PatientID)
	if err != nil || sc == nil {
		return err
	}
	var users []string
	if err := tx.g.Table("users").Where("organisation_id = ?", sc.PracticeID).Pluck("id", &users).Error; err != nil {
		return translate(err)
	}
	var theirs []Prescription
	for _, pr := range cancelled {
		if slices.Contains(users, pr.PrescriberID) {
			theirs = append(theirs, pr)
		}
	}
	_, err = tx.closeSharedCare(p, n, *sc, closing{party: PartyService, from: []string{SharedProposed, SharedAccepted}, reason: reason,
		today: r.EndedOn, regimeEnded: r.EndedOn, cancelled: theirs})
	return err
}

// tellSignersOfEnd alerts the signer of each prescription the end of the
// regime cancelled that belongs to an organisation other than the ender's,
// unless the practice holding the accepted arrangement the end closes is
// told by that notice (endSharedCareWithRegime; a withdrawn proposal's
// names none): a practice whose shared care was
// handed back earlier, its prescription still running, hears of it too.
func (tx *Tx) tellSignersOfEnd(p auth.Principal, r Regime, reason string, cancelled []Prescription) error {
	sc, err := openSharedCare(tx.g, r.PatientID)
	if err != nil {
		return err
	}
	for _, pr := range cancelled {
		org, err := signerOrganisation(tx.g, pr)
		if err != nil {
			return err
		}
		if sc != nil && sc.Status == SharedAccepted && org == sc.PracticeID {
			continue
		}
		// The regime has ended, so no day after it needs a prescription.
		if err := tx.tellSignerOfCancel(p, pr, cancelNotice{reason: RegimeEndReason(r.EndedOn, reason), today: todayOf(tx.g)}); err != nil {
			return err
		}
	}
	return nil
}

// currentRegime is the patient's active regime, else the latest; zero when
// the patient has none.
func currentRegime(g *gorm.DB, patientID string) (Regime, error) {
	var r Regime
	err := g.Where("patient_id = ?", patientID).Order("CASE WHEN status = 'active' THEN 0 ELSE 1 END, start_date DESC, id DESC").Take(&r).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return Regime{}, translate(err)
	}
	return r, nil
}

// injectionsOf reports whether a regime is given by injection (Buvidal),
// which the practice gives rather than prescribes under shared care (ADR
// 0009), and, while it runs, when its next regular injection is due: the
// date the regime view and the overdue alert give (nextInjection, BV8),
// the first after a weekly/monthly switch included. Zero once it ended.
func injectionsOf(g *gorm.DB, n policy.Numbers, r Regime) (bool, calendar.Date, error) {
	med, _ := dosing.LookupMedicine(r.Medicine)
	if !med.Injectable || r.Status != RegimeActive {
		return med.Injectable, calendar.Date{}, nil
	}
	next, err := nextInjection(g, r, n)
	return true, next.Due, err
}

// practicePrescriptions are the patient's issued prescriptions signed by a
// GP of the arrangement's practice that run to today or later.
func practicePrescriptions(g *gorm.DB, sc SharedCare, today calendar.Date) ([]Prescription, error) {
	var out []Prescription
	err := g.Where("patient_id = ? AND status = ? AND end_date >= ?", sc.PatientID, StatusIssued, today).
		Where("prescriber_id IN (SELECT u.id FROM users u WHERE u.organisation_id = ?)", sc.PracticeID).
		Order("start_date, id").Find(&out).Error
	return out, translate(err)
}

func prescriberNames(g *gorm.DB, ps []Prescription) (map[string]string, error) {
	return userNames(g, func(add func(string)) {
		for _, pr := range ps {
			add(pr.PrescriberID)
		}
	})
}

func prescriptionRefs(ps []Prescription, names map[string]string) []sharedcare.PrescriptionRef {
	out := make([]sharedcare.PrescriptionRef, len(ps))
	for i, pr := range ps {
		out[i] = sharedcare.PrescriptionRef{Serial: pr.Serial, Start: pr.StartDate, End: pr.EndDate, Prescriber: names[pr.PrescriberID]}
	}
	return out
}

func serials(ps []Prescription) []string {
	out := make([]string, len(ps))
	for i, pr := range ps {
		out[i] = pr.Serial
	}
	return out
}

// SharedCareOf lists a patient's arrangements the user is party to, newest
// first, each with its timeline.
func (db *DB) SharedCareOf(ctx context.Context, p auth.Principal, n policy.Numbers, patientID string) ([]SharedCareRecord, error) {
	g := db.read(ctx)
	if _, err := patientFor(g, p, patientID); err != nil {
		return nil, err
	}
	q := g.Where("patient_id = ?", patientID).Order("proposed_at DESC, id DESC")
	switch p.Role {
	case auth.Prescriber:
		q = q.Where("service_id = ?", p.OrgID)
	case auth.GP:
		q = q.Where("practice_id = ?", p.OrgID)
	default:
		q = q.Where("1 = 0")
	}
	var scs []SharedCare
	if err := q.Find(&scs).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]SharedCareRecord, 0, len(scs))
	for _, sc := range scs {
		if err := moveReviewsOn(g, n, &sc); err != nil {
			return nil, err
		}
		rec, err := sharedCareRecord(g, sc)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// SharedCareByID returns one arrangement the user is party to.
func (db *DB) SharedCareByID(ctx context.Context, p auth.Principal, n policy.Numbers, id string) (SharedCareRecord, error) {
	sc, err := sharedCareFor(db.read(ctx), p, id)
	if err != nil {
		return SharedCareRecord{}, err
	}
	if err := moveReviewsOn(db.read(ctx), n, &sc); err != nil {
		return SharedCareRecord{}, err
	}
	return sharedCareRecord(db.read(ctx), sc)
}

// OpenSharedCareFor is the proposed or accepted arrangement of a patient
// the user may see, when the user's organisation is party to it; nil
// otherwise.
func (db *DB) OpenSharedCareFor(ctx context.Context, p auth.Principal, patientID string) (*SharedCare, error) {
	g := db.read(ctx)
	if _, err := patientFor(g, p, patientID); err != nil {
		return nil, err
	}
	sc, err := openSharedCare(g, patientID)
	if err != nil || sc == nil {
		return nil, err
	}
	if (p.Role == auth.GP && sc.PracticeID == p.OrgID) || (p.Role == auth.Prescriber && sc.ServiceID == p.OrgID) {
		return sc, nil
	}
	return nil, nil
}

// openSharedCare is the patient's proposed or accepted arrangement, if any.
func openSharedCare(g *gorm.DB, patientID string) (*SharedCare, error) {
	var sc SharedCare
	err := g.Where("patient_id = ? AND status IN ?", patientID, []string{SharedProposed, SharedAccepted}).Take(&sc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	return &sc, nil
}

// latestSharedCare is the service's most recent arrangement for the
// patient, whatever its status; nil if there has been none.
func latestSharedCare(g *gorm.DB, patientID, serviceID string) (*SharedCare, error) {
	var sc SharedCare
	err := g.Where("patient_id = ? AND service_id = ?", patientID, serviceID).Order("proposed_at DESC, id DESC").Take(&sc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	return &sc, nil
}

func sharedCareRecord(g *gorm.DB, sc SharedCare) (SharedCareRecord, error) {
	rec := SharedCareRecord{SharedCare: sc, Timeline: []SharedCareEvent{}, Overrides: []RuleOverride{}}
	if sc.Status != SharedAccepted {
		// Reviews fall due only while the practice holds shared care: a
		// closed arrangement's stored dates would name reviews that never
		// come (SC1).
		rec.SpecialistReviewDue, rec.GPReviewDue = calendar.Date{}, calendar.Date{}
	}
	if rec.Criteria == nil {
		rec.Criteria = []SharedCareCriterion{}
	}
	var o Organisation
	if err := g.Take(&o, "id = ?", sc.PracticeID).Error; err != nil {
		return rec, translate(err)
	}
	rec.PracticeName = o.Name
	if err := g.Where("shared_care_id = ?", sc.ID).Order("occurred_at, id").Find(&rec.Timeline).Error; err != nil {
		return rec, translate(err)
	}
	names, err := userNames(g, func(add func(string)) {
		for _, e := range rec.Timeline {
			add(e.UserID)
		}
	})
	if err != nil {
		return rec, err
	}
	for i := range rec.Timeline {
		rec.Timeline[i].UserName = names[rec.Timeline[i].UserID]
	}
	if err := g.Where("entity_type = ? AND entity_id = ?", "shared_care", sc.ID).Order("created_at, id").Find(&rec.Overrides).Error; err != nil {
		return rec, translate(err)
	}
	return rec, nil
}

// lastPartyReviews selects, for an arrangement s, the latest review by a
// user of each party (last_specialist_review, last_gp_review). An ECG
// review records a heart trace, not a review of the patient, and moves no
// review date on.
const lastPartyReviews = `(SELECT MAX(r.date) FROM reviews r JOIN users u ON u.id = r.prescriber_id
		WHERE r.patient_id = s.patient_id AND u.organisation_id = s.service_id AND r.kind <> 'ecg') AS last_specialist_review,
	(SELECT MAX(r.date) FROM reviews r JOIN users u ON u.id = r.prescriber_id
		WHERE r.patient_id = s.patient_id AND u.organisation_id = s.practice_id AND r.kind <> 'ecg') AS last_gp_review`

// moveReviewsOn sets an accepted arrangement's review dates to when each
// party's next review is due: the dates stored at acceptance are only the
// first ones, and each review by that party moves its date on (SC1).
func moveReviewsOn(g *gorm.DB, n policy.Numbers, sc *SharedCare) error {
	if sc.Status != SharedAccepted {
		return nil
	}
	var last struct{ LastSpecialistReview, LastGPReview calendar.Date }
	if err := g.Table("shared_care s").Select(lastPartyReviews).Where("s.id = ?", sc.ID).Scan(&last).Error; err != nil {
		return translate(err)
	}
	sc.SpecialistReviewDue = sharedcare.ReviewDue(sc.SpecialistReviewDue, last.LastSpecialistReview, n.SC1SpecialistReviewMonths)
	sc.GPReviewDue = sharedcare.ReviewDue(sc.GPReviewDue, last.LastGPReview, n.M5ReviewMonths)
	return nil
}

// userNames looks up the names of the users collect names.
func userNames(g *gorm.DB, collect func(add func(string))) (map[string]string, error) {
	ids := map[string]bool{}
	collect(func(id string) {
		if id != "" {
			ids[id] = true
		}
	})
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	var us []User
	if err := g.Where("id IN ?", list).Find(&us).Error; err != nil {
		return nil, translate(err)
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

// article is "a" or "an" for the word that follows it.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// refuseSharedCarePracticeChange stops the patient's registered GP practice
// changing, or being cleared, away from the practice that holds (or has
// been offered) shared care: that practice would go on prescribing, or
// could accept, for a patient no longer registered with it, and nobody
// would be told (SC1). The arrangement is ended first, by a hand-back (or
// the proposal withdrawn, or declined), as a pharmacy move goes through
// the regime (refuseSilentPharmacyMove).
func (tx *Tx) refuseSharedCarePracticeChange(patientID, practiceID string) error {
	sc, err := openSharedCare(tx.g, patientID)
	if err != nil || sc == nil || sc.PracticeID == practiceID {
		return err
	}
	var o Organisation
	if err := tx.g.Take(&o, "id = ?", sc.PracticeID).Error; err != nil {
		return translate(err)
	}
	what := fmt.Sprintf("%s holds accepted shared care of this patient and prescribes (SC1); hand it back first with POST /v1/shared-care/%s/hand-back, "+
		"then change the registered practice (and propose shared care to the new one)", o.Name, sc.ID)
	if sc.Status == SharedProposed {
		what = fmt.Sprintf("shared care of this patient is proposed to %s (SC1); withdraw the proposal first with POST /v1/shared-care/%s/hand-back "+
			"(or let the practice decline it), then change the registered practice (and propose shared care to the new one)", o.Name, sc.ID)
	}
	return &problem.Error{Code: problem.Conflict, Existing: *sc,
		Message: "gp_practice_id cannot change while another practice holds shared care: " + what,
		Fields:  []problem.FieldError{{Field: "gp_practice_id", Rule: "shared_care", Message: what}}}
}
