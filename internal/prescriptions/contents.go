package prescriptions

import (
	"strings"

	"github.com/dosebook/dosebook/internal/policy"
)

// NoFixedAbode is what a prescription states for a patient without a home:
// reg 15(1)(e) asks for an address, and this is the recognised entry.
const NoFixedAbode = "No fixed abode"

// PatientAddressFinding is L2 for the patient's address: a controlled-drug
// prescription states it (Misuse of Drugs Regulations 2001 reg 15(1)(e)),
// and reg 16(1A) lets a pharmacist correct only slips and a quantity in
// words or figures, so one without it cannot be dispensed from. Issuing it
// is refused at L2's table severity; a draft, which no pharmacy sees, may be
// written and is warned. ok is false when an address is recorded.
func PatientAddressFinding(address string, issuing bool) (f policy.Finding, ok bool) {
	if strings.TrimSpace(address) != "" {
		return policy.Finding{}, false
	}
	f = policy.Finding{Rule: "L2", Severity: policy.SeverityOf("L2"),
		Message: "The patient has no address recorded: a controlled-drug prescription must state the patient's address (Misuse of Drugs Regulations 2001 reg 15(1)(e)), and a pharmacy cannot dispense from one without it.",
		Action:  "Record the patient's address (or '" + NoFixedAbode + "') on the patient record (a GP asks the specialist service to record it), then issue the prescription."}
	if !issuing {
		f.Severity = policy.Warn
		f.Message = "The patient has no address recorded: this draft cannot be issued until it is, because a controlled-drug prescription must state the patient's address (Misuse of Drugs Regulations 2001 reg 15(1)(e))."
	}
	return f, true
}
