package sharedcare

import (
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
)

// Lapse is an SC3 criterion met when shared care was proposed and not met
// when the practice accepted it: the proposal's judgement no longer holds.
type Lapse struct {
	Then, Now Criterion
}

// Lapsed are the criteria met in then (at the proposal) and not in now
// (at acceptance), matched by key, in now's order.
func Lapsed(then, now []Criterion) []Lapse {
	var out []Lapse
	for _, c := range now {
		if c.Met {
			continue
		}
		for _, t := range then {
			if t.Key == c.Key && t.Met {
				out = append(out, Lapse{Then: t, Now: c})
			}
		}
	}
	return out
}

// Message says what changed for one criterion since the proposal.
func (l Lapse) Message(proposed calendar.Date) string {
	return fmt.Sprintf("%s: %s Met when shared care was proposed on %s (%s); not met now: %s",
		l.Now.Key, l.Now.Description, proposed, strings.TrimSuffix(l.Then.Detail, "."), l.Now.Detail)
}

// LapsedToService is the service's notice that the practice accepted
// shared care although criteria met at the proposal no longer hold: the
// practice decided knowing it, and the service, which proposed on the
// earlier judgement, reviews whether shared care is still right (SC1).
func LapsedToService(practice string, proposed, accepted calendar.Date, ls []Lapse) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Message(proposed)
	}
	what := "an SC3 criterion met when the service proposed it no longer holds"
	if len(ls) > 1 {
		what = fmt.Sprintf("%d SC3 criteria met when the service proposed it no longer hold", len(ls))
	}
	return fmt.Sprintf("%s accepted shared care on %s although %s: %s "+
		"Review with the practice whether shared care is still right; either party may hand prescribing back (SC1).",
		practice, accepted, what, strings.Join(parts, " "))
}

// ServicePrescribed is the practice's notice that the specialist service
// issued a prescription for a patient whose prescribing the practice holds
// under accepted shared care (SC1): the practice prescribes what follows,
// and must know which days are covered.
type ServicePrescribed struct {
	Prescription PrescriptionRef
	// DraftedBy is who wrote the draft the service signed, when not the
	// signer (a GP of the practice, say); "" otherwise.
	DraftedBy string
}

// ToPractice is the notice's text.
func (m ServicePrescribed) ToPractice() string {
	what := "issued prescription " + m.Prescription.String()
	if m.DraftedBy != "" {
		what = fmt.Sprintf("signed and issued prescription %s, drafted by %s,", m.Prescription, m.DraftedBy)
	}
	return fmt.Sprintf("The specialist service %s for this patient, whose prescribing the practice holds under accepted shared care (SC1). "+
		"The pharmacy dispenses from it; the practice's next prescription follows its last day, %s.", what, m.Prescription.End)
}

// ServicePrescribingWarning is the SC1 warning to a prescriber of the
// service prescribing for a patient whose prescribing the practice holds.
func ServicePrescribingWarning(practice string) (message, action string) {
	return fmt.Sprintf("Prescribing for this patient sits with %s under accepted shared care (SC1).", practice),
		"The practice is told when the prescription is issued; to take prescribing back, hand shared care back."
}

// CancelledByOther is the notice to the organisation whose prescriber
// signed a prescription that a user of another organisation cancelled (a
// GP the service's reissue, the service a GP's): the signer answers for
// it (L1), and the days it leaves may need prescribing again.
type CancelledByOther struct {
	By, ByOrganisation string
	Prescription       PrescriptionRef
	Reason             string
	On                 calendar.Date
	// Uncovered names the days from today on it no longer covers that
	// nothing else supplies ("" for none).
	Uncovered string
	// ReissuedAs are the prescriptions that carry its remaining days when
	// a change of dose, pattern or pharmacy cancelled it (ADR 0007).
	ReissuedAs []PrescriptionRef
}

// ToSigner is the notice's text.
func (m CancelledByOther) ToSigner() string {
	msg := fmt.Sprintf("%s of %s cancelled prescription %s on %s (reason given: %s).", m.By, m.ByOrganisation, m.Prescription, m.On, m.Reason)
	if len(m.ReissuedAs) > 0 {
		// The signer must not write over days another prescription now
		// carries, nor think its own still runs.
		msg += " Its remaining days are reissued as " + refList(m.ReissuedAs) + "; the pharmacy dispenses from that now."
	}
	if m.Uncovered == "" {
		if len(m.ReissuedAs) > 0 {
			return msg
		}
		return msg + " It leaves no day to come without a prescription."
	}
	return msg + fmt.Sprintf(" Days it leaves without a prescription: %s (MD5); agree who prescribes them.", m.Uncovered)
}
