// Package patients holds patient identity and risk information.
package patients

import (
	"fmt"
	"strings"
)

// NormaliseNHSNumber returns the 10 bare digits of an NHS number typed with
// or without the usual spaces or hyphens, after the Modulus 11 check (ID1).
// A number that fails the check is refused rather than stored, because a
// mistyped NHS number links a patient to someone else's records.
func NormaliseNHSNumber(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			// separators of the 3-3-4 display form
		default:
			return "", fmt.Errorf("NHS number %q must contain only digits, spaces or hyphens", s)
		}
	}
	digits := b.String()
	if len(digits) != 10 {
		return "", fmt.Errorf("NHS number %q must be 10 digits", s)
	}
	// Each message is a whole sentence for the user (the API shows it as
	// it is), naming the number as typed and what is wrong with it.
	check, ok := nhsCheckDigit(digits[:9])
	if !ok {
		return "", fmt.Errorf("NHS number %q is not valid: its first nine digits fail the Modulus 11 check; check it was typed correctly", s)
	}
	if int(digits[9]-'0') != check {
		// The expected digit is not shown: "correcting" the last digit of
		// a number mistyped elsewhere would make it someone else's.
		return "", fmt.Errorf("NHS number %q is not valid: its last digit does not match the first nine (Modulus 11 check); check it was typed correctly", s)
	}
	return digits, nil
}

// RefusePlaceholder refuses an NHS number, as NormaliseNHSNumber returns
// it, of one digit ten times: it passes Modulus 11 but is what gets typed
// when the number is not to hand, and storing one would later match a real
// patient typed the same way. The 999 test range stays usable. Only a
// number being recorded is refused; a search may still look one up, to
// find a record made before it was.
func RefusePlaceholder(digits string) error {
	if len(digits) == 10 && strings.Count(digits, digits[:1]) == 10 && digits[0] != '9' {
		return fmt.Errorf("NHS number %q is not valid: a number of one repeated digit is a placeholder, not an issued NHS number; find the patient's real number (from their GP practice or the NHS Spine)", digits)
	}
	return nil
}

// nhsCheckDigit is the ID1 Modulus 11 check digit of the first nine digits;
// ok is false when the remainder gives 10, which no valid number can have.
func nhsCheckDigit(nine string) (int, bool) {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(nine[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		return 0, true
	case 10:
		return 0, false
	}
	return check, true
}

// FormatNHSNumber shows an NHS number 3-3-4 ("943 476 5919"). Input that
// does not normalise is returned unchanged so a display never hides what was stored.
func FormatNHSNumber(s string) string {
	d, err := NormaliseNHSNumber(s)
	if err != nil {
		return s
	}
	return d[:3] + " " + d[3:6] + " " + d[6:]
}

// TestNHSNumber returns the seq-th (from 0) valid NHS number in the 999
// range, which ID1 reserves for testing, so demo data never collides with a
// real patient. About 10 in 11 bases have a valid check digit; seq past the
// last wraps round, so any int yields a valid number.
func TestNHSNumber(seq int) string {
	if seq < 0 {
		seq = -seq
	}
	valid := 0
	for pass := 0; pass < 2; pass++ {
		for base := 0; base < 1000000; base++ {
			nine := fmt.Sprintf("999%06d", base)
			check, ok := nhsCheckDigit(nine)
			if !ok {
				continue
			}
			if valid == seq {
				return nine + string(rune('0'+check))
			}
			valid++
		}
		seq %= valid
		valid = 0
	}
	panic("unreachable: seq was reduced modulo the count of valid test numbers")
}

// RiskFlags are the clinical risks that change prescribing decisions.
type RiskFlags struct {
	Benzodiazepines     bool `json:"benzodiazepines"`
	Alcohol             bool `json:"alcohol"`
	CardiacQTc          bool `json:"cardiac_qtc"`
	ChildrenInHousehold bool `json:"children_in_household"`
	RecentOverdose      bool `json:"recent_overdose"`
	RecentPrisonRelease bool `json:"recent_prison_release"`
	Injecting           bool `json:"injecting"`
}

// SedativeRisk is the benzodiazepine or alcohol flag that lowers M1's
// starting-dose warning threshold: both add to opioid respiratory depression.
func (r RiskFlags) SedativeRisk() bool { return r.Benzodiazepines || r.Alcohol }
