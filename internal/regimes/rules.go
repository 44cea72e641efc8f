// Package regimes holds a patient's treatment regime: medicine, dose,
// stage and pickup pattern, and the titration rules (M*, B*, BV*) that
// guard starting and changing it. The rules are pure functions that return
// policy Findings; the caller decides what to do with overrides.
package regimes

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
)

// DoseChange is one recorded change of the daily (or per-injection) dose.
type DoseChange struct {
	Effective calendar.Date     `json:"effective"`
	From      dosing.Micrograms `json:"from"`
	To        dosing.Micrograms `json:"to"`
}

// PreviousTreatment is the opioid treatment a new regime follows, if any.
type PreviousTreatment struct {
	Medicine dosing.Medicine
	Dose     dosing.Micrograms
	// LastDose is when the last dose was taken; zero when unknown.
	LastDose time.Time
	// Zone is the service's time zone, in which LastDose falls on a day
	// (MD1's run of days, MD3's new induction, the day a message names):
	// 00:30 in London in summer is that day, not the evening before in
	// UTC. Nil: the location of the start's first dose time (StartAt),
	// else UTC.
	Zone      *time.Location
	StartedOn calendar.Date
	// Supplied is the dose the patient last actually had of a recorded
	// previous regime (the day's dose its prescription carried); zero when
	// unknown. B3 and M2 judge a new regime's starting dose from the lower
	// of it and Dose, as a dose change steps from what was supplied.
	Supplied dosing.Micrograms
	// Increases are the previous regime's standing dose increases, oldest
	// first, that M2's rolling week before a new methadone start counts.
	Increases []DoseChange
	// HeldDays are the days after the previous regime's end whose doses a
	// take-home collection had already handed over: the patient still
	// holds them, and LastDose counts them (B1).
	HeldDays []calendar.Date
	// WeeklyBuvidalWeeks is how long the patient has had weekly Buvidal
	// (BV5), as WeeklyBuvidalWeeks counts it from WeeklyBuvidalFrom, the
	// first regular weekly injection, and WeeklyBuvidalInjections, the
	// regular injections given.
	WeeklyBuvidalWeeks      int
	WeeklyBuvidalFrom       calendar.Date
	WeeklyBuvidalInjections int
}

// StartInput is everything the start-of-regime rules look at.
type StartInput struct {
	Medicine   dosing.Medicine
	Dose       dosing.Micrograms
	Start      calendar.Date
	PatientAge int // 0 when unknown
	// SedativeRisk is the benzodiazepine or alcohol flag (M1).
	SedativeRisk bool
	Pattern      WeeklyPattern
	Previous     *PreviousTreatment
	// LastShortActingOpioid is the last heroin or other short-acting opioid
	// use; zero when unknown.
	LastShortActingOpioid time.Time
	// StartAt is when the first dose is planned; zero when unknown.
	StartAt time.Time
	// StartAtAssumed is set when StartAt is AssumedFirstDose rather than a
	// time the prescriber gave; B1's messages then say so.
	StartAtAssumed bool
	// BuprenorphineNaive is BV3's "new to buprenorphine", as StartNaive
	// settles it.
	BuprenorphineNaive bool
	// TestDoseGiven records the BV3 sublingual test dose.
	TestDoseGiven bool
	ECGDate       calendar.Date
}

// ValidateStart rejects input no rule can judge; these are field errors, not
// findings, because no override could make them meaningful. Every failing
// field is reported at once, under its request name.
func ValidateStart(in StartInput) error {
	var f problem.Fields
	if in.Medicine.Code == "" {
		f.Add("medicine", "required", "medicine is required")
	}
	if in.Dose <= 0 {
		f.Add("dose", "positive", "dose must be more than 0 mg")
	}
	if in.Dose > dosing.MaxDose {
		f.Add("dose", "maximum", "dose must be at most %s", dosing.MaxDose)
	}
	if in.Dose > 0 && !in.Medicine.Makeable(in.Dose) {
		f.Add("dose", "makeable", "%s", unmakeable(in.Medicine, in.Dose))
	}
	if in.Start.IsZero() {
		f.Add("start_date", "required", "start date is required")
	}
	if !in.Pattern.IsZero() {
		if err := in.Pattern.Validate(); err != nil {
			f.Add("pattern", "pattern", "%s", err.Error())
		}
	}
	return f.Err()
}

// CheckStart applies the rules for starting a regime: M1, M4, M6 for
// methadone; B1–B4 for sublingual buprenorphine; B1, B4 and BV1–BV5 for Buvidal.
func CheckStart(n policy.Numbers, in StartInput) []policy.Finding {
	in.Previous = in.Previous.withZone(in.StartAt)
	var fs []policy.Finding
	med := in.Medicine
	switch med.Class {
	case dosing.ClassMethadone:
		fs = append(fs, checkMethadoneStart(n, in.Dose, in.Start, in.SedativeRisk, in.Previous)...)
		fs = append(fs, checkStepFromPrevious(n, in.Medicine, in.Dose, in.Start, in.Previous)...)
		fs = append(fs, checkHighDose(n, in.Dose, in.Start, in.ECGDate, in.Start, calendar.Date{}, true)...)
	case dosing.ClassBuprenorphine:
		fs = append(fs, checkInductionTiming(n, in)...)
		fs = append(fs, checkSublingualStart(n, in)...)
		fs = append(fs, checkEspranorSwitch(n, in)...)
	case dosing.ClassBuvidal:
		fs = append(fs, checkInductionTiming(n, in)...)
		fs = append(fs, checkEspranorSwitch(n, in)...)
		fs = append(fs, checkBuvidalStart(n, in)...)
	}
	fs = append(fs, CheckSupervision(n, med, in.Start, in.Start, in.Pattern)...)
	return fs
}

// checkMethadoneStart is M1, for a starting dose given on start (the
// regime's start, or a change on its first day) after treatment p, if any.
// A start that continues methadone the patient is still on is no
// induction: M2 judges it as a step from the previous dose
// (checkStepFromPrevious), so a transfer, a release from prison or a
// regime restarted here at the dose the patient takes is not held to a
// first day's 40 mg. The sedative risk is the patient's, not the
// induction's, so it still warns then.
func checkMethadoneStart(n policy.Numbers, dose dosing.Micrograms, start calendar.Date, sedativeRisk bool, p *PreviousTreatment) []policy.Finding {
	var fs []policy.Finding
	if continuesMethadone(n, p, start) {
		if sedativeRisk && dose > n.M1SedativeWarnAbove {
			fs = append(fs, n.FindingAt("M1", policy.Warn,
				fmt.Sprintf("Methadone dose %s, continued from %s %s a day, is above %s with a benzodiazepine or alcohol risk recorded.",
					dose, p.Medicine.Name, p.Dose, n.M1SedativeWarnAbove),
				"Review the sedative risk, and consider a lower dose while it is present."))
		}
		return fs
	}
	note := ""
	if p != nil && p.Medicine.Class == dosing.ClassMethadone {
		switch {
		case p.Dose <= 0:
			note = fmt.Sprintf(" The previous %s dose is not given, so the start is judged as a first dose; send previous.dose.", p.Medicine.Name)
		case toleranceLost(n, p, start):
			note = fmt.Sprintf(" The last %s dose was taken on %s, more than %d days before the start: the start is a new induction (MD3).",
				p.Medicine.Name, p.lastDoseDate(), n.MD1ConsecutiveMissedDays)
		default: // told without the time of the last dose
			note = fmt.Sprintf(" The time of the last %s dose is not given, so tolerance cannot be assumed and the start is judged as a first dose; send last_dose_at.", p.Medicine.Name)
		}
	}
	usual := fmt.Sprintf("usual start %s–%s", n.M1UsualStartMin.MilligramsString(), n.M1UsualStartMax)
	switch {
	case dose > n.M1StartBlockAbove:
		fs = append(fs, n.Finding("M1",
			fmt.Sprintf("Methadone starting dose %s is above %s on day 1 (%s).%s", dose, n.M1StartBlockAbove, usual, note),
			fmt.Sprintf("Start at %s or less, or record an override reason for rule M1.", n.M1StartBlockAbove)))
	case dose > n.M1StartWarnAbove:
		fs = append(fs, n.FindingAt("M1", policy.Warn,
			fmt.Sprintf("Methadone starting dose %s is above %s (%s).%s", dose, n.M1StartWarnAbove, usual, note),
			fmt.Sprintf("Consider starting at %s or less.", n.M1StartWarnAbove)))
	}
	if sedativeRisk && dose > n.M1SedativeWarnAbove {
		fs = append(fs, n.FindingAt("M1", policy.Warn,
			fmt.Sprintf("Methadone starting dose %s is above %s with a benzodiazepine or alcohol risk recorded.", dose, n.M1SedativeWarnAbove),
			fmt.Sprintf("Consider starting at %s or less while the sedative risk is present.", n.M1SedativeWarnAbove)))
	}
	return fs
}

