package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dosebook/dosebook/internal/dosing"
)

// Numbers are the tunable figures of the rules in docs/clinical-rules.md.
// A service may change them through configuration (ParseOverrides), never
// silently: Keys reports the effective values for the API. Amounts are exact
// Micrograms and periods whole days, weeks, months or hours, so a tuned
// policy cannot introduce rounding.
type Numbers struct {
	// M1 starting dose of methadone.
	M1StartWarnAbove    dosing.Micrograms
	M1StartBlockAbove   dosing.Micrograms
	M1SedativeWarnAbove dosing.Micrograms
	M1UsualStartMin     dosing.Micrograms
	M1UsualStartMax     dosing.Micrograms

	// M2 methadone titration.
	M2MaxStep        dosing.Micrograms
	M2MaxPer7Days    dosing.Micrograms
	M2TitrationWeeks int

	// M3 usual maintenance range.
	M3UsualMin dosing.Micrograms
	M3UsualMax dosing.Micrograms

	// M4 high dose.
	M4HighDose       dosing.Micrograms
	M4ECGValidMonths int
	M4ReviewMonths   int

	// M5 regime review.
	M5ReviewMonths int

	// M6 supervised consumption.
	M6SupervisedMonths int

	// B1 buprenorphine induction timing.
	B1ShortActingHours int
	B1MethadoneMax     dosing.Micrograms
	B1MethadoneHours   int

	// B2 buprenorphine starting dose.
	B2StartMin       dosing.Micrograms
	B2StartMax       dosing.Micrograms
	B2StartWarnAbove dosing.Micrograms

	// B3 buprenorphine titration.
	B3StepMin  dosing.Micrograms
	B3StepMax  dosing.Micrograms
	B3MaxDaily dosing.Micrograms

	// BV3 Buvidal in buprenorphine-naive patients.
	BV3TestDose       dosing.Micrograms
	BV3FirstDose      dosing.Micrograms
	BV3Week1Extras    int
	BV3ExtraGapDays   int
	BV5WeeklyWeeksMin int

	// BV6 Buvidal maxima and the extra dose.
	BV6WeeklyMax  dosing.Micrograms
	BV6ExtraMax   dosing.Micrograms
	BV6MonthlyMax dosing.Micrograms
	BV6ExtraDose  dosing.Micrograms

	// BV7 injection-site rotation.
	BV7SiteReuseWeeks int

	// BV8 dosing windows.
	BV8WeeklyWindowDays  int
	BV8MonthlyWindowDays int

	// MD1 and MD2 missed doses.
	MD1ConsecutiveMissedDays int
	MD2TitrationMissed       int
	MD2StableMissed          int

	// S4 intermittent attendance: this many days missed within the window,
	// not all in one run (MD2 and MD1 speak for runs). Dosebook's figures.
	S4AttendanceMissedDays int
	S4AttendanceWindowDays int

	// S6 supervision review after titration starts.
	S6MethadoneReviewWeeks     int
	S6BuprenorphineReviewWeeks int

	// S8: the most supervised days one instalment may carry home because
	// the pharmacy is closed before the prescriber is warned. Dosebook's.
	S8MaxClosedDaysCarried int

	// SC1 and SC3 shared care.
	SC1SpecialistReviewMonths int
	SC3StableWeeks            int
	SC3AdherencePercent       int
	SC3AdherenceWeeks         int
	SC3ScreenWeeks            int

	// Controlled-drug prescriptions.
	L3ValidDays     int
	L5MaxSupplyDays int
	L6MaxDays       int
}

