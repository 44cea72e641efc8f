package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/sharedcare"
)

// Administration is one Buvidal injection given by a clinician (BV2).
type Administration struct {
	ID             string            `json:"id"`
	RegimeID       string            `json:"regime_id"`
	Date           calendar.Date     `json:"date"`
	Dose           dosing.Micrograms `json:"dose" gorm:"column:dose_ug"`
	Extra          bool              `json:"extra"`
	Site           regimes.Site      `json:"site"`
	Batch          string            `json:"batch"`
	BatchExpiry    calendar.Date     `json:"batch_expiry"`
	AdministeredBy string            `json:"administered_by"`
	RecordedBy     string            `json:"recorded_by"`
	CreatedAt      time.Time         `json:"created_at"`
	Warnings       []policy.Finding  `json:"warnings" gorm:"serializer:json"`
	// Overrides are the rules overridden to record the injection (BV3,
	// BV6, BV9…), with who, when and why.
	Overrides []RuleOverride `json:"overrides" gorm:"-"`
	// Correction, when set, withdrew this injection: entered in error, or
	// replaced by the administration it names. It then counts for nothing.
	Correction *AdministrationCorrection `json:"correction" gorm:"-"`
	// CorrectsID is the administration this one replaced; nil on an
	// original.
	CorrectsID *string `json:"corrects_id" gorm:"-"`
}

// NewAdministration is a request to record an injection.
type NewAdministration struct {
	Date           calendar.Date
	Dose           dosing.Micrograms
	Extra          bool
	Site           regimes.Site
	Batch          string
	BatchExpiry    calendar.Date
	AdministeredBy string
	// BuprenorphineNaive, when a client still sends it, must agree with
	// what the regime recorded at its start (BV3); nil when not sent.
	BuprenorphineNaive *bool
	Overrides          []policy.OverrideReason
	// id is the replacement's id, fixed before it is written
	// (CorrectAdministration); "" for a new one.
	id string
}

// newID is the id the administration is recorded under.
func (in NewAdministration) newID() string {
	if in.id != "" {
		return in.id
	}
	return newID()
}

// Administrations lists a regime's injections, oldest first, the corrected
// ones too, each marked with its correction (and a replacement with the one
// it corrects). Each carries the overrides it needed.
func (db *DB) Administrations(ctx context.Context, regimeID string) ([]Administration, error) {
	return administrations(db.read(ctx), regimeID)
}

func administrations(g *gorm.DB, regimeID string) ([]Administration, error) {
	var out []Administration
	if err := g.Where("regime_id = ?", regimeID).Order("date, created_at, id").Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	var ovs []RuleOverride
	if err := g.Where("entity_type = ? AND entity_id IN (SELECT id FROM administrations WHERE regime_id = ?)", "administration", regimeID).
		Order("created_at, id").Find(&ovs).Error; err != nil {
		return nil, translate(err)
	}
	byID := map[string][]RuleOverride{}
	for _, o := range ovs {
		byID[o.EntityID] = append(byID[o.EntityID], o)
	}
	for i := range out {
		out[i].Overrides = nonNil(byID[out[i].ID])
	}
	return out, markCorrections(g, regimeID, out)
}

