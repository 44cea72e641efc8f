package patients

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SearchName is a patient's name as it is searched, by word prefix: lower
// case, accents taken off and the letters that carry no accent spelt in
// plain letters ("Siân Ó Ciaráin-Łukasz" is "sian o ciarain lukasz"). A
// receptionist types what the keyboard gives, and a name heard on the
// phone has no accents; folding in Go, not SQL, keeps both databases alike
// (SQLite's LOWER folds only ASCII). Hyphens and apostrophes of every kind
// part words, so "O'Brien" and "O’Brien" are found by "obrien"'s parts.
func SearchName(given, family string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(given + " " + family)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent, taken off its letter
		case isNameSeparator(r):
			b.WriteRune(' ')
		default:
			if plain, ok := plainLetters[r]; ok {
				b.WriteString(plain)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func isNameSeparator(r rune) bool {
	switch r {
	case '-', '\'', '’', '‘', 'ʼ', '`', '‐', '‑', '–', '.', ',':
		return true
	}
	return unicode.IsSpace(r)
}

// plainLetters are the letters NFD does not take apart into a plain letter
// and an accent.
var plainLetters = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ħ': "h", 'ı': "i", 'ŀ': "l",
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th",
}
