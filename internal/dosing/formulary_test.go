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
