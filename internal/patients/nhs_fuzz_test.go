package patients

import (
	"testing"
)

// FuzzNormaliseNHSNumber: whatever is typed, normalising never panics, and
// anything accepted is 10 digits with a valid Modulus 11 check digit (ID1)
// that survives display and re-entry unchanged.
func FuzzNormaliseNHSNumber(f *testing.F) {
	for _, s := range []string{"943 476 5919", "9434765919", "943-476-5919", "9434765918", "", " ", "999 000 0000",
		"94347659190", "943476591", "٩٤٣٤٧٦٥٩١٩", "943 476 591９", "１２３", "\x00", "\xff\xfe", "0000000000", "9999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormaliseNHSNumber(s)
		if err != nil {
			if got != "" {
				t.Fatalf("NormaliseNHSNumber(%q) = %q with error %v", s, got, err)
			}
			if FormatNHSNumber(s) != s {
				t.Fatalf("FormatNHSNumber(%q) = %q; input that does not normalise must be shown unchanged", s, FormatNHSNumber(s))
			}
			return
		}
		if len(got) != 10 {
			t.Fatalf("NormaliseNHSNumber(%q) = %q, not 10 digits", s, got)
		}
		sum := 0
		for i := 0; i < 10; i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("NormaliseNHSNumber(%q) = %q holds a non-digit", s, got)
			}
			if i < 9 {
				sum += int(got[i]-'0') * (10 - i)
			}
		}
		check := (11 - sum%11) % 11
		if check == 10 || int(got[9]-'0') != check {
			t.Fatalf("NormaliseNHSNumber(%q) = %q fails Modulus 11", s, got)
		}
		shown := FormatNHSNumber(got)
		if len(shown) != 12 || shown[3] != ' ' || shown[7] != ' ' {
			t.Fatalf("FormatNHSNumber(%q) = %q, not 3-3-4", got, shown)
		}
		again, err := NormaliseNHSNumber(shown)
		if err != nil || again != got {
			t.Fatalf("Format→Normalise of %q gave %q, %v", got, again, err)
		}
		if FormatNHSNumber(s) != shown {
			t.Fatalf("FormatNHSNumber(%q) = %q, want %q", s, FormatNHSNumber(s), shown)
		}
	})
}
