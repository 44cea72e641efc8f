package problem

import (
	"strings"
	"unicode/utf8"
)

// RequireText adds an error unless v is text (OptionalText) that is not
// blank once trimmed: a name of spaces is no name.
func (f *Fields) RequireText(field, v string, max int) {
	if strings.TrimSpace(v) == "" {
		f.Add(field, "required", "%s is required", field)
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
