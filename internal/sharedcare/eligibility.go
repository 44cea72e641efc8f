// Package sharedcare decides when a patient may move to shared care with
// their GP (SC1, SC3) and what the handover carries.
package sharedcare

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/policy"
)

// EligibilityInput is what the SC3 criteria need, counted by the caller over
// the window from Window.
type EligibilityInput struct {
	Today calendar.Date `json:"today"`
	// LastDoseChange is the date the current dose started: the regime start
	// when the dose has never changed.
	LastDoseChange calendar.Date `json:"last_dose_change"`
	DueDoses       int           `json:"due_doses"`
	TakenDoses     int           `json:"taken_doses"`
	// Injections says the regime is given by injection (Buvidal): DueDoses
	// and TakenDoses then count the regular injections that fell due and
	// those given within their BV8 window (regimes.InjectionsOnTime).
	Injections        bool `json:"injections"`
	MD1BlocksInWindow int  `json:"md1_blocks_in_window"`
	// BlockedSince is the first missed day of an MD1 block standing today
	// (zero if none): a run that reached the threshold today, or one no
	// review has lifted, is not in the window, which ends yesterday.
	BlockedSince calendar.Date `json:"blocked_since"`
	// LastNegativeOpioidScreen is the latest screen negative for illicit
	// opioids; zero means none.
	LastNegativeOpioidScreen calendar.Date `json:"last_negative_opioid_screen"`
	ScreensInWindow          int           `json:"screens_in_window"`
	// PositiveSince is the latest screen in the window positive for an
	// illicit opioid, when later than the last negative one (zero if
	// none), and PositiveFor what it found: the patient is using again.
	PositiveSince calendar.Date `json:"positive_since"`
	PositiveFor   []string      `json:"positive_for"`
}

// Criterion is one eligibility test with its outcome.
type Criterion struct {
	Key         string `json:"key"`
	Rule        string `json:"rule"`
	Description string `json:"description"`
	Met         bool   `json:"met"`
	Detail      string `json:"detail"`
}

// Criterion keys; stable so clients can show their own labels.
const (
	KeyStableDose        = "stable_dose"
	KeyAdherence         = "adherence"
	KeyNoMissedDoseBlock = "no_missed_dose_block"
	KeyNegativeScreen    = "negative_screen"
)

// Window is the adherence period SC3 counts over: from (inclusive) to
// (exclusive). Today is left out because today's doses may not be due yet.
func Window(n policy.Numbers, today calendar.Date) (from, to calendar.Date) {
	return today.AddDays(-7 * n.SC3AdherenceWeeks), today
}

// Evaluate applies the SC3 suggested criteria, which make SC1's "stable on
// the current dose" concrete. They are [U] defaults, so the result advises
// the clinician and never blocks a handover by itself.
func Evaluate(n policy.Numbers, in EligibilityInput) []Criterion {
	return []Criterion{
		stableDose(n, in),
		adherence(n, in),
		noMissedDoseBlock(n, in),
		negativeScreen(n, in),
	}
}

func stableDose(n policy.Numbers, in EligibilityInput) Criterion {
	c := Criterion{
		Key:         KeyStableDose,
		Rule:        "SC3",
		Description: fmt.Sprintf("No dose change for %d weeks (SC1: stable on the current dose).", n.SC3StableWeeks),
	}
	if in.LastDoseChange.IsZero() {
		c.Detail = "The date of the current dose is not known."
		return c
	}
	days := in.LastDoseChange.DaysUntil(in.Today)
	need := 7 * n.SC3StableWeeks
	c.Met = days >= need
	switch {
	case in.LastDoseChange.After(in.Today):
		// A change already decided: the dose is not stable, and the weeks
		// count from the day it takes effect.
		c.Detail = fmt.Sprintf("A dose change is planned for %s (in %s): the dose is stable once it has held for %d weeks, on %s.",
			in.LastDoseChange, plural(-days, "day"), n.SC3StableWeeks, in.LastDoseChange.AddDays(need))
	case c.Met:
		c.Detail = fmt.Sprintf("Current dose since %s (%d days).", in.LastDoseChange, days)
	case days == 0:
		c.Detail = fmt.Sprintf("Dose last changed on %s, today; %d more days needed.", in.LastDoseChange, need)
	default:
		c.Detail = fmt.Sprintf("Dose last changed on %s, %d days ago; %d more days needed.", in.LastDoseChange, days, need-days)
	}
	return c
}