// continuesMethadone reports a methadone start that follows methadone the
// patient is still on at a known dose, the step base M2 judges the start
// from. Still on it means recorded here (a regime the records show taken
// within MD1's days, StartedOn set) or told with a last dose at most
// MD1's days before the start. Told without the time of the last dose,
// nothing shows the patient kept their tolerance, and a first day's dose
// above M1's limit can kill a patient who has lost it: M1 judges that
// start as an induction, and says what to send.
func continuesMethadone(n policy.Numbers, p *PreviousTreatment, start calendar.Date) bool {
	if p == nil || p.Medicine.Class != dosing.ClassMethadone || p.Dose <= 0 || toleranceLost(n, p, start) {
		return false
	}
	if !p.LastDose.IsZero() && p.lastDoseDate().After(start.AddDays(1)) {
		return false // a last dose after the start is a mistyped date, not a sign of tolerance
	}
	return !p.StartedOn.IsZero() || !p.LastDose.IsZero()
}

// AssumedFirstDoseHour is the local hour a first dose is taken to be given
// when the prescriber gives no time: pharmacies open about then, so it is
// the earliest a supervised first dose is usually taken, which keeps B1's
// gap on the cautious side for a dose given later that day.
const AssumedFirstDoseHour = 9

// AssumedFirstDose is the planned first dose on start at
// AssumedFirstDoseHour local time in loc (the service's time zone).
func AssumedFirstDose(start calendar.Date, loc *time.Location) time.Time {
	return time.Date(start.Year(), start.Month(), start.Day(), AssumedFirstDoseHour, 0, 0, 0, loc)
}

// onBuprenorphine is true when the patient is moving between buprenorphine
// products, where induction timing (B1) and starting doses (B2) do not apply.
func onBuprenorphine(p *PreviousTreatment) bool {
	return p != nil && p.Medicine.IsBuprenorphine()
}

// checkInductionTiming is B1: buprenorphine displaces full agonists and
// precipitates withdrawal if started too soon. The figures are verified for
// Buvidal only; for sublingual products they are [U], so those warn.
func checkInductionTiming(n policy.Numbers, in StartInput) []policy.Finding {
	if onBuprenorphine(in.Previous) {
		return nil
	}
	sev, note := policy.Override, ""
	if !in.Medicine.Injectable {
		sev, note = policy.Warn, " (figures for sublingual products are unverified)"
	}
	if in.StartAtAssumed {
		note += fmt.Sprintf(" (first dose assumed at %s; give first_dose_at if it is planned for another time)", in.StartAt.Format("2006-01-02 15:04"))
	}
	action := func(what string) string {
		if sev == policy.Override {
			return what + ", or record an override reason for rule B1."
		}
		return what + "."
	}
	var fs []policy.Finding
	if p := in.Previous; p != nil && p.Medicine.Class == dosing.ClassMethadone {
		note := note + heldNote(p.HeldDays) // the methadone findings say why the last dose is so late
		if p.Dose > n.B1MethadoneMax {
			fs = append(fs, n.FindingAt("B1", sev,
				fmt.Sprintf("Methadone dose %s is above %s a day for a switch to buprenorphine%s.", p.Dose, n.B1MethadoneMax, note),
				action(fmt.Sprintf("Reduce methadone to %s a day or less before switching", n.B1MethadoneMax))))
		}
		minGap := time.Duration(n.B1MethadoneHours) * time.Hour
		switch {
		case p.LastDose.IsZero() || in.StartAt.IsZero():
			fs = append(fs, n.FindingAt("B1", policy.Warn,
				fmt.Sprintf("Time of the last methadone dose or of the first buprenorphine dose is not recorded; at least %d hours must separate them.", n.B1MethadoneHours),
				"Confirm and record the time of the last methadone dose."))
		case in.StartAt.Before(p.LastDose):
			fs = append(fs, n.FindingAt("B1", sev, firstBeforeLast(in.StartAt, p.LastDose, "methadone dose", n.B1MethadoneHours, note),
				action(fmt.Sprintf("Start buprenorphine at %s or later", p.LastDose.Add(minGap).In(in.StartAt.Location()).Format("2006-01-02 15:04")))))
		case in.StartAt.Sub(p.LastDose) < minGap:
			fs = append(fs, n.FindingAt("B1", sev,
				fmt.Sprintf("Only %s between the last methadone dose and the first buprenorphine dose; at least %d hours needed%s.", hoursText(in.StartAt.Sub(p.LastDose)), n.B1MethadoneHours, note),
				action(fmt.Sprintf("Start buprenorphine at %s or later", p.LastDose.Add(minGap).In(in.StartAt.Location()).Format("2006-01-02 15:04")))))
		}
	}
	minGap := time.Duration(n.B1ShortActingHours) * time.Hour
	switch {
	case !in.LastShortActingOpioid.IsZero() && !in.StartAt.IsZero():
		if gap := in.StartAt.Sub(in.LastShortActingOpioid); gap < minGap {
			msg := fmt.Sprintf("Only %s since the last short-acting opioid use; at least %d hours needed%s.", hoursText(gap), n.B1ShortActingHours, note)
			if gap < 0 {
				msg = firstBeforeLast(in.StartAt, in.LastShortActingOpioid, "short-acting opioid use", n.B1ShortActingHours, note)
			}
			fs = append(fs, n.FindingAt("B1", sev, msg,
				action(fmt.Sprintf("Start buprenorphine at %s or later", in.LastShortActingOpioid.Add(minGap).In(in.StartAt.Location()).Format("2006-01-02 15:04")))))
		}
	case in.Previous == nil:
		// From street opioids the short-acting gap is the only timing check,
		// so not knowing it must be confirmed rather than assumed safe.
		fs = append(fs, n.FindingAt("B1", policy.Warn,
			fmt.Sprintf("Time of the last short-acting opioid use or of the first buprenorphine dose is not recorded; at least %d hours must separate them.", n.B1ShortActingHours),
			"Confirm when heroin or other short-acting opioids were last used."))
	}
	return fs
}

// firstBeforeLast is B1's message for a first dose planned before the
// last use it must follow: no gap at all, not a gap of "0 h". Both times
// are written in the first dose's zone, so they compare at a glance.
func firstBeforeLast(first, last time.Time, what string, hours int, note string) string {
	const layout = "2006-01-02 15:04"
	return fmt.Sprintf("The first buprenorphine dose at %s would be before the last %s at %s; it must be at least %d hours after it%s.",
		first.Format(layout), what, last.In(first.Location()).Format(layout), hours, note)
}

