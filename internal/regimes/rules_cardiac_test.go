package regimes

import (
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestCardiacRiskAtStart(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	methadone, _ := dosing.LookupMedicine("methadone_oral_solution_1mg_ml")
	bup, _ := dosing.LookupMedicine("buprenorphine_sublingual_tablets")
	start := calendar.MustParse("2026-03-10")
	tests := []struct {
		name    string
		med     dosing.Medicine
		flagged bool
		ecg     string
		warn    bool
	}{
		{"flag, no ECG", methadone, true, "", true},
		{"flag, recent ECG", methadone, true, "2026-02-01", false},
		{"flag, ECG older than the M4 interval", methadone, true, "2025-08-01", true},
		{"no flag", methadone, false, "", false},
		{"buprenorphine", bup, true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ecg calendar.Date
			if tt.ecg != "" {
				ecg = calendar.MustParse(tt.ecg)
			}
			got := CardiacRiskAtStart(n, tt.med, tt.flagged, ecg, start)
			if (len(got) > 0) != tt.warn || len(got) > 0 && (got[0].Rule != "M4" || got[0].Severity != policy.Warn) {
				t.Fatalf("findings %v, want a warning: %v", got, tt.warn)
			}
		})
	}
}
