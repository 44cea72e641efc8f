package patients

import "unicode"

// Unprintable returns the first character of a name or address that the
// prescription and the shared-care letter cannot print as written, and
// false when there is none. Both carry the patient's name and address by
// law (L2) and for the pharmacist's identity check (S1), and their
// embedded font draws Latin, Greek and Cyrillic letters left to right: a
// character outside those scripts comes out as an empty box, a script
// written right to left comes out reversed and unjoined, an emoji as
// nothing, and an invisible format character (a soft hyphen, a zero-width
// space) breaks a name over two lines or joins two words. Digits and
// punctuation print and are allowed.
func Unprintable(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || r == ' ':
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.So, unicode.Zl, unicode.Zp):
			return r, true
		case unicode.In(r, unicode.Zs) && r != ' ':
			return r, true // a space that is not a space: no-break, thin, ideographic
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if !unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Inherited, unicode.Common) {
				return r, true
			}
		case unicode.IsPrint(r):
		default:
			return r, true
		}
	}
	return 0, false
}