func hoursText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	h := int(d / time.Hour)
	m := int((d % time.Hour) / time.Minute)
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// checkSublingualStart is B2 (starting dose) and B3's daily maximum.
func checkSublingualStart(n policy.Numbers, in StartInput) []policy.Finding {
	var fs []policy.Finding
	if in.Dose > n.B3MaxDaily {
		fs = append(fs, n.Finding("B3",
			fmt.Sprintf("Buprenorphine dose %s is above the maximum of %s a day.", in.Dose, n.B3MaxDaily),
			fmt.Sprintf("Prescribe %s a day or less.", n.B3MaxDaily)))
	}
	unknown := ""
	if p := in.Previous; sublingualBuprenorphine(p) && p.Dose <= 0 {
		// Told "on buprenorphine" without the dose: no step can be judged
		// from it, so the starting dose is judged as a first one (B2).
		unknown = fmt.Sprintf(" The previous %s dose is not given, so the step from it (B3) cannot be judged; send previous.dose.", p.Medicine.Name)
	}
	if p := in.Previous; sublingualBuprenorphine(p) && p.Dose > 0 && toleranceLost(n, p, in.Start) {
		unknown = fmt.Sprintf(" The last %s dose was taken on %s, more than %d days before the start: the start is a new induction (MD3).",
			p.Medicine.Name, p.lastDoseDate(), n.MD1ConsecutiveMissedDays)
	}
	if (!onBuprenorphine(in.Previous) || unknown != "") && in.Dose > n.B2StartWarnAbove {
		fs = append(fs, n.Finding("B2",
			fmt.Sprintf("Buprenorphine starting dose %s is above %s on day 1 (usual start %s–%s).%s", in.Dose, n.B2StartWarnAbove, n.B2StartMin.MilligramsString(), n.B2StartMax, unknown),
			fmt.Sprintf("Consider starting at %s–%s and titrating.", n.B2StartMin.MilligramsString(), n.B2StartMax)))
	}
	fs = append(fs, checkStepFromPrevious(n, in.Medicine, in.Dose, in.Start, in.Previous)...)
	return fs
}

// sublingualBuprenorphine reports a previous treatment of daily
// buprenorphine (sublingual tablets, with naloxone, or Espranor): a daily
// dose a new daily regime's dose steps from (B3). Buvidal's weekly or
// monthly depot is no daily dose to step from.
func sublingualBuprenorphine(p *PreviousTreatment) bool {
	return p != nil && p.Medicine.Class == dosing.ClassBuprenorphine
}

// toleranceLost says the patient's last dose of the previous treatment
// was taken more than MD1's run of days before start: the start is then a
// new induction (MD3), judged as a first start (M1, B2), not as a step
// from a dose the patient is no longer on, as StillOn drops a previous
// regime recorded here. The last dose's day is the service's (Zone).
func toleranceLost(n policy.Numbers, p *PreviousTreatment, start calendar.Date) bool {
	return p != nil && !p.LastDose.IsZero() && start.After(p.lastDoseDate().AddDays(n.MD1ConsecutiveMissedDays))
}

// lastDoseDate is the day, in the service's time zone, the last dose was
// taken on.
func (p *PreviousTreatment) lastDoseDate() calendar.Date {
	loc := p.Zone
	if loc == nil {
		loc = time.UTC
	}
	return calendar.DateOf(p.LastDose, loc)
}

// withZone is p with its Zone set from at's location when it has none:
// the start's first dose time is given in the service's zone.
func (p *PreviousTreatment) withZone(at time.Time) *PreviousTreatment {
	if p == nil || p.Zone != nil || at.IsZero() {
		return p
	}
	c := *p
	c.Zone = at.Location()
	return &c
}

// checkStepFromPrevious judges a new regime's starting dose as a dose
// change from the previous treatment of the same kind: ending a regime and
// starting another is no way round B3's steps or M2's (a patient moving on
// at the same dose, released from prison say, steps nowhere). The step is
// counted from the lower of the previous dose and the dose last actually
// supplied, as on the dose-change route, and at the same severity: an
// override reason. M2's rolling week counts the previous regime's
// increases in the 7 days to the start too.
func checkStepFromPrevious(n policy.Numbers, med dosing.Medicine, dose dosing.Micrograms, start calendar.Date, p *PreviousTreatment) []policy.Finding {
	if p == nil || p.Dose <= 0 || p.Medicine.Class != med.Class {
		return nil
	}
	if med.Class != dosing.ClassBuprenorphine && med.Class != dosing.ClassMethadone {
		return nil
	}
	if toleranceLost(n, p, start) {
		return nil
	}
	from, supplied := p.Dose, ""
	if p.Supplied > 0 && p.Supplied < p.Dose {
		from = p.Supplied
		supplied = fmt.Sprintf(" (the patient was last supplied %s; the %s recorded never reached them)", p.Supplied, p.Dose)
	}
	step := dose - from
	prevText := fmt.Sprintf("the previous treatment, %s %s a day%s", p.Medicine.Name, from, supplied)
	var fs []policy.Finding
	if med.Class == dosing.ClassBuprenorphine {
		if dose > n.B3MaxDaily {
			return nil // B3's maximum blocks it; no step is judged above it
		}
		if step <= 0 || step >= n.B3StepMin && step <= n.B3StepMax {
			return nil
		}
		b4 := ""
		if p.Medicine.Espranor != med.Espranor {
			b4 = " Espranor doses do not carry over milligram for milligram (B4): re-titrate on the new product."
		}
		return append(fs, n.FindingAt("B3", policy.Override,
			fmt.Sprintf("Starting dose %s is an increase of %s on %s; titration steps are %s–%s.%s", dose, step, prevText, n.B3StepMin.MilligramsString(), n.B3StepMax, b4),
			fmt.Sprintf("Start at %s (the dose the patient is on) or at most %s, and titrate by dose changes; or record an override reason for rule B3.", from, min(from+n.B3StepMax, n.B3MaxDaily))))
	}
	if step <= 0 {
		return nil
	}
	if step > n.M2MaxStep {
		fs = append(fs, n.Finding("M2",
			fmt.Sprintf("Starting dose %s is an increase of %s on %s; above the maximum step of %s.", dose, step, prevText, n.M2MaxStep),
			fmt.Sprintf("Start at %s (the dose the patient is on) or at most %s, and titrate by dose changes; or record an override reason for rule M2.", from, from+n.M2MaxStep)))
	}
	windowStart := start.AddDays(-6)
	total := step
	for _, h := range p.Increases {
		if h.To > h.From && h.From > 0 && !h.Effective.Before(windowStart) && !h.Effective.After(start) {
			total += h.To - h.From
		}
	}
	// A step above the weekly total alone is already M2's step finding,
	// unless the figures were tuned so a step may exceed the week.
	if total > n.M2MaxPer7Days && (total > step || step <= n.M2MaxStep) {
		fs = append(fs, n.Finding("M2",
			fmt.Sprintf("Increases in the 7 days %s to %s would total %s (including %s on %s); at most %s in any 7 days during the first %d weeks.",
				windowStart, start, total, step, prevText, n.M2MaxPer7Days, n.M2TitrationWeeks),
			"Delay or reduce the increase, or record an override reason for rule M2."))
	}
	return fs
}

// checkEspranorSwitch is B4: Espranor's bioavailability differs from
// sublingual tablets, so a dose does not carry across either way.
func checkEspranorSwitch(n policy.Numbers, in StartInput) []policy.Finding {
	p := in.Previous
	if !onBuprenorphine(p) || p.Medicine.Espranor == in.Medicine.Espranor {
		return nil
	}
	return []policy.Finding{n.Finding("B4",
		fmt.Sprintf("Switching from %s to %s: Espranor is not interchangeable with other buprenorphine products.", p.Medicine.Name, in.Medicine.Name),
		"Re-titrate on the new product, or record an override reason for rule B4.")}
}

