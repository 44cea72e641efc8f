package patients

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNormaliseNHSNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "9434765919", want: "9434765919"},
		{in: "943 476 5919", want: "9434765919"},
		{in: "943-476-5919", want: "9434765919"},
		{in: "  943 476 5919 ", want: "9434765919"},
		{in: "9990000018", want: "9990000018"},
		// remainder 0 gives check 11, which is written 0
		{in: "9990000050", want: "9990000050"},
		// 123456789 gives check 10: no last digit can make it valid
		{in: "1234567890", wantErr: `NHS number "1234567890" is not valid: its first nine digits fail the Modulus 11 check; check it was typed correctly`},
		{in: "9434765918", wantErr: `NHS number "9434765918" is not valid: its last digit does not match the first nine (Modulus 11 check); check it was typed correctly`},
		{in: "943476591", wantErr: "must be 10 digits"},
		{in: "94347659190", wantErr: "must be 10 digits"},
		{in: "", wantErr: "must be 10 digits"},
		{in: "943.476.5919", wantErr: "only digits"},
		{in: "943476591O", wantErr: "only digits"},
		{in: "9990000001", wantErr: "its first nine digits fail the Modulus 11 check"},
		{in: "9990000019", wantErr: "its last digit does not match"},
		// One digit ten times passes Modulus 11 (RefusePlaceholder refuses
		// recording one).
		{in: "111 111 1111", want: "1111111111"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := NormaliseNHSNumber(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormaliseNHSNumber(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormaliseNHSNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatNHSNumber(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"9434765919", "943 476 5919"},
		{"943-476-5919", "943 476 5919"},
		{"1234567890", "1234567890"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := FormatNHSNumber(tt.in); got != tt.want {
				t.Errorf("FormatNHSNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTestNHSNumberSequence(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for seq := range 50 {
		n := TestNHSNumber(seq)
		if !strings.HasPrefix(n, "999") {
			t.Fatalf("TestNHSNumber(%d) = %s, not a test number", seq, n)
		}
		if _, err := NormaliseNHSNumber(n); err != nil {
			t.Fatalf("TestNHSNumber(%d) = %s: %v", seq, n, err)
		}
		if seen[n] {
			t.Fatalf("TestNHSNumber(%d) = %s repeats", seq, n)
		}
		seen[n] = true
	}
	if TestNHSNumber(0) != "9990000018" {
		t.Errorf("first test number = %s", TestNHSNumber(0))
	}
	if TestNHSNumber(-1) != TestNHSNumber(1) {
		t.Error("negative seq must still give a valid test number")
	}
	// base 999000000 has no check digit, so seq 0 is base 1.
	if TestNHSNumber(1) != "9990000026" {
		t.Errorf("second test number = %s", TestNHSNumber(1))
	}
}

func TestRiskFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flags RiskFlags
		want  bool
	}{
		{"none", RiskFlags{}, false},
		{"benzodiazepines", RiskFlags{Benzodiazepines: true}, true},
		{"alcohol", RiskFlags{Alcohol: true}, true},
		{"other risks only", RiskFlags{CardiacQTc: true, Injecting: true, RecentOverdose: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.flags.SedativeRisk(); got != tt.want {
				t.Errorf("SedativeRisk() = %v", got)
			}
		})
	}
	b, _ := json.Marshal(RiskFlags{CardiacQTc: true})
	want := `{"benzodiazepines":false,"alcohol":false,"cardiac_qtc":true,"children_in_household":false,"recent_overdose":false,"recent_prison_release":false,"injecting":false}`
	if string(b) != want {
		t.Errorf("json = %s", b)
	}
}

// One digit ten times passes Modulus 11 but is a placeholder; 999 999 9999
// is in the test range and stays valid.
func TestRefusePlaceholder(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		refused bool
	}{
		{"0000000000", true}, {"1111111111", true}, {"4444444444", true},
		{"9999999999", false}, {"9434765919", false}, {"9990000018", false},
	} {
		err := RefusePlaceholder(tt.in)
		if got := err != nil; got != tt.refused {
			t.Errorf("RefusePlaceholder(%q) = %v, want refused %v", tt.in, err, tt.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "a number of one repeated digit is a placeholder") {
			t.Errorf("RefusePlaceholder(%q) = %v", tt.in, err)
		}
	}
}
