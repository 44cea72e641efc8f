package policy

import (
	"fmt"
	"strings"
)

// OverrideReason is a prescriber's recorded reason for going ahead despite a rule
// of severity Override.
type OverrideReason struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Decision is the outcome of checking an action against the rules.
type Decision struct {
	// Stopping findings block the action (422, nothing written). One at
	// severity Block whose rule the prescriber overrode says it cannot be.
	Stopping []Finding
	// Warnings go ahead with the action and are shown with it, including
	// overridden findings.
	Warnings []Finding
	// Applied are the overrides that were needed and will be recorded.
	Applied []OverrideReason
	// Unused say, one per rule, that an override sent does not apply: its
	// rule did not stop the action (it did not fire, or only warned or
	// informed), so nothing is recorded for it. A refusal shows them with
	// the stopping findings; an action that goes ahead records none.
	Unused []Finding
}

// Decide applies the prescriber's overrides to the findings. An override
// only counts for a rule that fired with severity Override and with a
// non-empty reason; overrides for rules that did not fire are not recorded.
// A finding at severity Block stops the action whatever is sent, and says
// so when its rule was overridden.
func Decide(findings []Finding, overrides []OverrideReason) Decision {
	reasons := map[string]string{}
	sent := map[string]bool{}
	for _, o := range overrides {
		sent[o.Rule] = true
		if r := strings.TrimSpace(o.Reason); r != "" {
			reasons[o.Rule] = r
		}
	}
	var d Decision
	applied := map[string]bool{}
	answered := map[string]bool{}
	for _, f := range findings {
		reason, ok := reasons[f.Rule]
		switch {
		case f.Severity == Block:
			if sent[f.Rule] {
				f.Action = strings.TrimSpace(f.Action + " " + NotOverridable(f.Rule))
				answered[f.Rule] = true
			}
			d.Stopping = append(d.Stopping, f)
		case f.Severity == Override && !ok:
			d.Stopping = append(d.Stopping, f)
			answered[f.Rule] = true
		case f.Severity == Override:
			d.Warnings = append(d.Warnings, f)
			answered[f.Rule] = true
			if !applied[f.Rule] {
				applied[f.Rule] = true
				d.Applied = append(d.Applied, OverrideReason{Rule: f.Rule, Reason: reason})
			}
		default:
			d.Warnings = append(d.Warnings, f)
		}
	}
	for _, o := range overrides {
		if !answered[o.Rule] {
			answered[o.Rule] = true
			d.Unused = append(d.Unused, Finding{Rule: o.Rule, Severity: Info,
				Message: fmt.Sprintf("The override sent for %s does not apply: %s did not stop this action, so no reason is recorded for it.", o.Rule, o.Rule),
				Action:  fmt.Sprintf("Send an override only for a rule the refusal names at severity override; leave %s out.", o.Rule)})
		}
	}
	return d
}

// NotOverridable is the sentence a refusal gives for rule id, overridden
// where it blocks.
func NotOverridable(id string) string {
	return fmt.Sprintf("%s blocks here and cannot be overridden: the override sent for it does not apply.", id)
}
