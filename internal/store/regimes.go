package store

import (
	"context"
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
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
)

// Regime is a patient's course of one opioid substitution medicine.
type Regime struct {
	ID                       string                `json:"id"`
	PatientID                string                `json:"patient_id"`
	ServiceID                string                `json:"service_id"`
	Medicine                 string                `json:"medicine"`
	Stage                    regimes.Stage         `json:"stage"`
	Status                   string                `json:"status"`
	Pattern                  regimes.WeeklyPattern `json:"pattern" gorm:"serializer:json"`
	SupervisionRelaxedReason string                `json:"supervision_relaxed_reason"`
	// PharmacyID is the dispensing pharmacy; empty (NULL, and left out of
	// the JSON) for a Buvidal regime started without one, as nothing of it
	// is dispensed (BV2).
	PharmacyID string        `json:"pharmacy_id,omitempty" gorm:"default:null"`
	StartDate  calendar.Date `json:"start_date"`
	ECGDate    calendar.Date `json:"ecg_date" gorm:"column:ecg_date"`
	CreatedBy  string        `json:"created_by"`
	CreatedAt  time.Time     `json:"created_at"`
	EndedOn    calendar.Date `json:"ended_on"`
	EndReason  string        `json:"end_reason"`
	EndedBy    *string       `json:"ended_by"`
	// BuprenorphineNaive is recorded at the start (BV3): the induction
	// rules for later injections read it here, never from a request.
	BuprenorphineNaive bool `json:"buprenorphine_naive"`
}

// RegimeSetting is one entry of a regime's pickup pattern and stage. The
// start writes the first; each change appends one with who, when and why,
// and nothing is edited. The regime's pattern, stage and relaxed-supervision
// reason are the latest entry, copied onto the regime row in the same
// transaction for the readers (the pharmacy day list) that join it.
type RegimeSetting struct {
	ID                       string                `json:"id"`
	RegimeID                 string                `json:"regime_id"`
	EffectiveDate            calendar.Date         `json:"effective_date"`
	Stage                    regimes.Stage         `json:"stage"`
	Pattern                  regimes.WeeklyPattern `json:"pattern" gorm:"serializer:json"`
	SupervisionRelaxedReason string                `json:"supervision_relaxed_reason"`
	// PharmacyID is the dispensing pharmacy from EffectiveDate; empty for
	// a Buvidal regime without one, as on the regime.
	PharmacyID string    `json:"pharmacy_id,omitempty" gorm:"default:null"`
	Reason     string    `json:"reason"`
	ChangedBy  string    `json:"changed_by"`
	CreatedAt  time.Time `json:"created_at"`
	// Withdrawn is set, in the settings history, on the stage entry a
	// planned dose change wrote when a later change withdrew that dose
	// change (T1): the stage it set was never in force. Nil while it stands.
	Withdrawn *Withdrawal `json:"withdrawn" gorm:"-"`
}

