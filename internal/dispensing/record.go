package dispensing

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
)

// RecordInput is what CanRecord checks before a pharmacist's record is saved.
type RecordInput struct {
	// Today is the pharmacy's local date.
	Today calendar.Date
	// InstalmentDate is the collection date on the prescription.
	InstalmentDate     calendar.Date
	PrescriptionStatus prescriptions.Status
	Outcome            Outcome
	// Block is the MD1 block in force today, nil when none.
	Block *Block
	// Correction: the record corrects an earlier one of this instalment.
	Correction bool
}

// CanRecord returns the findings that stop the record; none means it may
// be saved. Call ValidateRecord first for the outcome and reason fields.
//
// Only supply is stopped by MD1 and MD4: withheld and refused hand nothing
// over, so they may be recorded on a blocked day (a blocked patient turned
// away is a withheld dose worth recording) and on a past day before day
// close has marked it missed.
//
// A correction records what happened on the instalment's own day, not a
// new supply, so it may be made later, on a blocked day or after the
// prescription has ended; it may not be dated before the instalment.
// Supervised or collected recorded late as a first record is refused (MD4):
// it cannot be told apart from a catch-up supply. The pharmacist who forgot
// to record lets day close mark the day missed and then corrects it.
func CanRecord(n policy.Numbers, in RecordInput) []policy.Finding {
	var out []policy.Finding
	if in.Today.Before(in.InstalmentDate) {
		out = append(out, n.Finding("L3",
			fmt.Sprintf("This instalment is for %s: nothing is supplied before the date on the prescription, and its outcome is recorded on that day.", in.InstalmentDate),
			"Record the outcome on the instalment's date."))
	}
	if in.Correction {
		return out
	}
	if f, ok := statusFinding(n, in.PrescriptionStatus); ok {
		out = append(out, f)
	}
	if !in.Outcome.Taken() {
		return out
	}
	if in.Today.After(in.InstalmentDate) {
		out = append(out, n.Finding("MD4",
			fmt.Sprintf("This instalment was due on %s: missed doses are never supplied later.", in.InstalmentDate),
			"Supply only today's instalment. If the dose was in fact given on its day, correct the missed record after day close."))
	}
	if in.Block != nil {
		out = append(out, in.Block.Finding(n))
	}
	return out
}

// statusFinding stops any record against a prescription that is not live.
func statusFinding(n policy.Numbers, s prescriptions.Status) (policy.Finding, bool) {
	switch s {
	case prescriptions.StatusIssued:
		return policy.Finding{}, false
	case prescriptions.StatusDraft:
		// L1: a draft is not yet signed and issued, so it is not a
		// prescription a pharmacy may dispense from.
		return n.Finding("L1", "This prescription is a draft: it has not been signed and issued, so nothing may be dispensed from it.",
			"Ask the prescriber to issue the prescription."), true
	case prescriptions.StatusExpired:
		return n.Finding("L3", "This prescription has expired: nothing may be supplied from it.",
			"Ask the prescriber for a new prescription."), true
	case prescriptions.StatusCancelled:
		return n.Finding("L3", "This prescription was cancelled: nothing may be supplied from it.",
			"Check the patient's current prescription or contact the prescriber."), true
	case prescriptions.StatusCompleted:
		return n.Finding("L3", "This prescription is completed: every instalment has been dealt with.",
			"Check the patient's current prescription."), true
	}
	return n.Finding("L3", fmt.Sprintf("This prescription's status %q is not issued: nothing may be supplied from it.", s),
		"Contact the prescriber."), true
}
