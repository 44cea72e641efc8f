package regimes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// ConvertFromSublingual is the BV4 table: daily sublingual buprenorphine to
// weekly and monthly Buvidal. A zero result means the table has no dose of
// that kind; ok is false outside 2–32 mg. The table lists even doses only, so
// a dose between bands (7 mg, 11 mg) takes the lower band: under-dosing a
// depot can be topped up with an extra dose (BV6), over-dosing cannot be undone.
func ConvertFromSublingual(daily dosing.Micrograms) (weekly, monthly dosing.Micrograms, ok bool) {
	mg := dosing.Milligram
	switch {
	case daily < 2*mg || daily > 32*mg:
		return 0, 0, false
	case daily < 8*mg:
		return 8 * mg, 0, true
	case daily < 12*mg:
		return 16 * mg, 64 * mg, true
	case daily < 18*mg:
		return 24 * mg, 96 * mg, true
	case daily < 26*mg:
		return 32 * mg, 128 * mg, true
	}
	return 0, 160 * mg, true
}

// WeeklyToMonthly reads the BV4 table across: both columns of a row come
// from the same sublingual dose. Weekly 8 mg has no monthly equivalent.
func WeeklyToMonthly(weekly dosing.Micrograms) (dosing.Micrograms, bool) {
	switch weekly {
	case 16 * dosing.Milligram:
		return 64 * dosing.Milligram, true
	case 24 * dosing.Milligram:
		return 96 * dosing.Milligram, true
	case 32 * dosing.Milligram:
		return 128 * dosing.Milligram, true
	}
	return 0, false
}

// MonthlyToWeekly is WeeklyToMonthly reversed; monthly 160 mg has no weekly equivalent.
func MonthlyToWeekly(monthly dosing.Micrograms) (dosing.Micrograms, bool) {
	switch monthly {
	case 64 * dosing.Milligram:
		return 16 * dosing.Milligram, true
	case 96 * dosing.Milligram:
		return 24 * dosing.Milligram, true
	case 128 * dosing.Milligram:
		return 32 * dosing.Milligram, true
	}
	return 0, false
}

// Site is a subcutaneous injection site allowed by BV2.
type Site string

const (
	SiteButtockLeft   Site = "buttock_left"
	SiteButtockRight  Site = "buttock_right"
	SiteThighLeft     Site = "thigh_left"
	SiteThighRight    Site = "thigh_right"
	SiteAbdomenLeft   Site = "abdomen_left"
	SiteAbdomenRight  Site = "abdomen_right"
	SiteUpperArmLeft  Site = "upper_arm_left"
	SiteUpperArmRight Site = "upper_arm_right"
)

// Sites lists the BV2 sites in display order.
func Sites() []Site {
	return []Site{SiteButtockLeft, SiteButtockRight, SiteThighLeft, SiteThighRight,
		SiteAbdomenLeft, SiteAbdomenRight, SiteUpperArmLeft, SiteUpperArmRight}
}

// Label is the site as a clinician writes it: "abdomen (right)".
func (s Site) Label() string {
	str := string(s)
	for _, side := range []string{"left", "right"} {
		if rest, ok := strings.CutSuffix(str, "_"+side); ok {
			return strings.ReplaceAll(rest, "_", " ") + " (" + side + ")"
		}
	}
	return strings.ReplaceAll(str, "_", " ")
}

// Valid reports whether s is a BV2 site.
func (s Site) Valid() bool {
	for _, v := range Sites() {
		if s == v {
			return true
		}
	}
	return false
}

// Administration is one Buvidal injection.
type Administration struct {
	Date calendar.Date     `json:"date"`
	Dose dosing.Micrograms `json:"dose"`
	Site Site              `json:"site"`
	// Extra marks an additional 8 mg dose between regular doses (BV6).
	Extra bool `json:"extra"`
	// Medicine is the product code given; empty means the medicine being
	// checked. It matters when weekly and monthly doses follow each other,
	// because the next dose is due by the previous product's interval.
	Medicine string `json:"medicine,omitempty"`
	// Regime is the regime the dose was given under. Earlier doses of
	// another regime count for site rotation, the dosing window and the
	// maxima (BV6–BV8), which follow the patient across a weekly/monthly
	// switch; BV3's first week belongs to the regime being checked.
	Regime string `json:"regime,omitempty"`
	// Prescribed is the regime's dose on Date (zero: not known). A regular
	// dose is given as prescribed (BV9).
	Prescribed dosing.Micrograms `json:"-"`
	// PatientAge is the patient's age on Date in whole years (0 when not
	// known): BV2's age holds at every injection. Only the field on the
	// administration being checked is read.
	PatientAge int `json:"-"`
	// NaiveInduction marks a regime started in a buprenorphine-naive patient,
	// whose first week allows more extra doses (BV3). Only the field on the
	// administration being checked is read.
	NaiveInduction bool `json:"naive_induction,omitempty"`
	// RegimeStart is the start of the regime the dose is given under: an
	// earlier regime's dose whose window closed before it is not the one
	// this dose follows (BV6, BV8). Only the field on the administration
	// being checked is read; zero follows the last regular dose.
	RegimeStart calendar.Date `json:"-"`
}

