package problem

import (
	"slices"
	"strings"
	"testing"
)

func TestVisible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    string
		want bool
	}{
		{"empty", "", false},
		{"spaces and tabs", " \t\n ", false},
		{"zero width space", "\u200b", false},
		{"word joiner", "\u2060", false},
		{"byte order mark", "\ufeff", false},
		{"soft hyphen", "\u00ad", false},
		{"lone combining accent", "\u0301", false},
		{"no-break and ideographic spaces", "\u00a0\u3000", false},
		{"a mix of them", " \u200b\u2060\u0301 ", false},
		{"Braille blank, a symbol that draws nothing", "\u2800", false},
		{"Hangul fillers, letters that draw nothing", "\u3164\u115f\u1160\uffa0", false},
		{"musical null notehead, a symbol that draws nothing", "\U0001d159\U0001d159", false},
		{"a letter", "a", true},
		{"a letter with an accent", "e\u0301", true},
		{"a number", "7", true},
		{"punctuation", "?", true},
		{"a symbol", "£", true},
		{"a word among invisibles", "\u200bstable\u200b", true},
		{"another script", "Łukasz", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Visible(tt.v); got != tt.want {
				t.Errorf("Visible(%q) = %v, want %v", tt.v, got, tt.want)
			}
			if tt.want && TrimText(" "+tt.v+" ") != TrimText(tt.v) || !tt.want && TrimText(tt.v) != "" {
				t.Errorf("TrimText(%q) = %q", tt.v, TrimText(tt.v))
			}
		})
	}
}

// RequireText answers required for text nobody can read, saying so when
// something was sent, and checks the rest as OptionalText.
func TestRequireText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, v   string
		rules     []string
		invisible bool // the message says there is nothing visible
	}{
		{"empty", "", []string{"required"}, false},
		{"spaces", "   ", []string{"required"}, false},
		{"zero width space", "\u200b", []string{"required"}, true},
		{"word joiner", "\u2060", []string{"required"}, true},
		{"byte order mark", "\ufeff", []string{"required"}, true},
		{"soft hyphen", "\u00ad", []string{"required"}, true},
		{"combining mark", "\u0301", []string{"required"}, true},
		{"text", "seen", nil, false},
		{"too long", "abcdef", []string{"max_length"}, false},
		{"control character", "a\x01", []string{"characters"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f Fields
			f.RequireText("reason", tt.v, 5)
			var rules []string
			said := false
			for _, e := range f {
				rules = append(rules, e.Rule)
				said = said || strings.Contains(e.Message, "no visible characters")
			}
			if !slices.Equal(rules, tt.rules) || said != tt.invisible {
				t.Errorf("RequireText(%q): rules %v (message about visibility %v), want %v (%v)", tt.v, rules, said, tt.rules, tt.invisible)
			}
		})
	}
}

func TestIsName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, v string
		want    bool
	}{
		{"plain", "fentanyl", true},
		{"batch", "B-24/7", true},
		{"accented", "Zoë", true},
		{"zero width space inside", "fen\u200btanyl", false},
		{"soft hyphen inside", "opi\u00adates", false},
		{"word joiner", "B\u2060-24", false},
		{"byte order mark first", "\ufeffpregabalin", false},
		{"zero width non-joiner inside a Persian word", "می\u200cخواهم", true},
		{"zero width joiner inside a Devanagari word", "क्\u200dष", true},
		{"zero width joiner at the end", "fentanyl\u200d", false},
		{"zero width non-joiner between digits", "B1\u200c2", false},
		{"Braille blank inside", "fen\u2800tanyl", false},
		{"Hangul filler inside", "fen\u3164tanyl", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsName(tt.v); got != tt.want {
				t.Errorf("IsName(%q) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
}