// Defaults are the figures in clinical-rules.md.
func Defaults() Numbers {
	return Numbers{
		M1StartWarnAbove:    dosing.Mg(30),
		M1StartBlockAbove:   dosing.Mg(40),
		M1SedativeWarnAbove: dosing.Mg(20),
		M1UsualStartMin:     dosing.Mg(10),
		M1UsualStartMax:     dosing.Mg(30),

		M2MaxStep:        dosing.Mg(10),
		M2MaxPer7Days:    dosing.Mg(30),
		M2TitrationWeeks: 6,

		M3UsualMin: dosing.Mg(60),
		M3UsualMax: dosing.Mg(120),

		M4HighDose:       dosing.Mg(100),
		M4ECGValidMonths: 6,
		M4ReviewMonths:   6,

		M5ReviewMonths:     3,
		M6SupervisedMonths: 3,

		B1ShortActingHours: 6,
		B1MethadoneMax:     dosing.Mg(30),
		B1MethadoneHours:   24,

		B2StartMin:       dosing.Mg(2),
		B2StartMax:       dosing.Mg(4),
		B2StartWarnAbove: dosing.Mg(8),

		B3StepMin:  dosing.Mg(2),
		B3StepMax:  dosing.Mg(4),
		B3MaxDaily: dosing.Mg(32),

		BV3TestDose:       dosing.Mg(4),
		BV3FirstDose:      dosing.Mg(16),
		BV3Week1Extras:    2,
		BV3ExtraGapDays:   1,
		BV5WeeklyWeeksMin: 4,

		BV6WeeklyMax:  dosing.Mg(32),
		BV6ExtraMax:   dosing.Mg(8),
		BV6MonthlyMax: dosing.Mg(160),
		BV6ExtraDose:  dosing.Mg(8),

		BV7SiteReuseWeeks: 8,

		BV8WeeklyWindowDays:  2,
		BV8MonthlyWindowDays: 7,

		MD1ConsecutiveMissedDays: 3,
		MD2TitrationMissed:       1,
		MD2StableMissed:          2,

		S4AttendanceMissedDays: 3,
		S4AttendanceWindowDays: 14,

		S6MethadoneReviewWeeks:     4,
		S6BuprenorphineReviewWeeks: 1,

		// Three covers the closures of an ordinary year (a Sunday with a
		// bank holiday Monday; Christmas and Boxing Day on a weekend).
		S8MaxClosedDaysCarried: 3,

		SC1SpecialistReviewMonths: 12,
		SC3StableWeeks:            12,
		SC3AdherencePercent:       90,
		SC3AdherenceWeeks:         12,
		SC3ScreenWeeks:            12,

		L3ValidDays:     28,
		L5MaxSupplyDays: 30,
		L6MaxDays:       14,
	}
}

// numberKey ties a configuration key to one field. The key's prefix before
// the dot is the rule id, which is how Table finds a rule's parameters.
// Exactly one of mg and n is set.
type numberKey struct {
	key string
	mg  func(*Numbers) *dosing.Micrograms
	n   func(*Numbers) *int
	max int // upper bound for n, 0 = none
	// limit is the figure the law or the product licence sets, which a
	// service may tighten but never relax; nil for a figure of guidance
	// a service may tune either way.
	limit *limit
}

// limit is a figure of the law or a licence ([V] in clinical-rules.md).
// atLeast: the figure is a minimum (hours to wait, months supervised), so
// raising it tightens the rule; otherwise it is a maximum. Exactly one of
// n and mg is set, as for the key.
type limit struct {
	atLeast bool
	// exact: the figure is a product's dose (a test dose, an extra dose),
	// which no other figure tightens: any other one would ask for a dose
	// no strength makes, so it is not tunable.
	exact bool
	n     int
	mg    dosing.Micrograms
	unit  string // of n: "days", "months"…
	kind  string // whose figure: "legal", "licensed", "NICE"
	why   string // the rule's own words and source
}

