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
		{"buprenorphine", false},
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
