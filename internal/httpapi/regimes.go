package httpapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

// planAheadDays bounds how far ahead a dose, pattern or pharmacy change
// may be planned: a prescription written today starts within 28 days (L3)
// and runs at most 14 (L6), so no change further off can shape one, and a
// mistyped year would otherwise hold back every change before it.
const planAheadDays = 42

func plannedWithin(f *problem.Fields, effective, today calendar.Date) {
	plannedWithinAs(f, "effective_date", effective, today)
}

// plannedWithinAs is plannedWithin for a date sent as field.
func plannedWithinAs(f *problem.Fields, field string, day, today calendar.Date) {
	if last := today.AddDays(planAheadDays); day.After(last) {
		f.Add(field, "plan_ahead", "%s must be at most %d days ahead (by %s); plan it nearer the time", field, planAheadDays, last)
	}
}

// ecgDay checks the day an ECG was done. Ahead of today it would count as
// a recent check and switch M4 off. Back, it may reach as far as M4 counts
// a check, if the service's policy counts one longer than a year.
func ecgDay(f *problem.Fields, ecg, today calendar.Date, n policy.Numbers) {
	if ecg.After(today) {
		f.Add("ecg_date", "not_future", "ecg_date is the day the ECG was done, not in the future; book it and record it once done")
		return
	}
	notBefore(f, "ecg_date", ecg, regimes.AddMonths(today, -max(12, n.M4ECGValidMonths, n.M4ReviewMonths)))
}

// pattern decodes a weekly pickup pattern, defaulting to every day
// supervised (M6, S6).
func pattern(f *problem.Fields, field string, raw json.RawMessage) regimes.WeeklyPattern {
	if len(raw) == 0 || string(raw) == "null" {
		return regimes.AllSupervised()
	}
	var p regimes.WeeklyPattern
	if err := json.Unmarshal(raw, &p); err != nil {
		patternErrors(f, field, err)
		return p
	}
	if err := p.Validate(); err != nil {
		patternErrors(f, field, err)
	}
	return p
}

// patternErrors names each of a pattern's problems (one per weekday,
// errors.Join) as an error of its own, so none hides behind the first.
func patternErrors(f *problem.Fields, field string, err error) {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		f.Add(field, "pattern", "%s", err.Error())
		return
	}
	for _, e := range joined.Unwrap() {
		f.Add(field, "pattern", "%s", e.Error())
	}
}

func medicine(f *problem.Fields, field, code string) dosing.Medicine {
	m, ok := dosing.LookupMedicine(code)
	if !ok {
		var codes []string
		for _, m := range dosing.Formulary() {
			codes = append(codes, m.Code)
		}
		f.Add(field, "formulary", "%s must be one of %s (GET /v1/formulary)", field, strings.Join(codes, ", "))
	}
	return m
}

type previousRequest struct {
	Medicine string   `json:"medicine"`
	Dose     rawField `json:"dose"`
}

// startRegimeRequest's BuprenorphineNaive is nil when not sent: the store
// infers it from the previous treatment (regimes.StartNaive, BV3).
type startRegimeRequest struct {
	Medicine                 string            `json:"medicine"`
	Dose                     rawField          `json:"dose"`
	StartDate                rawField          `json:"start_date"`
	Stage                    regimes.Stage     `json:"stage"`
	Pattern                  json.RawMessage   `json:"pattern"`
	PharmacyID               string            `json:"pharmacy_id"`
	SupervisionRelaxedReason string            `json:"supervision_relaxed_reason"`
	ECGDate                  rawField          `json:"ecg_date"`
	Reason                   string            `json:"reason"`
	Previous                 *previousRequest  `json:"previous"`
	LastDoseAt               rawField          `json:"last_dose_at"`
	LastShortActingOpioidAt  rawField          `json:"last_short_acting_opioid_at"`
	FirstDoseAt              rawField          `json:"first_dose_at"`
	BuprenorphineNaive       *bool             `json:"buprenorphine_naive"`
	TestDoseGiven            bool              `json:"test_dose_given"`
	Overrides                []overrideRequest `json:"overrides"`
}