// check reports a figure that relaxes the limit, in one line naming the
// key, the value and the limit.
func (l limit) check(n Numbers, k numberKey) error {
	var v, lim, unit string
	var relaxed bool
	if k.mg != nil {
		got := *k.mg(&n)
		relaxed = l.atLeast && got < l.mg || !l.atLeast && got > l.mg || l.exact && got != l.mg
		v, lim = got.MilligramsString()+" mg", l.mg.MilligramsString()+" mg"
	} else {
		got := *k.n(&n)
		relaxed = l.atLeast && got < l.n || !l.atLeast && got > l.n
		v, lim, unit = strconv.Itoa(got), strconv.Itoa(l.n), " "+l.unit
	}
	if !relaxed {
		return nil
	}
	if l.exact {
		return fmt.Errorf("policy override %q: %s is not the %s dose of %s%s (%s); a product's dose is never tuned, so leave it out",
			k.key, v, l.kind, lim, unit, l.why)
	}
	if l.atLeast {
		return fmt.Errorf("policy override %q: %s is below the %s minimum of %s%s (%s); a service may raise it, never lower it",
			k.key, v, l.kind, lim, unit, l.why)
	}
	return fmt.Errorf("policy override %q: %s is above the %s limit of %s%s (%s); a service may lower it, never raise it",
		k.key, v, l.kind, lim, unit, l.why)
}