// RecordAdministration records an injection under BV1, BV2, BV3, BV6, BV7,
// BV8 and BV9; a GP practice records only the regular injection at the
// current dose of its patients under accepted shared care, not before its
// BV8 window opens, and the service hears of one after it closes (SC1).
func (tx *Tx) RecordAdministration(p auth.Principal, n policy.Numbers, regimeID string, in NewAdministration) (Administration, Outcome, error) {
	var out Outcome
	if err := tx.lockPatientOf(ofRegime, regimeID); err != nil {
		return Administration{}, out, err
	}
	r, err := regimeFor(tx.g, p, regimeID)
	if err != nil {
		return Administration{}, out, err
	}
	// A GP practice gives injections only to its patients under accepted
	// shared care; a proposal alone lets it read the record, not act on it.
	practice := p.Role == auth.GP
	if practice {
		if _, err := reviewablePatient(tx.g, p, r.PatientID); err != nil {
			if problem.CodeOf(err) == problem.NotFound {
				return Administration{}, out, problem.NotFoundf("regime not found")
			}
			return Administration{}, out, err
		}
	}
	med, _ := dosing.LookupMedicine(r.Medicine)
	if !med.Injectable {
		return Administration{}, out, problem.Invalidf("regime", "injectable", "%s is dispensed by instalment, not administered; only Buvidal regimes take administrations", med.Name)
	}
	if r.Status != RegimeActive {
		return Administration{}, out, problem.Conflictf("the regime has ended")
	}
	if in.Date.Before(r.StartDate) {
		return Administration{}, out, problem.Invalidf("date", "after_start", "date must not be before the regime start %s", r.StartDate)
	}
	if practice {
		// SC1: the practice acts only under accepted shared care, so an
		// injection dated before it accepted was the service's to give.
		accepted, err := practiceAcceptedOn(tx.g, p, r.PatientID)
		if err != nil {
			return Administration{}, out, err
		}
		if in.Date.Before(accepted) {
			return Administration{}, out, problem.Invalidf("date", "SC1",
				"the practice accepted shared care on %s; an injection given before then was under the specialist service, which records it", accepted)
		}
	}
	if in.BatchExpiry.Before(in.Date) {
		return Administration{}, out, problem.Invalidf("batch_expiry", "not_expired", "the batch expired on %s, before the injection date", in.BatchExpiry)
	}
	if in.BuprenorphineNaive != nil && *in.BuprenorphineNaive != r.BuprenorphineNaive {
		return Administration{}, out, problem.Invalidf("buprenorphine_naive", "BV3",
			"the regime recorded at its start that the patient was %snew to buprenorphine; leave buprenorphine_naive out (BV3 reads the regime)",
			map[bool]string{true: "", false: "not "}[r.BuprenorphineNaive])
	}
	past, err := recentInjections(tx.g, r, in.Date, n)
	if err != nil {
		return Administration{}, out, err
	}
	history, err := doseChanges(tx.g, r.ID)
	if err != nil {
		return Administration{}, out, err
	}
	prescribed := DoseOn(history, in.Date)
	// BV2's age is judged on the day of each injection, from the date of
	// birth recorded now: one corrected since the start counts.
	pt, err := patientFor(tx.g, p, r.PatientID)
	if err != nil {
		return Administration{}, out, err
	}
	var findings []policy.Finding
	var gp sharedcare.PracticeInjection
	if practice {
		// SC1: the practice gives the current dose within its window; the
		// service decides any other or earlier, so no override lets the
		// practice go ahead, and hears of a late one.
		gp = practiceInjection(n, med, r, in, prescribed, past)
		findings = sharedcare.CheckPracticeInjection(n, gp)
	}
	findings = append(findings, regimes.CheckAdministration(n, med, regimes.Administration{Date: in.Date, Dose: in.Dose, Site: in.Site,
		Extra: in.Extra, Medicine: r.Medicine, Regime: r.ID, RegimeStart: r.StartDate, NaiveInduction: r.BuprenorphineNaive,
		Prescribed: prescribed, PatientAge: patients.Age(pt.DateOfBirth, in.Date)}, past)...)
	d, err := decide(findings, in.Overrides)
	if err != nil {
		return Administration{}, out, err
	}
	a := Administration{ID: in.newID(), RegimeID: r.ID, Date: in.Date, Dose: in.Dose, Extra: in.Extra, Site: in.Site,
		Batch: in.Batch, BatchExpiry: in.BatchExpiry, AdministeredBy: in.AdministeredBy, RecordedBy: p.UserID,
		CreatedAt: tx.db.Now(), Warnings: nonNil(d.Warnings)}
	if err := tx.g.Create(&a).Error; err != nil {
		return a, out, translate(err)
	}
	if err := tx.Audit("administration.create", "regime", r.ID, a); err != nil {
		return a, out, err
	}
	// An injection is a dose taken: the first one starts treatment, as the
	// first supervised or collected dose does (rapid access), and one given
	// before the first dose recorded (entered late) brings it forward.
	recorded, _, err := tx.firstDoseDates(r.PatientID)
	if err != nil {
		return a, out, err
	}
	if err := tx.firstDoseTaken(r.PatientID, recorded, a.Date, firstDoseChange{AdministrationID: a.ID}); err != nil {
		return a, out, err
	}
	// A scheduled injection restarts the BV8 window; an extra dose does not.
	if !a.Extra {
		if err := tx.resolveOverdueBefore(r, n, a); err != nil {
			return a, out, err
		}
	}
	if practice && gp.Late() {
		if err := tx.alertLateInjection(pt.ServiceID, r, n, a, gp); err != nil {
			return a, out, err
		}
	}
	out.Warnings = nonNil(d.Warnings)
	out.Overrides, err = tx.recordOverrides(p, "administration", a.ID, d.Applied)
	a.Overrides = nonNil(out.Overrides)
	return a, out, err
}

