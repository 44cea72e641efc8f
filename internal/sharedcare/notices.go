package sharedcare

import (
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
)

// PrescriptionRef names a prescription in a notice the way the paper
// does: serial, the days it covers and who signed it.
type PrescriptionRef struct {
	Serial     string
	Start, End calendar.Date
	Prescriber string
}

func (r PrescriptionRef) String() string {
	s := fmt.Sprintf("%s (%s to %s", r.Serial, r.Start, r.End)
	if r.Prescriber != "" {
		s += ", signed by " + r.Prescriber
	}
	return s + ")"
}

func refList(rs []PrescriptionRef) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, "; ")
}

// ClosedMessage is what each party is told when shared care ends by a
// hand-back (SC1: either party may hand back, and the other is alerted).
type ClosedMessage struct {
	// ByService is true when the specialist service handed back (or
	// withdrew), false when the practice did.
	ByService bool
	// WasAccepted: the practice had taken over prescribing; otherwise the
	// service withdrew a proposal.
	WasAccepted bool
	Reason      string
	// RegimeEnded is the day the service ended the patient's regime, when
	// that is what closed the arrangement (zero otherwise).
	RegimeEnded calendar.Date
	// Live are prescriptions the practice's GPs signed that are still
	// valid at the pharmacy; Cancelled those the same change cancelled.
	Live, Cancelled []PrescriptionRef
	// Injections marks a regime given by injection (Buvidal): the practice
	// gave the injections and wrote no prescription (ADR 0009), and
	// NextInjection is when the next regular one is due (BV8, as the
	// regime view gives it; zero once the regime ended).
	Injections    bool
	NextInjection calendar.Date
}

// nextInjection completes "gives the next injection" with its due date.
func nextInjection(due calendar.Date) string {
	if due.IsZero() {
		return ""
	}
	return ", due on " + due.String()
}

// ToPractice is the practice's notice of the service's hand-back or
// withdrawal. The practice may no longer see the patient's record, so it
// says only what the practice needs: what happened, why, and what became
// of the prescriptions its own GPs signed.
func (m ClosedMessage) ToPractice() string {
	var msg string
	switch {
	case !m.RegimeEnded.IsZero() && !m.WasAccepted:
		return fmt.Sprintf("The specialist service ended the patient's treatment regime on %s (reason given: %s), "+
			"so its proposal of shared care is withdrawn. The practice need do nothing.", m.RegimeEnded, m.Reason)
	case !m.WasAccepted && m.Injections:
		return fmt.Sprintf("The specialist service withdrew its proposal of shared care (reason given: %s). "+
			"The injections stay with the service; the practice need do nothing.", m.Reason)
	case !m.WasAccepted:
		return fmt.Sprintf("The specialist service withdrew its proposal of shared care (reason given: %s). "+
			"Prescribing stays with the service; the practice need do nothing.", m.Reason)
	case !m.RegimeEnded.IsZero() && m.Injections:
		msg = fmt.Sprintf("The specialist service ended the patient's treatment regime on %s (reason given: %s), which ends shared care: "+
			"the practice no longer gives the injections.", m.RegimeEnded, m.Reason)
	case !m.RegimeEnded.IsZero():
		msg = fmt.Sprintf("The specialist service ended the patient's treatment regime on %s (reason given: %s), which ends shared care: "+
			"the practice no longer prescribes the opioid substitution treatment.", m.RegimeEnded, m.Reason)
	case m.Injections:
		// Buvidal has no prescription the practice writes (BV2, ADR 0009):
		// what stops is giving the injections.
		msg = fmt.Sprintf("The specialist service took the injections back from the practice (reason given: %s). "+
			"The practice stops giving the injections; the service gives the next one%s.", m.Reason, nextInjection(m.NextInjection))
	default:
		msg = fmt.Sprintf("The specialist service took prescribing back from the practice (reason given: %s). "+
			"The practice no longer prescribes the opioid substitution treatment; the service writes the next prescription.", m.Reason)
	}
	if len(m.Cancelled) > 0 {
		msg += " Cancelled by the service: " + refList(m.Cancelled) + "."
	}
	if len(m.Live) > 0 {
		msg += " Still valid at the pharmacy: " + refList(m.Live) + ". The service decides whether each runs to its end or is cancelled."
	}
	return msg
}

// ToService is the service's notice: the practice's hand-back, and any
// prescription the practice signed that is still live, which only the
// service may now cancel. Empty when the service handed back and nothing
// of the practice's is live: it knows what it did.
func (m ClosedMessage) ToService() string {
	live := ""
	if len(m.Live) > 0 {
		live = " Prescriptions signed by the practice are still valid at the pharmacy: " + refList(m.Live) +
			". Decide for each whether it runs to its end, the service prescribing from the day after, or is cancelled and replaced."
	}
	if !m.ByService && m.Injections {
		return fmt.Sprintf("The GP practice handed the injections back to the service (%s). The service gives the next injection%s.",
			m.Reason, nextInjection(m.NextInjection)) + live
	}
	if !m.ByService {
		return fmt.Sprintf("The GP practice handed prescribing back to the service (%s). The service writes the next prescription.", m.Reason) + live
	}
	if live == "" {
		return ""
	}
	return "Prescribing is back with the service." + live
}