// numberKeys is the fixed list of configuration keys. It is a function, not
// a package variable, so there is no global state to mutate.
func numberKeys() []numberKey {
	mg := func(key string, f func(*Numbers) *dosing.Micrograms) numberKey { return numberKey{key: key, mg: f} }
	n := func(key string, f func(*Numbers) *int) numberKey { return numberKey{key: key, n: f} }
	pct := func(key string, f func(*Numbers) *int) numberKey { return numberKey{key: key, n: f, max: 100} }
	// Figures of the law or a licence: at most (or at least) the rule's.
	mgAtMost := func(key, kind string, v dosing.Micrograms, why string, f func(*Numbers) *dosing.Micrograms) numberKey {
		return numberKey{key: key, mg: f, limit: &limit{mg: v, kind: kind, why: why}}
	}
	mgExactly := func(key, kind string, v dosing.Micrograms, why string, f func(*Numbers) *dosing.Micrograms) numberKey {
		return numberKey{key: key, mg: f, limit: &limit{exact: true, mg: v, kind: kind, why: why}}
	}
	atMost := func(key, kind string, v int, unit, why string, f func(*Numbers) *int) numberKey {
		return numberKey{key: key, n: f, limit: &limit{n: v, unit: unit, kind: kind, why: why}}
	}
	atLeast := func(key, kind string, v int, unit, why string, f func(*Numbers) *int) numberKey {
		return numberKey{key: key, n: f, limit: &limit{atLeast: true, n: v, unit: unit, kind: kind, why: why}}
	}
	const (
		buvidal = "Buvidal SmPC 4.2"
		b1      = "B1: start buprenorphine at least 6 hours after short-acting opioids, from methadone only at 30 mg a day or less and at least 24 hours after the last dose; " + buvidal
		bv3     = "BV3: a 4 mg sublingual test dose, then 16 mg, with up to two extra 8 mg doses in week 1; NHS Borders Buvidal protocol, following the " + buvidal
		bv6     = "BV6: at most one extra 8 mg dose between regular doses, weekly maximum 32 + 8 mg, monthly maximum 160 mg; " + buvidal
	)
	return []numberKey{
		mg("M1.start_warn_above_mg", func(x *Numbers) *dosing.Micrograms { return &x.M1StartWarnAbove }),
		mg("M1.start_block_above_mg", func(x *Numbers) *dosing.Micrograms { return &x.M1StartBlockAbove }),
		mg("M1.sedative_warn_above_mg", func(x *Numbers) *dosing.Micrograms { return &x.M1SedativeWarnAbove }),
		mg("M1.usual_start_min_mg", func(x *Numbers) *dosing.Micrograms { return &x.M1UsualStartMin }),
		mg("M1.usual_start_max_mg", func(x *Numbers) *dosing.Micrograms { return &x.M1UsualStartMax }),
		mg("M2.max_step_mg", func(x *Numbers) *dosing.Micrograms { return &x.M2MaxStep }),
		mg("M2.max_per_7_days_mg", func(x *Numbers) *dosing.Micrograms { return &x.M2MaxPer7Days }),
		n("M2.titration_weeks", func(x *Numbers) *int { return &x.M2TitrationWeeks }),
		mg("M3.usual_min_mg", func(x *Numbers) *dosing.Micrograms { return &x.M3UsualMin }),
		mg("M3.usual_max_mg", func(x *Numbers) *dosing.Micrograms { return &x.M3UsualMax }),
		mg("M4.high_dose_mg", func(x *Numbers) *dosing.Micrograms { return &x.M4HighDose }),
		n("M4.ecg_valid_months", func(x *Numbers) *int { return &x.M4ECGValidMonths }),
		n("M4.review_months", func(x *Numbers) *int { return &x.M4ReviewMonths }),
		atMost("M5.review_months", "licensed", 3, "months", "M5: long-term prescribing is reviewed at least every 3 months; methadone SmPC 4.2",
			func(x *Numbers) *int { return &x.M5ReviewMonths }),
		atLeast("M6.supervised_months", "NICE", 3, "months", "M6: supervised daily consumption for at least the first 3 months; NICE TA114 recommendation 1.3",
			func(x *Numbers) *int { return &x.M6SupervisedMonths }),
		atLeast("B1.short_acting_hours", "licensed", 6, "hours", b1, func(x *Numbers) *int { return &x.B1ShortActingHours }),
		mgAtMost("B1.methadone_max_mg", "licensed", dosing.Mg(30), b1, func(x *Numbers) *dosing.Micrograms { return &x.B1MethadoneMax }),
		atLeast("B1.methadone_hours", "licensed", 24, "hours", b1, func(x *Numbers) *int { return &x.B1MethadoneHours }),
		mg("B2.start_min_mg", func(x *Numbers) *dosing.Micrograms { return &x.B2StartMin }),
		mg("B2.start_max_mg", func(x *Numbers) *dosing.Micrograms { return &x.B2StartMax }),
		mg("B2.start_warn_above_mg", func(x *Numbers) *dosing.Micrograms { return &x.B2StartWarnAbove }),
		mg("B3.step_min_mg", func(x *Numbers) *dosing.Micrograms { return &x.B3StepMin }),
		mg("B3.step_max_mg", func(x *Numbers) *dosing.Micrograms { return &x.B3StepMax }),
		mgAtMost("B3.max_daily_mg", "licensed", dosing.Mg(32), "B3: never more than 32 mg of buprenorphine on any day, the licensed maximum daily dose",
			func(x *Numbers) *dosing.Micrograms { return &x.B3MaxDaily }),
		mgExactly("BV3.test_dose_mg", "licensed", dosing.Mg(4), bv3, func(x *Numbers) *dosing.Micrograms { return &x.BV3TestDose }),
		mgExactly("BV3.first_dose_mg", "licensed", dosing.Mg(16), bv3, func(x *Numbers) *dosing.Micrograms { return &x.BV3FirstDose }),
		atMost("BV3.week1_extra_doses", "licensed", 2, "doses", bv3, func(x *Numbers) *int { return &x.BV3Week1Extras }),
		n("BV3.extra_gap_days", func(x *Numbers) *int { return &x.BV3ExtraGapDays }),
		atLeast("BV5.weekly_weeks_before_monthly", "licensed", 4, "weeks",
			"BV5: monthly Buvidal only after stable weekly treatment, ideally at least 4 weeks, fewer with an override reason; "+buvidal,
			func(x *Numbers) *int { return &x.BV5WeeklyWeeksMin }),
		mgAtMost("BV6.weekly_max_mg", "licensed", dosing.Mg(32), bv6, func(x *Numbers) *dosing.Micrograms { return &x.BV6WeeklyMax }),
		mgAtMost("BV6.extra_max_mg", "licensed", dosing.Mg(8), bv6, func(x *Numbers) *dosing.Micrograms { return &x.BV6ExtraMax }),
		mgAtMost("BV6.monthly_max_mg", "licensed", dosing.Mg(160), bv6, func(x *Numbers) *dosing.Micrograms { return &x.BV6MonthlyMax }),
		mgExactly("BV6.extra_dose_mg", "licensed", dosing.Mg(8), bv6, func(x *Numbers) *dosing.Micrograms { return &x.BV6ExtraDose }),
		atLeast("BV7.site_reuse_weeks", "licensed", 8, "weeks", "BV7: do not reuse an injection site within 8 weeks; "+buvidal,
			func(x *Numbers) *int { return &x.BV7SiteReuseWeeks }),
		n("BV8.weekly_window_days", func(x *Numbers) *int { return &x.BV8WeeklyWindowDays }),
		n("BV8.monthly_window_days", func(x *Numbers) *int { return &x.BV8MonthlyWindowDays }),
		atMost("MD1.consecutive_missed_days", "legal", 3, "days",
			"MD1: the Home Office approved wording printed on the prescription says \"Consult the prescriber if 3 or more consecutive days of a prescription have been missed\"",
			func(x *Numbers) *int { return &x.MD1ConsecutiveMissedDays }),
		n("MD2.titration_missed_doses", func(x *Numbers) *int { return &x.MD2TitrationMissed }),
		n("MD2.stable_missed_days", func(x *Numbers) *int { return &x.MD2StableMissed }),
		n("S4.attendance_missed_days", func(x *Numbers) *int { return &x.S4AttendanceMissedDays }),
		n("S4.attendance_window_days", func(x *Numbers) *int { return &x.S4AttendanceWindowDays }),
		n("S6.methadone_review_weeks", func(x *Numbers) *int { return &x.S6MethadoneReviewWeeks }),
		n("S6.buprenorphine_review_weeks", func(x *Numbers) *int { return &x.S6BuprenorphineReviewWeeks }),
		n("S8.max_closed_days_carried", func(x *Numbers) *int { return &x.S8MaxClosedDaysCarried }),
		n("SC1.specialist_review_months", func(x *Numbers) *int { return &x.SC1SpecialistReviewMonths }),
		n("SC3.stable_weeks", func(x *Numbers) *int { return &x.SC3StableWeeks }),
		pct("SC3.adherence_percent", func(x *Numbers) *int { return &x.SC3AdherencePercent }),
		n("SC3.adherence_weeks", func(x *Numbers) *int { return &x.SC3AdherenceWeeks }),
		n("SC3.screen_weeks", func(x *Numbers) *int { return &x.SC3ScreenWeeks }),
		atMost("L3.valid_days", "legal", 28, "days",
			"L3: nothing is supplied more than 28 days after the appropriate date; Misuse of Drugs Regulations 2001 reg 16",
			func(x *Numbers) *int { return &x.L3ValidDays }),
		n("L5.max_supply_days", func(x *Numbers) *int { return &x.L5MaxSupplyDays }),
		atMost("L6.max_days", "legal", 14, "days", "L6: an FP10MDA covers at most 14 days of treatment; Community Pharmacy England",
			func(x *Numbers) *int { return &x.L6MaxDays }),
	}
}

