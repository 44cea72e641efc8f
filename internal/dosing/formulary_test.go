package dosing

import "testing"

func TestUnitSymbol(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		CodeMethadone: "ml", CodeBuprenorphineSL: "mg", CodeBuprenorphineNalSL: "mg", CodeEspranor: "mg",
		CodeBuvidalWeekly: "mg", CodeBuvidalMonthly: "mg",
	}
	for _, m := range Formulary() {
		if got := m.UnitSymbol(); got != want[m.Code] {
			t.Errorf("%s: UnitSymbol() = %q, want %q", m.Code, got, want[m.Code])
		}
	}
	if len(Formulary()) != len(want) {
		t.Errorf("the formulary has %d products; this test knows %d", len(Formulary()), len(want))
	}
}

// An amount sent home reads the same in every message: mg, and the
// volume too for methadone solution.
func TestAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		dose Micrograms
		want string
	}{
		{CodeMethadone, Mg(140), "140 mg (140 ml)"},
		{CodeMethadone, Micrograms(2500), "2.5 mg (2.5 ml)"},
		{CodeBuprenorphineSL, Mg(24), "24 mg"},
		{CodeBuvidalMonthly, Mg(128), "128 mg"},
	}
	for _, tt := range tests {
		m, _ := LookupMedicine(tt.code)
		if got := m.Amount(tt.dose); got != tt.want {
			t.Errorf("%s: Amount(%s) = %q, want %q", tt.code, tt.dose, got, tt.want)
		}
	}
}

// Whole sublingual units make a daily dose in steps of the strengths'
// greatest common divisor; methadone solution is measured in steps of
// 0.1 ml; Buvidal has no such step.
func TestMakeable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		dose Micrograms
		step Micrograms
		ok   bool
	}{
		{CodeBuprenorphineSL, 14_000, 400, true},
		{CodeBuprenorphineSL, 14_400, 400, true},
		{CodeBuprenorphineSL, 14_300, 400, false},
		{CodeBuprenorphineSL, 400, 400, true},
		{CodeBuprenorphineNalSL, 12_000, 2_000, true},
		{CodeBuprenorphineNalSL, 13_000, 2_000, false},
		{CodeEspranor, 10_000, 2_000, true},
		{CodeEspranor, 3_000, 2_000, false},
		{CodeMethadone, 32_500, 100, true},
		{CodeMethadone, 100, 100, true},
		{CodeMethadone, 1, 100, false},
		{CodeMethadone, 32_550, 100, false},
		{CodeBuvidalWeekly, 20_000, 0, true}, // BV1's to judge
	}
	for _, tt := range tests {
		m, ok := LookupMedicine(tt.code)
		if !ok {
			t.Fatalf("no %s", tt.code)
		}
		if got := m.SmallestStep(); got != tt.step {
			t.Errorf("%s SmallestStep() = %v, want %v", tt.code, got, tt.step)
		}
		if got := m.Makeable(tt.dose); got != tt.ok {
			t.Errorf("%s Makeable(%v) = %v, want %v", tt.code, tt.dose, got, tt.ok)
		}
	}
}
