package dispensing

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/problem"
)

func TestOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o                        Outcome
		valid, taken, recordable bool
	}{
		{Supervised, true, true, true},
		{Collected, true, true, true},
		{Withheld, true, false, true},
		{Refused, true, false, true},
		{Missed, true, false, false},
		{"", false, false, false},
		{"Supervised", false, false, false},
		{"take_home", false, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.o), func(t *testing.T) {
			t.Parallel()
			if got := tt.o.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
			if got := tt.o.Taken(); got != tt.taken {
				t.Errorf("Taken() = %v, want %v", got, tt.taken)
			}
			if got := RecordableByPharmacist(tt.o); got != tt.recordable {
				t.Errorf("RecordableByPharmacist() = %v, want %v", got, tt.recordable)
			}
		})
	}
}

func TestWithheldReasonValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    WithheldReason
		want bool
	}{
		{ReasonIntoxicated, true}, {ReasonIdentityNotConfirmed, true}, {ReasonBehaviour, true}, {ReasonOther, true},
		{"", false}, {"drunk", false}, {"Intoxicated", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.r), func(t *testing.T) {
			t.Parallel()
			if got := tt.r.Valid(); got != tt.want {
				t.Errorf("Valid() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidateRecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		o          Outcome
		r          WithheldReason
		notes      string
		correction bool
		identity   bool
		wantFields []string // "field/rule"
	}{
		{name: "supervised", o: Supervised},
		{name: "collected", o: Collected},
		{name: "refused", o: Refused},
		{name: "withheld intoxicated", o: Withheld, r: ReasonIntoxicated},
		{name: "withheld other", o: Withheld, r: ReasonOther, notes: "came in with a dog that bit the locum"},
		{name: "withheld other without notes", o: Withheld, r: ReasonOther, wantFields: []string{"notes/required"}},
		{name: "withheld other with blank notes", o: Withheld, r: ReasonOther, notes: " \n\t ", wantFields: []string{"notes/required"}},
		// Left out, a correction's notes are the corrected record's, if
		// withheld for the same reason: the store checks them then.
		{name: "correction to withheld other leaving notes out", o: Withheld, r: ReasonOther, correction: true},
		{name: "correction to withheld other with blank notes", o: Withheld, r: ReasonOther, notes: " ", correction: true, wantFields: []string{"notes/required"}},
		{name: "withheld behaviour without notes", o: Withheld, r: ReasonBehaviour},
		{name: "withheld without reason", o: Withheld, wantFields: []string{"reason/S3"}},
		{name: "withheld bad reason", o: Withheld, r: "drunk", wantFields: []string{"reason/S3"}},
		{name: "reason on supervised", o: Supervised, r: ReasonBehaviour, wantFields: []string{"reason/S1"}},
		{name: "missed by pharmacist", o: Missed, wantFields: []string{"outcome/S1"}},
		{name: "missed as correction", o: Missed, correction: true},
		{name: "unknown outcome", o: "take_home", wantFields: []string{"outcome/S1"}},
		{name: "withheld identity not confirmed", o: Withheld, r: ReasonIdentityNotConfirmed},
		{name: "withheld identity not confirmed with identity confirmed", o: Withheld, r: ReasonIdentityNotConfirmed, identity: true,
			wantFields: []string{"identity_confirmed/S1"}},
		{name: "correction to withheld identity not confirmed with identity confirmed", o: Withheld, r: ReasonIdentityNotConfirmed,
			identity: true, correction: true, wantFields: []string{"identity_confirmed/S1"}},
		{name: "withheld intoxicated with identity confirmed", o: Withheld, r: ReasonIntoxicated, identity: true},
		{name: "supervised with identity confirmed", o: Supervised, identity: true},
		{name: "empty outcome with reason", o: "", r: ReasonOther, wantFields: []string{"outcome/S1", "reason/S1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateRecord(tt.o, tt.r, tt.identity, tt.notes, tt.correction)
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("ValidateRecord() = %v, want nil", err)
				}
				return
			}
			pe, ok := problem.As(err)
			if !ok || pe.Code != problem.Invalid {
				t.Fatalf("ValidateRecord() = %v, want an invalid problem", err)
			}
			var got []string
			for _, f := range pe.Fields {
				got = append(got, f.Field+"/"+f.Rule)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantFields, ",") {
				t.Errorf("fields = %v, want %v", got, tt.wantFields)
			}
		})
	}
}

func TestStateOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o         Outcome
		blocked   bool
		elsewhere bool
		want      State
	}{
		{"", false, false, StateDue},
		{"", true, false, StateBlocked},
		{"", false, true, StateSuppliedElsewhere},
		// The dose was given on another line: nothing is due to block.
		{"", true, true, StateSuppliedElsewhere},
		{Supervised, false, false, StateSupervised},
		{Collected, false, false, StateCollected},
		{Missed, true, false, StateMissed},
		{Withheld, true, false, StateWithheld},
		{Refused, false, false, StateRefused},
		// A record on the line itself says what became of it.
		{Missed, false, true, StateMissed},
		{"bogus", false, false, StateDue},
	}
	for _, tt := range tests {
		name := string(tt.o) + "/" + map[bool]string{true: "blocked", false: "open"}[tt.blocked] + map[bool]string{true: "/elsewhere", false: ""}[tt.elsewhere]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := StateOf(tt.o, tt.blocked, tt.elsewhere)
			if got != tt.want {
				t.Errorf("StateOf() = %q, want %q", got, tt.want)
			}
			if !got.Valid() {
				t.Errorf("%q is not a valid state", got)
			}
		})
	}
	if State("closed").Valid() {
		t.Error(`State("closed").Valid() = true`)
	}
}

func TestMissedAtClose(t *testing.T) {
	t.Parallel()
	closing := calendar.MustParse("2026-03-29") // clock change day, an ordinary date
	tests := []struct {
		name    string
		date    string
		current Outcome
		want    bool
	}{
		{"due today, nothing recorded", "2026-03-29", "", true},
		{"earlier day never closed", "2026-03-27", "", true},
		{"due today, supervised", "2026-03-29", Supervised, false},
		{"due today, withheld", "2026-03-29", Withheld, false},
		{"tomorrow", "2026-03-30", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := MissedAtClose(calendar.MustParse(tt.date), closing, tt.current); got != tt.want {
				t.Errorf("MissedAtClose() = %v, want %v", got, tt.want)
			}
		})
	}
}