// resolveOverdueBefore resolves the regime's open injection_overdue alerts
// that the regular injection a has answered: those for a window that closed
// before the next one BV8 now sets. One recorded late, dated before the
// last regular injection, moves nothing, so an alert for the window still
// missed stays open (and its dedupe key keeps it from being raised again).
func (tx *Tx) resolveOverdueBefore(r Regime, n policy.Numbers, a Administration) error {
	next, err := nextInjection(tx.g, r, n)
	if err != nil {
		return err
	}
	prefix := "bv8:" + r.ID + ":"
	var open []Alert
	if err := tx.g.Where("patient_id = ? AND kind = ? AND substr(dedupe_key, 1, ?) = ?", r.PatientID, AlertInjectionOverdue, len(prefix), prefix).
		Where("NOT EXISTS (SELECT 1 FROM alert_resolutions r WHERE r.alert_id = alerts.id)").Order("id").Find(&open).Error; err != nil {
		return translate(err)
	}
	var ids []string
	for _, al := range open {
		closed, err := overdueWindow(al.DedupeKey, prefix)
		if err != nil || closed.Before(next.Latest) {
			ids = append(ids, al.ID)
		}
	}
	return tx.resolveAlertIDs(r.PatientID, ids, resolution{
		Reason:     fmt.Sprintf("Injection of %s given on %s.", a.Dose, a.Date),
		EntityType: "administration", EntityID: a.ID})
}

// overdueWindow is the last day of the BV8 window an injection_overdue
// alert of the regime whose keys start with prefix was raised for: its
// dedupe key is prefix and that day, and one raised again after a
// correction (raiseOverdueAfterCorrection) carries the correction after it.
func overdueWindow(key, prefix string) (calendar.Date, error) {
	day, _, _ := strings.Cut(strings.TrimPrefix(key, prefix), ":")
	return calendar.Parse(day)
}

// practiceAcceptedOn is the day, in the service's time zone, on which p's
// practice accepted the shared care of the patient that stands now.
func practiceAcceptedOn(g *gorm.DB, p auth.Principal, patientID string) (calendar.Date, error) {
	var ev SharedCareEvent
	err := g.Joins("JOIN shared_care s ON s.id = shared_care_events.shared_care_id").
		Where("s.patient_id = ? AND s.practice_id = ? AND s.status = ? AND shared_care_events.kind = ?",
			patientID, p.OrgID, SharedAccepted, SharedAccepted).
		Order("shared_care_events.occurred_at DESC, shared_care_events.id DESC").Take(&ev).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return calendar.Date{}, problem.NotFoundf("regime not found")
		}
		return calendar.Date{}, translate(err)
	}
	return calendar.DateOf(ev.OccurredAt, zoneOf(g)), nil
}

// recentInjections is the patient's earlier Buvidal doses that the rules
// look at, oldest first, each with its own product: every dose of this
// regime (BV3 reaches back to its first), and any regime's within BV7's
// reuse window, which also covers the weekly and monthly dosing windows
// (BV6, BV8) across a switch between them. The rules follow an earlier
// regime's dose only while its window was open when r started.
func recentInjections(g *gorm.DB, r Regime, day calendar.Date, n policy.Numbers) ([]regimes.Administration, error) {
	var rows []struct {
		RegimeID string
		Date     calendar.Date
		Dose     dosing.Micrograms `gorm:"column:dose_ug"`
		Extra    bool
		Site     regimes.Site
		Medicine string
	}
	err := g.Table("administrations").Select("administrations.regime_id, administrations.date, administrations.dose_ug, administrations.extra, administrations.site, regimes.medicine").
		Joins("JOIN regimes ON regimes.id = administrations.regime_id").
		Where("regimes.patient_id = ? AND (administrations.regime_id = ? OR administrations.date >= ?)",
			r.PatientID, r.ID, day.AddDays(-7*n.BV7SiteReuseWeeks)).Where(standingAdministration).
		Order("administrations.date, administrations.created_at").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]regimes.Administration, 0, len(rows))
	for _, a := range rows {
		out = append(out, regimes.Administration{Date: a.Date, Dose: a.Dose, Site: a.Site, Extra: a.Extra,
			Medicine: a.Medicine, Regime: a.RegimeID})
	}
	return out, nil
}