// checkBuvidalAge is BV2's age, at the start and at each injection (a
// date of birth corrected since the start counts): Buvidal is licensed
// from 16, so younger blocks; an unknown age warns. age is in whole
// years on the day, 0 when unknown.
func checkBuvidalAge(n policy.Numbers, age int) []policy.Finding {
	switch {
	case age <= 0:
		return []policy.Finding{n.FindingAt("BV2", policy.Warn,
			"Patient age is not recorded; Buvidal is licensed from age 16.",
			"Record the patient's date of birth.")}
	case age < 16:
		return []policy.Finding{n.Finding("BV2",
			fmt.Sprintf("Patient is %d; Buvidal is licensed from age 16.", age),
			"Use another treatment.")}
	}
	return nil
}

// checkBuvidalStart is BV1–BV5 for the first injection of a regime.
func checkBuvidalStart(n policy.Numbers, in StartInput) []policy.Finding {
	var fs []policy.Finding
	med := in.Medicine
	if !med.HasStrength(in.Dose) {
		fs = append(fs, n.Finding("BV1",
			fmt.Sprintf("%s is not a %s Buvidal strength (%s).", in.Dose, med.Interval, strings.Join(med.StrengthLabels, ", ")),
			"Choose one of the available strengths."))
	}
	fs = append(fs, checkBuvidalAge(n, in.PatientAge)...)
	weekly := med.Interval == dosing.IntervalWeekly
	if in.BuprenorphineNaive && weekly {
		if in.Dose != n.BV3FirstDose {
			fs = append(fs, n.Finding("BV3",
				fmt.Sprintf("First weekly Buvidal dose for a buprenorphine-naive patient is %s; expected %s.", in.Dose, n.BV3FirstDose),
				fmt.Sprintf("Start at %s, or record an override reason for rule BV3.", n.BV3FirstDose)))
		}
		if !in.TestDoseGiven {
			fs = append(fs, n.Finding("BV3",
				fmt.Sprintf("No %s sublingual buprenorphine test dose is recorded before the first Buvidal dose.", n.BV3TestDose),
				fmt.Sprintf("Give and record a %s sublingual test dose, or record an override reason for rule BV3.", n.BV3TestDose)))
		}
	}
	fs = append(fs, checkBuvidalConversion(n, in)...)
	if med.Interval == dosing.IntervalMonthly {
		fs = append(fs, checkMonthlyAfterWeekly(n, in)...)
	}
	return fs
}

