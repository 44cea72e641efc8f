package patients

import (
	"strings"
	"testing"
)

func TestUnprintable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want rune // 0: printable
	}{
		{"Zoë Łukasz-Nguyễn", 0},
		{"Siân O’Brien", 0},
		{"Ó Ciaráin", 0},
		{"Δημήτρης", 0},
		{"Пётр Иванов", 0},
		{"Flat 3, 12 Quay Street\nLondon SE1 9AB", 0}, // an address: lines allowed
		{"Ann\nMarie", '\n'},
		{"Ann\tMarie", '\t'},
		{"Sia\u0302n", '\u0302'},     // as sent, before Printable
		{"Ann\uFE0FMarie", '\uFE0F'}, // variation selector
		{"Robert'); DROP TABLE organisations;--", 0},
		{"$5 <b> 50% & co", 0},
		{"O’Brien\u00adSmith", '\u00ad'}, // soft hyphen
		{"Smith\u200bJones", '\u200b'},   // zero-width space
		{"Ann\u00a0Lee", '\u00a0'},       // no-break space
		{"李小龍", '李'},
		{"محمد", 'م'},
		{"דוד", 'ד'},
		{"Ann 😀", '😀'},
		{"０７７００", '０'},              // fullwidth digits
		{"٠٧٧", '٠'},                // Arabic-Indic digits
		{"Ann \u202eeeL", '\u202e'}, // right-to-left override
	}
	for _, tt := range tests {
		got, bad := Unprintable(tt.s, strings.HasPrefix(tt.s, "Flat"))
		if bad != (tt.want != 0) || bad && got != tt.want {
			t.Errorf("Unprintable(%q) = %q, %v; want %q", tt.s, got, bad, tt.want)
		}
	}
}

func TestPrintableComposesAccents(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Sia\u0302n ": "Siân", "Zoe\u0308": "Zoë", "Nguye\u0302\u0303n": "Nguyễn", " Ann ": "Ann"} {
		got := Printable(in)
		if got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
		if r, bad := Unprintable(got, false); bad {
			t.Errorf("Printable(%q) = %q still holds %q", in, got, r)
		}
	}
}