// medicineOf is the product a dose was given as: its own when recorded,
// else the one being checked.
func (a Administration) medicineOf(med dosing.Medicine) dosing.Medicine {
	if a.Medicine != "" && a.Medicine != med.Code {
		if m, ok := dosing.LookupMedicine(a.Medicine); ok {
			return m
		}
	}
	return med
}

// monthlyIntervalDays treats "monthly" Buvidal as every 28 days, as clinics
// book it; with BV8's ±7 days that keeps doses at least 3 weeks apart.
const monthlyIntervalDays = policy.BuvidalMonthlyDays

// NextDue is when the dose after one given on last is due, and the window
// in which giving it is on time (BV8). Daily medicines have no window.
func NextDue(med dosing.Medicine, last calendar.Date, n policy.Numbers) (due, earliest, latest calendar.Date) {
	switch med.Interval {
	case dosing.IntervalWeekly:
		due = last.AddDays(policy.BuvidalWeeklyDays)
		return due, due.AddDays(-n.BV8WeeklyWindowDays), due.AddDays(n.BV8WeeklyWindowDays)
	case dosing.IntervalMonthly:
		due = last.AddDays(monthlyIntervalDays)
		return due, due.AddDays(-n.BV8MonthlyWindowDays), due.AddDays(n.BV8MonthlyWindowDays)
	}
	due = last.AddDays(1)
	return due, due, due
}

// InjectionDue is when a Buvidal regime's next regular injection is due and
// BV8's window to give it on time.
type InjectionDue struct {
	Due, Earliest, Latest calendar.Date
	// After is the regular injection the next one follows, with its
	// product; nil when it is the regime's first dose, due from the start.
	After *Administration
}

// firstDoseWindow is BV8's window for a first dose due on start: from the
// start (nothing is given under a regime before it) to the product's
// window after it.
func firstDoseWindow(med dosing.Medicine, start calendar.Date, n policy.Numbers) InjectionDue {
	days := n.BV8WeeklyWindowDays
	if med.Interval == dosing.IntervalMonthly {
		days = n.BV8MonthlyWindowDays
	}
	return InjectionDue{Due: start, Earliest: start, Latest: start.AddDays(days)}
}

// NextInjection is BV8's next regular dose of a regime of med that started
// on start, given the patient's injections oldest first: the regime's own,
// and the recent ones of the regimes before it (as BV6–BV8 read them). It
// is due from the last regular dose, by that dose's product, so the first
// monthly dose after a weekly one is due a week on; an extra dose (BV6)
// tops up the period it is given in and moves nothing.
//
// A regime's first dose follows the patient's last regular injection under
// an earlier regime while that dose's window is still open when the regime
// starts: a weekly/monthly switch keeps the schedule, and a patient who
// never comes for the first dose of the new product is as overdue as one
// who misses any other. Otherwise — a new patient, or a depot that lapsed
// before the regime began — the first dose is due on the start date, after
// BV3's test dose for a patient new to buprenorphine, within the product's
// window. Nothing is due before the start.
//
// Every place that says when the next injection is due (the regime view,
// the answer to an injection, the shared care letter, the overdue alert)
// asks this one function, so they cannot disagree.
func NextInjection(med dosing.Medicine, start calendar.Date, given []Administration, n policy.Numbers) InjectionDue {
	i := followedDose(med, start, given, n)
	if i < 0 {
		return firstDoseWindow(med, start, n)
	}
	a := given[i]
	due, earliest, latest := NextDue(a.medicineOf(med), a.Date, n)
	next := InjectionDue{Due: due, Earliest: earliest, Latest: latest, After: &a}
	if next.Earliest.Before(start) {
		next.Earliest = start
	}
	if next.Due.Before(start) {
		next.Due = start
	}
	return next
}