// Keys returns every effective number by configuration key, amounts in mg.
func (n Numbers) Keys() map[string]string {
	out := make(map[string]string)
	for _, k := range numberKeys() {
		if k.mg != nil {
			out[k.key] = k.mg(&n).MilligramsString()
		} else {
			out[k.key] = strconv.Itoa(*k.n(&n))
		}
	}
	return out
}

// Limit is a figure the law, a product licence or NICE sets for a key: a
// service may tighten it (DOSEBOOK_POLICY) but never relax it.
type Limit struct {
	// Bound is "at_most" (a maximum: lowering tightens), "at_least", or
	// "exactly" (a product's dose, not tunable).
	Bound  string `json:"bound"`
	Value  string `json:"value"` // in the key's unit: mg for amounts
	Kind   string `json:"kind"`  // whose figure: legal, licensed, NICE
	Source string `json:"source"`
}

// Limits returns the limit of every key that has one, by key.
func Limits() map[string]Limit {
	out := make(map[string]Limit)
	for _, k := range numberKeys() {
		l := k.limit
		if l == nil {
			continue
		}
		v := strconv.Itoa(l.n)
		if k.mg != nil {
			v = l.mg.MilligramsString()
		}
		bound := "at_most"
		switch {
		case l.atLeast:
			bound = "at_least"
		case l.exact:
			bound = "exactly"
		}
		out[k.key] = Limit{Bound: bound, Value: v, Kind: l.kind, Source: l.why}
	}
	return out
}

