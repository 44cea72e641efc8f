package sharedcare

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
)

// PracticeInjection is an injection the GP practice records under
// accepted shared care, with what SC1 judges it against.
type PracticeInjection struct {
	Date  calendar.Date
	Dose  dosing.Micrograms
	Extra bool
	// Current is the dose the specialist service set for Date.
	Current dosing.Micrograms
	// Window is BV8's window for the regular injection Date falls in,
	// from the injections dated up to it (regimes.NextInjection), as the
	// BV8 check reads it.
	Window regimes.InjectionDue
}

// BeforeWindow reports a regular injection given before its BV8 window
// opened.
func (in PracticeInjection) BeforeWindow() bool {
	return !in.Extra && in.Date.Before(in.Window.Earliest)
}

// Late reports a regular injection given after its BV8 window closed.
func (in PracticeInjection) Late() bool {
	return !in.Extra && in.Date.After(in.Window.Latest)
}

// CheckPracticeInjection is SC1 for an injection recorded by the GP
// practice under accepted shared care: the practice gives the regular
// injection at the dose the specialist service set, within its BV8 window,
// and nothing else. An extra dose (BV6), any other dose, or a regular one
// before its window opens is a dosing decision, which stays with the
// service, so it is refused outright rather than left to an override: an
// early dose shortens the interval and adds to the week's or month's
// total as a change of dose would. A late one is still the treatment the
// patient needs, so it goes ahead, and the service, which follows up a
// missed or overdue injection and decides how to continue, is told
// (LateInjection); the practice hears so here.
func CheckPracticeInjection(n policy.Numbers, in PracticeInjection) []policy.Finding {
	instead := "Contact the specialist service: it decides any extra dose or change of dose, and gives or records it."
	if in.Extra {
		return []policy.Finding{n.FindingAt("SC1", policy.Block,
			"Under shared care the practice gives the regular injection at the current dose; an extra dose is a dosing decision for the specialist service.",
			instead)}
	}
	var fs []policy.Finding
	if in.Dose != in.Current {
		fs = append(fs, n.FindingAt("SC1", policy.Block,
			fmt.Sprintf("Under shared care the practice gives the current dose, %s; %s would change the dose, which the specialist service decides.", in.Current, in.Dose),
			instead))
	}
	switch {
	case in.BeforeWindow():
		fs = append(fs, n.FindingAt("SC1", policy.Block,
			fmt.Sprintf("Under shared care the practice gives each injection within its window; the one due on %s may be given from %s, so one on %s would come early, which the specialist service decides.",
				in.Window.Due, in.Window.Earliest, in.Date),
			fmt.Sprintf("Give it from %s. Contact the specialist service if a dose is needed sooner: before the window opens only the one additional dose of %s may be given (BV6), which the service decides, and gives or records.", in.Window.Earliest, n.BV6ExtraDose)))
	case in.Late():
		fs = append(fs, n.FindingAt("SC1", policy.Info,
			fmt.Sprintf("The injection due on %s was given after its window closed on %s; the specialist service is alerted and decides how to continue.",
				in.Window.Due, in.Window.Latest),
			"Give the next injections at the current dose as due, unless the specialist service says otherwise."))
	}
	return fs
}

// LateInjection is the service's notice of a regular injection the
// practice gave after its BV8 window closed: the letter leaves following
// up an overdue injection and deciding how to continue to the service
// (SC1), which the practice's record alone would not tell it.
type LateInjection struct {
	Dose   dosing.Micrograms
	Date   calendar.Date
	Window regimes.InjectionDue
	// Next is when the regular injection after it is due (BV8, as the
	// regime view gives it).
	Next calendar.Date
}

// ToService is the service's alert text.
func (m LateInjection) ToService() string {
	after := ""
	if m.Window.After != nil {
		after = fmt.Sprintf(", after the %s injection on %s", m.Window.After.Dose, m.Window.After.Date)
	}
	next := ""
	if !m.Next.IsZero() {
		next = fmt.Sprintf(" The practice gives the next one at the current dose, due on %s, unless the service says otherwise.", m.Next)
	}
	return fmt.Sprintf("The GP practice gave the regular injection of %s on %s, after its window closed on %s (due on %s%s). "+
		"Decide how to continue, and tell the practice of any change.%s",
		m.Dose, m.Date, m.Window.Latest, m.Window.Due, after, next)
}

// InjectionCorrected is an injection under accepted shared care that one
// party corrected (ADR 0014). The practice gives the injections and the
// service follows them up from the one record, so the party that did not
// make the correction is told what changed and when the next is due.
type InjectionCorrected struct {
	// By names who corrected it, e.g. "Dr Owen Price at Abbey Road Surgery".
	By     string
	Dose   dosing.Micrograms
	Date   calendar.Date
	Reason string
	// Replacement is the injection recorded in its place; nil when the
	// injection was entered in error (not given to this patient).
	Replacement *CorrectedInjection
	// Next is when the next regular injection is now due; zero when none is.
	Next calendar.Date
}

// CorrectedInjection is the dose and date an injection was corrected to.
type CorrectedInjection struct {
	Dose dosing.Micrograms
	Date calendar.Date
}

// What completes "The specialist service …" in the practice's notice of a
// change (RegimeChange.What).
func (c InjectionCorrected) What() string {
	if c.Replacement == nil {
		return fmt.Sprintf("entered the injection of %s recorded on %s in error: it was not given to this patient", c.Dose, c.Date)
	}
	return fmt.Sprintf("corrected the injection of %s recorded on %s to %s on %s", c.Dose, c.Date, c.Replacement.Dose, c.Replacement.Date)
}

// ToService is the specialist service's notice of a correction the
// practice made.
func (c InjectionCorrected) ToService() string {
	msg := c.By + " " + c.What()
	if c.Reason != "" {
		msg += " (reason given: " + c.Reason + ")"
	}
	msg += "."
	if !c.Next.IsZero() {
		msg += " The next regular injection is now due on " + c.Next.String() + "."
	}
	return msg
}