// followedDose is the index in given (oldest first) of the regular
// injection the next dose of a regime of med started on start follows: the
// last regular one, of whatever regime, unless its window closed before the
// start (the depot lapsed, or another treatment came between); -1 for
// none.
func followedDose(med dosing.Medicine, start calendar.Date, given []Administration, n policy.Numbers) int {
	for i := len(given) - 1; i >= 0; i-- {
		a := given[i]
		if a.Extra {
			continue
		}
		if _, _, latest := NextDue(a.medicineOf(med), a.Date, n); latest.Before(start) {
			return -1
		}
		return i
	}
	return -1
}

// CheckAdministration applies BV1–BV3 and BV6–BV9 to one injection, given
// the patient's other Buvidal administrations in date order (oldest first),
// whatever regime they were given under. For BV7 others must reach back at
// least 8 weeks; for BV3, to the regime's first dose.
//
// An injection may be recorded late, dated before injections already
// recorded, so it is judged against the injections on both sides of it:
// BV6 counts the extra doses between the regular doses around it and the
// doses of every period it falls in, whenever they were recorded, and BV7
// the sites used within 8 weeks before or after it. BV3's week 2 and BV8's
// window read the doses dated up to it, as the schedule did then.
func CheckAdministration(n policy.Numbers, med dosing.Medicine, in Administration, others []Administration) []policy.Finding {
	if !med.Injectable {
		return []policy.Finding{n.Finding("BV2",
			fmt.Sprintf("%s is not given by injection.", med.Name),
			"Record the dose as a dispensing event instead.")}
	}
	// prev is the doses dated up to the new one, later those after it;
	// all is every dose with the new one in its place.
	var prev, later []Administration
	for _, p := range others {
		if p.Date.After(in.Date) {
			later = append(later, p)
		} else {
			prev = append(prev, p)
		}
	}
	all := slices.Concat(prev, []Administration{in}, later)
	var fs []policy.Finding
	fs = append(fs, checkAdministeredDose(n, med, in)...)
	fs = append(fs, checkBuvidalAge(n, in.PatientAge)...)
	if !in.Site.Valid() {
		fs = append(fs, n.Finding("BV2",
			fmt.Sprintf("Injection site %q is not the buttock, thigh, abdomen or upper arm.", in.Site),
			"Record one of the allowed subcutaneous sites."))
	}
	fs = append(fs, checkSiteRotation(n, in, prev, later)...)

	// firstIdx is this regime's first regular dose (BV3); lastIdx the
	// regular dose this one follows (BV6, BV8), as NextInjection finds it.
	firstIdx := slices.IndexFunc(prev, func(p Administration) bool { return !p.Extra && p.Regime == in.Regime })
	lastIdx := followedDose(med, in.RegimeStart, prev, n)
	if in.Extra {
		return append(fs, checkExtraDose(n, med, in, prev, later, all, firstIdx, lastIdx)...)
	}
	if in.Prescribed > 0 && in.Dose != in.Prescribed {
		fs = append(fs, n.Finding("BV9",
			fmt.Sprintf("%s recorded; the dose prescribed for %s is %s.", in.Dose, in.Date, in.Prescribed),
			fmt.Sprintf("Give the prescribed %s; if %s is intended, record the dose change first, or record an override reason for rule BV9.", in.Prescribed, in.Dose)))
	}
	// A regular dose before its window opens is refused on that alone: the
	// window, week 2 and the period's total would only say it again.
	if early := checkEarlyRegular(n, med, in, prev, later); len(early) > 0 {
		return append(fs, early...)
	}
	if lastIdx >= 0 {
		fs = append(fs, checkDosingWindow(n, med, in, prev)...)
		fs = append(fs, checkWeekTwoDose(n, med, in, prev, firstIdx, lastIdx)...)
	}
	fs = append(fs, checkRegularMaximum(n, med, all, len(prev))...)
	return fs
}

