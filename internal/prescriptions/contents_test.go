package prescriptions

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/policy"
)

func TestPatientAddressFinding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		address  string
		issuing  bool
		want     bool
		severity policy.Severity
	}{
		{"address, issuing", "1 Canal Row, Worcester", true, false, ""},
		{"no fixed abode, issuing", NoFixedAbode, true, false, ""},
		{"none, issuing", "", true, true, policy.Block},
		{"spaces, issuing", " \n\t", true, true, policy.Block},
		{"none, draft", "", false, true, policy.Warn},
		{"address, draft", "Room 4, 30 Bath Road", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := PatientAddressFinding(tt.address, tt.issuing)
			if ok != tt.want {
				t.Fatalf("ok = %v, want %v", ok, tt.want)
			}
			if !ok {
				return
			}
			if f.Rule != "L2" || f.Severity != tt.severity || !strings.Contains(f.Action, "No fixed abode") ||
				!strings.Contains(f.Message, "reg 15(1)(e)") {
				t.Errorf("finding = %+v", f)
			}
			if f.Stops(nil) != tt.issuing {
				t.Errorf("Stops = %v, want %v", f.Stops(nil), tt.issuing)
			}
		})
	}
}
