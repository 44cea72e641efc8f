// Package dosing holds exact dose amounts and the built-in formulary of
// opiate substitution medicines. Amounts are integer micrograms because the
// rules document requires exact doses: 0.1 + 0.2 mg must never be 0.30000000000000004.
package dosing

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Micrograms is an exact dose amount.
type Micrograms int64

// Milligram is one milligram in Micrograms.
const Milligram Micrograms = 1000

// MaxDose caps parsed amounts: no substitution dose comes near 100 g, so a
// larger number is a typing error, and the cap keeps arithmetic far from overflow.
const MaxDose = 100000 * Milligram

// maxDecimals is three because micrograms are the smallest unit we store.
const maxDecimals = 3

// Mg builds an amount from whole milligrams, for constants and tests.
func Mg(n int64) Micrograms { return Micrograms(n) * Milligram }

// ParseMilligrams reads exact decimal milligram text such as "30", "2.5" or
// "1.125". The grammar is deliberately narrower than strconv.ParseFloat: no
// sign, exponent, spaces, NaN or Inf, so what the prescriber typed is what is stored.
func ParseMilligrams(s string) (Micrograms, error) {
	if s == "" {
		return 0, errors.New("dose is empty")
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" {
		return 0, fmt.Errorf("dose %q must start with a digit", s)
	}
	if hasDot && frac == "" {
		return 0, fmt.Errorf("dose %q must have digits after the decimal point", s)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("dose %q must be a plain decimal number of milligrams", s)
			}
		}
	}
	if len(frac) > maxDecimals {
		return 0, fmt.Errorf("dose %q has more than %d decimal places", s, maxDecimals)
	}
	// Strip leading zeros before the length check so "0000001" is not refused
	// for being long, while a long significant number cannot overflow int64.
	trimmed := strings.TrimLeft(whole, "0")
	if len(trimmed) > 6 {
		return 0, fmt.Errorf("dose %q is larger than %s", s, MaxDose)
	}
	mg, _ := strconv.ParseInt("0"+trimmed, 10, 64)
	micro := int64(0)
	if frac != "" {
		micro, _ = strconv.ParseInt(frac+strings.Repeat("0", maxDecimals-len(frac)), 10, 64)
	}
	m := Micrograms(mg)*Milligram + Micrograms(micro)
	if m > MaxDose {
		return 0, fmt.Errorf("dose %q is larger than %s", s, MaxDose)
	}
	return m, nil
}

// MilligramsString writes the amount in mg with trailing zeros trimmed ("2.5").
func (m Micrograms) MilligramsString() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		v = -v // doses are never near MinInt64, so this cannot overflow in practice
	}
	whole := v / int64(Milligram)
	frac := v % int64(Milligram)
	if frac == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	f := strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
	return sign + strconv.FormatInt(whole, 10) + "." + f
}

// String is the amount as a clinician reads it: "30 mg".
func (m Micrograms) String() string { return m.MilligramsString() + " mg" }

// MarshalJSON writes a JSON number of milligrams, so API clients see the unit
// the prescription uses.
func (m Micrograms) MarshalJSON() ([]byte, error) { return []byte(m.MilligramsString()), nil }

// UnmarshalJSON accepts a JSON number or string of milligrams. The literal
// text is parsed, never a float64, so 0.1 stays exactly 100 µg.
func (m *Micrograms) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil // encoding/json convention: null leaves a non-pointer unchanged
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return errors.New("dose must be a number of milligrams")
		}
	}
	v, err := ParseMilligrams(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
