package patients

import (
	"slices"
	"testing"
)

func TestNameOrder(t *testing.T) {
	t.Parallel()
	type name struct{ family, given string }
	tests := []struct {
		name string
		in   []name
		want []name
	}{
		{"letters with marks sort with their letter", []name{{"Walsh", "Kerry"}, {"Łukasiewicz", "Anna"}, {"Lee", "Sam"}, {"Öztürk", "Ece"}},
			[]name{{"Lee", "Sam"}, {"Łukasiewicz", "Anna"}, {"Öztürk", "Ece"}, {"Walsh", "Kerry"}}},
		{"lower-case particles sort by their letter", []name{{"Evans", "Ann"}, {"de Souza", "Maria"}, {"Davies", "Tom"}},
			[]name{{"Davies", "Tom"}, {"de Souza", "Maria"}, {"Evans", "Ann"}}},
		{"given name breaks a tie", []name{{"Smith", "Zoe"}, {"Smith", "adam"}, {"Smith", "Ben"}},
			[]name{{"Smith", "adam"}, {"Smith", "Ben"}, {"Smith", "Zoe"}}},
		{"family name before given name", []name{{"Abbott", "Zed"}, {"Aaron", "Zed"}, {"Abbott", "Al"}},
			[]name{{"Aaron", "Zed"}, {"Abbott", "Al"}, {"Abbott", "Zed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := NewNameOrder()
			got := slices.Clone(tt.in)
			slices.SortFunc(got, func(a, b name) int { return o.Compare(a.family, a.given, b.family, b.given) })
			if !slices.Equal(got, tt.want) {
				t.Fatalf("sorted %v, want %v", got, tt.want)
			}
		})
	}
	o := NewNameOrder()
	if o.Compare("Smith", "Ann", "Smith", "Ann") != 0 {
		t.Fatal("one name compared with itself is not equal")
	}
	if c := o.Compare("smith", "ann", "Smith", "Ann"); c == 0 {
		t.Fatal("names differing only in case compare equal: a page cursor between them would be ambiguous")
	}
}
