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
// so when its rule was overridden or has an override level too (B3, BV5):
// the first answer must not invite an override that cannot work, so the
// rule's lesser findings drop their invitation to record one.
func Decide(findings []Finding, overrides []OverrideReason) Decision {
	reasons := map[string]string{}
	sent := map[string]bool{}
	for _, o := range overrides {
		sent[o.Rule] = true
		if r := strings.TrimSpace(o.Reason); r != "" {
			reasons[o.Rule] = r
		}
	}
	blocks := map[string]bool{}
	for _, f := range findings {
		if f.Severity == Block {
			blocks[f.Rule] = true
		}
	}
	var d Decision
	applied := map[string]bool{}
	answered := map[string]bool{}
	for _, f := range findings {
		reason, ok := reasons[f.Rule]
		switch {
		case f.Severity == Block:
			switch {
			case sent[f.Rule]:
				f.Action = strings.TrimSpace(f.Action + " " + NotOverridable(f.Rule) + " The override sent for it does not apply.")
				answered[f.Rule] = true
			case Overridable(f.Rule):
				f.Action = strings.TrimSpace(f.Action + " " + NotOverridable(f.Rule))
			}
			d.Stopping = append(d.Stopping, f)
		case f.Severity == Override && !ok:
			if blocks[f.Rule] {
				f.Action = withoutOverrideInvitation(f)
			}
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

// NotOverridable is the sentence a refusal gives for rule id where it
// blocks although the rule has an override level too, or was overridden.
func NotOverridable(id string) string {
	return fmt.Sprintf("%s blocks here and cannot be overridden.", id)
}

// withoutOverrideInvitation is the action of a finding at severity Override
// whose rule also blocks the action: an override reason would not get past
// the block, so the action no longer offers one and points at the block.
// Actions end "…, or record an override reason for rule X." by convention.
func withoutOverrideInvitation(f Finding) string {
	action := f.Action
	if before, _, found := strings.Cut(action, ", or record an override reason for rule "+f.Rule); found {
		action = before + "."
	}
	return strings.TrimSpace(action + " " + fmt.Sprintf("An override reason would not help: %s also blocks this action.", f.Rule))
}