// checkEarlyRegular is BV6's "at most one additional dose between regular
// doses" for a regular dose: one dated before the BV8 window after the
// regular dose it follows opens is another dose between regular doses, not
// the next regular one, whatever it is called. Let through with BV8's
// warning alone, four weekly 8 mg doses on one day, or two monthly 64 mg,
// each passed as regular. So it is refused (BV6 blocks, no override): the
// clinician gives it as the additional dose BV6 allows (at most one, 8 mg),
// or waits until the window opens. A dose recorded late is judged both
// ways: the regular dose recorded after it must not fall before the window
// after it opens either.
func checkEarlyRegular(n policy.Numbers, med dosing.Medicine, in Administration, prev, later []Administration) []policy.Finding {
	action := func(from calendar.Date) string {
		return fmt.Sprintf("Give the regular dose from %s; if a dose is needed sooner, record it as an additional dose (BV6: at most one, %s, between regular doses).", from, n.BV6ExtraDose)
	}
	if next := NextInjection(med, in.RegimeStart, prev, n); next.After != nil && in.Date.Before(next.Earliest) {
		return []policy.Finding{n.Finding("BV6",
			fmt.Sprintf("A regular dose on %s comes before the window for the next regular dose opens on %s (due %s after the %s dose on %s); given sooner it is another dose between regular doses.",
				in.Date, next.Earliest, next.Due, next.After.Dose, next.After.Date),
			action(next.Earliest))}
	}
	for _, p := range later {
		if p.Extra {
			continue
		}
		if _, earliest, _ := NextDue(in.medicineOf(med), in.Date, n); p.Date.Before(earliest) {
			return []policy.Finding{n.Finding("BV6",
				fmt.Sprintf("A regular dose on %s comes less than a dosing interval before the regular %s dose recorded on %s, whose window would open on %s after it; two regular doses so close are a dose between regular doses.",
					in.Date, p.Dose, p.Date, earliest),
				"Check the injection date; a dose given between regular doses is recorded as an additional dose (BV6: at most one, "+n.BV6ExtraDose.String()+").")}
		}
		break
	}
	return nil
}

// periodMaximum is BV6's most for one dosing period of med.
func periodMaximum(n policy.Numbers, med dosing.Medicine) (dosing.Micrograms, string) {
	if med.Interval == dosing.IntervalMonthly {
		return n.BV6MonthlyMax, "month"
	}
	return n.BV6WeeklyMax + n.BV6ExtraMax, "week"
}

// period is BV6's dosing period of one regular dose: from its date up to
// the day before the next dose's BV8 window opens, by its product. A
// regular dose given from that window on starts a period of its own; one
// given before it falls in this one too, so doses given one after another
// cannot each start a fresh period.
type period struct {
	anchor   Administration
	earliest calendar.Date // the first day after the period
	total    dosing.Micrograms
	last     calendar.Date // the date of the last dose counted
	limit    dosing.Micrograms
	name     string // "week" or "month"
}

// overfullPeriod is the first period, by its regular dose, that the dose at
// all[at] falls in and that holds more than BV6's maximum, counting every
// dose in it (regular and extra, dated before or after the new one); ok is
// false when every period it falls in is within the maximum.
func overfullPeriod(n policy.Numbers, med dosing.Medicine, all []Administration, at int) (over period, self, ok bool) {
	in := all[at]
	for i, p := range all {
		if p.Extra || p.Date.After(in.Date) {
			continue
		}
		pMed := p.medicineOf(med)
		_, earliest, _ := NextDue(pMed, p.Date, n)
		if !in.Date.Before(earliest) {
			continue
		}
		per := period{anchor: p, earliest: earliest}
		per.limit, per.name = periodMaximum(n, pMed)
		for _, d := range all {
			if !d.Date.Before(p.Date) && d.Date.Before(earliest) {
				per.total += d.Dose
				if d.Date.After(per.last) {
					per.last = d.Date
				}
			}
		}
		if per.total > per.limit {
			return per, i == at, true
		}
	}
	return period{}, false, false
}

// checkRegularMaximum is BV6 for a regular dose (all[at]): every period it
// falls in — the earlier regular doses' whose next window has not opened,
// and its own — stays within the maximum.
func checkRegularMaximum(n policy.Numbers, med dosing.Medicine, all []Administration, at int) []policy.Finding {
	in := all[at]
	per, self, ok := overfullPeriod(n, med, all, at)
	if !ok {
		return nil
	}
	if self {
		return []policy.Finding{n.Finding("BV6",
			fmt.Sprintf("A regular dose on %s starts a %s that already holds the doses recorded up to %s, making %s; the maximum is %s.",
				in.Date, per.name, per.last, per.total, per.limit),
			fmt.Sprintf("Check the injection date against the doses recorded up to %s: a regular dose dated before them falls in their %s; or review the dose.", per.last, per.name))}
	}
	return []policy.Finding{n.Finding("BV6",
		fmt.Sprintf("A regular dose on %s falls in the %s that began with the %s dose on %s, making %s; the maximum is %s.",
			in.Date, per.name, per.anchor.Dose, per.anchor.Date, per.total, per.limit),
		fmt.Sprintf("Give the next regular dose from %s, or review the dose.", per.earliest))}
}