// settingWithdrawal is a row of regime_setting_withdrawals: the stage
// entry a withdrawn dose change wrote, and the dose change that withdrew
// it. Rows are only ever added.
type settingWithdrawal struct {
	SettingID   string    `json:"setting_id"`
	WithdrawnBy string    `json:"withdrawn_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func (settingWithdrawal) TableName() string { return "regime_setting_withdrawals" }

// standingSetting selects the settings entries no withdrawal names: every
// reader of the pattern, stage and pharmacy reads only these.
const standingSetting = "NOT EXISTS (SELECT 1 FROM regime_setting_withdrawals sw WHERE sw.setting_id = regime_settings.id)"

// RegimeSettings is a regime's pattern and stage history in force, oldest
// first: withdrawn entries left out.
func (db *DB) RegimeSettings(ctx context.Context, regimeID string) ([]RegimeSetting, error) {
	return regimeSettings(db.read(ctx), regimeID)
}

func regimeSettings(g *gorm.DB, regimeID string) ([]RegimeSetting, error) {
	var out []RegimeSetting
	return out, translate(g.Where("regime_id = ?", regimeID).Where(standingSetting).Order("effective_date, created_at, id").Find(&out).Error)
}

// SettingsHistory is a regime's whole pattern and stage record, oldest
// first, as a prescriber reads it (pattern_history): the entries withdrawn
// with a dose change too, each marked with the change that withdrew it.
func (db *DB) SettingsHistory(ctx context.Context, regimeID string) ([]RegimeSetting, error) {
	g := db.read(ctx)
	var out []RegimeSetting
	if err := g.Where("regime_id = ?", regimeID).Order("effective_date, created_at, id").Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	var rows []settingWithdrawal
	if err := g.Table("regime_setting_withdrawals").Select("regime_setting_withdrawals.*").
		Joins("JOIN regime_settings s ON s.id = regime_setting_withdrawals.setting_id").
		Where("s.regime_id = ?", regimeID).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, w := range rows {
		ids[i] = w.WithdrawnBy
	}
	var changes []DoseChange
	if err := g.Where("id IN ?", ids).Find(&changes).Error; err != nil {
		return nil, translate(err)
	}
	byID := make(map[string]DoseChange, len(changes))
	for _, c := range changes {
		byID[c.ID] = c
	}
	by := make(map[string]DoseChange, len(rows))
	for _, w := range rows {
		by[w.SettingID] = byID[w.WithdrawnBy]
	}
	for i, s := range out {
		if c, ok := by[s.ID]; ok {
			out[i].Withdrawn = &Withdrawal{DoseChangeID: c.ID, PrescriberID: c.PrescriberID, At: c.CreatedAt, Reason: c.Reason}
		}
	}
	return out, nil
}

// settingWrittenBy is the stage entry a dose change wrote with itself
// (ChangeDose, stageWithDoseReason), if it wrote one: the first entry
// recorded after it on its day, with its stage and reason, by its
// prescriber, before any other dose change was recorded (all is every dose
// change of the regime, withdrawn or not). Both are written in one
// transaction, so no other entry comes between them.
func settingWrittenBy(c DoseChange, all []DoseChange, settings []RegimeSetting) (RegimeSetting, bool) {
	var found RegimeSetting
	ok := false
	for _, s := range settings {
		if !recordedAfter(s.CreatedAt, s.ID, c.CreatedAt, c.ID) || !s.EffectiveDate.Equal(c.EffectiveDate) || s.Stage != c.Stage ||
			s.ChangedBy != c.PrescriberID || s.Reason != stageWithDoseReason+c.Reason {
			continue
		}
		if !ok || recordedAfter(found.CreatedAt, found.ID, s.CreatedAt, s.ID) {
			found, ok = s, true
		}
	}
	if !ok {
		return found, false
	}
	for _, o := range all {
		if o.ID != c.ID && recordedAfter(o.CreatedAt, o.ID, c.CreatedAt, c.ID) && recordedAfter(found.CreatedAt, found.ID, o.CreatedAt, o.ID) {
			return RegimeSetting{}, false
		}
	}
	return found, true
}

// stageRestatedReason begins the reason of the entry a dose change writes
// when the stage entry it withdraws had been copied into a later one.
const stageRestatedReason = "Stage restated: "

// stageDecision says whether the standing entry at i of history set its
// stage itself: the first entry (the start, or the settings a bulk-loaded
// regime had) and the stage a dose change set (stageWithDoseReason). A
// pattern change or a pharmacy move copies the stage in force before it.
func stageDecision(history []RegimeSetting, i int) bool {
	return i == 0 || strings.HasPrefix(history[i].Reason, stageWithDoseReason)
}

// restatedStages is the entries that put back the stage a withdrawn stage
// entry (gone) had passed on: each later standing entry of history (oldest
// first, gone left out) that copied that stage (recorded after it, with its
// stage, not a stage decision, unlike the entry before it) is restated on
// its own day with the same pattern, relaxed reason and pharmacy at the
// stage in force before it. Only the last entry of a day is restated, as
// only it is ever in force. The entries come back without id, author or
// time: appendSetting gives them.
func restatedStages(history, gone []RegimeSetting) []RegimeSetting {
	var out []RegimeSetting
	if len(gone) == 0 || len(history) == 0 {
		return nil
	}
	running := history[0].Stage
	for i, h := range history {
		if i == 0 {
			continue
		}
		var from *RegimeSetting
		if !stageDecision(history, i) && h.Stage != running {
			for j, g := range gone {
				if g.Stage == h.Stage && recordedAfter(h.CreatedAt, h.ID, g.CreatedAt, g.ID) &&
					(from == nil || recordedAfter(g.CreatedAt, g.ID, from.CreatedAt, from.ID)) {
					from = &gone[j]
				}
			}
		}
		if from == nil {
			running = h.Stage
			continue
		}
		if i+1 < len(history) && history[i+1].EffectiveDate.Equal(h.EffectiveDate) {
			continue // superseded the same day: never in force
		}
		out = append(out, RegimeSetting{RegimeID: h.RegimeID, EffectiveDate: h.EffectiveDate, Stage: running, Pattern: h.Pattern,
			SupervisionRelaxedReason: h.SupervisionRelaxedReason, PharmacyID: h.PharmacyID,
			Reason: fmt.Sprintf("%sthe planned change to %s from %s was withdrawn", stageRestatedReason, from.Stage, from.EffectiveDate)})
	}
	return out
}

// withRestated is history (oldest first) with each restating entry read
// right after the entry it restates, the last of its day.
func withRestated(history, restated []RegimeSetting) []RegimeSetting {
	if len(restated) == 0 {
		return history
	}
	out := make([]RegimeSetting, 0, len(history)+len(restated))
	for i, h := range history {
		out = append(out, h)
		if i+1 < len(history) && history[i+1].EffectiveDate.Equal(h.EffectiveDate) {
			continue
		}
		for _, s := range restated {
			if s.EffectiveDate.Equal(h.EffectiveDate) {
				out = append(out, s)
			}
		}
	}
	return out
}

// SettingInForce is the pattern, stage and pharmacy entry in force on day
// from a regime's settings history as SettingsHistory reads it: the
// withdrawn entries never were in force, so they are passed over.
func SettingInForce(r Regime, history []RegimeSetting, day calendar.Date) RegimeSetting {
	standing := make([]RegimeSetting, 0, len(history))
	for _, h := range history {
		if h.Withdrawn == nil {
			standing = append(standing, h)
		}
	}
	return settingOn(r, standing, day)
}

// settingOn is the entry in force on day. A regime written without
// history (bulk-generated data) has its row's settings throughout.
func settingOn(r Regime, history []RegimeSetting, day calendar.Date) RegimeSetting {
	if len(history) == 0 {
		return RegimeSetting{RegimeID: r.ID, EffectiveDate: r.StartDate, Stage: r.Stage, Pattern: r.Pattern,
			SupervisionRelaxedReason: r.SupervisionRelaxedReason, PharmacyID: r.PharmacyID}
	}
	s := history[0]
	for _, h := range history[1:] {
		if !h.EffectiveDate.After(day) {
			s = h
		}
	}
	if s.PharmacyID == "" {
		s.PharmacyID = r.PharmacyID
	}
	return s
}

// stageHistory is the regime's stages from its settings history, oldest
// first, with the stage a change is about to set from effective when
// changed: M2's titration weeks restart from a stage set back to induction
// or titration (regimes.TitrationStart), the change's own included.
func stageHistory(r Regime, history []RegimeSetting, changed bool, effective calendar.Date, stage regimes.Stage) []regimes.StageEntry {
	out := make([]regimes.StageEntry, 0, len(history)+1)
	if len(history) == 0 {
		out = append(out, regimes.StageEntry{Effective: r.StartDate, Stage: r.Stage})
	}
	for _, h := range history {
		out = append(out, regimes.StageEntry{Effective: h.EffectiveDate, Stage: h.Stage})
	}
	if changed {
		out = append(out, regimes.StageEntry{Effective: effective, Stage: stage})
	}
	return out
}

// latestSettingDate is when the last recorded entry takes effect.
func latestSettingDate(history []RegimeSetting) calendar.Date {
	if len(history) == 0 {
		return calendar.Date{}
	}
	return history[len(history)-1].EffectiveDate
}

// appendSetting records a new pattern/stage entry, audited, and makes it the
// regime's current settings. Callers refuse entries dated before the latest
// one, so the new entry is always the latest.
func (tx *Tx) appendSetting(p auth.Principal, r *Regime, s RegimeSetting) (RegimeSetting, error) {
	// Bulk-loaded regimes have no entries: their row's settings become the
	// first, so the days before this change keep the pattern they had.
	if !s.EffectiveDate.Equal(r.StartDate) {
		var n int64
		if err := tx.g.Model(&RegimeSetting{}).Where("regime_id = ?", r.ID).Count(&n).Error; err != nil {
			return s, translate(err)
		}
		if n == 0 {
			base := RegimeSetting{ID: newID(), RegimeID: r.ID, EffectiveDate: r.StartDate, Stage: r.Stage, Pattern: r.Pattern,
				SupervisionRelaxedReason: r.SupervisionRelaxedReason, PharmacyID: r.PharmacyID, Reason: "Settings in force when the history began",
				ChangedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
			if err := tx.g.Create(&base).Error; err != nil {
				return s, translate(err)
			}
		}
	}
	s.ID, s.RegimeID, s.ChangedBy, s.CreatedAt = newID(), r.ID, p.UserID, tx.db.Now()
	if s.PharmacyID == "" {
		s.PharmacyID = r.PharmacyID
	}
	if err := tx.g.Create(&s).Error; err != nil {
		return s, translate(err)
	}
	if err := tx.Audit("regime.settings", "regime", r.ID, map[string]any{"setting": s,
		"before": map[string]any{"stage": r.Stage, "pattern": r.Pattern, "supervision_relaxed_reason": r.SupervisionRelaxedReason,
			"pharmacy_id": r.PharmacyID}}); err != nil {
		return s, err
	}
	r.Stage, r.Pattern, r.SupervisionRelaxedReason, r.PharmacyID = s.Stage, s.Pattern, s.SupervisionRelaxedReason, s.PharmacyID
	return s, translate(tx.g.Model(&Regime{}).Where("id = ?", r.ID).Updates(map[string]any{"stage": s.Stage,
		"pattern": mustJSON(s.Pattern), "supervision_relaxed_reason": s.SupervisionRelaxedReason, "pharmacy_id": orNull(s.PharmacyID)}).Error)
}

// orNull is id as a column value: NULL when empty, where a foreign key
// would refuse an empty string.
func orNull(id string) any {
	if id == "" {
		return nil
	}
	return id
}

const (
	RegimeActive = "active"
	RegimeEnded  = "ended"
)

// DoseChange is one titration entry; the regime's first entry is its
// starting dose (from 0).
type DoseChange struct {
	ID            string            `json:"id"`
	RegimeID      string            `json:"regime_id"`
	From          dosing.Micrograms `json:"from" gorm:"column:from_ug"`
	To            dosing.Micrograms `json:"to" gorm:"column:to_ug"`
	EffectiveDate calendar.Date     `json:"effective_date"`
	Reason        string            `json:"reason"`
	Stage         regimes.Stage     `json:"stage"`
	PrescriberID  string            `json:"prescriber_id"`
	CreatedAt     time.Time         `json:"created_at"`
	Warnings      []policy.Finding  `json:"warnings" gorm:"serializer:json"`
	// Withdrawn is set, in the titration history, on a planned change a
	// later entry withdrew before it took effect; nil while it stands.
	Withdrawn *Withdrawal `json:"withdrawn" gorm:"-"`
	// SupersededBy is set on a change in force on its day that a later
	// entry for the same day replaced (it steps from the dose before that
	// day): the dose of that day is the later one's, and this one was in
	// force only until it was recorded. Nil otherwise.
	SupersededBy *Withdrawal `json:"superseded_by" gorm:"-"`
	// Overrides are the rules overridden to record the entry, with who,
	// when and why, as the titration history and the answer give them.
	Overrides []RuleOverride `json:"overrides" gorm:"-"`
}

// Withdrawal says which later entry withdrew a planned dose change before
// it took effect (T1, ADR 0010), or superseded one in force on the same
// day: its id, prescriber, when it was recorded and its reason.
type Withdrawal struct {
	DoseChangeID string    `json:"dose_change_id"`
	PrescriberID string    `json:"prescriber_id"`
	At           time.Time `json:"at"`
	Reason       string    `json:"reason"`
}

// doseChangeWithdrawal is a row of dose_change_withdrawals: a planned
// change and the entry that withdrew it. Rows are only ever added.
type doseChangeWithdrawal struct {
	DoseChangeID string    `json:"dose_change_id"`
	WithdrawnBy  string    `json:"withdrawn_by"`
	CreatedAt    time.Time `json:"created_at"`
}

func (doseChangeWithdrawal) TableName() string { return "dose_change_withdrawals" }

// standingDoseChange selects the dose changes no later entry withdrew:
// every reader of the dose (the dose in force, a prescription's dose
// periods, M2's steps, shared care's stability, the letter, the day list)
// reads only these.
const standingDoseChange = "NOT EXISTS (SELECT 1 FROM dose_change_withdrawals w WHERE w.dose_change_id = dose_changes.id)"

// RuleOverride records who went ahead despite which rule, when and why.
type RuleOverride struct {
	ID         string    `json:"id"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Rule       string    `json:"rule"`
	Reason     string    `json:"reason"`
	UserID     string    `json:"user_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// recordOverrides stores the overrides a decision needed, with the audit.
func (tx *Tx) recordOverrides(p auth.Principal, entityType, entityID string, applied []policy.OverrideReason) ([]RuleOverride, error) {
	var out []RuleOverride
	for _, a := range applied {
		o := RuleOverride{ID: newID(), EntityType: entityType, EntityID: entityID, Rule: a.Rule, Reason: a.Reason,
			UserID: p.UserID, CreatedAt: tx.db.Now()}
		if err := tx.g.Create(&o).Error; err != nil {
			return nil, translate(err)
		}
		if err := tx.Audit("rule.override", entityType, entityID, o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// decide turns findings into either a refusal naming the rules or the
// warnings and overrides to record. A refusal also says which overrides
// sent do not apply, so a prescriber is not left thinking one counted.
func decide(findings []policy.Finding, overrides []policy.OverrideReason) (policy.Decision, error) {
	d := policy.Decide(findings, overrides)
	if len(d.Stopping) > 0 {
		// The rules that stop it first, then those that only warn or
		// inform about it (Problem.rules), then the overrides that do not
		// apply. A finding overridden with a reason no longer stops
		// anything and is left out, lest it read as one that does.
		out := slices.Clone(d.Stopping)
		for _, w := range d.Warnings {
			if w.Severity != policy.Override {
				out = append(out, w)
			}
		}
		return d, problem.Blocked(append(out, d.Unused...))
	}
	return d, nil
}

// RegimeFor returns a regime whose patient the user may see.
func (db *DB) RegimeFor(ctx context.Context, p auth.Principal, id string) (Regime, error) {
	return regimeFor(db.read(ctx), p, id)
}

func regimeFor(g *gorm.DB, p auth.Principal, id string) (Regime, error) {
	var r Regime
	if !ValidID(id) {
		return r, problem.NotFoundf("regime not found")
	}
	err := g.Take(&r, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, problem.NotFoundf("regime not found")
	}
	if err != nil {
		return r, translate(err)
	}
	if _, err := patientFor(g, p, r.PatientID); err != nil {
		return r, problem.NotFoundf("regime not found")
	}
	return r, nil
}

// Regimes lists a patient's regimes, newest first.
func (db *DB) Regimes(ctx context.Context, p auth.Principal, patientID string) ([]Regime, error) {
	if _, err := db.PatientFor(ctx, p, patientID); err != nil {
		return nil, err
	}
	var out []Regime
	return out, translate(db.read(ctx).Where("patient_id = ?", patientID).Order("start_date DESC, id DESC").Find(&out).Error)
}

// DoseChanges is a regime's standing titration entries, oldest first:
// the changes no later entry withdrew, which say the dose on each day.
func (db *DB) DoseChanges(ctx context.Context, regimeID string) ([]DoseChange, error) {
	return doseChanges(db.read(ctx), regimeID)
}

func doseChanges(g *gorm.DB, regimeID string) ([]DoseChange, error) {
	var out []DoseChange
	if err := g.Where("regime_id = ?", regimeID).Where(standingDoseChange).
		Order("effective_date, created_at, id").Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	markSuperseded(out)
	return out, nil
}

// markSuperseded sets SupersededBy on each standing change that a later
// standing entry for the same day replaced, history being oldest first as
// recorded. The starting dose is never superseded: a change on the first
// day steps from it (regimes.StepFrom). Readers of the dose need no mark,
// since the later entry of a day is the one in force (DoseOn); the mark is
// for the reader of the history, who would otherwise see two changes.
func markSuperseded(history []DoseChange) {
	next := -1 // the next standing change after i, scanning backwards
	for i := len(history) - 1; i >= 0; i-- {
		c := &history[i]
		if c.Withdrawn != nil || c.From == 0 {
			continue
		}
		if next >= 0 && history[next].EffectiveDate.Equal(c.EffectiveDate) {
			by := history[next]
			c.SupersededBy = &Withdrawal{DoseChangeID: by.ID, PrescriberID: by.PrescriberID, At: by.CreatedAt, Reason: by.Reason}
		}
		next = i
	}
}

// TitrationHistory is a regime's whole titration record, oldest first, as
// a prescriber reads it: withdrawn changes too, each marked with the entry
// that withdrew it, and every entry with the overrides it needed.
func (db *DB) TitrationHistory(ctx context.Context, regimeID string) ([]DoseChange, error) {
	g := db.read(ctx)
	var out []DoseChange
	if err := g.Where("regime_id = ?", regimeID).Order("effective_date, created_at, id").Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	var rows []doseChangeWithdrawal
	if err := g.Table("dose_change_withdrawals").Select("dose_change_withdrawals.*").
		Joins("JOIN dose_changes c ON c.id = dose_change_withdrawals.dose_change_id").
		Where("c.regime_id = ?", regimeID).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	byID := make(map[string]DoseChange, len(out))
	for _, c := range out {
		byID[c.ID] = c
	}
	withdrawnBy := make(map[string]string, len(rows))
	for _, w := range rows {
		withdrawnBy[w.DoseChangeID] = w.WithdrawnBy
	}
	for i, c := range out {
		if by, ok := byID[withdrawnBy[c.ID]]; ok {
			out[i].Withdrawn = &Withdrawal{DoseChangeID: by.ID, PrescriberID: by.PrescriberID, At: by.CreatedAt, Reason: by.Reason}
		}
	}
	markSuperseded(out)
	return out, attachOverrides(g, regimeID, out)
}

// attachOverrides sets each entry's Overrides: those recorded against it,
// and on the starting dose those the regime's start recorded. The start
// files its overrides under the regime, as a pattern change does (both
// stay listed on the regime), so the starting dose takes, for each rule
// its own findings show overridden, the first regime override of that rule.
func attachOverrides(g *gorm.DB, regimeID string, entries []DoseChange) error {
	if len(entries) == 0 {
		return nil
	}
	ids := make([]string, len(entries))
	for i, c := range entries {
		ids[i] = c.ID
	}
	var ovs []RuleOverride
	if err := g.Where("(entity_type = ? AND entity_id IN ?) OR (entity_type = ? AND entity_id = ?)", "dose_change", ids, "regime", regimeID).
		Order("created_at, id").Find(&ovs).Error; err != nil {
		return translate(err)
	}
	own := map[string][]RuleOverride{}
	var regimeLevel []RuleOverride
	for _, o := range ovs {
		if o.EntityType == "regime" {
			regimeLevel = append(regimeLevel, o)
			continue
		}
		own[o.EntityID] = append(own[o.EntityID], o)
	}
	for i, c := range entries {
		entries[i].Overrides = append([]RuleOverride{}, own[c.ID]...)
		if c.From != 0 {
			continue
		}
		overridden := map[string]bool{}
		for _, f := range c.Warnings {
			overridden[f.Rule] = overridden[f.Rule] || f.Severity == policy.Override
		}
		for _, o := range regimeLevel {
			if overridden[o.Rule] {
				entries[i].Overrides = append(entries[i].Overrides, o)
				overridden[o.Rule] = false
			}
		}
	}
	return nil
}

// DoseOn is the dose in force on a day: the last standing change effective
// by then.
func DoseOn(history []DoseChange, day calendar.Date) dosing.Micrograms {
	var dose dosing.Micrograms
	for _, c := range history {
		if c.Withdrawn == nil && !c.EffectiveDate.After(day) {
			dose = c.To
		}
	}
	return dose
}

// Steps is the standing changes of a titration history as the rules read
// them (regimes.DoseChange), oldest first.
func Steps(history []DoseChange) []regimes.DoseChange {
	out := make([]regimes.DoseChange, 0, len(history))
	for _, c := range history {
		if c.Withdrawn == nil {
			out = append(out, regimes.DoseChange{Effective: c.EffectiveDate, From: c.From, To: c.To})
		}
	}
	return out
}

// LatestDose is the dose of the last standing change, future-dated or not.
func LatestDose(history []DoseChange) dosing.Micrograms {
	var dose dosing.Micrograms
	for _, c := range history {
		if c.Withdrawn == nil {
			dose = c.To
		}
	}
	return dose
}

// LastRecorded is when the latest entry of a titration history was
// recorded, whatever day it takes effect (MD3 asks whether the prescriber
// has acted since the missed days became known).
func LastRecorded(history []DoseChange) time.Time {
	var last time.Time
	for _, c := range history {
		if c.Withdrawn == nil && c.CreatedAt.After(last) {
			last = c.CreatedAt
		}
	}
	return last
}

// Overrides lists the overrides recorded for an entity.
func (db *DB) Overrides(ctx context.Context, entityType, entityID string) ([]RuleOverride, error) {
	var out []RuleOverride
	return out, translate(db.read(ctx).Where("entity_type = ? AND entity_id = ?", entityType, entityID).Order("created_at, id").Find(&out).Error)
}

// StartRegime is what a prescriber asks for to start treatment.
type StartRegime struct {
	PatientID                string
	Medicine                 dosing.Medicine
	Dose                     dosing.Micrograms
	StartDate                calendar.Date
	Stage                    regimes.Stage
	Pattern                  regimes.WeeklyPattern
	PharmacyID               string
	SupervisionRelaxedReason string
	ECGDate                  calendar.Date
	Reason                   string
	// What the patient was on before, when Dosebook has no record of it.
	PreviousMedicine      *dosing.Medicine
	PreviousDose          dosing.Micrograms
	LastDoseAt            time.Time
	LastShortActingOpioid time.Time
	// FirstDoseAt is the planned first dose (B1); zero when unknown.
	// FirstDoseAssumed marks a time the service assumed, not one given.
	FirstDoseAt      time.Time
	FirstDoseAssumed bool
	// Zone is the service's time zone, in which a day ends (B1 counts a
	// dose held for a day as taken by that day's end); nil reads UTC.
	Zone *time.Location
	// BuprenorphineNaive is what the prescriber said (BV3); nil when
	// nothing was sent, and then inferred (regimes.StartNaive).
	BuprenorphineNaive *bool
	TestDoseGiven      bool
	Overrides          []policy.OverrideReason
}

// Outcome is a clinical write with the rules that shaped it.
type Outcome struct {
	Warnings  []policy.Finding `json:"warnings"`
	Overrides []RuleOverride   `json:"overrides"`
}

// StartRegime starts a patient's regime under M1, M4, M6, B1–B4, BV1–BV5.
func (tx *Tx) StartRegime(p auth.Principal, n policy.Numbers, in StartRegime) (Regime, Outcome, error) {
	var out Outcome
	if err := tx.lockPatient(in.PatientID); err != nil {
		return Regime{}, out, err
	}
	pt, err := patientFor(tx.g, p, in.PatientID)
	if err != nil {
		return Regime{}, out, err
	}
	var active Regime
	err = tx.g.Take(&active, "patient_id = ? AND status = ?", pt.ID, RegimeActive).Error
	if err == nil {
		return Regime{}, out, &problem.Error{Code: problem.Conflict, Existing: active,
			Message: fmt.Sprintf("the patient already has an active regime, from %s; end it (POST /v1/regimes/%s/end) before starting another "+
				"(a regime not yet started is withdrawn that way too, ended today)", active.StartDate, active.ID)}
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return Regime{}, out, translate(err)
	}
	// Buvidal is given by a healthcare professional and never dispensed
	// (BV2): it needs no pharmacy, and takes one only when sent.
	if in.PharmacyID == "" && pt.PharmacyID != nil && !in.Medicine.Injectable {
		in.PharmacyID = *pt.PharmacyID
	}
	if in.PharmacyID == "" && !in.Medicine.Injectable {
		return Regime{}, out, problem.Invalidf("pharmacy_id", "required", "pharmacy_id is required (the patient has no dispensing pharmacy)")
	}
	if in.PharmacyID != "" {
		if err := tx.checkOrg("pharmacy_id", &in.PharmacyID, auth.Pharmacy); err != nil {
			return Regime{}, out, err
		}
	}
	prev, err := tx.previousTreatment(n, pt.ID, in, in.StartDate)
	if err != nil {
		return Regime{}, out, err
	}
	naive, naiveErrs := regimes.StartNaive(in.BuprenorphineNaive, prev, toldPrevious(in))
	start := regimes.StartInput{
		Medicine: in.Medicine, Dose: in.Dose, Start: in.StartDate,
		PatientAge:   patients.Age(pt.DateOfBirth, in.StartDate),
		SedativeRisk: pt.RiskFlags.SedativeRisk(), Pattern: in.Pattern, Previous: prev,
		LastShortActingOpioid: in.LastShortActingOpioid, StartAt: in.FirstDoseAt, StartAtAssumed: in.FirstDoseAssumed,
		BuprenorphineNaive: naive, TestDoseGiven: in.TestDoseGiven, ECGDate: in.ECGDate,
	}
	var invalid problem.Fields
	if err := regimes.ValidateStart(start); err != nil {
		pe, ok := problem.As(err)
		if !ok {
			return Regime{}, out, err
		}
		invalid = pe.Fields
	}
	invalid.Merge(naiveErrs...)
	if err := invalid.Err(); err != nil {
		return Regime{}, out, err
	}
	findings := append(regimes.CheckStart(n, start), regimes.CardiacRiskAtStart(n, in.Medicine, pt.RiskFlags.CardiacQTc, in.ECGDate, in.StartDate)...)
	d, err := decide(findings, regimes.RelaxedSupervision(findings, in.Overrides, in.SupervisionRelaxedReason))
	if err != nil {
		return Regime{}, out, err
	}
	r := Regime{ID: newID(), PatientID: pt.ID, ServiceID: pt.ServiceID, Medicine: in.Medicine.Code, Stage: in.Stage,
		Status: RegimeActive, Pattern: in.Pattern, SupervisionRelaxedReason: in.SupervisionRelaxedReason,
		PharmacyID: in.PharmacyID, StartDate: in.StartDate, ECGDate: in.ECGDate, CreatedBy: p.UserID, CreatedAt: tx.db.Now(),
		BuprenorphineNaive: naive}
	if err := tx.g.Create(&r).Error; err != nil {
		return Regime{}, out, translate(err)
	}
	if err := tx.Audit("regime.start", "regime", r.ID, r); err != nil {
		return Regime{}, out, err
	}
	reason := in.Reason
	if reason == "" {
		reason = "Starting dose"
	}
	if _, err := tx.appendSetting(p, &r, RegimeSetting{EffectiveDate: in.StartDate, Stage: in.Stage, Pattern: in.Pattern,
		SupervisionRelaxedReason: in.SupervisionRelaxedReason, Reason: "Regime started"}); err != nil {
		return Regime{}, out, err
	}
	c := DoseChange{ID: newID(), RegimeID: r.ID, From: 0, To: in.Dose, EffectiveDate: in.StartDate, Reason: reason,
		Stage: in.Stage, PrescriberID: p.UserID, CreatedAt: tx.db.Now(), Warnings: nonNil(d.Warnings)}
	if err := tx.g.Create(&c).Error; err != nil {
		return Regime{}, out, translate(err)
	}
	if err := tx.Audit("dose_change.create", "regime", r.ID, c); err != nil {
		return Regime{}, out, err
	}
	out.Warnings = nonNil(d.Warnings)
	// An MD1 block stands for the patient, not the regime: the pharmacy
	// will supply nothing of the new one until a review is recorded. The
	// starting dose is itself the answer MD3 asks for, so it is not given.
	zone := in.Zone
	if zone == nil {
		zone = time.UTC
	}
	if md1, err := tx.md1Warning(n, pt.ID, calendar.DateOf(tx.db.Now(), zone), nil); err != nil {
		return Regime{}, out, err
	} else if md1 != nil {
		out.Warnings = append(out.Warnings, *md1)
	}
	out.Overrides, err = tx.recordOverrides(p, "regime", r.ID, d.Applied)
	return r, out, err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// previousTreatment is the regime the new one follows on from — the most
// recent ended one the patient really took (regimes.EndedRegime.Taken), if
// they were still on it within the last few days (MD1's count of missed
// days, after which tolerance can no longer be assumed) — or else what the
// prescriber told us (toldPrevious). A regime that ended long ago says
// nothing about today: a patient back on heroin years after buprenorphine
// is a new induction (B1, B2, BV5). Nor does one ended before any dose of
// it was taken (entered in error, never collected): the regime before it,
// if the patient is still on that, or what the prescriber told, stands.
func (tx *Tx) previousTreatment(n policy.Numbers, patientID string, in StartRegime, start calendar.Date) (*regimes.PreviousTreatment, error) {
	var ended []Regime
	// A regime withdrawn before its start was never taken.
	err := tx.g.Where("patient_id = ? AND status = ? AND ended_on >= start_date", patientID, RegimeEnded).
		Order("ended_on DESC, created_at DESC").Find(&ended).Error
	if err != nil {
		return nil, translate(err)
	}
	var last Regime
	var took regimes.EndedRegime
	var injections []Administration
	for _, r := range ended {
		if took, injections, err = tx.endedRegime(r); err != nil {
			return nil, err
		}
		if took.Taken() {
			last = r
			break
		}
	}
	if !regimes.StillOn(n, took, start) {
		told := toldPrevious(in)
		if told != nil {
			told.Zone = tx.serviceZone(in)
		}
		return told, nil
	}
	med, held := took.Medicine, took.HeldDays
	history, err := doseChanges(tx.g, last.ID)
	if err != nil {
		return nil, err
	}
	prev := &regimes.PreviousTreatment{Medicine: med, Dose: DoseOn(history, last.EndedOn), LastDose: in.LastDoseAt, StartedOn: last.StartDate,
		Zone: tx.serviceZone(in)}
	// B3 and M2 judge the new starting dose as a step from the previous
	// regime: from the dose last actually supplied when lower, and with
	// its increases in the rolling week before the start.
	for _, c := range Steps(history) {
		if !c.Effective.After(last.EndedOn) && !c.Effective.Before(start.AddDays(-6)) {
			prev.Increases = append(prev.Increases, c)
		}
	}
	if lastDay := took.OnUntil(); !med.Injectable && !lastDay.IsZero() {
		supplied, err := suppliedDoses(tx.g, last.ID, lastDay, lastDay)
		if err != nil {
			return nil, err
		}
		for _, s := range supplied {
			if s.Date.Equal(lastDay) {
				prev.Supplied = s.Dose
			}
		}
	}
	// A dose the pharmacy watched being taken is the surest time of the
	// last dose (B1): it wins over an earlier time the prescriber gave.
	if seen, err := tx.lastSupervisedAt(last.ID); err != nil {
		return nil, err
	} else if seen.After(prev.LastDose) {
		prev.LastDose = seen
	}
	if len(held) > 0 {
		// The patient may take a held dose at any time on its day, and
		// nothing records when: B1 judges from the end of the last held
		// day in the service's zone (23:59, so the time reads as that
		// day's), unless the prescriber gave a later last dose. Any
		// earlier assumption — the usual hour of the supervised doses,
		// say — would let buprenorphine start while a methadone dose
		// taken that evening is still acting.
		zone := in.Zone
		if zone == nil {
			zone = time.UTC
		}
		lastHeld := held[0]
		for _, d := range held {
			if d.After(lastHeld) {
				lastHeld = d
			}
		}
		if end := lastHeld.AddDays(1).Start(zone).Add(-time.Minute); end.After(prev.LastDose) {
			prev.LastDose = end
		}
		prev.HeldDays = held
	}
	if last.Medicine == dosing.CodeBuvidalWeekly && len(injections) > 0 {
		// Weeks of weekly Buvidal actually given (BV5), not the regime's
		// span nor the count of injections.
		prev.WeeklyBuvidalFrom, prev.WeeklyBuvidalInjections = injections[0].Date, len(injections)
		prev.WeeklyBuvidalWeeks = regimes.WeeklyBuvidalWeeks(injections[0].Date, len(injections), start)
	}
	return prev, nil
}

// lastTakenInstalment is the regime's latest instalment whose current
// record is a dose taken; ok is false when the pharmacy recorded none.
func (tx *Tx) lastTakenInstalment(regimeID string) (Instalment, bool, error) {
	var in Instalment
	err := tx.g.Table("instalments").Select("instalments.*").
		Joins("JOIN prescriptions p ON p.id = instalments.prescription_id").
		Joins("JOIN dose_events e ON e.instalment_id = instalments.id").
		Where("p.regime_id = ? AND e.outcome IN ?", regimeID, []string{string(dispensing.Supervised), string(dispensing.Collected)}).
		// The event still stands: nothing corrects it.
		Where("NOT EXISTS (SELECT 1 FROM dose_events c WHERE c.corrects_id = e.id)").
		Order("instalments.date DESC").Take(&in).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return in, false, nil
	}
	return in, err == nil, translate(err)
}

// lastHandedOver is the day the pharmacy last handed over a dose of the
// regime: the date of its latest instalment recorded as taken.
func (tx *Tx) lastHandedOver(regimeID string) (calendar.Date, bool, error) {
	in, ok, err := tx.lastTakenInstalment(regimeID)
	return in.Date, ok, err
}

// TakenHomeAfter lists the days after day whose doses a take-home
// collection of the regime has already handed over (corrections applied).
func (tx *Tx) TakenHomeAfter(regimeID string, day calendar.Date) ([]calendar.Date, error) {
	days, err := handedOverFrom(tx.g, regimeID, day.AddDays(1))
	return nonNil(days), err
}

// lastDayTaken is the last dose day of a regime's instalments whose current
// record is a dose taken (the last day it covers, for a take-home
// instalment); ok is false when the pharmacy recorded none.
func (tx *Tx) lastDayTaken(regimeID string) (calendar.Date, bool, error) {
	in, ok, err := tx.lastTakenInstalment(regimeID)
	if !ok || err != nil {
		return calendar.Date{}, ok, err
	}
	last := in.Date
	for _, d := range in.Covers {
		if d.After(last) {
			last = d
		}
	}
	return last, true, nil
}

// lastSupervisedAt is when the pharmacy last watched a dose of the regime
// being taken (a supervised record that still stands); zero when never. A
// take-home collection says when the dose left the pharmacy, not when it
// was taken, so it does not count.
func (tx *Tx) lastSupervisedAt(regimeID string) (time.Time, error) {
	var e DoseEvent
	err := tx.g.Table("dose_events e").Select("e.*").
		Joins("JOIN instalments i ON i.id = e.instalment_id").
		Joins("JOIN prescriptions p ON p.id = i.prescription_id").
		Where("p.regime_id = ? AND e.outcome = ?", regimeID, string(dispensing.Supervised)).
		Where("NOT EXISTS (SELECT 1 FROM dose_events c WHERE c.corrects_id = e.id)").
		Order("e.occurred_at DESC").Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, nil
	}
	return e.OccurredAt, translate(err)
}

// serviceZone is the service's time zone, in which a previous treatment's
// last dose falls on a day (MD1, MD3): the request's, else the store's.
func (tx *Tx) serviceZone(in StartRegime) *time.Location {
	if in.Zone != nil {
		return in.Zone
	}
	return zoneOf(tx.g)
}

// toldPrevious is the previous treatment the prescriber told in the
// request, nil when none was.
func toldPrevious(in StartRegime) *regimes.PreviousTreatment {
	if in.PreviousMedicine == nil {
		return nil
	}
	return &regimes.PreviousTreatment{Medicine: *in.PreviousMedicine, Dose: in.PreviousDose, LastDose: in.LastDoseAt}
}

// endedRegime gathers what the patient took of an ended regime: the last
// dose day the pharmacy recorded as taken and the days still held after
// its end, or the Buvidal injections given (the regular ones returned,
// oldest first, for BV5's weeks).
func (tx *Tx) endedRegime(r Regime) (regimes.EndedRegime, []Administration, error) {
	med, _ := dosing.LookupMedicine(r.Medicine)
	e := regimes.EndedRegime{Medicine: med, EndedOn: r.EndedOn}
	if med.Injectable {
		var given []Administration
		if err := tx.g.Where("regime_id = ?", r.ID).Where(standingAdministration).Order("date, created_at").Find(&given).Error; err != nil {
			return e, nil, translate(err)
		}
		var regular []Administration
		for _, a := range given {
			if a.Extra {
				e.Extras++
				continue
			}
			regular = append(regular, a)
			e.Injections = append(e.Injections, a.Date)
		}
		return e, regular, nil
	}
	taken, ok, err := tx.lastDayTaken(r.ID)
	if err != nil {
		return e, nil, err
	}
	if ok {
		e.LastDayTaken = taken
	}
	// One ended on or after a take-home collection leaves the patient
	// holding the doses of later days (MD4's warning at the end): they are
	// on it until the last of those.
	if e.HeldDays, err = tx.TakenHomeAfter(r.ID, r.EndedOn); err != nil {
		return e, nil, err
	}
	return e, nil, nil
}

// ChangeDose is a titration request.
type ChangeDose struct {
	To        dosing.Micrograms
	Effective calendar.Date
	Reason    string
	Stage     regimes.Stage // empty: unchanged
	ECGDate   calendar.Date // a new ECG/QTc check, if recorded with the change
	Overrides []policy.OverrideReason
	// Invalid are the request's own field errors (the HTTP layer's): the
	// change's checks that need the regime run with them and are answered
	// together, one 422 naming every failing field, and nothing is written.
	Invalid problem.Fields
}

// DoseChangeResult is a recorded dose change with what it did.
type DoseChangeResult struct {
	Change  DoseChange
	Outcome Outcome
	// Withdrawn are the planned changes it withdrew (T1), marked as such.
	Withdrawn []DoseChange
	// Reissued are the live prescriptions' remaining days, reissued.
	Reissued []Prescription
	// Repeat is set when the request was a client's retry of the entry
	// that is still the regime's newest (retryOf): Change is that entry,
	// Withdrawn and Reissued are what it did, and nothing was written.
	Repeat bool
}

// standingTwin is the standing entry a change request restates: the entry
// in force for effective (the last of that day, not the starting dose)
// with the same dose and stage. Recording it again would supersede its
// twin, withdraw it as T1 says and reissue the live prescriptions for
// nothing; a client retrying a request it did not hear answered meets
// the entry it made instead.
func standingTwin(history []DoseChange, effective calendar.Date, to dosing.Micrograms, stage regimes.Stage) (DoseChange, bool) {
	for i := len(history) - 1; i >= 0; i-- {
		h := history[i]
		if h.Withdrawn != nil || !h.EffectiveDate.Equal(effective) {
			continue
		}
		return h, h.From != 0 && h.To == to && h.Stage == stage
	}
	return DoseChange{}, false
}

// stageWithDoseReason begins the reason of the settings entry a dose change
// writes when it changes the stage too (retryOf knows it by it).
const stageWithDoseReason = "Stage changed with the dose change: "

// reissuedForChange is the reason a dose change cancels the live
// prescriptions it reissues with; a retry finds them by it (reissuedBy).
func reissuedForChange(c DoseChange) string {
	return fmt.Sprintf("Dose changed to %s from %s; remaining days reissued", c.To, c.EffectiveDate)
}

// recordedAfter says whether an entry recorded at (at, id) came after one
// recorded at (than, thanID). Ids are UUIDv7, in the order they were made,
// which orders the entries of one instant.
func recordedAfter(at time.Time, id string, than time.Time, thanID string) bool {
	return at.After(than) || at.Equal(than) && id > thanID
}

// newestEntry says whether twin is the last thing recorded in the regime's
// dose and settings history: no dose change (withdrawn or not) was recorded
// after it, and no settings entry but the one it wrote itself with a stage.
// Only then does restating it change nothing: a change recorded since (a
// planned increase, another pattern) is one that restating the entry would
// now withdraw or affect, so the request is a new decision, not a retry.
func newestEntry(twin DoseChange, all []DoseChange, settings []RegimeSetting) bool {
	for _, c := range all {
		if c.ID != twin.ID && recordedAfter(c.CreatedAt, c.ID, twin.CreatedAt, twin.ID) {
			return false
		}
	}
	own := false
	for _, s := range settings {
		if !recordedAfter(s.CreatedAt, s.ID, twin.CreatedAt, twin.ID) {
			continue
		}
		if !own && s.EffectiveDate.Equal(twin.EffectiveDate) && s.Stage == twin.Stage && s.Reason == stageWithDoseReason+twin.Reason {
			own = true // the stage the entry itself set
			continue
		}
		if strings.HasPrefix(s.Reason, stageRestatedReason) {
			continue // a stage it restated; only a dose change writes one, and none came after it
		}
		return false
	}
	return true
}

// sameOverrides says whether the overrides sent restate those recorded
// with an entry: every recorded rule sent, with the same reason (trimmed;
// the last reason sent for a rule, as policy.Decide reads them). Other
// rules sent are left aside: the entry did not need them (its request
// would have been refused otherwise), so they were not recorded, and the
// same change sent again does not need them either.
func sameOverrides(sent []policy.OverrideReason, recorded []RuleOverride) bool {
	want := map[string]string{}
	for _, o := range sent {
		if r := problem.TrimText(o.Reason); r != "" || want[o.Rule] == "" {
			want[o.Rule] = r
		}
	}
	for _, o := range recorded {
		if r, ok := want[o.Rule]; !ok || r != problem.TrimText(o.Reason) {
			return false
		}
	}
	return true
}

// retryOf is the entry a change request repeats, if it is a client's retry
// of a request it did not hear answered: the standing entry for its day
// with its dose and stage (standingTwin), still the newest entry of the
// regime (newestEntry), with the same reason, overrides and ECG date, and
// not dated in the past. Any other request goes the normal way, which
// withdraws the changes planned after it (T1).
func (tx *Tx) retryOf(r Regime, history []DoseChange, settings []RegimeSetting, in ChangeDose, stage regimes.Stage, ecg, today calendar.Date) (DoseChange, bool, error) {
	twin, ok := standingTwin(history, in.Effective, in.To, stage)
	if !ok || len(in.Invalid) > 0 || !ecg.Equal(r.ECGDate) || in.Effective.Before(today) ||
		strings.TrimSpace(in.Reason) != strings.TrimSpace(twin.Reason) {
		return twin, false, nil
	}
	var all []DoseChange
	if err := tx.g.Select("id", "created_at").Where("regime_id = ?", r.ID).Find(&all).Error; err != nil {
		return twin, false, translate(err)
	}
	if !newestEntry(twin, all, settings) {
		return twin, false, nil
	}
	entries := []DoseChange{twin}
	if err := attachOverrides(tx.g, r.ID, entries); err != nil {
		return twin, false, err
	}
	return entries[0], sameOverrides(in.Overrides, entries[0].Overrides), nil
}

// answerRetry answers a retried change with the entry its first attempt
// made and what that entry did: the planned changes it withdrew
// (dose_change_withdrawals) and the prescriptions it reissued. Nothing is
// written.
func (tx *Tx) answerRetry(c DoseChange) (DoseChangeResult, error) {
	res := DoseChangeResult{Change: c, Repeat: true}
	res.Outcome.Warnings = nonNil(c.Warnings)
	res.Outcome.Overrides = nonNil(c.Overrides)
	var ids []string
	if err := tx.g.Table("dose_change_withdrawals").Where("withdrawn_by = ?", c.ID).Pluck("dose_change_id", &ids).Error; err != nil {
		return res, translate(err)
	}
	if len(ids) > 0 {
		if err := tx.g.Where("id IN ?", ids).Order("effective_date, created_at, id").Find(&res.Withdrawn).Error; err != nil {
			return res, translate(err)
		}
		for i := range res.Withdrawn {
			res.Withdrawn[i].Withdrawn = &Withdrawal{DoseChangeID: c.ID, PrescriberID: c.PrescriberID, At: c.CreatedAt, Reason: c.Reason}
		}
		if err := attachOverrides(tx.g, c.RegimeID, res.Withdrawn); err != nil {
			return res, err
		}
	}
	var err error
	res.Reissued, err = tx.reissuedBy(c)
	return res, err
}

// reissuedBy is the prescriptions a dose change reissued, as they stand
// now: each replaces one the change cancelled, with its reason
// (reissuedForChange), after the change was recorded. It is asked only of
// the newest dose change of the regime (retryOf), so no later change can
// have cancelled one with the same reason; the time and the ids (UUIDv7)
// keep out an earlier change of the same dose and day.
func (tx *Tx) reissuedBy(c DoseChange) ([]Prescription, error) {
	var olds []Prescription
	if err := tx.g.Where("regime_id = ? AND status = ? AND cancel_reason = ?", c.RegimeID, StatusCancelled, reissuedForChange(c)).
		Find(&olds).Error; err != nil {
		return nil, translate(err)
	}
	var oldIDs []string
	for _, o := range olds {
		if o.CancelledAt != nil && !o.CancelledAt.Before(c.CreatedAt) {
			oldIDs = append(oldIDs, o.ID)
		}
	}
	if len(oldIDs) == 0 {
		return nil, nil
	}
	var out []Prescription
	if err := tx.g.Where("regime_id = ? AND replaces_id IN ?", c.RegimeID, oldIDs).Order("start_date, id").Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	out = slices.DeleteFunc(out, func(pr Prescription) bool {
		return !recordedAfter(pr.CreatedAt, pr.ID, c.CreatedAt, c.ID)
	})
	ptrs := make([]*Prescription, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, withFirstSupply(tx.g, ptrs)
}

// ChangeDose records a titration step under M2–M4, B3, BV1. A change taking
// effect before changes planned but not yet in force withdraws them (T1,
// ADR 0010). A live prescription is cancelled and its remaining days
// reissued at the doses now in force, unless every day's dose stays as it
// was (a stage changed alone). A retry of the regime's newest entry (the
// same dose, day, stage, reason, overrides and ECG date) writes nothing and
// answers that entry with what it did (Repeat, retryOf).
func (tx *Tx) ChangeDose(p auth.Principal, n policy.Numbers, regimeID string, in ChangeDose, today calendar.Date) (DoseChangeResult, error) {
	var res DoseChangeResult
	if err := tx.lockPatientOf(ofRegime, regimeID); err != nil {
		return res, err
	}
	r, err := regimeFor(tx.g, p, regimeID)
	if err != nil {
		return res, err
	}
	if r.Status != RegimeActive {
		return res, problem.Conflictf("the regime has ended; start a new one")
	}
	pt, err := patientFor(tx.g, p, r.PatientID)
	if err != nil {
		return res, err
	}
	history, err := doseChanges(tx.g, r.ID)
	if err != nil {
		return res, err
	}
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return res, err
	}
	med, _ := dosing.LookupMedicine(r.Medicine)
	inForce := settingOn(r, settings, in.Effective).Stage
	stage := inForce
	if in.Stage != "" {
		stage = in.Stage
	}
	ecg := r.ECGDate
	if !in.ECGDate.IsZero() {
		ecg = in.ECGDate
	}
	if twin, ok, err := tx.retryOf(r, history, settings, in, stage, ecg, today); err != nil || ok {
		if err != nil {
			return res, err
		}
		return tx.answerRetry(twin)
	}
	steps := Steps(history)
	// The planned changes this one withdraws; a change dated in the past
	// is refused below and withdraws nothing.
	withdraws := map[int]bool{}
	if !in.Effective.Before(today) {
		for _, i := range regimes.Withdraws(steps, in.Effective, today) {
			withdraws[i] = true
			res.Withdrawn = append(res.Withdrawn, history[i])
		}
	}
	// The stage entries the withdrawn changes wrote are withdrawn with them
	// (T1 withdraws the whole decision): the stage in force, and the latest
	// entry a stage change may not precede, are read without them.
	var settingsGone, restated []RegimeSetting
	if len(res.Withdrawn) > 0 {
		var all []DoseChange
		if err := tx.g.Where("regime_id = ?", r.ID).Find(&all).Error; err != nil {
			return res, translate(err)
		}
		for _, w := range res.Withdrawn {
			if s, ok := settingWrittenBy(w, all, settings); ok {
				settingsGone = append(settingsGone, s)
			}
		}
		settings = slices.DeleteFunc(slices.Clone(settings), func(s RegimeSetting) bool {
			return slices.ContainsFunc(settingsGone, func(g RegimeSetting) bool { return g.ID == s.ID })
		})
		// The later entries that copied a withdrawn stage are read as
		// restated (written below).
		restated = restatedStages(settings, settingsGone)
		if in.Stage != "" {
			// This change sets the stage on its own day, so an entry of
			// that day restated to the stage before would never be in force.
			restated = slices.DeleteFunc(restated, func(s RegimeSetting) bool { return s.EffectiveDate.Equal(in.Effective) })
		}
		settings = withRestated(settings, restated)
		inForce = settingOn(r, settings, in.Effective).Stage
		stage = inForce
		if in.Stage != "" {
			stage = in.Stage
		}
	}
	// A change may not take effect before one in force or the starting
	// dose; a planned change is never in its way, as it withdraws it.
	var latest calendar.Date
	supersedes := len(withdraws) > 0
	for _, h := range history {
		if h.From != 0 && h.EffectiveDate.After(today) {
			continue
		}
		latest = h.EffectiveDate
		supersedes = supersedes || h.From != 0 && h.EffectiveDate.Equal(in.Effective)
	}
	// M2 judges the step from the dose in force when the change takes
	// effect, with the steps before it in the rolling window; the changes
	// it withdraws all take effect on or after it, so count in neither.
	from, past := regimes.StepFrom(steps, in.Effective)
	stageChanged := stage != inForce
	ci := regimes.ChangeInput{Medicine: med, Stage: stage, StageInForce: inForce, RegimeStart: r.StartDate, Current: from, Latest: latest, Supersedes: supersedes,
		To: in.To, Effective: in.Effective, History: past, SedativeRisk: pt.RiskFlags.SedativeRisk(), ECGDate: ecg,
		TitrationStart: regimes.TitrationStart(r.StartDate, stageHistory(r, settings, stageChanged, in.Effective, stage), in.Effective)}
	// Days already handed over keep the dose they were supplied at (MD4),
	// so the step is also judged from what the patient last actually had
	// (a change after today's dose was given starts with the next supply).
	// A take-home collection covers at most a week ahead of its own day.
	supplied, err := suppliedDoses(tx.g, r.ID, in.Effective.AddDays(-7), in.Effective.AddDays(14))
	if err != nil {
		return res, err
	}
	if last, ok := regimes.LastSupplied(supplied, in.Effective, today); ok {
		ci.Supplied, ci.SuppliedOn = last.Dose, last.Date
	}
	// M4's review counts from the day the dose became high with this
	// change: the changes it withdraws or supersedes no longer count.
	var kept []regimes.DoseChange
	for _, s := range steps {
		if s.Effective.Before(in.Effective) {
			kept = append(kept, s)
		}
	}
	ci.HighDoseSince = regimes.HighDoseSince(n, append(kept, regimes.DoseChange{Effective: in.Effective, From: ci.Current, To: in.To}))
	if ci.Reviewed, err = lastReview(tx.g, r.PatientID); err != nil {
		return res, err
	}
	if in.Effective.Equal(r.StartDate) {
		if ci.Previous, err = tx.previousTreatment(n, r.PatientID, StartRegime{}, r.StartDate); err != nil {
			return res, err
		}
	}
	// BV3's week 2 dose is warned of when planned, from the regime's own
	// injections.
	if med.Class == dosing.ClassBuvidal && r.BuprenorphineNaive {
		given, err := recentInjections(tx.g, r, in.Effective, n)
		if err != nil {
			return res, err
		}
		ci.NaiveInduction = true
		for _, a := range given {
			if a.Regime == r.ID {
				ci.Injections = append(ci.Injections, a)
			}
		}
	}
	var mine problem.Fields
	if pe, ok := problem.As(regimes.ValidateChange(ci)); ok {
		mine = append(mine, pe.Fields...)
	}
	if in.Effective.Before(today) {
		mine.Add("effective_date", "not_past", "a dose change cannot take effect before today (%s)", today)
	}
	if last := latestSettingDate(settings); stageChanged && in.Effective.Before(last) {
		mine.Add("stage", "after_latest_change", "the pattern, stage or pharmacy changes on %s; change the stage from then on, or without changing the dose", last)
	}
	f := slices.Clone(in.Invalid)
	f.Merge(mine...)
	if err := f.Err(); err != nil {
		return res, err
	}
	d, err := decide(regimes.CheckChange(n, ci), in.Overrides)
	if err != nil {
		return res, err
	}
	warnings := nonNil(d.Warnings)
	if len(res.Withdrawn) > 0 {
		gone := make([]regimes.DoseChange, len(res.Withdrawn))
		for i, w := range res.Withdrawn {
			gone[i] = regimes.DoseChange{Effective: w.EffectiveDate, From: w.From, To: w.To}
		}
		warnings = append(warnings, regimes.WithdrawalFinding(n, gone))
		if len(restated) > 0 {
			warnings = append(warnings, restatedFinding(n, restated))
		}
	}
	c := DoseChange{ID: newID(), RegimeID: r.ID, From: ci.Current, To: in.To, EffectiveDate: in.Effective, Reason: in.Reason,
		Stage: stage, PrescriberID: p.UserID, CreatedAt: tx.db.Now(), Warnings: warnings}
	res.Change = c
	if err := tx.g.Create(&c).Error; err != nil {
		return res, translate(err)
	}
	// Filed under the regime, as injections and settings are, so the
	// regime's trail (entity_id = regime) is its whole dose history; the
	// body carries the change's own id. Overrides stay under the change
	// (recordOverrides below), as the rule_overrides rows do.
	if err := tx.Audit("dose_change.create", "regime", r.ID, c); err != nil {
		return res, err
	}
	for i, w := range res.Withdrawn {
		row := doseChangeWithdrawal{DoseChangeID: w.ID, WithdrawnBy: c.ID, CreatedAt: c.CreatedAt}
		if err := tx.g.Create(&row).Error; err != nil {
			return res, translate(err)
		}
		if err := tx.Audit("dose_change.withdraw", "regime", r.ID, row); err != nil {
			return res, err
		}
		res.Withdrawn[i].Withdrawn = &Withdrawal{DoseChangeID: c.ID, PrescriberID: c.PrescriberID, At: c.CreatedAt, Reason: c.Reason}
	}
	if err := tx.withdrawSettings(r.ID, c, settingsGone); err != nil {
		return res, err
	}
	// A later pattern change or move copied the withdrawn stage: it is
	// restated at the stage in force before, or the withdrawn decision
	// would still come into force with it.
	if len(restated) > 0 {
		for _, s := range restated {
			if _, err := tx.appendSetting(p, &r, s); err != nil {
				return res, err
			}
		}
		if settings, err = regimeSettings(tx.g, r.ID); err != nil {
			return res, err
		}
	}
	if len(settingsGone) > 0 && len(settings) > 0 {
		// The regime row keeps the latest standing entry.
		last := settings[len(settings)-1]
		r.Stage, r.Pattern, r.SupervisionRelaxedReason = last.Stage, last.Pattern, last.SupervisionRelaxedReason
		if last.PharmacyID != "" {
			r.PharmacyID = last.PharmacyID
		}
		if err := tx.g.Model(&Regime{}).Where("id = ?", r.ID).Updates(map[string]any{"stage": r.Stage,
			"pattern": mustJSON(r.Pattern), "supervision_relaxed_reason": r.SupervisionRelaxedReason, "pharmacy_id": orNull(r.PharmacyID)}).Error; err != nil {
			return res, translate(err)
		}
	}
	if stageChanged {
		cur := settingOn(r, settings, in.Effective)
		if _, err := tx.appendSetting(p, &r, RegimeSetting{EffectiveDate: in.Effective, Stage: stage, Pattern: cur.Pattern, PharmacyID: cur.PharmacyID,
			SupervisionRelaxedReason: cur.SupervisionRelaxedReason, Reason: stageWithDoseReason + in.Reason}); err != nil {
			return res, err
		}
	}
	if ecg != r.ECGDate {
		if err := tx.g.Model(&Regime{}).Where("id = ?", r.ID).Update("ecg_date", ecg).Error; err != nil {
			return res, translate(err)
		}
		if err := tx.Audit("regime.update", "regime", r.ID, map[string]any{"ecg_date": map[string]any{"from": r.ECGDate, "to": ecg}}); err != nil {
			return res, err
		}
	}
	res.Outcome.Warnings = warnings
	// A change that leaves every day's dose as it was (a stage changed
	// alone, a same-day entry restated) changes nothing the pharmacy
	// supplies: no prescription is reissued for it (the pattern and the
	// pharmacy are the settings' own changes).
	now, err := doseChanges(tx.g, r.ID)
	if err != nil {
		return res, err
	}
	sameDoses := regimes.SameDosesFrom(steps, Steps(now), in.Effective)
	handed, err := handedOverFrom(tx.g, r.ID, in.Effective)
	if err != nil {
		return res, err
	}
	if len(handed) > 0 && !sameDoses {
		// Those days' doses were taken home at the old dose and are not
		// supplied again (MD4): the record must not suggest otherwise.
		res.Outcome.Warnings = append(res.Outcome.Warnings, n.FindingAt("MD4", policy.Info,
			fmt.Sprintf("The doses for %s were already handed over at the previous dose; the new dose starts with the next supply.", dateList(handed)),
			"Tell the patient, or change the dose from the first day not yet supplied."))
	}
	if res.Outcome.Overrides, err = tx.recordOverrides(p, "dose_change", c.ID, d.Applied); err != nil {
		return res, err
	}
	res.Change.Overrides = nonNil(res.Outcome.Overrides)
	if err := attachOverrides(tx.g, r.ID, res.Withdrawn); err != nil {
		return res, err
	}
	what := fmt.Sprintf("changed the dose to %s from %s", c.To, c.EffectiveDate)
	switch {
	case sameDoses && stageChanged:
		what = fmt.Sprintf("changed the stage to %s from %s; the dose stays %s", stage, c.EffectiveDate, c.To)
	case sameDoses:
		what = fmt.Sprintf("recorded the dose of %s from %s again; no day's dose changes", c.To, c.EffectiveDate)
	}
	if sameDoses {
		if stageChanged && stage.Titrating() {
			// The prescriptions stand as signed, so the prescriber is told
			// here what S6 would have said of them at this stage.
			s6, err := tx.takeHomeWhileTitrating(r, med, in.Effective, today)
			if err != nil {
				return res, err
			}
			res.Outcome.Warnings = append(res.Outcome.Warnings, s6...)
		}
		return res, tx.tellPracticeOfChange(p, n, r, c.ID, what, in.Reason, nil)
	}
	// The withdrawn changes are no longer read (doseChanges), so the
	// reissued days from this change on carry the doses now in force.
	var stuck []policy.Finding
	res.Reissued, stuck, err = tx.reissueLive(p, n, r, in.Effective, today,
		reissuedForChange(c))
	if err != nil {
		return res, err
	}
	res.Outcome.Warnings = append(res.Outcome.Warnings, stuck...)
	return res, tx.tellPracticeOfChange(p, n, r, c.ID, what, in.Reason, res.Reissued)
}

// restatedFinding tells the prescriber (T1) which later entries had
// carried the withdrawn stage and were restated.
func restatedFinding(n policy.Numbers, restated []RegimeSetting) policy.Finding {
	parts := make([]string, len(restated))
	for i, s := range restated {
		parts[i] = fmt.Sprintf("from %s at %s", s.EffectiveDate, s.Stage)
	}
	return n.Finding("T1",
		fmt.Sprintf("The withdrawn stage had been carried into later pattern or pharmacy entries; they are restated (%s), each in the pattern history.",
			strings.Join(parts, ", ")),
		"Change the stage again if the patient is to move on as planned.")
}

// withdrawSettings records that the stage entries the planned changes c
// withdraws had written are withdrawn by c too, each audited in the same
// transaction (regime.settings.withdraw).
func (tx *Tx) withdrawSettings(regimeID string, c DoseChange, gone []RegimeSetting) error {
	for _, s := range gone {
		row := settingWithdrawal{SettingID: s.ID, WithdrawnBy: c.ID, CreatedAt: c.CreatedAt}
		if err := tx.g.Create(&row).Error; err != nil {
			return translate(err)
		}
		if err := tx.Audit("regime.settings.withdraw", "regime", regimeID, row); err != nil {
			return err
		}
	}
	return nil
}

// takeHomeWhileTitrating is S6 for the live prescriptions' instalments from
// from (and not before today) that send doses home on days the regime is
// now in induction or titration: a stage changed without changing the dose
// reissues nothing, yet the take-home days it now covers are what a
// prescriber writing them would be warned of.
func (tx *Tx) takeHomeWhileTitrating(r Regime, med dosing.Medicine, from, today calendar.Date) ([]policy.Finding, error) {
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return nil, err
	}
	var rows []Instalment
	if err := tx.g.Table("instalments").Select("instalments.*").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("prescriptions.regime_id = ? AND prescriptions.status = ?", r.ID, StatusIssued).
		Where("instalments.date >= ? AND instalments.date >= ? AND instalments.take_home_ug > 0", from, today).
		Where("NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("instalments.date").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	var sched prescriptions.Schedule
	for _, in := range rows {
		covers := in.Covers
		if len(covers) == 0 {
			covers = []calendar.Date{in.Date}
		}
		sched.Instalments = append(sched.Instalments, prescriptions.Instalment{Date: in.Date, Covers: covers,
			Supervised: in.Supervised, TakeHome: in.TakeHome})
	}
	return prescriptions.TakeHomeWhileTitrating(med, sched, func(d calendar.Date) bool {
		return settingOn(r, settings, d).Stage.Titrating()
	}), nil
}

// EndRegime ends the active regime on on, recorded today; a reason is
// required. A regime not yet started is withdrawn, ended today before its
// start (regimes.ValidateEnd): its prescriptions are cancelled as any
// end's are, and it never counts as a treatment the patient was on.
func (tx *Tx) EndRegime(p auth.Principal, n policy.Numbers, regimeID string, on, today calendar.Date, reason string) (Regime, error) {
	if err := tx.lockPatientOf(ofRegime, regimeID); err != nil {
		return Regime{}, err
	}
	r, err := regimeFor(tx.g, p, regimeID)
	if err != nil {
		return r, err
	}
	if r.Status != RegimeActive {
		return r, problem.Conflictf("the regime has already ended")
	}
	if err := regimes.ValidateEnd(r.StartDate, on, today); err != nil {
		return r, err
	}
	// A regime ended before a dose the pharmacy handed over would hide
	// that dose from what follows (B1 counts from the last dose). The day
	// it was handed over counts, not the later days a take-home collection
	// covers: a patient who dies, is taken into custody or is discharged
	// the day after a weekly collection ends treatment that day, and the
	// doses they hold are named (TakenHomeAfterEnd).
	if handed, ok, err := tx.lastHandedOver(r.ID); err != nil {
		return r, err
	} else if ok && on.Before(handed) {
		return r, problem.Invalidf("ended_on", "after_last_dose",
			"ended_on must not be before %s, the last day the pharmacy handed over a dose recorded as taken; end the regime on or after it", handed)
	}
	// Likewise an injection given under the regime (BV2: recorded as an
	// administration). Only standing injections count (ADR 0014): one
	// entered in error was not given, and one replaced was given on its
	// replacement's date.
	var given Administration
	if err := tx.g.Where("regime_id = ?", r.ID).Where(standingAdministration).Order("date DESC").Limit(1).Find(&given).Error; err != nil {
		return r, translate(err)
	} else if given.ID != "" && on.Before(given.Date) {
		return r, problem.Invalidf("ended_on", "after_last_dose",
			"ended_on must not be before %s, the day of the last injection recorded under this regime; end the regime on or after it", given.Date)
	}
	takenHome, err := tx.TakenHomeAfter(r.ID, on)
	if err != nil {
		return r, err
	}
	var live []Prescription
	if err := tx.g.Where("regime_id = ? AND status = ? AND end_date >= ?", r.ID, StatusIssued, on).Find(&live).Error; err != nil {
		return r, translate(err)
	}
	for _, pr := range live {
		if _, err := tx.cancelPrescription(p, pr, RegimeEndReason(on, reason)); err != nil {
			return r, err
		}
		if err := tx.tellPharmaciesOfCancel(p, pr, RegimeEndReason(on, reason), today, nil); err != nil {
			return r, err
		}
	}
	was := r.Status
	r.Status, r.EndedOn, r.EndReason, r.EndedBy = RegimeEnded, on, reason, &p.UserID
	if err := tx.g.Model(&Regime{}).Where("id = ?", r.ID).Updates(map[string]any{"status": RegimeEnded, "ended_on": on,
		"end_reason": reason, "ended_by": p.UserID}).Error; err != nil {
		return r, translate(err)
	}
	if err := tx.Audit("regime.end", "regime", r.ID, map[string]any{"ended_on": on, "reason": reason, "cancelled_prescriptions": len(live),
		"taken_home_after_end": takenHome, "withdrawn_before_start": regimes.Withdrawn(r.StartDate, on), "status": statusChange(was, RegimeEnded)}); err != nil {
		return r, err
	}
	// The regime's own scheduled alerts (M5, M4, BV8, S6) ask for something
	// only an active regime needs.
	ended := resolution{Reason: RegimeEndReason(on, reason), EntityType: "regime", EntityID: r.ID}
	for _, k := range []struct{ kind, prefix string }{{AlertReviewDue, "review:"}, {AlertECGDue, "ecg:"}, {AlertInjectionOverdue, "bv8:"},
		{AlertSupervisionReviewDue, "s6:"}} {
		if err := tx.resolveAlerts(r.PatientID, k.kind, k.prefix+r.ID+":", ended); err != nil {
			return r, err
		}
	}
	if err := tx.tellSignersOfEnd(p, r, reason, live); err != nil {
		return r, err
	}
	return r, tx.endSharedCareWithRegime(p, n, r, reason, live)
}

// RegimeEndReason is the reason the end of a regime gives the prescriptions
// it cancels, the alerts it resolves and the shared care it closes, so that
// a reader can tell them from those cancelled or closed for other reasons.
func RegimeEndReason(on calendar.Date, reason string) string {
	return fmt.Sprintf("Regime ended on %s: %s", on, reason)
}

// PatternChange is a prescriber's new pickup pattern for a regime.
type PatternChange struct {
	Pattern       regimes.WeeklyPattern
	RelaxedReason string
	Effective     calendar.Date
	Reason        string
	Overrides     []policy.OverrideReason
	// Invalid are the request's own field errors (the HTTP layer's): the
	// change's checks that need the regime run with them and are answered
	// together, one 422 naming every failing field, and nothing is written.
	Invalid problem.Fields
}

// ChangePattern appends a new weekly pickup pattern (M6: relaxing
// supervision needs a recorded decision). An issued prescription cannot be
// amended (L1), so a live one reaching the effective date is cancelled and
// its remaining days issued on a new one, as for a dose change.
func (tx *Tx) ChangePattern(p auth.Principal, n policy.Numbers, regimeID string, in PatternChange, today calendar.Date) (Regime, RegimeSetting, Outcome, []Prescription, error) {
	var out Outcome
	if err := tx.lockPatientOf(ofRegime, regimeID); err != nil {
		return Regime{}, RegimeSetting{}, out, nil, err
	}
	r, err := regimeFor(tx.g, p, regimeID)
	if err != nil {
		return r, RegimeSetting{}, out, nil, err
	}
	if r.Status != RegimeActive {
		return r, RegimeSetting{}, out, nil, problem.Conflictf("the regime has ended")
	}
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return r, RegimeSetting{}, out, nil, err
	}
	mine := settingEffective(in.Effective, today, r.StartDate, latestSettingDate(settings), "a pattern change",
		"a new one must take effect on or after it (the same day supersedes it)")
	cur := settingOn(r, settings, in.Effective)
	f := slices.Clone(in.Invalid)
	f.Merge(mine...)
	med, _ := dosing.LookupMedicine(r.Medicine)
	if med.Injectable {
		// Nothing of it is collected, so a pickup pattern would be a
		// record of arrangements that do not exist.
		f.Add("pattern", "not_dispensed", "%s is injected by a healthcare professional (BV2), never collected or supervised at a pharmacy: "+
			"its regime has no pickup pattern; record injections at /v1/regimes/%s/administrations", med.Name, r.ID)
	}
	if f.Err() == nil && cur.Pattern == in.Pattern && cur.SupervisionRelaxedReason == in.RelaxedReason {
		f.Add("pattern", "changed", "this pattern is already in force on %s", in.Effective)
	}
	if err := f.Err(); err != nil {
		return r, RegimeSetting{}, out, nil, err
	}
	findings := regimes.CheckSupervision(n, med, r.StartDate, in.Effective, in.Pattern)
	d, err := decide(findings, regimes.RelaxedSupervision(findings, in.Overrides, in.RelaxedReason))
	if err != nil {
		return r, RegimeSetting{}, out, nil, err
	}
	reason := in.Reason
	if reason == "" {
		reason = "Pickup pattern changed"
	}
	set, err := tx.appendSetting(p, &r, RegimeSetting{EffectiveDate: in.Effective, Stage: cur.Stage, Pattern: in.Pattern,
		SupervisionRelaxedReason: in.RelaxedReason, PharmacyID: cur.PharmacyID, Reason: reason})
	if err != nil {
		return r, set, out, nil, err
	}
	out.Warnings = nonNil(d.Warnings)
	if out.Overrides, err = tx.recordOverrides(p, "regime", r.ID, d.Applied); err != nil {
		return r, set, out, nil, err
	}
	reissued, stuck, err := tx.reissueLive(p, n, r, in.Effective, today,
		fmt.Sprintf("Pickup pattern changed from %s; remaining days reissued", in.Effective))
	if err != nil {
		return r, set, out, reissued, err
	}
	out.Warnings = append(out.Warnings, stuck...)
	// S6 judges the pattern itself: a reissue's S6 names the days it
	// sends home, but with nothing live to reissue the change would say
	// nothing until a prescription is written from it.
	if !slices.ContainsFunc(out.Warnings, func(f policy.Finding) bool { return f.Rule == "S6" }) {
		out.Warnings = append(out.Warnings, regimes.PatternWhileTitrating(n, med, cur.Stage, in.Effective, in.Pattern)...)
	}
	// The practice is told the new pattern, as a dose change tells it the
	// new dose: it prescribes what is now in force.
	return r, set, out, reissued, tx.tellPracticeOfChange(p, n, r, set.ID, fmt.Sprintf("changed the pickup pattern from %s to: %s",
		in.Effective, regimes.PatternWords(in.Pattern)), in.Reason, reissued)
}

// settingEffective checks the day a pattern change or a move (what) takes
// effect: not before today, nor before the regime's start, nor before the
// latest setting recorded (then after says what to do); the first of
// these it fails is named.
func settingEffective(effective, today, start, latest calendar.Date, what, after string) problem.Fields {
	var f problem.Fields
	switch {
	case effective.Before(today):
		f.Add("effective_date", "not_past", "%s cannot take effect before today (%s)", what, today)
	case effective.Before(start):
		f.Add("effective_date", "after_start", "effective_date must not be before the regime start %s", start)
	case effective.Before(latest):
		f.Add("effective_date", "after_latest_change", "a pattern, stage or pharmacy change effective %s is already recorded; %s", latest, after)
	}
	return f
}

// PharmacyMove moves a regime's dispensing to another pharmacy from a date.
type PharmacyMove struct {
	PharmacyID string
	Effective  calendar.Date
	Reason     string
	// Invalid are the request's own field errors (the HTTP layer's): the
	// change's checks that need the regime run with them and are answered
	// together, one 422 naming every failing field, and nothing is written.
	Invalid problem.Fields
}

// MovePharmacy records the move as a new settings entry, makes the new
// pharmacy the patient's from the move's day, and reissues the live prescriptions' remaining
// days: those before the move at the old pharmacy, the rest at the new one.
// The findings name any live prescription left as written because its
// remaining days could not be laid out (reissueLive).
func (tx *Tx) MovePharmacy(p auth.Principal, n policy.Numbers, regimeID string, in PharmacyMove, today calendar.Date) (RegimeSetting, []Prescription, []policy.Finding, error) {
	var stuck []policy.Finding
	set, reissued, err := tx.movePharmacy(p, n, regimeID, in, today, &stuck)
	return set, reissued, stuck, err
}

func (tx *Tx) movePharmacy(p auth.Principal, n policy.Numbers, regimeID string, in PharmacyMove, today calendar.Date, stuck *[]policy.Finding) (RegimeSetting, []Prescription, error) {
	if err := tx.lockPatientOf(ofRegime, regimeID); err != nil {
		return RegimeSetting{}, nil, err
	}
	r, err := regimeFor(tx.g, p, regimeID)
	if err != nil {
		return RegimeSetting{}, nil, err
	}
	if r.Status != RegimeActive {
		return RegimeSetting{}, nil, problem.Conflictf("the regime has ended")
	}
	settings, err := regimeSettings(tx.g, r.ID)
	if err != nil {
		return RegimeSetting{}, nil, err
	}
	mine := settingEffective(in.Effective, today, r.StartDate, latestSettingDate(settings), "a move", "a move must take effect on or after it")
	// The pharmacy is judged, with the dates, in the same pass: one 422
	// names every failing field.
	var to Organisation
	cur := settingOn(r, settings, in.Effective)
	pharmacyKnown := false
	if !in.Invalid.NotReadAt("pharmacy_id") && !slices.ContainsFunc(in.Invalid, func(e problem.FieldError) bool { return e.Field == "pharmacy_id" }) {
		switch err := tx.checkOrg("pharmacy_id", &in.PharmacyID, auth.Pharmacy); {
		case problem.CodeOf(err) == problem.Invalid:
			pe, _ := problem.As(err)
			mine = append(mine, pe.Fields...)
		case err != nil:
			return RegimeSetting{}, nil, err
		case cur.PharmacyID == in.PharmacyID:
			mine.Add("pharmacy_id", "changed", "the regime already dispenses at this pharmacy on %s", in.Effective)
		default:
			pharmacyKnown = true
		}
	}
	if pharmacyKnown && len(mine) == 0 {
		if err := tx.g.Take(&to, "id = ?", in.PharmacyID).Error; err != nil {
			return RegimeSetting{}, nil, translate(err)
		}
		opening, err := tx.scheduleOpening(in.PharmacyID)
		if err != nil {
			return RegimeSetting{}, nil, err
		}
		if !opening.IsOpen(in.Effective) {
			// The first day there must be a collection day: an earlier
			// day's collection would be at the old pharmacy.
			mine.Add("effective_date", "pharmacy_open", "%s is closed on %s; move from a day it is open", to.Name, in.Effective)
		} else if next, closed, err := tx.firstOpenListFrom(r, settings, in.PharmacyID, opening, in.Effective); err != nil {
			return RegimeSetting{}, nil, err
		} else if closed {
			// Its doses there are settled: the reissue's dose for the day
			// would sit on a closed list, missed at once, while the old
			// pharmacy's, still open, is cancelled.
			mine.Add("effective_date", "day_closed", "%s has closed its day list for %s: a dose due there that day could no longer be collected and would be recorded missed; %s",
				to.Name, in.Effective, startAdvice("move from", next))
		}
	}
	f := slices.Clone(in.Invalid)
	f.Merge(mine...)
	if err := f.Err(); err != nil {
		return RegimeSetting{}, nil, err
	}
	set, err := tx.appendSetting(p, &r, RegimeSetting{EffectiveDate: in.Effective, Stage: cur.Stage, Pattern: cur.Pattern,
		SupervisionRelaxedReason: cur.SupervisionRelaxedReason, PharmacyID: in.PharmacyID, Reason: in.Reason})
	if err != nil {
		return set, nil, err
	}
	// The patient's dispensing pharmacy, which decides which pharmacy sees
	// the record, changes on the move's day: until then the old pharmacy
	// dispenses. A move booked ahead is applied by the day close before it
	// (ApplyPharmacyMoves).
	if !in.Effective.After(today) {
		if err := tx.setPatientPharmacy(r.PatientID, r.ID, in.PharmacyID, in.Effective); err != nil {
			return set, nil, err
		}
	}
	reissued, notReissued, err := tx.reissueLive(p, n, r, in.Effective, today,
		fmt.Sprintf("Dispensing moves to %s from %s; remaining days reissued", to.Name, in.Effective))
	*stuck = notReissued
	if err != nil {
		return set, reissued, err
	}
	return set, reissued, tx.tellPracticeOfChange(p, n, r, set.ID, fmt.Sprintf("moved dispensing to %s from %s", to.Name, in.Effective),
		in.Reason, reissued)
}

// handedOverFrom lists the days from day on whose doses were already handed
// over (supervised or taken home, corrections applied) by an instalment of
// the regime: a take-home collection covers days ahead of its own.
func handedOverFrom(g *gorm.DB, regimeID string, day calendar.Date) ([]calendar.Date, error) {
	var rows []Instalment
	// A collection covers at most a week ahead of its own date.
	if err := g.Table("instalments").Select("instalments.*").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("prescriptions.regime_id = ? AND instalments.date >= ? AND instalments.date <= ?", regimeID, day.AddDays(-7), day.AddDays(14)).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	var out []calendar.Date
	for _, in := range rows {
		var evs []DoseEvent
		if err := g.Where("instalment_id = ?", in.ID).Order("created_at, id").Find(&evs).Error; err != nil {
			return nil, translate(err)
		}
		events := make([]dispensing.Event, len(evs))
		for i, e := range evs {
			events[i] = e.event()
		}
		if cur, ok := dispensing.CurrentEvent(events); !ok || !cur.Outcome.Taken() {
			continue
		}
		for _, d := range in.Covers {
			if !d.Before(day) {
				out = append(out, d)
			}
		}
	}
	slices.SortFunc(out, func(a, b calendar.Date) int { return a.Compare(b) })
	return out, nil
}

// suppliedDoses are the regime's dose days from..to whose doses were
// handed over (supervised or taken home, corrections applied), each at the
// dose its prescription carried for the day (its dose periods), whatever
// has become of the prescription since.
func suppliedDoses(g *gorm.DB, regimeID string, from, to calendar.Date) ([]regimes.SuppliedDose, error) {
	var rows []struct {
		Instalment
		DosePeriods DosePeriods
	}
	// A collection covers at most a week ahead of its own date.
	if err := g.Table("instalments").Select("instalments.*, prescriptions.dose_periods").
		Joins("JOIN prescriptions ON prescriptions.id = instalments.prescription_id").
		Where("prescriptions.regime_id = ? AND instalments.date >= ? AND instalments.date <= ?", regimeID, from.AddDays(-7), to).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Find(&rows).Error; err != nil {
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
	var out []regimes.SuppliedDose
	for _, r := range rows {
		if ev, ok := current[r.ID]; !ok || !ev.Outcome.Taken() {
			continue
		}
		for _, d := range r.Covers {
			if d.Before(from) || d.After(to) {
				continue
			}
			var dose dosing.Micrograms
			for _, p := range r.DosePeriods {
				if !p.From.After(d) {
					dose = p.DailyDose
				}
			}
			out = append(out, regimes.SuppliedDose{Date: d, Dose: dose})
		}
	}
	return out, nil
}

// dateList writes dates as "2026-12-03, 2026-12-04".
func dateList(ds []calendar.Date) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ", ")
}

// setPatientPharmacy makes pharmacyID the patient's dispensing pharmacy.
// The audit names the pharmacy it replaced (null if none): a move booked
// ahead is applied by the day close, long after the request that booked it.
func (tx *Tx) setPatientPharmacy(patientID, regimeID, pharmacyID string, effective calendar.Date) error {
	var from []*string
	if err := tx.g.Model(&Patient{}).Where("id = ?", patientID).Pluck("pharmacy_id", &from).Error; err != nil {
		return translate(err)
	}
	if err := tx.g.Model(&Patient{}).Where("id = ?", patientID).Update("pharmacy_id", pharmacyID).Error; err != nil {
		return translate(err)
	}
	var was *string
	if len(from) > 0 {
		was = from[0]
	}
	return tx.Audit("patient.pharmacy", "patient", patientID, map[string]any{"pharmacy_id": pharmacyID, "regime_id": regimeID,
		"effective_date": effective, "from": was, "to": pharmacyID})
}

// ApplyPharmacyMoves makes each active regime's pharmacy in force on day
// the patient's dispensing pharmacy, where a move booked ahead has come
// due. Run by the day close of the day before, and again harmlessly.
func (tx *Tx) ApplyPharmacyMoves(day calendar.Date) error {
	var due []struct {
		RegimeID, PatientID, PharmacyID string
		EffectiveDate                   calendar.Date
	}
	// The latest setting in force on day, in regimeSettings' order, where
	// its pharmacy is not the patient's.
	err := tx.g.Raw(`SELECT rs.regime_id, r.patient_id, rs.pharmacy_id, rs.effective_date
		FROM regime_settings rs
		JOIN regimes r ON r.id = rs.regime_id AND r.status = ?
		JOIN patients pt ON pt.id = r.patient_id
		WHERE rs.effective_date <= ? AND rs.pharmacy_id IS NOT NULL
		  AND (pt.pharmacy_id IS NULL OR pt.pharmacy_id <> rs.pharmacy_id)
		  AND NOT EXISTS (SELECT 1 FROM regime_setting_withdrawals sw WHERE sw.setting_id = rs.id)
		  AND NOT EXISTS (SELECT 1 FROM regime_settings l WHERE l.regime_id = rs.regime_id AND l.effective_date <= ?
		      AND NOT EXISTS (SELECT 1 FROM regime_setting_withdrawals lw WHERE lw.setting_id = l.id)
		      AND (l.effective_date > rs.effective_date OR (l.effective_date = rs.effective_date
		           AND (l.created_at > rs.created_at OR (l.created_at = rs.created_at AND l.id > rs.id)))))
		ORDER BY r.patient_id`, RegimeActive, day, day).Scan(&due).Error
	if err != nil {
		return translate(err)
	}
	for _, m := range due {
		if err := tx.setPatientPharmacy(m.PatientID, m.RegimeID, m.PharmacyID, m.EffectiveDate); err != nil {
			return err
		}
	}
	return nil
}