// plural is "1 day" or "n days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func adherence(n policy.Numbers, in EligibilityInput) Criterion {
	c := Criterion{
		Key:         KeyAdherence,
		Rule:        "SC3",
		Description: fmt.Sprintf("At least %d%% of due doses taken in the last %d weeks.", n.SC3AdherencePercent, n.SC3AdherenceWeeks),
	}
	if in.Injections {
		// Nothing is dispensed: a dose is taken when the injection is given
		// within its window (BV8).
		c.Description = fmt.Sprintf("At least %d%% of due injections given within their window (BV8) in the last %d weeks.", n.SC3AdherencePercent, n.SC3AdherenceWeeks)
	}
	if in.DueDoses <= 0 {
		c.Detail = fmt.Sprintf("No doses were due in the last %d weeks, so adherence cannot be judged.", n.SC3AdherenceWeeks)
		if in.Injections {
			c.Detail = fmt.Sprintf("No injection fell due in the last %d weeks, so adherence cannot be judged.", n.SC3AdherenceWeeks)
		}
		return c
	}
	// Integers, not a float ratio: 90 % of 10 due is exactly 9, never 8.999….
	c.Met = in.TakenDoses*100 >= n.SC3AdherencePercent*in.DueDoses
	c.Detail = fmt.Sprintf("%d of %d due doses taken (%s %%).", in.TakenDoses, in.DueDoses, dispensing.Percent(in.TakenDoses, in.DueDoses))
	if in.Injections {
		c.Detail = fmt.Sprintf("%d of %d due injections given within their window (BV8) (%s %%).", in.TakenDoses, in.DueDoses, dispensing.Percent(in.TakenDoses, in.DueDoses))
	}
	return c
}

func noMissedDoseBlock(n policy.Numbers, in EligibilityInput) Criterion {
	c := Criterion{
		Key:         KeyNoMissedDoseBlock,
		Rule:        "SC3",
		Description: fmt.Sprintf("No missed-dose block (MD1) in the last %d weeks.", n.SC3AdherenceWeeks),
		Met:         in.MD1BlocksInWindow == 0 && in.BlockedSince.IsZero(),
	}
	switch {
	case c.Met:
		c.Detail = "No MD1 block in the period."
	case !in.BlockedSince.IsZero() && in.MD1BlocksInWindow == 0:
		c.Detail = fmt.Sprintf("An MD1 block stands today (days missed since %s): dispensing is stopped until a prescriber reviews the patient.", in.BlockedSince)
	case !in.BlockedSince.IsZero():
		c.Detail = fmt.Sprintf("%d MD1 block(s) in the period, and one stands today (days missed since %s): dispensing is stopped until a prescriber reviews the patient.",
			in.MD1BlocksInWindow, in.BlockedSince)
	default:
		c.Detail = fmt.Sprintf("%d MD1 block(s) in the period.", in.MD1BlocksInWindow)
	}
	return c
}

func negativeScreen(n policy.Numbers, in EligibilityInput) Criterion {
	c := Criterion{
		Key:         KeyNegativeScreen,
		Rule:        "SC3",
		Description: fmt.Sprintf("A drug screen in the last %d weeks negative for illicit opioids.", n.SC3ScreenWeeks),
	}
	last := in.LastNegativeOpioidScreen
	switch {
	case last.IsZero() && in.ScreensInWindow == 0:
		c.Detail = fmt.Sprintf("No drug screen in the last %d weeks.", n.SC3ScreenWeeks)
	case last.IsZero():
		c.Detail = fmt.Sprintf("%d screen(s) in the last %d weeks, none negative for illicit opioids.", in.ScreensInWindow, n.SC3ScreenWeeks)
		if !in.PositiveSince.IsZero() {
			c.Detail += fmt.Sprintf(" The latest positive: %s on %s.", strings.Join(in.PositiveFor, ", "), in.PositiveSince)
		}
	case last.After(in.Today):
		c.Detail = fmt.Sprintf("Negative screen dated %s is after today.", last)
	case last.DaysUntil(in.Today) > 7*n.SC3ScreenWeeks:
		c.Detail = fmt.Sprintf("Last negative screen on %s is older than %d weeks.", last, n.SC3ScreenWeeks)
	case !in.PositiveSince.IsZero() && !in.PositiveSince.Before(last):
		// A positive screen on the same day as the negative one counts: the
		// order two samples of one day were entered in says nothing.
		c.Detail = fmt.Sprintf("Positive for %s on %s, not before the negative screen of %s.",
			strings.Join(in.PositiveFor, ", "), in.PositiveSince, last)
	default:
		c.Met = true
		c.Detail = fmt.Sprintf("Negative for illicit opioids on %s.", last)
	}
	return c
}

// AllMet reports whether every criterion is met; an empty list is not.
func AllMet(cs []Criterion) bool {
	if len(cs) == 0 {
		return false
	}
	for _, c := range cs {
		if !c.Met {
			return false
		}
	}
	return true
}

// isoDate is a date as a criterion's detail writes it.
var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// PrintedDetail is a criterion's detail as the shared-care letter prints
// it: each date written "31 Jul 2026", as the rest of the letter writes
// them. The API keeps the detail as judged, with ISO dates, and so do the
// arrangements stored before, so the letter rewrites rather than the
// judgement writing two forms.
func PrintedDetail(detail string) string {
	return isoDate.ReplaceAllStringFunc(detail, func(s string) string {
		d, err := calendar.Parse(s)
		if err != nil {
			return s
		}
		return d.Format("2 Jan 2006")
	})
}