// nextInjection is BV8's next regular injection of the Buvidal regime r
// (regimes.NextInjection), judged from the injections BV6 and BV8 read for
// a dose on its start date: the regime's own, and the patient's recent ones
// under the regimes before it, so the first dose after a weekly/monthly
// switch is due by the last dose of the old product.
func nextInjection(g *gorm.DB, r Regime, n policy.Numbers) (regimes.InjectionDue, error) {
	given, err := recentInjections(g, r, r.StartDate, n)
	if err != nil {
		return regimes.InjectionDue{}, err
	}
	med, _ := dosing.LookupMedicine(r.Medicine)
	return regimes.NextInjection(med, r.StartDate, given, n), nil
}

// NextInjection is BV8's next regular injection of an active Buvidal
// regime r; ok is false for any other regime, which has none.
func (db *DB) NextInjection(ctx context.Context, n policy.Numbers, r Regime) (due regimes.InjectionDue, ok bool, err error) {
	if med, _ := dosing.LookupMedicine(r.Medicine); !med.Injectable || r.Status != RegimeActive {
		return due, false, nil
	}
	due, err = nextInjection(db.read(ctx), r, n)
	return due, err == nil, err
}

// injectionAdherence is SC3's adherence for an injectable regime r over
// [from, to): the regular injections that fell due and those given within
// their BV8 window (regimes.InjectionsOnTime). It reads the injections of r
// and of the Buvidal regimes that led to it without another treatment in
// between (a weekly/monthly switch keeps the schedule), from far enough
// before the window for the first injection due in it to have the one
// before; a dose of another treatment in between starts the count afresh.
func injectionAdherence(g *gorm.DB, n policy.Numbers, r Regime, from, to calendar.Date) (regimes.InjectionAdherence, error) {
	var out regimes.InjectionAdherence
	med, _ := dosing.LookupMedicine(r.Medicine)
	var regs []Regime
	if err := g.Where("patient_id = ? AND start_date <= ?", r.PatientID, r.StartDate).
		Order("start_date DESC, created_at DESC").Find(&regs).Error; err != nil {
		return out, translate(err)
	}
	ids := []string{r.ID}
	for _, x := range regs {
		if x.ID == r.ID {
			continue
		}
		m, _ := dosing.LookupMedicine(x.Medicine)
		if !m.Injectable {
			break
		}
		ids = append(ids, x.ID)
	}
	// A monthly interval and its window reach furthest back.
	since := from.AddDays(-(28 + n.BV8MonthlyWindowDays))
	var rows []struct {
		Date     calendar.Date
		Dose     dosing.Micrograms `gorm:"column:dose_ug"`
		Extra    bool
		Medicine string
	}
	err := g.Table("administrations").Select("administrations.date, administrations.dose_ug, administrations.extra, regimes.medicine").
		Joins("JOIN regimes ON regimes.id = administrations.regime_id").
		Where("administrations.regime_id IN ? AND administrations.date >= ? AND administrations.date < ?", ids, since, to).Where(standingAdministration).
		Order("administrations.date, administrations.created_at").Scan(&rows).Error
	if err != nil {
		return out, translate(err)
	}
	given := make([]regimes.Administration, 0, len(rows))
	for _, a := range rows {
		given = append(given, regimes.Administration{Date: a.Date, Dose: a.Dose, Extra: a.Extra, Medicine: a.Medicine})
	}
	return regimes.InjectionsOnTime(n, med, given, from, to), nil
}

// Substance results of a drug screen.
const (
	ResultNegative  = "negative"
	ResultPositive  = "positive"
	ResultNotTested = "not_tested"
)

// Screenable are the substances of the standard panel; anything else a
// screen tested for is named in its OtherSubstances.
var Screenable = []string{"opiates", "methadone", "buprenorphine", "cocaine", "benzodiazepines",
	"amphetamines", "cannabis", "alcohol"}

// OtherSubstance is a result for a substance beyond the panel, named as the
// test reports it: fentanyl, a nitazene, pregabalin, synthetic cannabinoids.
type OtherSubstance struct {
	Name   string `json:"name"`
	Result string `json:"result"`
}

// DrugScreen is one random urinalysis (or oral fluid) result.
type DrugScreen struct {
	ID         string            `json:"id"`
	PatientID  string            `json:"patient_id"`
	Date       calendar.Date     `json:"date"`
	SampleType string            `json:"sample_type"`
	Witnessed  bool              `json:"witnessed"`
	Results    map[string]string `json:"results" gorm:"serializer:json"`
	// OtherSubstances are the named results beyond the panel.
	OtherSubstances []OtherSubstance `json:"other_substances" gorm:"serializer:json"`
	Notes           string           `json:"notes"`
	RecordedBy      string           `json:"recorded_by"`
	CreatedAt       time.Time        `json:"created_at"`
}

