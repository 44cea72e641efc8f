package patients

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Unprintable returns the first character of a name, address or contact
// detail that the prescription and the shared-care letter cannot print as
// written, and false when there is none. Both carry the patient's name and
// address by law (L2) and for the pharmacist's identity check (S1), and
// their embedded font draws Latin, Greek and Cyrillic letters left to
// right, one character at a time: a character outside those scripts comes
// out as an empty box, a script written right to left comes out reversed
// and unjoined, an emoji as nothing, an accent sent apart from its letter
// on a line of its own, and an invisible format character (a soft hyphen,
// a zero-width space, a variation selector) breaks a name over two lines
// or joins two words. s is read as Printable leaves it (NFC), so an accent
// that composes with its letter is printable. Line breaks are allowed only
// where lines is true (an address). Digits and punctuation print.
func Unprintable(s string, lines bool) (rune, bool) {
	for _, r := range s {
		switch {
		case r == ' ' || r == '\n' && lines:
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.So, unicode.Zl, unicode.Zp, unicode.Zs):
			// Zs: a space that is not a space (no-break, thin, ideographic)
			return r, true
		case r >= 0x2e80 || unicode.IsDigit(r) && r > '9':
			// CJK and what follows it (fullwidth forms, emoji), and digits
			// of other scripts: the font has no glyph for them.
			return r, true
		case unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me):
			return r, true // a mark NFC could not compose with its letter
		case unicode.IsLetter(r):
			if !unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Common) {
				return r, true
			}
		case unicode.IsPrint(r):
		default:
			return r, true
		}
	}
	return 0, false
}

// Printable is s as it is kept: trimmed, and in NFC, so that a letter and
// its accent typed apart ("a" then U+0302) are the one letter "â" that the
// form prints, and that search and comparison see one spelling.
func Printable(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

// MaxAddressLines is the most lines an address may have: the prescription
// and the shared-care letter print it as a block beside the prescriber's or
// the practice's, which must leave room on page 1 for the patient's date of
// birth and NHS number, the medicine and the signature.
const MaxAddressLines = 8

// AddressLines is an address as it is printed, a line each: written with
// line breaks, or on one line with commas between its parts.
func AddressLines(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	sep := "\n"
	if !strings.Contains(s, "\n") {
		sep = ","
	}
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TooManyAddressLines reports how many lines an address prints on when it
// has more than MaxAddressLines, and 0 otherwise.
func TooManyAddressLines(s string) int {
	if n := len(AddressLines(s)); n > MaxAddressLines {
		return n
	}
	return 0
}