// KeyNames lists the configuration keys in table order, for help text.
func KeyNames() []string {
	ks := numberKeys()
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.key
	}
	return out
}

// validKeysHint names the keys an unknown key could have meant: those of
// its rule when the rule id before the dot is known (M2.max_step → the M2
// keys), else every key, so the user can correct it without the docs.
func validKeysHint(key string) string {
	rule, _, _ := strings.Cut(key, ".")
	var same []string
	for _, k := range KeyNames() {
		if strings.HasPrefix(k, rule+".") {
			same = append(same, k)
		}
	}
	if len(same) > 0 {
		return fmt.Sprintf("%s's keys are %s", rule, strings.Join(same, ", "))
	}
	return "valid keys are " + strings.Join(KeyNames(), ", ")
}

// ParseOverrides applies a configuration spec such as
// "M2.max_step_mg=5,SC3.adherence_percent=85" to base. Unknown keys, bad
// values and repeated keys are errors naming the key, because a mistyped
// override silently ignored would leave a clinical limit other than intended.
func ParseOverrides(base Numbers, spec string) (Numbers, error) {
	byKey := make(map[string]numberKey)
	for _, k := range numberKeys() {
		byKey[k.key] = k
	}
	out := base
	seen := make(map[string]bool)
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, value, ok := strings.Cut(item, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok {
			return base, fmt.Errorf("policy override %q: want key=value", item)
		}
		k, known := byKey[key]
		if !known {
			return base, fmt.Errorf("policy override %q: unknown key; %s", key, validKeysHint(key))
		}
		if seen[key] {
			return base, fmt.Errorf("policy override %q: given more than once", key)
		}
		seen[key] = true
		if k.mg != nil {
			v, err := dosing.ParseMilligrams(value)
			if err != nil {
				return base, fmt.Errorf("policy override %q: %w", key, err)
			}
			if v == 0 {
				return base, fmt.Errorf("policy override %q: must be more than 0 mg", key)
			}
			*k.mg(&out) = v
		} else {
			v, err := strconv.Atoi(value)
			if err != nil || v < 1 || len(value) > 6 {
				return base, fmt.Errorf("policy override %q: %q is not a whole number from 1 to 999999", key, value)
			}
			if k.max > 0 && v > k.max {
				return base, fmt.Errorf("policy override %q: %d is more than %d", key, v, k.max)
			}
			*k.n(&out) = v
		}
		// A figure of the law or a licence stops the start at once, alone:
		// a service cannot prescribe outside it whatever else it tunes.
		if k.limit != nil {
			if err := k.limit.check(out, k); err != nil {
				return base, err
			}
		}
	}
	if err := out.Validate(); err != nil {
		return base, err
	}
	return out, nil
}

// Buvidal doses fall due every BuvidalWeeklyDays (weekly) or
// BuvidalMonthlyDays ("monthly", as clinics book it) after the last one
// (regimes.NextDue); BV8's windows must be narrower than half of them.
const (
	BuvidalWeeklyDays  = 7
	BuvidalMonthlyDays = 28
)

