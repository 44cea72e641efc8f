package prescriptions

import (
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
)

// ClosedDayFinding tells the prescriber that instalments of the issued
// prescription serial fall on dates its pharmacy is now closed. The
// prescription is a signed legal document (L1), so it is never rewritten to
// follow the new opening; and nothing is supplied before an instalment's
// date (L3), so the dose cannot be collected early either. Only a new
// prescription, whose schedule supplies a closed day's dose on an earlier
// open day under approved wording 1 (L7, L8), gets it to the patient.
func ClosedDayFinding(n policy.Numbers, serial, pharmacy string, dates []calendar.Date) policy.Finding {
	due := "an instalment is"
	if len(dates) > 1 {
		due = "instalments are"
	}
	return n.Finding("L8",
		fmt.Sprintf("%s is now closed on %s, when %s due on prescription %s: the issued prescription is not changed, so the dose cannot be collected on its day, nor earlier.",
			pharmacy, dateList(dates), due, serial),
		fmt.Sprintf("A new prescription is needed: cancel %s and prescribe its remaining days again, so that the new schedule supplies the closed day's dose on an earlier open day (approved wording 1).", serial))
}

// dateList reads "a", "a and b", "a, b and c".
func dateList(dates []calendar.Date) string {
	s := make([]string, len(dates))
	for i, d := range dates {
		s[i] = d.String()
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// NotReissuedFinding tells the prescriber that a change (of dose, pattern or
// pharmacy) is recorded but the live prescription serial was not reissued
// with it, and still stands as written: its remaining days start on first,
// whose dose cannot be laid out (why: no earlier collection can still be
// made for a closed day). The change is never refused for it; the
// prescriber rewrites that one prescription, from next, the first day after
// first the pharmacy collects on within it (zero: none).
func NotReissuedFinding(serial string, first calendar.Date, why string, next calendar.Date) policy.Finding {
	action := fmt.Sprintf("Cancel %s and prescribe its remaining days again from %s, the next day the pharmacy is open for a collection; the dose for %s cannot be supplied, neither on its day nor earlier.",
		serial, next, first)
	if next.IsZero() {
		action = fmt.Sprintf("Cancel %s: none of its remaining days can be supplied.", serial)
	}
	return policy.Finding{Rule: "L8", Severity: policy.Warn,
		Message: fmt.Sprintf("%s was not reissued and still stands as written, so the change is recorded but this prescription does not carry it: its remaining days start on %s, and %s.",
			serial, first, why),
		Action: action}
}