// checkBuvidalConversion is BV4, comparing the chosen dose with the table.
func checkBuvidalConversion(n policy.Numbers, in StartInput) []policy.Finding {
	p := in.Previous
	if p == nil || p.Medicine.Espranor {
		return nil // Espranor doses do not map onto the sublingual table (B4)
	}
	if in.BuprenorphineNaive {
		// BV3 sets a naive patient's first dose; the table converts doses of
		// buprenorphine the patient is on (StartNaive refuses both at once).
		return nil
	}
	weekly := in.Medicine.Interval == dosing.IntervalWeekly
	var expected dosing.Micrograms
	var ok bool
	var from string
	switch {
	case p.Medicine.Class == dosing.ClassBuprenorphine:
		w, m, inTable := ConvertFromSublingual(p.Dose)
		expected, ok = m, inTable && m != 0
		if weekly {
			expected, ok = w, inTable && w != 0
		}
		from = fmt.Sprintf("sublingual buprenorphine %s a day", p.Dose)
	case p.Medicine.Code == dosing.CodeBuvidalWeekly && !weekly:
		expected, ok = WeeklyToMonthly(p.Dose)
		from = fmt.Sprintf("weekly Buvidal %s", p.Dose)
	case p.Medicine.Code == dosing.CodeBuvidalMonthly && weekly:
		expected, ok = MonthlyToWeekly(p.Dose)
		from = fmt.Sprintf("monthly Buvidal %s", p.Dose)
	default:
		return nil
	}
	if !ok {
		return []policy.Finding{n.Finding("BV4",
			fmt.Sprintf("The conversion table has no %s Buvidal dose for %s.", in.Medicine.Interval, from),
			"Check the conversion and the choice of weekly or monthly Buvidal.")}
	}
	if expected != in.Dose {
		return []policy.Finding{n.Finding("BV4",
			fmt.Sprintf("%s converts to %s Buvidal %s; %s chosen.", capitalise(from), in.Medicine.Interval, expected, in.Dose),
			fmt.Sprintf("Prescribe %s, or go ahead if a different dose is clinically intended.", expected))}
	}
	return nil
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checkMonthlyAfterWeekly is BV5. With no buprenorphine at all there is no
// tolerance to judge a month's depot against, so that case blocks. From
// sublingual buprenorphine BV4 itself gives monthly doses, so skipping the
// weekly phase is overridable rather than blocked.
func checkMonthlyAfterWeekly(n policy.Numbers, in StartInput) []policy.Finding {
	p := in.Previous
	switch {
	case in.BuprenorphineNaive || !onBuprenorphine(p):
		return []policy.Finding{n.Finding("BV5",
			"Monthly Buvidal cannot start without established buprenorphine treatment.",
			"Start weekly Buvidal first.")}
	case p.Medicine.Code == dosing.CodeBuvidalMonthly:
		return nil
	case p.Medicine.Code != dosing.CodeBuvidalWeekly:
		return []policy.Finding{n.FindingAt("BV5", policy.Override,
			fmt.Sprintf("Monthly Buvidal without weekly Buvidal first (ideally at least %d weeks).", n.BV5WeeklyWeeksMin),
			"Start weekly Buvidal, or record an override reason for rule BV5.")}
	case p.WeeklyBuvidalWeeks < n.BV5WeeklyWeeksMin:
		how := ""
		if !p.WeeklyBuvidalFrom.IsZero() {
			how = fmt.Sprintf(", counted from the first weekly injection on %s to this start on %s, and at most one week per regular injection given (%d)",
				p.WeeklyBuvidalFrom.Format("Mon 2 Jan 2006"), in.Start.Format("Mon 2 Jan 2006"), p.WeeklyBuvidalInjections)
		}
		return []policy.Finding{n.FindingAt("BV5", policy.Override,
			fmt.Sprintf("Only %s of weekly Buvidal before monthly%s; ideally at least %d.", wholeWeeks(p.WeeklyBuvidalWeeks), how, n.BV5WeeklyWeeksMin),
			"Continue weekly Buvidal, or record an override reason for rule BV5.")}
	}
	return nil
}

// CheckSupervision applies M6 to a pickup pattern in force from effective,
// and BV2 to injections, which are never taken home. A recorded decision
// that compliance is assured does not silence M6: it is M6's override
// (RelaxedSupervision).
func CheckSupervision(n policy.Numbers, med dosing.Medicine, regimeStart, effective calendar.Date, pattern WeeklyPattern) []policy.Finding {
	days := pattern.UnsupervisedDays()
	if days == 0 {
		return nil
	}
	if med.Injectable {
		return []policy.Finding{n.Finding("BV2",
			fmt.Sprintf("%s is given by a healthcare professional only; the pattern has %d take-home day(s).", med.Name, days),
			"Remove take-home days from the pattern.")}
	}
	until := AddMonths(regimeStart, n.M6SupervisedMonths)
	if !effective.Before(until) {
		return nil
	}
	return []policy.Finding{n.Finding("M6",
		fmt.Sprintf("The pattern has %d unsupervised day(s) within the first %d months of treatment (until %s).", days, n.M6SupervisedMonths, until),
		fmt.Sprintf("Keep daily supervised consumption until %s, or record the decision that compliance is assured as an override reason for rule M6.", until))}
}

// RelaxedSupervision adds to the overrides sent the one a
// supervision_relaxed_reason makes. M6 is relaxed only by a recorded
// decision that compliance is assured, and relaxing it is overriding it:
// the decision is recorded as every override is (who, when, the rule and
// the reason, audited) and the answer names M6, whichever field carried
// it. An M6 override sent with a reason is the decision itself, so the
// relaxed reason adds none (one decision, one record); nor does it when
// M6 did not fire (no take-home day, or past the first months), lest a
// refusal for another rule report an override nobody sent.
func RelaxedSupervision(findings []policy.Finding, overrides []policy.OverrideReason, relaxedReason string) []policy.OverrideReason {
	if !problem.Visible(relaxedReason) || !slices.ContainsFunc(findings, func(f policy.Finding) bool { return f.Rule == "M6" }) {
		return overrides
	}
	if slices.ContainsFunc(overrides, func(o policy.OverrideReason) bool { return o.Rule == "M6" && problem.Visible(o.Reason) }) {
		return overrides
	}
	return append(slices.Clone(overrides), policy.OverrideReason{Rule: "M6", Reason: relaxedReason})
}

// ChangeInput is a proposed dose change on an existing regime.
type ChangeInput struct {
	Medicine    dosing.Medicine
	Stage       Stage
	RegimeStart calendar.Date
	// Current is the dose in force before the change (StepFrom).
	Current dosing.Micrograms
	// Supplied is the dose the patient was last actually supplied before
	// the change first reaches them, and SuppliedOn its day (LastSupplied);
	// zero when the dose in force is what they step from. M2 and B3 judge
	// an increase from the lower of it and Current.
	Supplied   dosing.Micrograms
	SuppliedOn calendar.Date
	To         dosing.Micrograms
	Effective  calendar.Date
	// Latest is the effective date of the last recorded change that this
	// one does not withdraw (one in force, or the starting dose); a change
	// may not take effect before it.
	Latest calendar.Date
	// Supersedes is set when the change withdraws planned changes
	// (Withdraws) or supersedes one in force on the same day: restating the
	// dose in force is then a decision, not a non-change.
	Supersedes bool
	// StageInForce is the stage in force on Effective before the change;
	// a change to Stage from it is a decision even at the same dose (a
	// stable patient moved to maintenance or reduction). Empty: unknown,
	// and the dose must change.
	StageInForce Stage
	// History holds earlier steps, oldest first (M2's rolling window).
	History      []DoseChange
	SedativeRisk bool
	ECGDate      calendar.Date
	// Previous is the treatment before this regime, when known: a change
	// effective on the first day replaces the starting dose, which B2
	// judges by it.
	Previous *PreviousTreatment
	// TitrationStart is where M2's first weeks count from
	// (TitrationStart); zero means RegimeStart.
	TitrationStart calendar.Date
	// HighDoseSince is the day the dose became high (HighDoseSince of the
	// history with this change); zero means Effective. Reviewed is the
	// patient's latest review. M4's review date counts from them.
	HighDoseSince calendar.Date
	Reviewed      calendar.Date
	// NaiveInduction and Injections are a Buvidal regime's: started in a
	// patient new to buprenorphine (BV3), and the injections given under
	// it (its own only, not a regime's before), oldest first. A change planned for the week 2 dose is warned of
	// BV3's week 1 total before the injection meets it.
	NaiveInduction bool
	Injections     []Administration
}

// StageEntry is a stage in force from a day: an entry of the regime's
// settings history.
type StageEntry struct {
	Effective calendar.Date
	Stage     Stage
}

// TitrationStart is the day M2's first weeks count from for a change
// effective on day: the regime's start, or the latest day on or before it
// from which the stage was set back to induction (from any other stage)
// or to titration (from maintenance or reduction). A patient re-inducted
// after missed doses (MD3: after 5 or more days, treat as a new induction)
// or titrated again after a stable spell has lost tolerance as at the
// start, so the rolling-week cap applies again; moving on from induction
// to titration is the same titration and restarts nothing. stages is the
// settings history oldest first; of several entries on one day the last
// is the one in force, as for every setting.
func TitrationStart(regimeStart calendar.Date, stages []StageEntry, day calendar.Date) calendar.Date {
	start := regimeStart
	var prev Stage
	for i, e := range stages {
		if i+1 < len(stages) && stages[i+1].Effective.Equal(e.Effective) {
			continue // superseded the same day: never in force
		}
		if e.Effective.After(day) {
			break
		}
		restarts := prev != "" && e.Stage != prev &&
			(e.Stage == StageInduction || e.Stage == StageTitration && !prev.Titrating())
		if restarts && e.Effective.After(start) {
			start = e.Effective
		}
		prev = e.Stage
	}
	return start
}

func (in ChangeInput) titrationStart() calendar.Date {
	if in.TitrationStart.IsZero() {
		return in.RegimeStart
	}
	return in.TitrationStart
}

// onDayOne reports a change that replaces the starting dose: it takes
// effect on the regime's first day, so the start rules (M1, B2) judge it
// as they judged the dose it replaces.
func (in ChangeInput) onDayOne() bool {
	return !in.RegimeStart.IsZero() && in.Effective.Equal(in.RegimeStart)
}

// StageOnly reports a change that keeps the dose in force and sets another
// stage: it is recorded as any change is, and changes no day's dose.
func (in ChangeInput) StageOnly() bool {
	return in.To == in.Current && in.StageInForce != "" && in.Stage != in.StageInForce
}

// ValidateChange rejects a change that is not a change at all or cannot be
// judged; no override makes these meaningful, so they are field errors, not
// findings, each under its request field name.
func ValidateChange(in ChangeInput) error {
	var f problem.Fields
	if in.Medicine.Code == "" {
		f.Add("medicine", "required", "the regime's medicine is not known")
	}
	if !in.Stage.Valid() {
		f.Add("stage", "enum", "stage %q is not induction, titration, maintenance or reduction", in.Stage)
	}
	switch {
	case in.Effective.IsZero():
		f.Add("effective_date", "required", "effective date is required")
	case !in.RegimeStart.IsZero() && in.Effective.Before(in.RegimeStart):
		f.Add("effective_date", "after_start", "effective date %s is before the regime start %s", in.Effective, in.RegimeStart)
	case !in.Latest.IsZero() && in.Effective.Before(in.Latest):
		// Only changes not yet in force are withdrawn (Withdraws): one in
		// force is history, and a change slipped in before it would leave
		// it stepping from a dose that was never in force, unchecked (M2).
		f.Add("effective_date", "after_latest_change",
			"a dose change effective %s is already in force; a new change must take effect on or after it (the same day supersedes it)", in.Latest)
	}
	switch {
	case in.To <= 0:
		f.Add("to", "positive", "new dose must be more than 0 mg; end the regime instead")
	case in.To > dosing.MaxDose:
		f.Add("to", "maximum", "new dose must be at most %s", dosing.MaxDose)
	case in.To == in.Current && !in.Supersedes && !in.StageOnly():
		f.Add("to", "changed", "new dose %s is the dose already in force on %s, at stage %s; to change the stage alone, send the dose in force with the new stage",
			in.To, in.Effective, in.Stage)
	case !in.Medicine.Makeable(in.To):
		f.Add("to", "makeable", "%s", unmakeable(in.Medicine, in.To))
	}
	return f.Err()
}

// unmakeable explains a daily dose whole tablets cannot make, or a
// solution cannot be measured in, with the nearest doses that can.
func unmakeable(med dosing.Medicine, dose dosing.Micrograms) string {
	step := med.SmallestStep()
	below := dose / step * step
	nearest := fmt.Sprintf("%s or %s", below, below+step)
	if below == 0 {
		nearest = step.String()
	}
	if med.MeasuredByVolume() {
		return fmt.Sprintf("%s cannot be measured in %s: doses are measured in steps of %s ml (%s), e.g. %s",
			dose, med.Name, dosing.SolutionStep.MilligramsString(), step, nearest)
	}
	return fmt.Sprintf("%s cannot be made from whole units of %s (%s): give a multiple of %s, e.g. %s",
		dose, med.Name, strings.Join(med.StrengthLabels, ", "), step, nearest)
}

// Withdraws lists, by index, the entries of history (a regime's standing
// changes, oldest first) that a change effective on day, recorded today,
// withdraws: every change planned and not yet in force (effective after
// today) that takes effect on or after day. A prescriber holding or
// cutting a titration must be able to stop the steps planned after it;
// left standing, they would raise the dose again from a dose that was
// never in force (M2 judged them from the old plan). Changes in force are
// history and are not rewritten, and the starting dose is never withdrawn
// (a change on the first day replaces it, as StepFrom says). The entries
// stay in the record, marked as withdrawn by the new one (ADR 0010).
func Withdraws(history []DoseChange, day, today calendar.Date) []int {
	var out []int
	for i, h := range history {
		if h.From != 0 && h.Effective.After(today) && !h.Effective.Before(day) {
			out = append(out, i)
		}
	}
	return out
}

// WithdrawalFinding is T1: the planned changes a new one withdrew (oldest
// first), named, so the prescriber sees which steps no longer happen.
func WithdrawalFinding(n policy.Numbers, withdrawn []DoseChange) policy.Finding {
	parts := make([]string, len(withdrawn))
	for i, w := range withdrawn {
		parts[i] = fmt.Sprintf("%s from %s", w.To, w.Effective)
	}
	list := strings.Join(parts, ", ")
	if k := len(parts); k > 1 {
		list = strings.Join(parts[:k-1], ", ") + " and " + parts[k-1]
	}
	return n.Finding("T1",
		fmt.Sprintf("Withdrawn before taking effect: the planned change(s) to %s. They stay in the dose history, marked as withdrawn by this change.", list),
		"Tell the patient and the pharmacy; plan any later step as a new change.")
}

// StepFrom is the dose a change effective on day steps from, and the earlier
// titration steps M2's rolling window counts. history is the regime's
// changes oldest first, its first entry the starting dose (From 0). A change
// on the same day as recorded ones supersedes them (they never take effect),
// so it steps from the dose in force before that day; the starting dose is
// never superseded, since a regime cannot exist without it.
func StepFrom(history []DoseChange, day calendar.Date) (dosing.Micrograms, []DoseChange) {
	var from dosing.Micrograms
	var steps []DoseChange
	for _, h := range history {
		start := h.From == 0
		if h.Effective.Before(day) || start && !h.Effective.After(day) {
			from = h.To
			if start {
				continue
			}
			// A later entry for the same day superseded this one: only
			// the step that took effect counts in the window.
			if n := len(steps); n > 0 && steps[n-1].Effective.Equal(h.Effective) {
				steps = steps[:n-1]
			}
			steps = append(steps, h)
		}
	}
	return from, steps
}

// DoseOnDay is the dose the standing changes history (oldest first, a
// later entry for a day superseding an earlier one) set for day: zero
// before the first.
func DoseOnDay(history []DoseChange, day calendar.Date) dosing.Micrograms {
	var dose dosing.Micrograms
	for _, h := range history {
		if !h.Effective.After(day) {
			dose = h.To
		}
	}
	return dose
}

// SameDosesFrom reports whether two standing histories give every day from
// day on the same dose: a change that leaves them so (a stage changed
// alone, a same-day entry restated) changes nothing a prescription says,
// so the live prescriptions are not cancelled and reissued for it.
func SameDosesFrom(before, after []DoseChange, day calendar.Date) bool {
	days := []calendar.Date{day}
	for _, h := range append(slices.Clone(before), after...) {
		if h.Effective.After(day) {
			days = append(days, h.Effective)
		}
	}
	for _, d := range days {
		if DoseOnDay(before, d) != DoseOnDay(after, d) {
			return false
		}
	}
	return true
}

// SuppliedDose is a day's dose the pharmacy handed over (consumed under
// supervision or taken home), at the dose the prescription carried for it.
type SuppliedDose struct {
	Date calendar.Date
	Dose dosing.Micrograms
}

// LastSupplied is the dose the patient last actually had before a dose
// taking effect on effective first reaches them. Days from effective
// whose doses were already handed over keep the dose supplied (MD4: the
// new dose starts with the next supply), so the new dose first reaches the
// patient on the first day from effective not yet supplied, and the day
// before it is what they step from: its supplied dose, or, when it is past
// and went without (missed), the last dose supplied before it. ok is false
// when that day is today or later and not yet supplied: its dose will be
// the one in force. supplied may be in any order.
func LastSupplied(supplied []SuppliedDose, effective, today calendar.Date) (SuppliedDose, bool) {
	byDay := make(map[calendar.Date]dosing.Micrograms, len(supplied))
	for _, s := range supplied {
		byDay[s.Date] = s.Dose
	}
	first := effective
	for {
		if _, ok := byDay[first]; !ok {
			break
		}
		first = first.AddDays(1)
	}
	before := first.AddDays(-1)
	if dose, ok := byDay[before]; ok {
		return SuppliedDose{Date: before, Dose: dose}, true
	}
	if !before.Before(today) {
		return SuppliedDose{}, false
	}
	var last SuppliedDose
	for _, s := range supplied {
		if s.Date.Before(before) && s.Date.After(last.Date) {
			last = s
		}
	}
	return last, !last.Date.IsZero()
}

// stepFrom is the dose an increase is judged from (M2, B3): the dose in
// force, or the dose last supplied when lower, since the patient never had
// the higher one; suppliedNote says so in a finding, "" when not.
func (in ChangeInput) stepFrom() (dosing.Micrograms, string) {
	if in.Supplied > 0 && in.Supplied < in.Current {
		return in.Supplied, fmt.Sprintf(" The patient was last supplied %s, for %s: the %s recorded has not reached them yet, so the step is counted from %s.",
			in.Supplied, in.SuppliedOn, in.Current, in.Supplied)
	}
	return in.Current, ""
}

// CheckChange applies the titration rules to a dose change: M2–M4 for
// methadone, B3 for sublingual buprenorphine, BV1 for Buvidal; a change on
// the regime's first day also meets the starting-dose rules (M1, B2). Switching
// weekly and monthly Buvidal is a change of medicine, checked by CheckStart.
func CheckChange(n policy.Numbers, in ChangeInput) []policy.Finding {
	switch in.Medicine.Class {
	case dosing.ClassMethadone:
		var fs []policy.Finding
		if in.onDayOne() {
			fs = append(fs, checkMethadoneStart(n, in.To, in.Effective, in.SedativeRisk, in.Previous)...)
		}
		titration := checkMethadoneTitration(n, in)
		fs = append(fs, titration...)
		if in.onDayOne() && len(titration) == 0 {
			// The starting dose it replaces was judged from the previous
			// treatment; so is this one.
			fs = append(fs, checkStepFromPrevious(n, in.Medicine, in.To, in.Effective, in.Previous)...)
		}
		if in.Stage == StageMaintenance && (in.To < n.M3UsualMin || in.To > n.M3UsualMax) {
			fs = append(fs, n.Finding("M3",
				fmt.Sprintf("Maintenance dose %s is outside the usual %s–%s.", in.To, n.M3UsualMin.MilligramsString(), n.M3UsualMax),
				"No action needed if clinically intended."))
		}
		// A start (a change on the first day replaces the starting dose)
		// or an increase needs the ECG/QTc check or an override; a
		// reduction, or a change of stage alone, does not raise the QTc
		// risk, so it warns that the check is due and goes ahead.
		raises := in.onDayOne() || in.To > in.Current
		fs = append(fs, checkHighDose(n, in.To, in.Effective, in.ECGDate, in.HighDoseSince, in.Reviewed, raises)...)
		return fs
	case dosing.ClassBuprenorphine:
		fs := checkBuprenorphineTitration(n, in)
		if in.onDayOne() {
			// B3's daily maximum and the step from the dose in force are
			// already judged above; the step from the previous treatment
			// is judged when that one is not.
			stepped := slices.ContainsFunc(fs, func(f policy.Finding) bool { return f.Severity == policy.Override })
			for _, f := range checkSublingualStart(n, StartInput{Medicine: in.Medicine, Dose: in.To, Previous: in.Previous}) {
				if f.Rule == "B2" || f.Rule == "B3" && f.Severity == policy.Override && !stepped {
					fs = append(fs, f)
				}
			}
		}
		return fs
	case dosing.ClassBuvidal:
		if !in.Medicine.HasStrength(in.To) {
			return []policy.Finding{n.Finding("BV1",
				fmt.Sprintf("%s is not a %s Buvidal strength (%s).", in.To, in.Medicine.Interval, strings.Join(in.Medicine.StrengthLabels, ", ")),
				"Choose one of the available strengths.")}
		}
		return checkPlannedWeekTwoDose(n, in)
	}
	return nil
}

// checkPlannedWeekTwoDose is BV3's week 2 dose as the prescriber plans it:
// a patient new to buprenorphine has had one regular weekly injection under
// the regime, and the change is the dose in force for the next one. BV3
// asks that dose be the week 1 total (the first dose and the extra doses
// since); another dose is warned of now, so the prescriber sees it before
// the nurse is stopped at the injection (BV3's override). Extra doses may
// still follow in week 1, so the total is the one so far.
func checkPlannedWeekTwoDose(n policy.Numbers, in ChangeInput) []policy.Finding {
	if !in.NaiveInduction || in.Medicine.Interval != dosing.IntervalWeekly {
		return nil
	}
	var first *Administration
	total := dosing.Micrograms(0)
	for i, a := range in.Injections {
		switch {
		case !a.Extra && first != nil:
			return nil // week 2's dose is given: BV3 judged it then
		case !a.Extra:
			first = &in.Injections[i]
			total = a.Dose
		case first != nil:
			total += a.Dose
		}
	}
	if first == nil || in.To == total {
		return nil
	}
	due, earliest, _ := NextDue(in.Medicine, first.Date, n)
	if in.Effective.After(due.AddDays(n.BV8WeeklyWindowDays)) {
		return nil // the week 2 dose is due before the change takes effect
	}
	return []policy.Finding{n.FindingAt("BV3", policy.Warn,
		fmt.Sprintf("The week 2 dose, due %s (from %s), would be %s; week 1 so far totals %s (%s on %s and the extra doses since). BV3 gives the week 1 total as the week 2 dose.",
			due, earliest, in.To, total, first.Dose, first.Date),
		fmt.Sprintf("Prescribe %s for week 2 (or the total once week 1's extra doses are given); a different dose will need an override reason for rule BV3 when it is injected.", total))}
}

// checkMethadoneTitration is M2. Methadone accumulates over days, so the
// rolling-week total matters as much as each step.
func checkMethadoneTitration(n policy.Numbers, in ChangeInput) []policy.Finding {
	base, supplied := in.stepFrom()
	step := in.To - base
	if step <= 0 {
		return nil // reductions are not limited by M2
	}
	sedative := ""
	if in.SedativeRisk {
		sedative = " A benzodiazepine or alcohol risk is recorded."
	}
	var fs []policy.Finding
	if step > n.M2MaxStep {
		fs = append(fs, n.Finding("M2",
			fmt.Sprintf("Increase of %s (%s to %s) is above the maximum step of %s.%s%s", step, base.MilligramsString(), in.To, n.M2MaxStep, supplied, sedative),
			fmt.Sprintf("Titrate in steps of at most %s, or record an override reason for rule M2.", n.M2MaxStep)))
	}
	from := in.titrationStart()
	titrationEnds := from.AddDays(7 * n.M2TitrationWeeks)
	if from.IsZero() || !in.Effective.Before(titrationEnds) {
		return fs
	}
	since := ""
	if !in.RegimeStart.IsZero() && from.After(in.RegimeStart) {
		since = fmt.Sprintf(" of titration, which restarted on %s when the stage was set back", from)
	}
	windowStart := in.Effective.AddDays(-6)
	// The window sums the recorded steps: a recorded rise not yet supplied
	// is in History already, so this change counts from the dose in force.
	recorded := max(in.To-in.Current, 0)
	total := recorded
	for _, h := range in.History {
		if h.To > h.From && !h.Effective.Before(windowStart) && !h.Effective.After(in.Effective) {
			total += h.To - h.From
		}
	}
	if total > n.M2MaxPer7Days {
		fs = append(fs, n.Finding("M2",
			fmt.Sprintf("Increases in the 7 days %s to %s would total %s (including this %s); at most %s in any 7 days during the first %d weeks%s.%s",
				windowStart, in.Effective, total, recorded, n.M2MaxPer7Days, n.M2TitrationWeeks, since, sedative),
			"Delay or reduce the increase, or record an override reason for rule M2."))
	}
	return fs
}

// checkHighDose is M4: high-dose methadone prolongs the QT interval. A
// dose taking effect on on and high since since (on itself when it makes
// the dose high) is next reviewed by HighDoseReviewDue, counting the
// latest review, reviewed, and the ECG/QTc check. raises is a start or an
// increase, which needs the check or an override reason; a change that
// does not raise the dose (a reduction, a stage alone) only warns that the
// check is due: holding up a reduction for want of an ECG would keep the
// patient on the higher dose.
func checkHighDose(n policy.Numbers, dose dosing.Micrograms, on, ecg, since, reviewed calendar.Date, raises bool) []policy.Finding {
	if dose < n.M4HighDose {
		return nil
	}
	var fs []policy.Finding
	missing := func(message, record string) policy.Finding {
		if raises {
			return n.Finding("M4", message, record+", or record an override reason for rule M4.")
		}
		return n.FindingAt("M4", policy.Warn, message+" The change does not raise the dose, so it goes ahead; the check is due.", record+".")
	}
	validFrom := AddMonths(on, -n.M4ECGValidMonths)
	switch {
	case ecg.IsZero():
		fs = append(fs, missing(fmt.Sprintf("Methadone %s is at or above %s and no ECG/QTc check is recorded.", dose, n.M4HighDose),
			"Record an ECG/QTc check date"))
	case ecg.Before(validFrom):
		fs = append(fs, missing(fmt.Sprintf("Methadone %s is at or above %s and the last ECG/QTc check (%s) is more than %d months old.", dose, n.M4HighDose, ecg, n.M4ECGValidMonths),
			"Record a new ECG/QTc check"))
	}
	if since.IsZero() {
		since = on
	}
	fs = append(fs, n.FindingAt("M4", policy.Info,
		fmt.Sprintf("High-dose methadone is reviewed every %d months; next review due %s.", n.M4ReviewMonths, HighDoseReviewDue(n, since, reviewed, ecg)),
		"Schedule the high-dose review."))
	return fs
}

// checkBuprenorphineTitration is B3; reductions of any size are allowed.
func checkBuprenorphineTitration(n policy.Numbers, in ChangeInput) []policy.Finding {
	var fs []policy.Finding
	if in.To > n.B3MaxDaily {
		fs = append(fs, n.Finding("B3",
			fmt.Sprintf("Buprenorphine dose %s is above the maximum of %s a day.", in.To, n.B3MaxDaily),
			fmt.Sprintf("Prescribe %s a day or less.", n.B3MaxDaily)))
	}
	from, supplied := in.stepFrom()
	if step := in.To - from; step > 0 && (step < n.B3StepMin || step > n.B3StepMax) {
		fs = append(fs, n.FindingAt("B3", policy.Override,
			fmt.Sprintf("Increase of %s (%s to %s) is outside the usual step of %s–%s.%s", step, from.MilligramsString(), in.To, n.B3StepMin.MilligramsString(), n.B3StepMax, supplied),
			fmt.Sprintf("Titrate in steps of %s–%s, or record an override reason for rule B3.", n.B3StepMin.MilligramsString(), n.B3StepMax)))
	}
	return fs
}

// AddMonths moves d by months, clamping to the month's last day (31 Jan + 1
// month is 28/29 Feb): for review dates an early day is safe, a skipped month is not.
func AddMonths(d calendar.Date, months int) calendar.Date {
	first := calendar.NewDate(d.Year(), d.Month()+time.Month(months), 1)
	last := first.AddDays(32)
	last = calendar.NewDate(last.Year(), last.Month(), 1).AddDays(-1)
	if d.Day() > last.Day() {
		return last
	}
	return calendar.NewDate(first.Year(), first.Month(), d.Day())
}

// ReviewDue is the M5 review date of a regime started (or last reviewed) on start.
func ReviewDue(start calendar.Date, n policy.Numbers) calendar.Date {
	return AddMonths(start, n.M5ReviewMonths)
}

// SupervisionReviewDue is S6: when the need for supervised consumption is
// first reviewed, 4 weeks into methadone or 1 week into sublingual
// buprenorphine. Buvidal is given by a clinician, never supervised at a
// pharmacy, so it has none (zero).
func SupervisionReviewDue(med dosing.Medicine, start calendar.Date, n policy.Numbers) calendar.Date {
	switch med.Class {
	case dosing.ClassMethadone:
		return start.AddDays(7 * n.S6MethadoneReviewWeeks)
	case dosing.ClassBuprenorphine:
		return start.AddDays(7 * n.S6BuprenorphineReviewWeeks)
	}
	return calendar.Date{}
}

// HighDoseSince is the day the latest dose of history became high (M4):
// the first day of the run of doses at or above M4's figure that it ends;
// zero when the latest dose is below it. history is standing changes
// oldest first, as DoseOn reads them: of two on one day, the later one is
// that day's dose.
func HighDoseSince(n policy.Numbers, history []DoseChange) calendar.Date {
	var since calendar.Date
	for i, h := range history {
		if i+1 < len(history) && history[i+1].Effective.Equal(h.Effective) {
			continue
		}
		switch {
		case h.To < n.M4HighDose:
			since = calendar.Date{}
		case since.IsZero():
			since = h.Effective
		}
	}
	return since
}

// HighDoseReviewDue is M4's high-dose review date for methadone high since
// since (HighDoseSince): M4.review_months from that day, or from the latest
// of the reviews and ECG/QTc checks, reviewed, when later. One before the
// dose was high was not a review of the high dose, so it does not count.
// The dose change's M4 note and the regime's high_dose_review_due both
// come from here, so they give one date.
func HighDoseReviewDue(n policy.Numbers, since calendar.Date, reviewed ...calendar.Date) calendar.Date {
	from := since
	for _, r := range reviewed {
		if r.After(from) {
			from = r
		}
	}
	return AddMonths(from, n.M4ReviewMonths)
}

// ECGRecheckDue is when an ECG/QTc check done on ecg is due again under
// M4: when it stops counting for a high dose (M4.ecg_valid_months), so
// the alert and the dose-change check agree on one date.
func ECGRecheckDue(ecg calendar.Date, n policy.Numbers) calendar.Date {
	return AddMonths(ecg, n.M4ECGValidMonths)
}

// CheckReview reports an overdue M5 review.
func CheckReview(n policy.Numbers, due, today calendar.Date) []policy.Finding {
	if due.IsZero() || !today.After(due) {
		return nil
	}
	return []policy.Finding{n.Finding("M5",
		fmt.Sprintf("Regime review was due on %s (every %d months).", due, n.M5ReviewMonths),
		"Review the regime and record the review.")}
}

// Suggestion is advice shown to the prescriber, never enforced.
type Suggestion struct {
	Rule string            `json:"rule"`
	Dose dosing.Micrograms `json:"dose"`
	Text string            `json:"text"`
}

// md3CapDose is MD3's figure from the Australian guideline. It is not in
// policy.Numbers because the rule only suggests. A new induction's dose is
// M1's (md3InductionDose).
const md3CapDose = 40 * dosing.Milligram

// md3InductionDose is the dose MD3 suggests for a new induction: the top
// of M1's usual starting range (M1.usual_start_max_mg), or, with a
// benzodiazepine or alcohol risk recorded, the figure above which M1
// warns of it (M1.sedative_warn_above_mg) when lower; never above the dose
// the patient was on.
func md3InductionDose(n policy.Numbers, current dosing.Micrograms, sedativeRisk bool) dosing.Micrograms {
	dose := min(n.M1UsualStartMax, current)
	if sedativeRisk {
		dose = min(dose, n.M1SedativeWarnAbove)
	}
	return dose
}

// MissedRun is the patient's current run of consecutive days without the
// dose, as MD3 reads it.
type MissedRun struct {
	Days int
	// Known is when the run's last day became known to be without the dose
	// (the day close, or when a dose was withheld or refused).
	Known time.Time
	// SedativeRisk is the patient's benzodiazepine or alcohol risk flag,
	// which lowers MD3's new induction dose as it lowers M1's.
	SedativeRisk bool
}

// Retitration is MD3 for a regime: the suggestion for the current run of
// missed days, withdrawn once a dose change (or the start of the regime)
// has been recorded after the run's last missed day became known,
// lastRecorded being when the regime's latest dose entry was recorded. That
// entry is the prescriber's answer to the run: the dose it sets is already
// the re-titration dose, and halving it again would halve a halved dose. A
// day missed after it starts the question again, as it brings back MD1's
// block after a review.
func Retitration(n policy.Numbers, med dosing.Medicine, current dosing.Micrograms, run MissedRun, lastRecorded time.Time) (Suggestion, bool) {
	if run.Days > 0 && lastRecorded.After(run.Known) {
		return Suggestion{}, false
	}
	return RetitrationSuggestion(n, med, current, run.Days, run.SedativeRisk)
}

// RetitrationSuggestion is MD3: after missed methadone days tolerance
// falls, so the usual dose may now be an overdose.
func RetitrationSuggestion(n policy.Numbers, med dosing.Medicine, current dosing.Micrograms, consecutiveMissed int, sedativeRisk bool) (Suggestion, bool) {
	if med.Class != dosing.ClassMethadone || consecutiveMissed < 1 || current <= 0 {
		return Suggestion{}, false
	}
	// Halves round down to whole mg: the safer side, and measurable in 1 mg/ml.
	half := current / 2 / dosing.Milligram * dosing.Milligram
	s := Suggestion{Rule: "MD3"}
	switch {
	case consecutiveMissed <= 2:
		s.Dose = current
		s.Text = fmt.Sprintf("%d missed day(s): no change; continue %s.", consecutiveMissed, current)
	case consecutiveMissed == 3:
		s.Dose = half
		s.Text = fmt.Sprintf("3 missed days: give half the dose, %s, then review.", half)
	case consecutiveMissed == 4:
		s.Dose = min(md3CapDose, half)
		s.Text = fmt.Sprintf("4 missed days: restart at the lower of %s or half the dose: %s.", md3CapDose, s.Dose)
	default:
		s.Dose = md3InductionDose(n, current, sedativeRisk)
		risk := ""
		if sedativeRisk && s.Dose == n.M1SedativeWarnAbove && s.Dose < min(n.M1UsualStartMax, current) {
			risk = fmt.Sprintf(" (at most %s with the benzodiazepine or alcohol risk recorded)", n.M1SedativeWarnAbove)
		}
		s.Text = fmt.Sprintf("%d missed days: treat as a new induction; restart within the usual starting range (M1, %s–%s), suggested %s%s, and re-titrate.",
			consecutiveMissed, n.M1UsualStartMin.MilligramsString(), n.M1UsualStartMax, s.Dose, risk)
	}
	return s, true
}