// AfterFind reads a screen recorded when the panel ended in one unnamed
// "other" result: it is kept, as a named other substance.
func (s *DrugScreen) AfterFind(*gorm.DB) error {
	if res, ok := s.Results["other"]; ok {
		delete(s.Results, "other")
		if res != ResultNotTested {
			s.OtherSubstances = append(s.OtherSubstances, OtherSubstance{Name: "other (not named)", Result: res})
		}
	}
	if s.OtherSubstances == nil {
		s.OtherSubstances = []OtherSubstance{}
	}
	return nil
}

// Prescribed is which substitution medicines a patient was prescribed
// around a screen: a positive for one of them is expected, for the other a
// medicine not theirs (diverted, or bought).
type Prescribed struct {
	Methadone, Buprenorphine bool
}

// NegativeForIllicitOpioids is SC3's screen test: opiates (morphine) not
// detected and no other opioid found that was not prescribed.
func (s DrugScreen) NegativeForIllicitOpioids(rx Prescribed) bool {
	return s.Results["opiates"] == ResultNegative && len(s.IllicitOpioidsFound(rx)) == 0
}

// IllicitOpioidsFound names what the screen found positive of opioids other
// than the prescribed ones: opiates on the panel, methadone or
// buprenorphine when not prescribed, and any named opioid.
func (s DrugScreen) IllicitOpioidsFound(rx Prescribed) []string {
	var out []string
	if s.Results["opiates"] == ResultPositive {
		out = append(out, "opiates")
	}
	if s.Results["methadone"] == ResultPositive && !rx.Methadone {
		out = append(out, "methadone (not prescribed)")
	}
	if s.Results["buprenorphine"] == ResultPositive && !rx.Buprenorphine {
		out = append(out, "buprenorphine (not prescribed)")
	}
	for _, o := range s.OtherSubstances {
		if o.Result != ResultPositive {
			continue
		}
		// A named OST medicine is judged as the panel's is: expected
		// when prescribed, a medicine not theirs otherwise.
		switch patients.ClassifyScreened(o.Name) {
		case patients.OtherOpioid:
			out = append(out, o.Name)
		case patients.MethadoneFound:
			if !rx.Methadone {
				out = append(out, o.Name+" (methadone, not prescribed)")
			}
		case patients.BuprenorphineFound:
			if !rx.Buprenorphine {
				out = append(out, o.Name+" (buprenorphine, not prescribed)")
			}
		}
	}
	return out
}

// prescribedAround is what the patient's regimes prescribed on day or in
// the week before it: a medicine stopped a few days ago is still found in
// urine.
func prescribedAround(regs []Regime, day calendar.Date) Prescribed {
	var rx Prescribed
	for _, r := range regs {
		if r.StartDate.After(day) || !r.EndedOn.IsZero() && r.EndedOn.Before(day.AddDays(-7)) {
			continue
		}
		med, _ := dosing.LookupMedicine(r.Medicine)
		switch med.Class {
		case dosing.ClassMethadone:
			rx.Methadone = true
		case dosing.ClassBuprenorphine, dosing.ClassBuvidal:
			rx.Buprenorphine = true
		}
	}
	return rx
}

// RecordDrugScreen adds a screen result for a patient.
func (tx *Tx) RecordDrugScreen(p auth.Principal, s *DrugScreen) error {
	if _, err := patientFor(tx.g, p, s.PatientID); err != nil {
		return err
	}
	s.ID, s.RecordedBy, s.CreatedAt = newID(), p.UserID, tx.db.Now()
	if s.OtherSubstances == nil {
		s.OtherSubstances = []OtherSubstance{}
	}
	if err := tx.g.Create(s).Error; err != nil {
		return translate(err)
	}
	return tx.Audit("drug_screen.create", "patient", s.PatientID, s)
}

// DrugScreens lists a patient's screens, newest first, from a date.
func (db *DB) DrugScreens(ctx context.Context, p auth.Principal, patientID string, from calendar.Date) ([]DrugScreen, error) {
	if _, err := db.PatientFor(ctx, p, patientID); err != nil {
		return nil, err
	}
	q := db.read(ctx).Where("patient_id = ?", patientID).Order("date DESC, created_at DESC, id DESC")
	if !from.IsZero() {
		q = q.Where("date >= ?", from)
	}
	var out []DrugScreen
	return out, translate(q.Find(&out).Error)
}