// Validate checks that ranges still make sense after tuning; a start warning
// above its block, say, would let the override path go unused.
func (n Numbers) Validate() error {
	type pair struct {
		lowKey, highKey string
		low, high       dosing.Micrograms
	}
	pairs := []pair{
		{"M1.start_warn_above_mg", "M1.start_block_above_mg", n.M1StartWarnAbove, n.M1StartBlockAbove},
		{"M1.usual_start_min_mg", "M1.usual_start_max_mg", n.M1UsualStartMin, n.M1UsualStartMax},
		{"M3.usual_min_mg", "M3.usual_max_mg", n.M3UsualMin, n.M3UsualMax},
		{"B2.start_min_mg", "B2.start_max_mg", n.B2StartMin, n.B2StartMax},
		{"B3.step_min_mg", "B3.step_max_mg", n.B3StepMin, n.B3StepMax},
	}
	var errs []error
	for _, p := range pairs {
		if p.low > p.high {
			errs = append(errs, fmt.Errorf("policy: %s (%s) is above %s (%s)", p.lowKey, p.low, p.highKey, p.high))
		}
	}
	// An FP10MDA (L6) is a controlled-drug prescription, so the good
	// practice ceiling on supply (L5, 30 days by default) bounds it too: a
	// service raising L6 past L5 would be issuing prescriptions its own
	// policy calls too long.
	if n.L6MaxDays > n.L5MaxSupplyDays {
		errs = append(errs, fmt.Errorf("policy: L6.max_days (%d) is above L5.max_supply_days (%d); an FP10MDA may not cover more days than L5 allows",
			n.L6MaxDays, n.L5MaxSupplyDays))
	}
	// The dose history read for missed-dose rules goes back four weeks.
	if n.S4AttendanceWindowDays > 28 {
		errs = append(errs, fmt.Errorf("policy: S4.attendance_window_days (%d) is above 28", n.S4AttendanceWindowDays))
	}
	if n.S4AttendanceMissedDays > n.S4AttendanceWindowDays {
		errs = append(errs, fmt.Errorf("policy: S4.attendance_missed_days (%d) is above S4.attendance_window_days (%d)",
			n.S4AttendanceMissedDays, n.S4AttendanceWindowDays))
	}
	// BV8's window about one dose's due date must close before the next
	// dose's opens: windows that overlap would count one injection on time
	// for two doses, and an early next dose as on time.
	for _, w := range []struct {
		key            string
		days, interval int
	}{
		{"BV8.weekly_window_days", n.BV8WeeklyWindowDays, BuvidalWeeklyDays},
		{"BV8.monthly_window_days", n.BV8MonthlyWindowDays, BuvidalMonthlyDays},
	} {
		if 2*w.days >= w.interval {
			errs = append(errs, fmt.Errorf("policy: %s (%d) is too wide: doses fall due every %d days, so a window of %d days either side overlaps the next dose's; at most %d",
				w.key, w.days, w.interval, w.days, (w.interval-1)/2))
		}
	}
	for _, k := range numberKeys() {
		if k.limit != nil {
			if err := k.limit.check(n, k); err != nil {
				errs = append(errs, err)
			}
		}
		if k.mg != nil && *k.mg(&n) <= 0 {
			errs = append(errs, fmt.Errorf("policy: %s must be more than 0 mg", k.key))
		}
		if k.n != nil && *k.n(&n) <= 0 {
			errs = append(errs, fmt.Errorf("policy: %s must be at least 1", k.key))
		}
	}
	return errors.Join(errs...)
}

// parametersFor is the subset of Keys belonging to rule id.
func (n Numbers) parametersFor(id string) map[string]string {
	out := make(map[string]string)
	for k, v := range n.Keys() {
		if strings.HasPrefix(k, id+".") {
			out[k] = v
		}
	}
	return out
}
