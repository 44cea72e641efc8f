package prescriptions

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestPrescribedBeforeRecords(t *testing.T) {
	t.Parallel()
	const today, registered, recorded = "2026-06-10", "2026-06-01", "2026-06-05"
	tests := []struct {
		name       string
		prescribed string
		registered string
		recorded   string
		wantRule   string
		wantSays   string
	}{
		{"today", today, registered, recorded, "", ""},
		{"on the day the regime was recorded", recorded, registered, recorded, "", ""},
		{"between the records and today", "2026-06-07", registered, recorded, "", ""},
		{"before the regime was recorded", "2026-06-04", registered, recorded, "after_regime_recorded",
			"prescribed_on 2026-06-04 is before the regime it prescribes was recorded on 2026-06-05; a prescription is dated the day it is signed (L1): date it on or after 2026-06-05"},
		{"before the patient was registered", "2026-05-31", registered, recorded, "after_registration",
			"prescribed_on 2026-05-31 is before the patient was registered on 2026-06-01; a prescription is dated the day it is signed (L1): date it on or after 2026-06-05"},
		{"registered and recorded today", "2026-06-09", today, today, "after_registration", "date it on or after 2026-06-10"},
		// Records made after the caller's today (a history replayed on its
		// own clock): a prescription dated that today is signed then.
		{"dated today, records later", today, "2026-06-11", "2026-06-11", "", ""},
		{"no date", "", registered, recorded, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var prescribed calendar.Date
			if tt.prescribed != "" {
				prescribed = calendar.MustParse(tt.prescribed)
			}
			rule, why := PrescribedBeforeRecords(prescribed, calendar.MustParse(today), calendar.MustParse(tt.registered), calendar.MustParse(tt.recorded))
			if rule != tt.wantRule || !strings.Contains(why, tt.wantSays) || (tt.wantRule == "") != (why == "") {
				t.Errorf("PrescribedBeforeRecords(%s) = %q, %q; want %q saying %q", tt.prescribed, rule, why, tt.wantRule, tt.wantSays)
			}
		})
	}
}

func TestPrescribedBeforeSharedCare(t *testing.T) {
	t.Parallel()
	accepted := calendar.MustParse("2026-03-05")
	for _, tt := range []struct {
		prescribed string
		want       string
	}{
		{"2026-03-04", "after_shared_care"},
		{"2025-12-25", "after_shared_care"},
		{"2026-03-05", ""},
		{"2026-03-06", ""},
	} {
		if rule, _ := PrescribedBeforeSharedCare(calendar.MustParse(tt.prescribed), accepted); rule != tt.want {
			t.Errorf("prescribed %s, accepted %s: rule %q, want %q", tt.prescribed, accepted, rule, tt.want)
		}
	}
	if rule, _ := PrescribedBeforeSharedCare(calendar.Date{}, accepted); rule != "" {
		t.Errorf("no date given: rule %q", rule)
	}
}
