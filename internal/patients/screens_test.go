package patients

import "testing"

func TestIllicitOpioid(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"fentanyl", true},
		{"Carfentanil", true},
		{"acetylfentanyl", true},
		{"isotonitazene", true},
		{"N-pyrrolidino etonitazene", true},
		{"etodesnitazene", true},
		{"metonitazene", true},
		{"brorphine", true},
		{"6-MAM", true},
		{"6-monoacetylmorphine", true},
		{"heroin", true},
		{"oxycodone", true},
		{"dihydrocodeine", true},
		{" Tramadol ", true},
		{"Opioids (broad screen)", true},
		{"opiates", true},
		{"Opiate screen", true},
		{"opium", true},
		{"Co-codamol", true},
		{"co-dydramol", true},
		{"OxyContin", true},
		{"Oramorph", true},
		{"Zomorph", true},
		{"Palexia", true},
		{"Durogesic patch", true},
		{"kratom (mitragynine)", true},
		{"buprenorphine", false},
		{"Opioids: methadone only", false},
		{"hydroxyzine", false},
		{"norbuprenorphine", false},
		{"methadone", false},
		{"EDDP (methadone metabolite)", false},
		{"pregabalin", false},
		{"gabapentin", false},
		{"xylazine", false},
		{"ketamine", false},
		{"synthetic cannabinoids", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IllicitOpioid(tt.name); got != tt.want {
			t.Errorf("IllicitOpioid(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