func (s *Server) startRegime(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req startRegimeRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	in := store.StartRegime{PatientID: id, Medicine: medicine(&f, "medicine", req.Medicine),
		Dose: dose(&f, "dose", req.Dose, true), StartDate: date(&f, "start_date", req.StartDate, false),
		Stage: req.Stage, Pattern: pattern(&f, "pattern", req.Pattern), PharmacyID: req.PharmacyID,
		SupervisionRelaxedReason: problem.TrimText(req.SupervisionRelaxedReason), ECGDate: date(&f, "ecg_date", req.ECGDate, false),
		Reason: req.Reason, LastDoseAt: instant(&f, "last_dose_at", req.LastDoseAt),
		LastShortActingOpioid: instant(&f, "last_short_acting_opioid_at", req.LastShortActingOpioidAt),
		FirstDoseAt:           instant(&f, "first_dose_at", req.FirstDoseAt),
		BuprenorphineNaive:    req.BuprenorphineNaive, TestDoseGiven: req.TestDoseGiven,
		Overrides: overrides(&f, req.Overrides, s.cfg.Policy)}
	loc := s.cfg.Timezone
	in.Zone = loc
	startField := "start_date"
	if in.StartDate.IsZero() && !in.FirstDoseAt.IsZero() {
		in.StartDate, startField = calendar.DateOf(in.FirstDoseAt, loc), "first_dose_at"
	}
	if in.StartDate.IsZero() {
		in.StartDate = s.today()
	} else if in.StartDate.Before(s.today()) {
		f.Add(startField, "not_past", "%s must be today or later", startField)
	} else {
		plannedWithinAs(&f, startField, in.StartDate, s.today())
	}
	ecgDay(&f, in.ECGDate, s.today(), s.cfg.Policy)
	// B1 times the first dose; without one given, the service's usual
	// first-dose time on the start date stands in, and B1 says so.
	switch {
	case in.FirstDoseAt.IsZero():
		in.FirstDoseAt, in.FirstDoseAssumed = regimes.AssumedFirstDose(in.StartDate, loc), true
	case !calendar.DateOf(in.FirstDoseAt, loc).Equal(in.StartDate):
		f.Add("first_dose_at", "on_start_date", "first_dose_at must fall on start_date (%s) in the service's time zone %s", in.StartDate, loc)
	}
	// A last dose after the start day is a mistyped date, and read as
	// recent it would let a first day's dose through as a continuation
	// (M1, B2) or time B1 from a dose not yet taken.
	for _, t := range []struct {
		field string
		at    time.Time
	}{{"last_dose_at", in.LastDoseAt}, {"last_short_acting_opioid_at", in.LastShortActingOpioid}} {
		if !t.at.IsZero() && calendar.DateOf(t.at, loc).After(in.StartDate) {
			f.Add(t.field, "before_start", "%s (%s) is after the start date (%s): give the time the patient last took it, on or before the start day; check the date", t.field, t.at.Format(time.RFC3339), in.StartDate)
		}
	}
	if in.Stage == "" {
		in.Stage = regimes.StageInduction
	} else if !in.Stage.Valid() {
		f.Add("stage", "enum", "stage must be induction, titration, maintenance or reduction")
	}
	if in.PharmacyID != "" && !store.ValidID(in.PharmacyID) {
		f.Add("pharmacy_id", "format", "pharmacy_id must be a UUID")
	}
	optionalText(&f, "reason", req.Reason, 2000)
	optionalText(&f, "supervision_relaxed_reason", req.SupervisionRelaxedReason, 2000)
	if req.Previous != nil {
		m := medicine(&f, "previous.medicine", req.Previous.Medicine)
		in.PreviousMedicine = &m
		in.PreviousDose = dose(&f, "previous.dose", req.Previous.Dose, false)
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var r store.Regime
	var out store.Outcome
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		r, out, err = tx.StartRegime(principal(c), s.cfg.Policy, in)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.regimeView(c, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Warnings, v.Overrides = nonNilSlice(out.Warnings), nonNilSlice(out.Overrides)
	c.JSON(http.StatusCreated, v)
}

// regimeView is a regime as a prescriber reads it.
type regimeView struct {
	store.Regime
	MedicineName      string                `json:"medicine_name"`
	CurrentDose       dosing.Micrograms     `json:"current_dose"`
	LatestDose        dosing.Micrograms     `json:"latest_dose"`
	InForce           inForce               `json:"in_force"`
	DoseHistory       []store.DoseChange    `json:"dose_history"`
	PatternHistory    []store.RegimeSetting `json:"pattern_history"`
	ReviewDue         *calendar.Date        `json:"review_due,omitempty"`
	HighDoseReviewDue *calendar.Date        `json:"high_dose_review_due,omitempty"`
	NextInjection     *nextInjection        `json:"next_injection,omitempty"`
	BuvidalConversion *conversion           `json:"buvidal_conversion,omitempty"`
	Retitration       *regimes.Suggestion   `json:"retitration,omitempty"`
	Warnings          []policy.Finding      `json:"warnings"`
	Overrides         []store.RuleOverride  `json:"overrides"`
}

// inForce is the pattern, stage and pharmacy in force today. The regime's
// own fields are its latest entry, a planned one included, as latest_dose
// is for the dose; a prescriber reading the regime needs both.
type inForce struct {
	Since                    calendar.Date         `json:"since"`
	Stage                    regimes.Stage         `json:"stage"`
	Pattern                  regimes.WeeklyPattern `json:"pattern"`
	SupervisionRelaxedReason string                `json:"supervision_relaxed_reason"`
	PharmacyID               string                `json:"pharmacy_id,omitempty"`
}

type nextInjection struct {
	Rule     string        `json:"rule"`
	Due      calendar.Date `json:"due"`
	Earliest calendar.Date `json:"earliest"`
	Latest   calendar.Date `json:"latest"`
}

// conversion is BV4's offer when a patient on sublingual buprenorphine
// might switch to Buvidal.
type conversion struct {
	Rule    string             `json:"rule"`
	Weekly  *dosing.Micrograms `json:"weekly"`
	Monthly *dosing.Micrograms `json:"monthly"`
}

func (s *Server) regimeView(c *gin.Context, r store.Regime) (regimeView, error) {
	ctx := c.Request.Context()
	n := s.cfg.Policy
	today := s.today()
	med, _ := dosing.LookupMedicine(r.Medicine)
	// The whole record is shown; DoseOn, LatestDose and MD3 read only the
	// changes that stand.
	history, err := s.db.TitrationHistory(ctx, r.ID)
	if err != nil {
		return regimeView{}, err
	}
	ov, err := s.db.Overrides(ctx, "regime", r.ID)
	if err != nil {
		return regimeView{}, err
	}
	settings, err := s.db.SettingsHistory(ctx, r.ID)
	if err != nil {
		return regimeView{}, err
	}
	v := regimeView{Regime: r, MedicineName: med.Name, CurrentDose: store.DoseOn(history, today), LatestDose: store.LatestDose(history),
		DoseHistory: nonNilSlice(history), PatternHistory: nonNilSlice(settings), Warnings: []policy.Finding{}, Overrides: nonNilSlice(ov)}
	now := store.SettingInForce(r, settings, today)
	v.InForce = inForce{Since: now.EffectiveDate, Stage: now.Stage, Pattern: now.Pattern,
		SupervisionRelaxedReason: now.SupervisionRelaxedReason, PharmacyID: now.PharmacyID}
	lastReview, err := s.db.LastReview(ctx, r.PatientID)
	if err != nil {
		return v, err
	}
	from := r.StartDate
	if lastReview.After(from) {
		from = lastReview
	}
	// An ended regime has no review to come: ending it resolved its
	// review_due alerts, so the view shows none either.
	if r.Status != store.RegimeEnded {
		due := regimes.ReviewDue(from, n)
		v.ReviewDue = &due
		if r.Status == store.RegimeActive {
			v.Warnings = append(v.Warnings, regimes.CheckReview(n, due, today)...)
		}
	}
	// Nor does an ended regime's high dose: no one is taking it.
	if med.Class == dosing.ClassMethadone && v.LatestDose >= n.M4HighDose && r.Status != store.RegimeEnded {
		d := regimes.HighDoseReviewDue(n, regimes.HighDoseSince(n, store.Steps(history)), lastReview, r.ECGDate)
		v.HighDoseReviewDue = &d
	}
	switch med.Class {
	case dosing.ClassBuvidal:
		if v.NextInjection, err = s.nextInjectionOf(c, r); err != nil {
			return v, err
		}
	case dosing.ClassBuprenorphine:
		// B4: Espranor's doses do not carry across to other products, so
		// the sublingual conversion table does not apply to them.
		if med.Espranor {
			break
		}
		if w, m, ok := regimes.ConvertFromSublingual(v.LatestDose); ok {
			cv := &conversion{Rule: "BV4"}
			if w > 0 {
				cv.Weekly = &w
			}
			if m > 0 {
				cv.Monthly = &m
			}
			v.BuvidalConversion = cv
		}
	}
	if r.Status == store.RegimeActive {
		if v.Retitration, err = s.retitrationOf(c, r, history); err != nil {
			return v, err
		}
	}
	return v, nil
}

// nextInjectionOf is BV8's next regular injection of an active Buvidal
// regime, nil for any other: the regime view and the answer to an
// injection both give it, from regimes.NextInjection, so an extra dose
// moves neither, and a new regime's first dose is due as the overdue
// alert judges it.
func (s *Server) nextInjectionOf(c *gin.Context, r store.Regime) (*nextInjection, error) {
	next, ok, err := s.db.NextInjection(c.Request.Context(), s.cfg.Policy, r)
	if err != nil || !ok {
		return nil, err
	}
	return &nextInjection{Rule: "BV8", Due: next.Due, Earliest: next.Earliest, Latest: next.Latest}, nil
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) getRegime(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.db.RegimeFor(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.regimeView(c, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) listRegimes(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	regs, err := s.db.Regimes(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := listPageOf(c, pg, regs, func(r store.Regime) string { return r.ID }); err != nil {
		s.fail(c, err)
	}
}

type doseChangeRequest struct {
	To            rawField          `json:"to"`
	EffectiveDate rawField          `json:"effective_date"`
	Reason        string            `json:"reason"`
	Stage         regimes.Stage     `json:"stage"`
	ECGDate       rawField          `json:"ecg_date"`
	Overrides     []overrideRequest `json:"overrides"`
}

func (s *Server) changeDose(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req doseChangeRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	today := s.today()
	in := store.ChangeDose{To: dose(&f, "to", req.To, true), Effective: date(&f, "effective_date", req.EffectiveDate, false),
		Reason: problem.TrimText(req.Reason), Stage: req.Stage, ECGDate: date(&f, "ecg_date", req.ECGDate, false),
		Overrides: overrides(&f, req.Overrides, s.cfg.Policy)}
	if in.Effective.IsZero() {
		in.Effective = today
	}
	plannedWithin(&f, in.Effective, today)
	ecgDay(&f, in.ECGDate, today, s.cfg.Policy)
	requireText(&f, "reason", req.Reason, 2000)
	if in.Stage != "" && !in.Stage.Valid() {
		f.Add("stage", "enum", "stage must be induction, titration, maintenance or reduction")
	}
	// The checks that need the regime (after_start, not_past, M2's
	// step) run in the store with these: one 422 names every failing
	// field, and nothing is written.
	in.Invalid = f
	var res store.DoseChangeResult
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		res, err = tx.ChangeDose(principal(c), s.cfg.Policy, id, in, today)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	// A retry of the regime's newest entry wrote nothing: 200 with that
	// entry as it was recorded and what it withdrew and reissued.
	status := http.StatusCreated
	if res.Repeat {
		status = http.StatusOK
	}
	c.JSON(status, gin.H{"dose_change": res.Change, "warnings": res.Outcome.Warnings, "overrides": nonNilSlice(res.Outcome.Overrides),
		"withdrawn_changes": nonNilSlice(res.Withdrawn), "reissued_prescriptions": nonNilSlice(res.Reissued), "already_recorded": res.Repeat})
}

func (s *Server) listDoseChanges(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.db.RegimeFor(c.Request.Context(), principal(c), id); err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.db.TitrationHistory(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := listPageOf(c, pg, h, func(d store.DoseChange) string { return d.ID }); err != nil {
		s.fail(c, err)
	}
}

type endRegimeRequest struct {
	EndedOn rawField `json:"ended_on"`
	Reason  string   `json:"reason"`
}

func (s *Server) endRegime(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req endRegimeRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	on := date(&f, "ended_on", req.EndedOn, false)
	if on.IsZero() {
		on = s.today()
	}
	// Ending stops dispensing at once: a regime ended "on Saturday" today
	// would leave the days until then without a dose.
	if on.After(s.today()) {
		f.Add("ended_on", "not_future", "ended_on must not be in the future: ending a regime cancels its prescriptions now; "+
			"record the end on the day treatment stops (a prescription already written to that day runs until then); "+
			"a regime not yet started is withdrawn today: leave ended_on out")
	}
	requireText(&f, "reason", req.Reason, 2000)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	// The answer names the days whose doses the patient already took home
	// (they may end a regime the day after a weekly collection).
	var res struct {
		store.Regime
		TakenHomeAfterEnd []calendar.Date  `json:"taken_home_after_end"`
		Warnings          []policy.Finding `json:"warnings"`
	}
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		if res.Regime, err = tx.EndRegime(principal(c), s.cfg.Policy, id, on, s.today(), problem.TrimText(req.Reason)); err != nil {
			return err
		}
		res.TakenHomeAfterEnd, err = tx.TakenHomeAfter(id, on)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	res.Warnings = []policy.Finding{}
	if f, ok := regimes.TakenHomeAfterEnd(s.cfg.Policy, on, res.TakenHomeAfterEnd); ok {
		res.Warnings = append(res.Warnings, f)
	}
	c.JSON(http.StatusOK, res)
}

type patternRequest struct {
	Pattern                  json.RawMessage   `json:"pattern"`
	SupervisionRelaxedReason string            `json:"supervision_relaxed_reason"`
	EffectiveDate            rawField          `json:"effective_date"`
	Reason                   string            `json:"reason"`
	Overrides                []overrideRequest `json:"overrides"`
}

func (s *Server) changePattern(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req patternRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	// null is no pattern at all, not "every day supervised" (the default a
	// new regime gets): a change must say what the new pattern is.
	if len(req.Pattern) == 0 || string(req.Pattern) == "null" {
		f.Add("pattern", "required", "pattern is required")
	}
	in := store.PatternChange{Pattern: pattern(&f, "pattern", req.Pattern), RelaxedReason: problem.TrimText(req.SupervisionRelaxedReason),
		Effective: date(&f, "effective_date", req.EffectiveDate, false), Reason: problem.TrimText(req.Reason),
		Overrides: overrides(&f, req.Overrides, s.cfg.Policy)}
	today := s.today()
	if in.Effective.IsZero() {
		in.Effective = today
	}
	plannedWithin(&f, in.Effective, today)
	optionalText(&f, "supervision_relaxed_reason", req.SupervisionRelaxedReason, 2000)
	optionalText(&f, "reason", req.Reason, 2000)
	in.Invalid = f // answered with the store's checks of the dates (changeDose)
	var r store.Regime
	var set store.RegimeSetting
	var out store.Outcome
	var reissued []store.Prescription
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		r, set, out, reissued, err = tx.ChangePattern(principal(c), s.cfg.Policy, id, in, today)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"regime": r, "pattern_change": set, "warnings": out.Warnings, "overrides": nonNilSlice(out.Overrides),
		"reissued_prescriptions": nonNilSlice(reissued)})
}

type pharmacyMoveRequest struct {
	PharmacyID    string   `json:"pharmacy_id"`
	EffectiveDate rawField `json:"effective_date"`
	Reason        string   `json:"reason"`
}

// movePharmacy moves a patient's dispensing to another pharmacy: the live
// prescriptions' remaining days are reissued, split at the move.
func (s *Server) movePharmacy(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req pharmacyMoveRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	in := store.PharmacyMove{PharmacyID: req.PharmacyID, Effective: date(&f, "effective_date", req.EffectiveDate, false),
		Reason: problem.TrimText(req.Reason)}
	today := s.today()
	if in.Effective.IsZero() {
		in.Effective = today
	}
	plannedWithin(&f, in.Effective, today)
	if !store.ValidID(req.PharmacyID) {
		f.Add("pharmacy_id", "format", "pharmacy_id must be the UUID of a pharmacy")
	}
	requireText(&f, "reason", req.Reason, 2000)
	in.Invalid = f // answered with the store's checks of the dates and the pharmacy (changeDose)
	var set store.RegimeSetting
	var reissued []store.Prescription
	var warnings []policy.Finding
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		set, reissued, warnings, err = tx.MovePharmacy(principal(c), s.cfg.Policy, id, in, today)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"pharmacy_move": set, "reissued_prescriptions": nonNilSlice(reissued), "warnings": nonNilSlice(warnings)})
}

type administrationRequest struct {
	Date               rawField          `json:"date"`
	Dose               rawField          `json:"dose"`
	Extra              bool              `json:"extra"`
	Site               regimes.Site      `json:"site"`
	Batch              string            `json:"batch"`
	BatchExpiry        rawField          `json:"batch_expiry"`
	AdministeredBy     string            `json:"administered_by"`
	BuprenorphineNaive *bool             `json:"buprenorphine_naive"`
	Overrides          []overrideRequest `json:"overrides"`
	// CorrectsID names the administration this one replaces (its date,
	// dose, site, batch or expiry corrected), with CorrectionReason.
	CorrectsID       string `json:"corrects_id"`
	CorrectionReason string `json:"correction_reason"`
}

func (s *Server) recordAdministration(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req administrationRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	in := store.NewAdministration{Date: date(&f, "date", req.Date, false), Dose: dose(&f, "dose", req.Dose, true),
		Extra: req.Extra, Site: req.Site, Batch: strings.TrimSpace(req.Batch), BatchExpiry: date(&f, "batch_expiry", req.BatchExpiry, true),
		AdministeredBy: problem.TrimText(req.AdministeredBy), BuprenorphineNaive: req.BuprenorphineNaive,
		Overrides: overrides(&f, req.Overrides, s.cfg.Policy)}
	if in.Date.IsZero() {
		in.Date = s.today()
	}
	recordedDay(&f, "date", in.Date, s.today(), "an administration is recorded on or after the day it is given")
	if !req.Site.Valid() {
		var sites []string
		for _, s := range regimes.Sites() {
			sites = append(sites, string(s))
		}
		f.Add("site", "BV2", "site must be one of %s (subcutaneous: buttock, thigh, abdomen or upper arm)", strings.Join(sites, ", "))
	}
	f.RequireName("batch", req.Batch, 40)
	if in.AdministeredBy == "" {
		in.AdministeredBy = principal(c).Name
	}
	optionalText(&f, "administered_by", in.AdministeredBy, 200)
	correctsID, reason := strings.TrimSpace(req.CorrectsID), problem.TrimText(req.CorrectionReason)
	switch {
	case correctsID == "" && req.CorrectionReason != "":
		f.Add("correction_reason", "correction", "only a correction (with corrects_id) carries correction_reason")
	case correctsID != "" && !problem.Visible(reason):
		f.Add("correction_reason", "required", "a correction carries correction_reason: why the record was wrong")
	case correctsID != "":
		optionalText(&f, "correction_reason", reason, 500)
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var a store.Administration
	var out store.Outcome
	var corr *store.AdministrationCorrection
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		if correctsID != "" {
			var x store.AdministrationCorrection
			a, out, x, err = tx.CorrectAdministration(principal(c), s.cfg.Policy, s.today(), id, correctsID, reason, in)
			corr = &x
			return err
		}
		a, out, err = tx.RecordAdministration(principal(c), s.cfg.Policy, id, in)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.db.RegimeFor(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	next, err := s.nextInjectionOf(c, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	body := gin.H{"administration": a, "warnings": out.Warnings, "overrides": nonNilSlice(out.Overrides),
		"next_injection": next}
	if corr != nil {
		body["correction"] = corr
	}
	c.JSON(http.StatusCreated, body)
}

type enteredInErrorRequest struct {
	Reason string `json:"reason"`
}

// administrationEnteredInError records that an injection was not given to
// this patient: the record stays, marked, and counts for nothing.
func (s *Server) administrationEnteredInError(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req enteredInErrorRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	reason := problem.TrimText(req.Reason)
	if !problem.Visible(reason) {
		f.Add("reason", "required", "say why the injection was entered in error (given to another patient, say)")
	} else {
		optionalText(&f, "reason", reason, 500)
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var a store.Administration
	var corr store.AdministrationCorrection
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		corr, a, err = tx.AdministrationEnteredInError(principal(c), s.cfg.Policy, s.today(), id, reason)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.db.RegimeFor(c.Request.Context(), principal(c), a.RegimeID)
	if err != nil {
		s.fail(c, err)
		return
	}
	next, err := s.nextInjectionOf(c, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"administration": a, "correction": corr, "next_injection": next})
}

func (s *Server) listAdministrations(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.db.RegimeFor(c.Request.Context(), principal(c), id); err != nil {
		s.fail(c, err)
		return
	}
	adm, err := s.db.Administrations(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := listPageOf(c, pg, adm, func(a store.Administration) string { return a.ID }); err != nil {
		s.fail(c, err)
	}
}

type drugScreenRequest struct {
	Date            rawField               `json:"date"`
	SampleType      string                 `json:"sample_type"`
	Witnessed       bool                   `json:"witnessed"`
	Results         map[string]string      `json:"results"`
	OtherSubstances []store.OtherSubstance `json:"other_substances"`
	Notes           string                 `json:"notes"`
}

// maxOtherSubstances bounds one screen's named extra results; a laboratory
// extended panel names a dozen or so.
const maxOtherSubstances = 30

func (s *Server) recordDrugScreen(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req drugScreenRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	ds := store.DrugScreen{PatientID: id, Date: date(&f, "date", req.Date, false), SampleType: req.SampleType,
		Witnessed: req.Witnessed, Results: map[string]string{}, Notes: req.Notes}
	if ds.Date.IsZero() {
		ds.Date = s.today()
	}
	recordedDay(&f, "date", ds.Date, s.today(), "date must not be in the future")
	if req.SampleType != "urine" && req.SampleType != "oral_fluid" {
		f.Add("sample_type", "enum", "sample_type must be urine or oral_fluid")
	}
	if len(req.Results) == 0 && len(req.OtherSubstances) == 0 && !f.NotReadAt("other_substances") {
		f.Add("results", "required", "results are required: substance → negative, positive or not_tested")
	}
	known := map[string]bool{}
	for _, sub := range store.Screenable {
		known[sub] = true
		ds.Results[sub] = store.ResultNotTested
	}
	for _, sub := range slices.Sorted(maps.Keys(req.Results)) {
		res := req.Results[sub]
		if !known[sub] {
			f.Add("results."+sub, "substance", "substance must be one of %s; name any other in other_substances",
				strings.Join(store.Screenable, ", "))
			continue
		}
		if res != store.ResultNegative && res != store.ResultPositive && res != store.ResultNotTested {
			f.Add("results."+sub, "enum", "result must be negative, positive or not_tested")
		}
		ds.Results[sub] = res
	}
	ds.OtherSubstances = otherSubstances(&f, req.OtherSubstances, known)
	optionalText(&f, "notes", req.Notes, 2000)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.db.Write(c.Request.Context(), func(tx *store.Tx) error { return tx.RecordDrugScreen(principal(c), &ds) }); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, ds)
}

// otherSubstances checks the named results beyond the panel: each named
// once, not a panel substance, and found or not (an untested substance is
// simply not listed).
func otherSubstances(f *problem.Fields, in []store.OtherSubstance, panel map[string]bool) []store.OtherSubstance {
	if len(in) > maxOtherSubstances {
		f.Add("other_substances", "max_items", "at most %d other substances per screen", maxOtherSubstances)
		return nil
	}
	out := make([]store.OtherSubstance, 0, len(in))
	seen := map[string]bool{}
	for i, o := range in {
		field := fmt.Sprintf("other_substances[%d]", i)
		// As a reader sees it (NFC, single spaces), so "fentanyl  citrate"
		// and "Fentanyl citrate" are one substance, never both results.
		name := auth.Name(problem.TrimText(o.Name))
		key := strings.ToLower(name)
		switch {
		case name == "" && strings.TrimSpace(o.Name) != "":
			f.Add(field+".name", "required", "name the substance as the test reports it: the name sent has no visible characters")
		case name == "":
			f.Add(field+".name", "required", "name the substance as the test reports it")
		case utf8.RuneCountInString(name) > 80:
			f.Add(field+".name", "max_length", "name must be at most 80 characters")
		case !isText(name):
			f.Add(field+".name", "characters", "%s.name must not contain control characters or invalid characters", field)
		case !problem.IsName(name):
			f.Add(field+".name", "characters", "%s.name must not contain invisible characters (such as U+200B zero width space, U+00AD soft hyphen or U+2800 Braille blank)", field)
		case panel[key]:
			f.Add(field+".name", "panel_substance", "%s is on the standard panel: give its result in results", key)
		case seen[key]:
			f.Add(field+".name", "duplicate", "%s is named twice", name)
		}
		seen[key] = true
		if o.Result != store.ResultNegative && o.Result != store.ResultPositive {
			f.Add(field+".result", "enum", "result must be negative or positive")
		}
		out = append(out, store.OtherSubstance{Name: name, Result: o.Result})
	}
	return out
}

func (s *Server) listDrugScreens(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	screens, err := s.db.DrugScreens(c.Request.Context(), principal(c), id, calendar.Date{})
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := listPageOf(c, pg, screens, func(d store.DrugScreen) string { return d.ID }); err != nil {
		s.fail(c, err)
	}
}
