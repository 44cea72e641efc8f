package dispensing

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/policy"
)

// S3, S4: only a dose withheld for intoxication and then handed over keeps
// the prescriber's alert of the withholding open.
func TestKeepsIntoxicationAlert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		from   Outcome
		reason WithheldReason
		to     Outcome
		want   bool
	}{
		{"intoxicated to supervised", Withheld, ReasonIntoxicated, Supervised, true},
		{"intoxicated to collected", Withheld, ReasonIntoxicated, Collected, true},
		{"intoxicated to withheld", Withheld, ReasonIntoxicated, Withheld, false},
		{"intoxicated to missed", Withheld, ReasonIntoxicated, Missed, false},
		{"intoxicated to refused", Withheld, ReasonIntoxicated, Refused, false},
		{"behaviour to supervised", Withheld, ReasonBehaviour, Supervised, false},
		{"identity to supervised", Withheld, ReasonIdentityNotConfirmed, Supervised, false},
		{"missed to supervised", Missed, "", Supervised, false},
		{"supervised to collected", Supervised, "", Collected, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := KeepsIntoxicationAlert(tt.from, tt.reason, tt.to); got != tt.want {
				t.Fatalf("KeepsIntoxicationAlert(%s, %q, %s) = %v, want %v", tt.from, tt.reason, tt.to, got, tt.want)
			}
		})
	}
}

func TestDosedAfterIntoxication(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name            string
		withheld, given string
		zone            *time.Location
		want            []string
	}{
		{"same day, summer time", "2026-06-01T09:00:00Z", "2026-06-01T13:00:00Z", london,
			[]string{"withheld at 10:00 because the patient was intoxicated", "now recorded supervised at 14:00"}},
		{"no zone is UTC", "2026-06-01T09:00:00Z", "2026-06-01T13:00:00Z", nil,
			[]string{"withheld at 09:00", "at 13:00"}},
		{"another day names both days", "2026-06-01T09:00:00Z", "2026-06-02T08:00:00Z", london,
			[]string{"withheld at Mon 1 Jun 2026 10:00", "at Tue 2 Jun 2026 09:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := DosedAfterIntoxication(mustRFC3339(t, tt.withheld), mustRFC3339(t, tt.given), Supervised, tt.zone)
			if f.Rule != "S3" || f.Severity != policy.Warn || !strings.Contains(f.Action, "reassessing") ||
				!strings.Contains(f.Message, "alert of the intoxication stays open") {
				t.Fatalf("finding = %+v", f)
			}
			for _, w := range tt.want {
				if !strings.Contains(f.Message, w) {
					t.Errorf("message %q lacks %q", f.Message, w)
				}
			}
		})
	}
}

func mustRFC3339(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
