package sharedcare

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// CheckPracticeInjection is SC1 for an injection recorded by the GP
// practice under accepted shared care: the practice gives the regular
// injection at the dose the specialist service set (current, the regime's
// dose on the day), and nothing else. An extra dose (BV6) or any other
// dose is a dosing decision, which stays with the service, so it is
// refused outright rather than left to an override.
func CheckPracticeInjection(n policy.Numbers, extra bool, dose, current dosing.Micrograms) []policy.Finding {
	instead := "Contact the specialist service: it decides any extra dose or change of dose, and gives or records it."
	switch {
	case extra:
		return []policy.Finding{n.FindingAt("SC1", policy.Block,
			"Under shared care the practice gives the regular injection at the current dose; an extra dose is a dosing decision for the specialist service.",
			instead)}
	case dose != current:
		return []policy.Finding{n.FindingAt("SC1", policy.Block,
			fmt.Sprintf("Under shared care the practice gives the current dose, %s; %s would change the dose, which the specialist service decides.", current, dose),
			instead)}
	}
	return nil
}
