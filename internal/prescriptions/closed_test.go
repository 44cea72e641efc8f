package prescriptions

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestClosedDayFinding(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	tests := []struct {
		name  string
		dates []string
		want  string
	}{
		{name: "one date", dates: []string{"2026-12-23"}, want: "closed on 2026-12-23, when an instalment is due on prescription RX-7"},
		{name: "two dates", dates: []string{"2026-12-23", "2026-12-24"}, want: "closed on 2026-12-23 and 2026-12-24, when instalments are due"},
		{name: "three dates", dates: []string{"2026-12-22", "2026-12-23", "2026-12-24"}, want: "2026-12-22, 2026-12-23 and 2026-12-24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ds []calendar.Date
			for _, s := range tt.dates {
				ds = append(ds, calendar.MustParse(s))
			}
			f := ClosedDayFinding(n, "RX-7", "Market Square Pharmacy", ds)
			if f.Rule != "L8" || f.Severity != policy.SeverityOf("L8") {
				t.Errorf("finding %+v, want L8 at its table severity", f)
			}
			if !strings.Contains(f.Message, tt.want) || !strings.HasPrefix(f.Message, "Market Square Pharmacy is now closed") {
				t.Errorf("message %q does not say %q", f.Message, tt.want)
			}
			if !strings.Contains(f.Action, "A new prescription is needed") || !strings.Contains(f.Action, "cancel RX-7") {
				t.Errorf("action %q", f.Action)
			}
		})
	}
}