// checkAdministeredDose is BV1: only the product strengths exist, and an
// extra dose is always the fixed 8 mg.
func checkAdministeredDose(n policy.Numbers, med dosing.Medicine, in Administration) []policy.Finding {
	if in.Extra {
		if in.Dose != n.BV6ExtraDose {
			return []policy.Finding{n.Finding("BV1",
				fmt.Sprintf("An extra Buvidal dose is %s; %s recorded.", n.BV6ExtraDose, in.Dose),
				fmt.Sprintf("Give the extra dose as %s.", n.BV6ExtraDose))}
		}
		return nil
	}
	if !med.HasStrength(in.Dose) {
		return []policy.Finding{n.Finding("BV1",
			fmt.Sprintf("%s is not a %s Buvidal strength (%s).", in.Dose, med.Interval, strings.Join(med.StrengthLabels, ", ")),
			"Give one of the available strengths.")}
	}
	return nil
}

// checkSiteRotation is BV7: repeated injection into one site risks local
// reactions. It looks both ways: an injection recorded late is as near the
// ones given after it as to those before.
func checkSiteRotation(n policy.Numbers, in Administration, prev, later []Administration) []policy.Finding {
	reuse := 7 * n.BV7SiteReuseWeeks
	for i := len(prev) - 1; i >= 0; i-- {
		p := prev[i]
		days := p.Date.DaysUntil(in.Date)
		if days >= reuse {
			break
		}
		if p.Site == in.Site {
			return []policy.Finding{n.Finding("BV7",
				fmt.Sprintf("The injection site %s was used on %s, %d days ago; do not reuse a site within %d weeks.", in.Site.Label(), p.Date, days, n.BV7SiteReuseWeeks),
				"Choose a different injection site.")}
		}
	}
	for _, p := range later {
		days := in.Date.DaysUntil(p.Date)
		if days >= reuse {
			break
		}
		if p.Site == in.Site {
			return []policy.Finding{n.Finding("BV7",
				fmt.Sprintf("The injection site %s was used on %s, %d days after this injection; do not reuse a site within %d weeks.", in.Site.Label(), p.Date, days, n.BV7SiteReuseWeeks),
				"Check the site recorded; choose a different injection site.")}
		}
	}
	return nil
}

// checkDosingWindow is BV8 for a regular dose that follows an earlier one
// (prev holds it): the window NextInjection gives, so the warning and the
// regime view agree. It is timed by the product of the dose followed (a
// switch from weekly to monthly is due a week on).
func checkDosingWindow(n policy.Numbers, med dosing.Medicine, in Administration, prev []Administration) []policy.Finding {
	next := NextInjection(med, in.RegimeStart, prev, n)
	if next.After == nil || !in.Date.Before(next.Earliest) && !in.Date.After(next.Latest) {
		return nil
	}
	return []policy.Finding{n.Finding("BV8",
		fmt.Sprintf("Dose given on %s; it was due on %s (window %s to %s) after the %s dose on %s.", in.Date, next.Due, next.Earliest, next.Latest,
			next.After.medicineOf(med).Interval, next.After.Date),
		"Check the dosing date; consider re-basing the schedule.")}
}

