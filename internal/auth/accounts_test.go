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

// An organisation's and a user's details are printed on prescriptions and
// letters as a patient's are (L1, L2), so they follow the patient's rule
// (patients.Unprintable, ADR 0013).
func TestCheckOrganisationAndUserPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"accents, Greek, Cyrillic", fieldRules(CheckOrganisation(GPPractice, "Zoë Łukasz-Nguyễn Ψ Практика", "1 Rue de l'Église\nSaint-Étienne", "+44 (0)20 7946 0000")), nil},
		{"accent typed apart composes", fieldRules(CheckOrganisation(GPPractice, "Cafe\u0301 Surgery", "Place\u0301 1", "")), nil},
		{"zero-width space name", fieldRules(CheckOrganisation(GPPractice, "\u200b", "1 High Street", "")), []string{"name/required"}},
		{"Arabic name, invisible address", fieldRules(CheckOrganisation(GPPractice, "\u0645\u062d\u0645\u062f Surgery", "\u200b", "")), []string{"address/required", "name/printable"}},
		{"emoji", fieldRules(CheckOrganisation(Pharmacy, "Test Surgery 😀", "1 High Street", "")), []string{"name/printable"}},
		{"tab", fieldRules(CheckOrganisation(Pharmacy, "Tab\tPharm", "1 High Street", "")), []string{"name/printable"}},
		{"byte order mark, soft hyphen", fieldRules(CheckOrganisation(Pharmacy, "\ufeff", "\u00ad", "")), []string{"name/required", "address/required"}},
		{"word joiner address, Arabic-Indic phone", fieldRules(CheckOrganisation(Pharmacy, "A Pharmacy", "\u2060", "١٢٣")), []string{"address/required", "phone/printable"}},
		{"line break in a name", fieldRules(CheckOrganisation(Pharmacy, "Two\nLines", "1 High Street", "")), []string{"name/printable"}},
		{"control character told once", fieldRules(CheckOrganisation(Pharmacy, "A Pharmacy", "Y\x00", "")), []string{"address/characters"}},
		{"invisible prescriber", fieldRules(CheckUser(Prescriber, "\u200b", "GMC 1234567", "")), []string{"name/required"}},
		{"good prescriber", fieldRules(CheckUser(Prescriber, "Dr Zoë Łukasz-Nguyễn", "GMC 1234567", "0161 496 0000")), nil},
		{"soft hyphen, no-break space, other digits", fieldRules(CheckUser(Prescriber, "Dr Ann\u00adSmith", "GMC\u00a01234567", "٠١٦١")), []string{"name/printable", "registration/printable", "phone/printable"}},
		{"Chinese name", fieldRules(CheckUser(GP, "王医生", "", "")), []string{"name/printable"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestNameAndSameName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"  Riverside  Community   Drug Service ", "Riverside Community Drug Service"},
		{"Cafe\u0301 Surgery", "Caf\u00e9 Surgery"},
		{"Zoë Łukasz-Nguyễn", "Zoë Łukasz-Nguyễn"},
	} {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"Caf\u00e9 Surgery", "Cafe\u0301 Surgery", true},
		{"Riverside Community Drug Service", "riverside  community drug service", true},
		{"Castle Pharmacy", " CASTLE PHARMACY", true},
		{"Café Surgery", "Cafe Surgery", false},
		{"Castle Pharmacy", "Castle Pharmacies", false},
	} {
		if got := SameName(tt.a, tt.b); got != tt.same {
			t.Errorf("SameName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}
