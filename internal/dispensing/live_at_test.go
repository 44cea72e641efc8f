package dispensing

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
)

// A prescription cancelled by a same-day dose change was in force until
// then: a dose given before the cancellation, on the instalment's day, is
// recorded on it (LiveAt); a dose given after it, or with no time, is not.
func TestLiveAt(t *testing.T) {
	t.Parallel()
	london := londonZone(t)
	cancelled := mustTime(t, "2026-12-03T08:01:07Z")
	tests := []struct {
		name      string
		cancelled time.Time
		given     string
		day       string
		want      bool
	}{
		{name: "given before the cancellation, on the day", cancelled: cancelled, given: "2026-12-03T08:00:55Z", day: "2026-12-03", want: true},
		{name: "given at the cancellation", cancelled: cancelled, given: "2026-12-03T08:01:07Z", day: "2026-12-03"},
		{name: "given after it", cancelled: cancelled, given: "2026-12-03T08:02:00Z", day: "2026-12-03"},
		{name: "no time given", cancelled: cancelled, day: "2026-12-03"},
		{name: "not known when cancelled", given: "2026-12-03T08:00:55Z", day: "2026-12-03"},
		{name: "a time on another day than the instalment's", cancelled: cancelled, given: "2026-12-02T20:00:00Z", day: "2026-12-03"},
		{name: "the local day, not UTC's (BST)", cancelled: mustTime(t, "2026-06-03T08:00:00Z"), given: "2026-06-02T23:30:00Z", day: "2026-06-03", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var given time.Time
			if tt.given != "" {
				given = mustTime(t, tt.given)
			}
			if got := LiveAt(tt.cancelled, given, d(tt.day), london); got != tt.want {
				t.Fatalf("LiveAt() = %v, want %v", got, tt.want)
			}
		})
	}
}

// CanRecord on the instalment of a prescription cancelled that day: a
// supply given before the cancellation is allowed; after it, or a record
// handing nothing over, is refused as before, the message saying when it
// was cancelled and how to record a dose given before then.
func TestCanRecordOnAPrescriptionCancelledThatDay(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	cancelled := mustTime(t, "2026-12-03T08:01:07Z")
	tests := []struct {
		name       string
		outcome    Outcome
		given      string
		correction bool
		current    Outcome
		wantRules  []string
		wantText   string
	}{
		{name: "supervised before the cancellation", outcome: Supervised, given: "2026-12-03T08:00:55Z"},
		{name: "supervised after it", outcome: Supervised, given: "2026-12-03T08:02:00Z", wantRules: []string{"L3"},
			wantText: "cancelled at 2026-12-03T08:01:07Z"},
		{name: "supervised with no time", outcome: Supervised, wantRules: []string{"L3"}, wantText: "cancelled at 2026-12-03T08:01:07Z"},
		{name: "withheld before the cancellation hands nothing over", outcome: Withheld, given: "2026-12-03T08:00:55Z",
			wantRules: []string{"L3"}, wantText: "was cancelled"},
		{name: "a correction missed to supervised before the cancellation", outcome: Supervised, given: "2026-12-03T08:00:55Z",
			correction: true, current: Missed},
		{name: "a correction missed to supervised after it", outcome: Supervised, given: "2026-12-03T09:00:00Z",
			correction: true, current: Missed, wantRules: []string{"L3"}},
		// A correction keeping the dose given moves no dose, but its time
		// is when the dose was handed over: not after the cancellation.
		{name: "a correction supervised to supervised, moved past the cancellation", outcome: Supervised, given: "2026-12-03T08:20:10Z",
			correction: true, current: Supervised, wantRules: []string{"L3"}, wantText: "cancelled at 2026-12-03T08:01:07Z"},
		{name: "a correction supervised to supervised with no time", outcome: Supervised,
			correction: true, current: Supervised, wantRules: []string{"L3"}, wantText: "cancelled at 2026-12-03T08:01:07Z"},
		{name: "a correction supervised to supervised, still before the cancellation", outcome: Supervised, given: "2026-12-03T08:00:30Z",
			correction: true, current: Supervised},
		{name: "a correction collected to supervised, moved past the cancellation", outcome: Supervised, given: "2026-12-03T08:20:10Z",
			correction: true, current: Collected, wantRules: []string{"L3"}},
		{name: "a correction supervised to withheld hands nothing over", outcome: Withheld, given: "2026-12-03T08:20:10Z",
			correction: true, current: Supervised},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var given time.Time
			if tt.given != "" {
				given = mustTime(t, tt.given)
			}
			got := CanRecord(n, RecordInput{Today: d("2026-12-03"), InstalmentDate: d("2026-12-03"), PrescriptionStatus: prescriptions.StatusCancelled,
				PrescribedOn: d("2026-12-03"), CancelledOn: calendar.DateOf(cancelled, time.UTC), CancelledAt: cancelled, Given: given,
				Outcome: tt.outcome, Supervised: dosing.Mg(20), Correction: tt.correction, Current: tt.current})
			var rules []string
			for _, f := range got {
				rules = append(rules, f.Rule)
			}
			if !slices.Equal(rules, tt.wantRules) {
				t.Fatalf("CanRecord() rules = %v, want %v (%+v)", rules, tt.wantRules, got)
			}
			if tt.wantText != "" && !strings.Contains(got[0].Message, tt.wantText) {
				t.Fatalf("message %q lacks %q", got[0].Message, tt.wantText)
			}
		})
	}
}

// A prescription cancelled on a day after the instalment's (a dose change
// reissuing the days from tomorrow) was live all of that day: a
// correction keeping the dose given may move its time freely within it.
func TestCorrectionKeepingTheDoseOnAPrescriptionCancelledLater(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	cancelled := mustTime(t, "2026-12-04T08:01:07Z")
	for _, current := range []Outcome{Supervised, Collected} {
		got := CanRecord(n, RecordInput{Today: d("2026-12-04"), InstalmentDate: d("2026-12-03"), PrescriptionStatus: prescriptions.StatusCancelled,
			PrescribedOn: d("2026-12-03"), CancelledOn: calendar.DateOf(cancelled, time.UTC), CancelledAt: cancelled,
			Given: mustTime(t, "2026-12-03T20:00:00Z"), Outcome: Supervised, Supervised: dosing.Mg(20), Correction: true, Current: current})
		if len(got) != 0 {
			t.Fatalf("CanRecord() from %s = %+v, want none", current, got)
		}
	}
}
