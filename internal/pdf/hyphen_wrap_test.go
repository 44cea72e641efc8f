package pdf

import (
	"strings"
	"testing"
)

// A name too long for its line breaks after one of its own hyphens, so
// each line ends in a hyphen and no part reads as a name of its own; a part
// still too long breaks between letters; text that fits, or a long word
// without hyphens, is wrapped as before.
func TestWrapBreaksALongNameAfterItsHyphens(t *testing.T) {
	t.Parallel()
	d, err := newDoc(testOptions(), "wrap")
	if err != nil {
		t.Fatal(err)
	}
	d.font("", 10)
	name := "Zoë Łukasz-Nguyễn-Featherstonehaugh-Cholmondeley-Marjoribanks-Auchinleck-Fiennes-Twisleton-Wykeham"
	for _, w := range []float64{40, 60, 90} {
		lines := d.wrap(name, w)
		if got := rejoin(lines); got != name {
			t.Errorf("width %v: text changed: %q", w, lines)
		}
		for i, l := range lines[1 : len(lines)-1] {
			if !strings.HasSuffix(l, "-") {
				t.Errorf("width %v: line %d %q breaks the name between letters", w, i+2, l)
			}
		}
		for _, l := range lines {
			if !d.fits(l, w) {
				t.Errorf("width %v: line %q is too wide", w, l)
			}
		}
	}
	if got := d.wrap("Pharmacy Castle Street Pharmacy", 200); len(got) != 1 {
		t.Errorf("text that fits is one line: %q", got)
	}
	long := strings.Repeat("x", 80)
	if got, want := d.wrap(long, 40), d.f.SplitText(long, 40); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("a long word without hyphens: %q, want SplitText's %q", got, want)
	}
	if got := d.wrap("A-very-long-hyphenated-part-of-a-line-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 40); strings.Join(got, "") != "A-very-long-hyphenated-part-of-a-line-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" {
		t.Errorf("a part too long breaks between letters and loses nothing: %q", got)
	}
}

// rejoin puts wrapped lines back together: a line ending in a hyphen was
// broken inside a word, any other at a space.
func rejoin(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 && !strings.HasSuffix(lines[i-1], "-") {
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	return b.String()
}