// at is a time on 2026-10-25, the day the clocks go back in the UK; events
// are ordered by instant, so the repeated 01:00–02:00 hour does not matter.
func at(hhmm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", "2026-10-25 "+hhmm)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCurrentOutcome(t *testing.T) {
	t.Parallel()
	orig := Event{ID: "e1", Outcome: Missed, CreatedAt: at("23:59")}
	tests := []struct {
		name   string
		events []Event
		want   Outcome
		wantID string
		wantOK bool
	}{
		{name: "no events"},
		{name: "only corrections", events: []Event{{ID: "e2", Outcome: Supervised, CorrectsID: "e1", CreatedAt: at("10:00")}}},
		{name: "original only", events: []Event{orig}, want: Missed, wantID: "e1", wantOK: true},
		{
			name: "missed corrected to supervised",
			events: []Event{orig,
				{ID: "e2", Outcome: Supervised, CorrectsID: "e1", CreatedAt: at("23:59").Add(10 * time.Hour)}},
			want: Supervised, wantID: "e2", wantOK: true,
		},
		{
			name: "correction of a correction, listed first",
			events: []Event{
				{ID: "e3", Outcome: Withheld, Reason: ReasonIntoxicated, CorrectsID: "e2", CreatedAt: at("23:59").Add(12 * time.Hour)},
				{ID: "e2", Outcome: Supervised, CorrectsID: "e1", CreatedAt: at("23:59").Add(10 * time.Hour)},
				orig},
			want: Withheld, wantID: "e3", wantOK: true,
		},
		{
			name: "latest by time wins, not the deepest",
			events: []Event{orig,
				{ID: "e2", Outcome: Supervised, CorrectsID: "e1", CreatedAt: at("23:59").Add(12 * time.Hour)},
				{ID: "e3", Outcome: Refused, CorrectsID: "e1", CreatedAt: at("23:59").Add(11 * time.Hour)}},
			want: Supervised, wantID: "e2", wantOK: true,
		},
		{
			name: "tie on time: later in slice wins",
			events: []Event{orig,
				{ID: "e2", Outcome: Refused, CorrectsID: "e1", CreatedAt: at("23:59")},
				{ID: "e3", Outcome: Collected, CorrectsID: "e1", CreatedAt: at("23:59")}},
			want: Collected, wantID: "e3", wantOK: true,
		},
		{
			name: "correction of another instalment is ignored",
			events: []Event{orig,
				{ID: "e9", Outcome: Supervised, CorrectsID: "x1", CreatedAt: at("23:59").Add(time.Hour)}},
			want: Missed, wantID: "e1", wantOK: true,
		},
		{
			name: "two originals: the earliest roots the chain",
			events: []Event{
				{ID: "late", Outcome: Refused, CreatedAt: at("12:00")},
				{ID: "early", Outcome: Supervised, CreatedAt: at("09:00")}},
			want: Supervised, wantID: "early", wantOK: true,
		},
		{
			name: "across the repeated hour",
			events: []Event{
				{ID: "e1", Outcome: Refused, CreatedAt: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)},
				{ID: "e2", Outcome: Supervised, CorrectsID: "e1", CreatedAt: time.Date(2026, 10, 25, 1, 15, 0, 0, time.FixedZone("GMT", 0)).Add(time.Hour)}},
			want: Supervised, wantID: "e2", wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := CurrentOutcome(tt.events)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("CurrentOutcome() = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
			e, ok := CurrentEvent(tt.events)
			if e.ID != tt.wantID || ok != tt.wantOK {
				t.Errorf("CurrentEvent() = %q, %v; want %q, %v", e.ID, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

// MD1 asks when a day became known as taken or not: a correction between
// two outcomes without the dose keeps the first time, one that takes the
// dose away (or gives it) starts anew.
func TestKnownSince(t *testing.T) {
	t.Parallel()
	ev := func(id, corrects string, o Outcome, hhmm string) Event {
		return Event{ID: id, CorrectsID: corrects, Outcome: o, CreatedAt: at(hhmm)}
	}
	tests := []struct {
		name   string
		events []Event
		want   string // hh:mm, "" for zero
	}{
		{"no record", nil, ""},
		{"one record", []Event{ev("a", "", Missed, "22:00")}, "22:00"},
		{"missed corrected to refused", []Event{ev("a", "", Missed, "22:00"), ev("b", "a", Refused, "23:30")}, "22:00"},
		{"supervised corrected to missed", []Event{ev("a", "", Supervised, "10:00"), ev("b", "a", Missed, "23:30")}, "23:30"},
		{"missed, supervised, missed again", []Event{ev("a", "", Missed, "09:00"), ev("b", "a", Supervised, "10:00"), ev("c", "b", Withheld, "11:00")}, "11:00"},
		{"listed out of order", []Event{ev("b", "a", Refused, "23:30"), ev("a", "", Missed, "22:00")}, "22:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := KnownSince(tt.events)
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("KnownSince = %v, want zero", got)
				}
				return
			}
			if !got.Equal(at(tt.want)) {
				t.Fatalf("KnownSince = %v, want %s", got, tt.want)
			}
		})
	}
}

// A correction to missed waits for the instalment's day to end or close,
// as a first record of missed waits for day close (S1): the patient may
// still come. Other outcomes, and days gone by, pass.
func TestCheckMissedCorrection(t *testing.T) {
	t.Parallel()
	mon, tue := d("2026-02-09"), d("2026-02-10")
	tests := []struct {
		name      string
		o         Outcome
		date      calendar.Date
		closed    bool
		wantError bool
	}{
		{"today, not closed", Missed, tue, false, true},
		{"today, closed", Missed, tue, true, false},
		{"yesterday, not closed", Missed, mon, false, false},
		{"today, to refused", Refused, tue, false, false},
		{"today, to supervised", Supervised, tue, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckMissedCorrection(tt.o, tt.date, tue, tt.closed)
			if (err != nil) != tt.wantError {
				t.Fatalf("CheckMissedCorrection = %v, want error %v", err, tt.wantError)
			}
			if err != nil {
				pe, ok := problem.As(err)
				if !ok || pe.Code != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "outcome" || pe.Fields[0].Rule != "S1" ||
					!strings.Contains(pe.Fields[0].Message, "wrong patient") {
					t.Fatalf("CheckMissedCorrection = %#v", err)
				}
			}
		})
	}
}
