package policy

import "strings"

// OverrideReason is a prescriber's recorded reason for going ahead despite a rule
// of severity Override.
type OverrideReason struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Decision is the outcome of checking an action against the rules.
type Decision struct {
	// Stopping findings block the action (422, nothing written).
	Stopping []Finding
	// Warnings go ahead with the action and are shown with it, including
	// overridden findings.
	Warnings []Finding
	// Applied are the overrides that were needed and will be recorded.
	Applied []OverrideReason
}

// Decide applies the prescriber's overrides to the findings. An override
// only counts for a rule that fired with severity Override and with a
// non-empty reason; overrides for rules that did not fire are not recorded.
func Decide(findings []Finding, overrides []OverrideReason) Decision {
	reasons := map[string]string{}
	for _, o := range overrides {
		if r := strings.TrimSpace(o.Reason); r != "" {
			reasons[o.Rule] = r
		}
	}
	var d Decision
	applied := map[string]bool{}
	for _, f := range findings {
		reason, ok := reasons[f.Rule]
		switch {
		case f.Severity == Block, f.Severity == Override && !ok:
			d.Stopping = append(d.Stopping, f)
		case f.Severity == Override:
			d.Warnings = append(d.Warnings, f)
			if !applied[f.Rule] {
				applied[f.Rule] = true
				d.Applied = append(d.Applied, OverrideReason{Rule: f.Rule, Reason: reason})
			}
		default:
			d.Warnings = append(d.Warnings, f)
		}
	}
	return d
}
