package auth

import (
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/problem"
)

func fieldRules(f problem.Fields) []string {
	var out []string
	for _, e := range f {
		out = append(out, e.Field+"/"+e.Rule)
	}
	return out
}

func TestCheckOrganisationAndUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"good organisation", fieldRules(CheckOrganisation(Pharmacy, "Castle Street Pharmacy", "4 Castle Street", "")), nil},
		{"blank name and address", fieldRules(CheckOrganisation(Pharmacy, "   ", " ", "")), []string{"name/required", "address/required"}},
		{"unknown kind", fieldRules(CheckOrganisation("hospital", "X", "Y", "")), []string{"kind/enum"}},
		{"long name, control character", fieldRules(CheckOrganisation(GPPractice, strings.Repeat("é", 201), "Y\x00", "")), []string{"name/max_length", "address/characters"}},
		{"good user", fieldRules(CheckUser(Prescriber, "Dr Priya Raman", "GMC 7012345", "")), nil},
		{"blank user name", fieldRules(CheckUser(Pharmacist, "\t ", "", "")), []string{"name/required"}},
		{"unknown role", fieldRules(CheckUser("nurse", "Helen Cole", "", "")), []string{"role/enum"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