// DeclinedMessage is the service's notice that the practice declined its
// proposal (SC1). The practice never took anything on, so what stays with
// the service is prescribing, or for Buvidal, which the practice would
// have given rather than prescribed (ADR 0009), the injections.
type DeclinedMessage struct {
	Reason string
	// Injections marks a regime given by injection (Buvidal), and
	// NextInjection is when its next regular one is due (BV8; zero when
	// none is due).
	Injections    bool
	NextInjection calendar.Date
}

// ToService is the service's notice of the decline.
func (m DeclinedMessage) ToService() string {
	if m.Injections {
		return fmt.Sprintf("The GP practice declined shared care (%s). The injections stay with the service, which gives the next one%s.",
			m.Reason, nextInjection(m.NextInjection))
	}
	return fmt.Sprintf("The GP practice declined shared care (%s). Prescribing stays with the service.", m.Reason)
}

// Replacement is a live prescription a change cancelled and the ones that
// carry its remaining days.
type Replacement struct {
	Old PrescriptionRef
	New []PrescriptionRef
}

// RegimeChange is a change the service made to the regime while the
// practice prescribes under accepted shared care (SC1: the practice
// prescribes at the current dose and pattern, and does not change them).
type RegimeChange struct {
	// What completes "The specialist service …", e.g. "changed the dose
	// to 70 mg from 2026-06-12".
	What     string
	Reason   string
	Replaced []Replacement
	// Injections marks a regime given by injection (Buvidal): the practice
	// gives the injections rather than prescribing (ADR 0009), and
	// NextInjection is when the next regular one is due (BV8, as the
	// regime view gives it; zero once the regime ended).
	Injections    bool
	NextInjection calendar.Date
}

// Timeline is the change as the arrangement's timeline records it.
func (c RegimeChange) Timeline() string {
	s := strings.ToUpper(c.What[:1]) + c.What[1:]
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	return s
}

// ToPractice tells the practice what it now prescribes (or, for an
// injection, gives) and what became of the live prescriptions the change
// replaced.
func (c RegimeChange) ToPractice() string {
	msg := "The specialist service " + c.What
	if c.Reason != "" {
		msg += " (reason given: " + c.Reason + ")"
	}
	if c.Injections {
		msg += ". Give each injection at the dose in force on the day it is given"
		if !c.NextInjection.IsZero() {
			msg += "; the next is due on " + c.NextInjection.String()
		}
		msg += "."
	} else {
		msg += ". Prescribe what is now in force from then on."
	}
	for _, r := range c.Replaced {
		msg += " " + r.Old.String() + " was cancelled; its remaining days are on " + refList(r.New) + "."
	}
	return msg
}

// ProposedMessage is the practice's notice that the specialist service
// proposed shared care to it (SC1): without it a GP could find a proposal
// only by looking through the practice's patients.
type ProposedMessage struct {
	SharedCareID       string
	By, ByOrganisation string
	On                 calendar.Date
	// Overridden are the SC3 criteria not met at the proposal that the
	// service went ahead without, each with its reason.
	Overridden []string
	// Injections marks a regime given by injection (Buvidal): the practice
	// would give the injections rather than prescribe (ADR 0009).
	Injections bool
}

// ToPractice is the notice's text.
func (m ProposedMessage) ToPractice() string {
	what := "take over prescribing the opioid substitution treatment at the dose and pickup pattern the service sets"
	if m.Injections {
		what = "give the injections at the dose the service sets"
	}
	msg := fmt.Sprintf("%s of %s proposed shared care of this patient to the practice on %s: the practice would %s (SC1).",
		m.By, m.ByOrganisation, m.On, what)
	if len(m.Overridden) > 0 {
		msg += " SC3 criteria not met, which the service went ahead without: " + strings.Join(m.Overridden, "; ") + "."
	}
	return msg + fmt.Sprintf(" Read the proposal (GET /v1/shared-care/%s) and the summary letter, then accept or decline it "+
		"(POST /v1/shared-care/%s/accept or /decline).", m.SharedCareID, m.SharedCareID)
}

// AcceptedMessage is the service's notice that the practice accepted its
// proposal (SC1): from then on the practice prescribes (or, for Buvidal,
// gives the injections), and the service's own prescribing warns.
type AcceptedMessage struct {
	Practice, By string
	On           calendar.Date
	Injections   bool
}

// ToService is the notice's text.
func (m AcceptedMessage) ToService() string {
	what := "the practice prescribes from now on, at the dose and pickup pattern the service sets"
	if m.Injections {
		what = "the practice gives the injections from now on, at the dose the service sets"
	}
	return fmt.Sprintf("%s accepted shared care on %s (accepted by %s): %s. The service still decides any change and reviews the patient (SC1).",
		m.Practice, m.On, m.By, what)
}
