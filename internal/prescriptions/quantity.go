package prescriptions

import (
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/dosing"
)

var (
	smallNumbers = [...]string{
		"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
		"seventeen", "eighteen", "nineteen",
	}
	tensNames = [...]string{
		"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
	}
	scaleNames = [...]string{
		"", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion",
	}
)

// NumberInWords spells n in British English ("eight hundred and forty",
// "one thousand and five"), as a CD prescription's total must be written in
// words as well as figures (L2) so that it cannot be altered by adding a digit.
func NumberInWords(n int64) string {
	if n == 0 {
		return smallNumbers[0]
	}
	u := uint64(n)
	prefix := ""
	if n < 0 {
		// Negating in uint64 keeps math.MinInt64 exact.
		u = -u
		prefix = "minus "
	}
	var groups []uint64
	for ; u > 0; u /= 1000 {
		groups = append(groups, u%1000)
	}
	var parts []string
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if g == 0 {
			continue
		}
		w := hundredsInWords(g)
		// British usage joins a final part below one hundred with "and":
		// "one thousand and five", "two million and forty".
		if i == 0 && g < 100 && len(parts) > 0 {
			w = "and " + w
		}
		if i > 0 {
			w += " " + scaleNames[i]
		}
		parts = append(parts, w)
	}
	return prefix + strings.Join(parts, " ")
}

func hundredsInWords(g uint64) string {
	h, r := g/100, g%100
	var w string
	if h > 0 {
		w = smallNumbers[h] + " hundred"
		if r == 0 {
			return w
		}
		w += " and "
	}
	switch {
	case r < 20:
		w += smallNumbers[r]
	case r%10 == 0:
		w += tensNames[r/10]
	default:
		w += tensNames[r/10] + "-" + smallNumbers[r%10]
	}
	return w
}

// AmountInWords spells a milligram amount, reading decimals digit by digit
// as a pharmacist would say them: 33.6 mg is "thirty-three point six",
// 0.05 mg "zero point zero five".
func AmountInWords(m dosing.Micrograms) string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = -u
	}
	whole, frac := u/uint64(dosing.Milligram), u%uint64(dosing.Milligram)
	w := NumberInWords(int64(whole))
	if neg {
		w = "minus " + w
	}
	if frac == 0 {
		return w
	}
	digits := strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
	var b strings.Builder
	b.WriteString(w)
	b.WriteString(" point")
	for _, c := range digits {
		b.WriteString(" ")
		b.WriteString(smallNumbers[c-'0'])
	}
	return b.String()
}

// TotalQuantity writes a prescription's total in figures and words with its
// unit, e.g. "840 (eight hundred and forty) millilitres" (L2). unit is the
// medicine's plural unit ("millilitres" for methadone 1 mg/ml, "milligrams"
// otherwise); exactly one takes the singular.
func TotalQuantity(total dosing.Micrograms, unit string) string {
	if total == dosing.Milligram {
		unit = strings.TrimSuffix(unit, "s")
	}
	return fmt.Sprintf("%s (%s) %s", total.MilligramsString(), AmountInWords(total), unit)
}