// checkExtraDose is BV6 (one extra between regular doses, and the maxima)
// and BV3 (more extras, a day apart, in a naive patient's first week).
// firstIdx and lastIdx index the first and last regular doses in prev (the
// doses dated up to the extra); later holds those after it, all every dose
// with the extra in its place. An extra recorded late counts the extras on
// both sides of it, up to the next regular dose.
func checkExtraDose(n policy.Numbers, med dosing.Medicine, in Administration, prev, later, all []Administration, firstIdx, lastIdx int) []policy.Finding {
	if lastIdx < 0 {
		return []policy.Finding{n.Finding("BV6",
			"An extra Buvidal dose needs a regular dose before it.",
			"Give a regular dose instead.")}
	}
	last := prev[lastIdx]
	extras := 0
	total := last.Dose
	latest := last.Date // the dose before the extra, for BV3's gap
	for _, p := range prev[lastIdx+1:] {
		if p.Extra {
			extras++
			total += p.Dose
			latest = p.Date
		}
	}
	var next calendar.Date // the first extra after it, zero for none
	for _, p := range later {
		if !p.Extra {
			break
		}
		if next.IsZero() {
			next = p.Date
		}
		extras++
		total += p.Dose
	}
	// BV3's first week: the naive patient's only regular dose so far, and
	// fewer than 7 days since it.
	weekOne := in.NaiveInduction && med.Interval == dosing.IntervalWeekly &&
		firstIdx >= 0 && firstIdx == lastIdx && in.Date.Before(last.Date.AddDays(7))
	allowed := 1
	if weekOne {
		allowed = n.BV3Week1Extras
	}
	var fs []policy.Finding
	if extras >= allowed {
		fs = append(fs, n.Finding("BV6",
			fmt.Sprintf("%d extra dose(s) already given between the regular dose on %s and the next; at most %d allowed.", extras, last.Date, allowed),
			"Review the regular dose instead of giving another extra dose."))
	}
	switch {
	case weekOne && latest.DaysUntil(in.Date) < n.BV3ExtraGapDays:
		fs = append(fs, n.Finding("BV3",
			fmt.Sprintf("Week 1 doses must be at least %d day(s) apart; the previous dose was on %s.", n.BV3ExtraGapDays, latest),
			fmt.Sprintf("Give the extra dose on %s or later, or record an override reason for rule BV3.", latest.AddDays(n.BV3ExtraGapDays))))
	case weekOne && !next.IsZero() && in.Date.DaysUntil(next) < n.BV3ExtraGapDays:
		fs = append(fs, n.Finding("BV3",
			fmt.Sprintf("Week 1 doses must be at least %d day(s) apart; an extra dose is recorded on %s.", n.BV3ExtraGapDays, next),
			"Check the injection date, or record an override reason for rule BV3."))
	}
	// The maxima: every period the extra falls in, and the regular dose it
	// tops up with the extras between it and the next.
	total += in.Dose
	if per, _, ok := overfullPeriod(n, med, all, len(prev)); ok {
		fs = append(fs, n.Finding("BV6",
			fmt.Sprintf("This extra dose makes %s in the %s that began with the %s dose on %s; the maximum is %s.", per.total, per.name, per.anchor.Dose, per.anchor.Date, per.limit),
			"Review the regular dose instead of giving an extra dose."))
	} else if limit, name := periodMaximum(n, last.medicineOf(med)); total > limit {
		fs = append(fs, n.Finding("BV6",
			fmt.Sprintf("This extra dose makes %s in the %s since %s; the maximum is %s.", total, name, last.Date, limit),
			"Review the regular dose instead of giving an extra dose."))
	}
	return fs
}

// checkWeekTwoDose is BV3: a naive patient's second weekly dose equals what
// week 1 showed they needed.
// A regular dose is the week 2 dose only from the day BV8's window after
// the first dose opens (a sooner one is refused by BV6, checkEarlyRegular,
// and must never be taken for it, or the real week 2 dose would go
// unchecked); given while week 1 lasts, it keeps week 1's gap from the
// extra dose before it.
func checkWeekTwoDose(n policy.Numbers, med dosing.Medicine, in Administration, prev []Administration, firstIdx, lastIdx int) []policy.Finding {
	if !in.NaiveInduction || med.Interval != dosing.IntervalWeekly || firstIdx < 0 || firstIdx != lastIdx {
		return nil
	}
	first := prev[firstIdx]
	if _, earliest, _ := NextDue(first.medicineOf(med), first.Date, n); in.Date.Before(earliest) {
		return nil
	}
	total := first.Dose
	latest := first.Date
	for _, p := range prev[firstIdx+1:] {
		if p.Extra {
			total += p.Dose
			latest = p.Date
		}
	}
	var fs []policy.Finding
	if in.Date.Before(first.Date.AddDays(policy.BuvidalWeeklyDays)) && latest.DaysUntil(in.Date) < n.BV3ExtraGapDays {
		fs = append(fs, n.Finding("BV3",
			fmt.Sprintf("Week 1 doses must be at least %d day(s) apart; the previous dose was on %s.", n.BV3ExtraGapDays, latest),
			fmt.Sprintf("Give the week 2 dose on %s or later, or record an override reason for rule BV3.", latest.AddDays(n.BV3ExtraGapDays))))
	}
	if in.Dose == total {
		return fs
	}
	return append(fs, n.Finding("BV3",
		fmt.Sprintf("Week 2 dose is %s; week 1 total was %s.", in.Dose, total),
		fmt.Sprintf("Give %s, or record an override reason for rule BV3.", total)))
}
