// Package policy is the one table of clinical and legal rules Dosebook
// enforces (docs/clinical-rules.md). Each rule has an id, a severity,
// its numbers and its source; checks elsewhere report Findings that name it.
package policy

import "fmt"

// Severity says what a rule does when it fires.
type Severity string

const (
	// Block stops the action; no override is possible.
	Block Severity = "block"
	// Override stops the action unless the prescriber records a reason.
	Override Severity = "override"
	// Warn lets the action go ahead and reports the rule.
	Warn Severity = "warn"
	// Info is shown to the clinician and never stops anything.
	Info Severity = "info"
)

// Finding is one rule firing for one action.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Action tells the prescriber what they can do about it.
	Action string `json:"action,omitempty"`
}

func (f Finding) String() string { return fmt.Sprintf("%s (%s): %s", f.Rule, f.Severity, f.Message) }

// Stops reports whether the finding stops the action, given the rule ids the
// prescriber has overridden with a reason.
func (f Finding) Stops(overridden map[string]bool) bool {
	switch f.Severity {
	case Block:
		return true
	case Override:
		return !overridden[f.Rule]
	}
	return false
}
