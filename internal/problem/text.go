package problem

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// RequireText adds an error unless v is text (OptionalText) with something
// to read in it (Visible): a name of spaces is no name, and a reason made
// of zero-width spaces, word joiners or a lone accent is no reason, though
// it is not blank to strings.TrimSpace.
func (f *Fields) RequireText(field, v string, max int) {
	if !Visible(v) {
		if strings.TrimSpace(v) == "" {
			f.Add(field, "required", "%s is required", field)
		} else {
			f.Add(field, "required", "%s is required: the text sent has no visible characters", field)
		}
		return
	}
	f.OptionalText(field, v, max)
}

// OptionalText adds an error if v is longer than max characters or is not
// IsText.
func (f *Fields) OptionalText(field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		f.Add(field, "max_length", "%s must be at most %d characters", field, max)
	}
	if !IsText(v) {
		f.Add(field, "characters", "%s must not contain control characters or invalid characters", field)
	}
}

// RequireName is RequireText for a name or number that is compared with
// others (a batch number, a substance): it must also be IsName.
func (f *Fields) RequireName(field, v string, max int) {
	f.RequireText(field, v, max)
	if Visible(v) && IsText(v) && !IsName(v) {
		f.Add(field, "characters", "%s must not contain invisible characters (such as U+200B zero width space, U+00AD soft hyphen or U+2800 Braille blank)", field)
	}
}

// Visible reports whether v has something a reader can see: at least one
// letter, number, punctuation mark or symbol. Spaces, format characters
// (U+200B, U+2060, U+FEFF, U+00AD…) and combining marks with nothing to
// sit on are not. Every "was a reason given" test goes through here.
func Visible(v string) bool {
	for _, r := range v {
		if blank(r) {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return true
		}
	}
	return false
}

// blank reports the characters Unicode counts as letters or symbols that
// draw nothing: the Hangul fillers, the Braille blank and the musical null
// notehead, which pass for a reason, or split a name, while showing none.
func blank(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800', '\U0001d159':
		return true
	}
	return false
}

// TrimText is v without surrounding white space, or "" when v has nothing
// Visible: a reason of zero-width characters is recorded, and tested, as no
// reason.
func TrimText(v string) string {
	if !Visible(v) {
		return ""
	}
	return strings.TrimSpace(v)
}

// IsName reports whether v, a name compared with others, is free of format
// characters (Unicode Cf), which display as nothing and so let
// "fen\u200btanyl" pass as a second, different "fentanyl". Such text is
// refused rather than stripped: what is recorded is what was sent, and the
// sender learns of the stray character. Zero-width joiner and non-joiner
// stay allowed between two letters, where scripts such as Persian and the
// Indic ones need them to spell a word.
func IsName(v string) bool {
	rs := []rune(v)
	for i, r := range rs {
		if blank(r) {
			return false
		}
		if !unicode.Is(unicode.Cf, r) {
			continue
		}
		if (r == '\u200c' || r == '\u200d') && i > 0 && i < len(rs)-1 && letter(rs[i-1]) && letter(rs[i+1]) {
			continue
		}
		return false
	}
	return true
}

func letter(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// IsText reports text fit to store and show. U+FFFD arrives when JSON
// carried an unpaired surrogate escape: storing it would record something
// other than what was sent. Bidirectional overrides and isolates would make
// a name display as something other than what is stored ("Trojan Source").
func IsText(v string) bool {
	for _, r := range v {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == 0xfffd || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return false
		}
	}
	return true
}
