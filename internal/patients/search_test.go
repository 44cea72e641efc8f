package patients

import "testing"

func TestSearchName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		given, family, want string
	}{
		{"Siân", "Jones", "sian jones"},
		{"Zoë", "Łukasz-Nguyễn", "zoe lukasz nguyen"},
		{"Ciarán", "O’Brien", "ciaran o brien"},
		{"Seán", "O'Brien", "sean o brien"},
		{"Søren", "Straße", "soren strasse"},
		{"Ægir", "Đorđević", "aegir dordevic"},
		{"  Mary  Ann ", "Smith‐Jones", "mary ann smith jones"},
		{"JOHN", "SMITH", "john smith"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := SearchName(tt.given, tt.family); got != tt.want {
			t.Errorf("SearchName(%q, %q) = %q, want %q", tt.given, tt.family, got, tt.want)
		}
	}
}
