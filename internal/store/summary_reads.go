package store

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
)

// SummaryRegime is one of a patient's earlier regimes with its dose
// history, oldest change first.
type SummaryRegime struct {
	Regime  Regime
	History []DoseChange
}

// SummaryInjection is one injection with the product it was given as (the
// medicine of the regime it was given under).
type SummaryInjection struct {
	Administration
	Medicine string
}

// SummaryContext is what the shared care summary letter needs beyond
// SummaryRecords (SC4): the treatment before the current regime, every
// injection whatever regime it was given under, the current stage and any
// MD1 block in force.
type SummaryContext struct {
	// Earlier are the patient's regimes that started before the current
	// one and were still running on or after from, oldest first: a switch
	// between products (weekly to monthly Buvidal, methadone to
	// buprenorphine) is a new regime, and the letter must not read as if
	// treatment began with the current one.
	Earlier []SummaryRegime
	// EarlierOverrides are the rule overrides of the earlier regimes and
	// their dose changes, by entity id (as SummaryRecords.Overrides), and
	// EarlierNames the names of their prescribers, by user id.
	EarlierOverrides map[string][]RuleOverride
	EarlierNames     map[string]string
	// Injections are the patient's injections from from to today, oldest
	// first, under any regime.
	Injections []SummaryInjection
	// LastRegular is the patient's latest injection that was not an
	// additional dose, at any date and under any regime; the next dose is
	// due by its product's interval (BV8). Nil when none.
	LastRegular *SummaryInjection
	// NextInjection is BV8's next regular injection of the current regime
	// when it is an active Buvidal one, nil otherwise: the one the regime
	// view and the overdue alert give (regimes.NextInjection).
	NextInjection *regimes.InjectionDue
	// Stage is the current regime's stage in force today, and StageSince
	// the day it took effect.
	Stage      regimes.Stage
	StageSince calendar.Date
	// Block is the MD1 block in force today, nil when none; BlockedFrom is
	// the day the run of missed days reached the threshold.
	Block       *dispensing.Block
	BlockedFrom calendar.Date
}

// SummaryContext reads the summary's further records for a patient the
// principal may see, around current (the regime SharedCareSummary chose).
func (db *DB) SummaryContext(ctx context.Context, p auth.Principal, n policy.Numbers, patientID string, current Regime,
	from, today calendar.Date) (SummaryContext, error) {
	var out SummaryContext
	g := db.read(ctx)
	pt, err := patientFor(g, p, patientID)
	if err != nil {
		return out, err
	}

	var earlier []Regime
	// A regime withdrawn before its start (ended before it) was never taken.
	if err := g.Where("patient_id = ? AND id <> ? AND start_date < ? AND (ended_on IS NULL OR ended_on >= ?) AND (ended_on IS NULL OR ended_on >= start_date)",
		pt.ID, current.ID, current.StartDate, from).Order("start_date, created_at, id").Find(&earlier).Error; err != nil {
		return out, translate(err)
	}
	for _, r := range earlier {
		h, err := doseChanges(g, r.ID)
		if err != nil {
			return out, err
		}
		out.Earlier = append(out.Earlier, SummaryRegime{Regime: r, History: h})
	}
	var ids []string
	for _, e := range out.Earlier {
		ids = append(ids, e.Regime.ID)
		for _, c := range e.History {
			ids = append(ids, c.ID)
		}
	}
	out.EarlierOverrides = map[string][]RuleOverride{}
	if len(ids) > 0 {
		var ovs []RuleOverride
		if err := g.Where("entity_type IN ? AND entity_id IN ?", []string{"regime", "dose_change"}, ids).
			Order("created_at, id").Find(&ovs).Error; err != nil {
			return out, translate(err)
		}
		for _, o := range ovs {
			out.EarlierOverrides[o.EntityID] = append(out.EarlierOverrides[o.EntityID], o)
		}
	}
	if out.EarlierNames, err = userNames(g, func(add func(string)) {
		for _, e := range out.Earlier {
			for _, c := range e.History {
				add(c.PrescriberID)
			}
		}
	}); err != nil {
		return out, err
	}

	injections := func(q *gorm.DB) *gorm.DB {
		return q.Table("administrations").Select("administrations.*, regimes.medicine AS medicine").
			Joins("JOIN regimes ON regimes.id = administrations.regime_id").
			Where("regimes.patient_id = ?", pt.ID).Where(standingAdministration)
	}
	if err := injections(g).Where("administrations.date >= ? AND administrations.date <= ?", from, today).
		Order("administrations.date, administrations.created_at, administrations.id").Scan(&out.Injections).Error; err != nil {
		return out, translate(err)
	}
	var last []SummaryInjection
	if err := injections(g).Where("administrations.extra = ? AND administrations.date <= ?", false, today).
		Order("administrations.date DESC, administrations.created_at DESC").Limit(1).Scan(&last).Error; err != nil {
		return out, translate(err)
	}
	if len(last) == 1 {
		out.LastRegular = &last[0]
	}
	if med, _ := dosing.LookupMedicine(current.Medicine); med.Injectable && current.Status == RegimeActive {
		next, err := nextInjection(g, current, n)
		if err != nil {
			return out, err
		}
		out.NextInjection = &next
	}

	settings, err := regimeSettings(g, current.ID)
	if err != nil {
		return out, err
	}
	day := today
	if !current.EndedOn.IsZero() && current.EndedOn.Before(day) {
		day = current.EndedOn
	}
	s := settingOn(current, settings, day)
	out.Stage, out.StageSince = s.Stage, s.EffectiveDate
	// The stage holds since the earliest entry of the unbroken run of
	// entries with it: a change of pattern alone does not restart it.
	for i := len(settings) - 1; i >= 0; i-- {
		h := settings[i]
		if h.EffectiveDate.After(day) {
			continue
		}
		if h.Stage != s.Stage {
			break
		}
		out.StageSince = h.EffectiveDate
	}

	block, days, err := md1Block(g, n, pt.ID, today)
	if err != nil {
		return out, err
	}
	if block != nil {
		out.Block = block
		out.BlockedFrom = reachedOn(days, *block)
	}
	return out, nil
}

// reachedOn is the day a block's run of missed days reached its threshold:
// the threshold-th dose day of the run (days without a prescription do not
// count, as they do not break the run either).
func reachedOn(days []dispensing.DayOutcome, b dispensing.Block) calendar.Date {
	var dates []calendar.Date
	for _, d := range days {
		if !d.Date.Before(b.Since) && !d.Date.After(b.LastMissed) {
			dates = append(dates, d.Date)
		}
	}
	slices.SortFunc(dates, func(a, b calendar.Date) int { return a.Compare(b) })
	dates = slices.CompactFunc(dates, calendar.Date.Equal)
	if b.Threshold < 1 || len(dates) < b.Threshold {
		return b.LastMissed
	}
	return dates[b.Threshold-1]
}
