package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A prescription over L5's 30 days' supply is stopped by L6 (an FP10MDA
// covers at most 14 days), and the refusal names L5 as a warning too,
// without calling it a rule that stopped it.
func TestPrescriptionOverL5IsNamedWithL6(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-23T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(120, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20})
		for _, tt := range []struct {
			days int
			want []string
		}{
			{30, []string{"L6"}},
			{31, []string{"L6", "L5"}},
		} {
			p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions",
				map[string]any{"patient_id": pid, "start_date": "2026-11-24", "days": tt.days}), 422)
			if got := rulesOf(p); !slices.Equal(got, tt.want) {
				t.Fatalf("%d days: rules %v, want %v", tt.days, got, tt.want)
			}
			detail := p["detail"].(string)
			if !strings.HasPrefix(detail, "L6: ") || strings.Contains(detail, "Also stopped by") {
				t.Errorf("%d days: detail %q", tt.days, detail)
			}
			if tt.days == 31 {
				l5 := p["rules"].([]any)[1].(map[string]any)
				if l5["severity"] != "warn" || !strings.Contains(l5["message"].(string), "supplies at most 30 days; this one supplies 31 days") {
					t.Errorf("L5 finding %v", l5)
				}
			}
		}
	})
}
