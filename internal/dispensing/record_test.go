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
	"github.com/dosebook/dosebook/internal/problem"
)

func TestCanRecord(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	block, ok := MD1Block(n, seq("2026-10-23", Missed, Missed, Missed, ""), d("2026-10-26"), noReview, nil)
	if !ok {
		t.Fatal("test block not built")
	}
	const today = "2026-10-25" // clocks go back: an ordinary civil day here
	tests := []struct {
		name       string
		date       string
		status     prescriptions.Status
		outcome    Outcome
		block      *Block
		correction bool
		current    Outcome // before the correction
		// prescribed defaults to the day before; cancelled and supplied
		// (the first taken instalment) to none.
		prescribed, cancelled, supplied string
		// supervised and takeHome are the instalment's amounts in mg; both
		// zero means a take-home instalment of 30 mg.
		supervised, takeHome int64
		wantRules            []string
		wantText             string
	}{
		{name: "supervised on the day", date: today, outcome: Supervised},
		{name: "collected on the day", date: today, outcome: Collected},
		{name: "withheld on the day", date: today, outcome: Withheld},
		{name: "before the date", date: "2026-10-26", outcome: Collected, wantRules: []string{"L3"}, wantText: "before the date on the prescription"},
		// Nothing is supplied: the record is for the instalment's day (S1).
		{name: "refusal before the date", date: "2026-10-26", outcome: Refused, wantRules: []string{"S1"}, wantText: "a dose is refused only on its own day"},
		{name: "withheld before the date", date: "2026-10-26", outcome: Withheld, wantRules: []string{"S1"}},
		{name: "supply on a past day", date: "2026-10-24", outcome: Supervised, wantRules: []string{"MD4"}, wantText: "never supplied later"},
		{name: "collection on a past day", date: "2026-03-29", outcome: Collected, wantRules: []string{"MD4"}},
		{name: "refused recorded late", date: "2026-10-24", outcome: Refused},
		{name: "withheld recorded late", date: "2026-10-24", outcome: Withheld},
		{name: "draft", date: today, status: prescriptions.StatusDraft, outcome: Supervised, wantRules: []string{"L1"}, wantText: "draft"},
		{name: "cancelled", date: today, status: prescriptions.StatusCancelled, outcome: Supervised, wantRules: []string{"L3"}, wantText: "cancelled"},
		{name: "expired, even for a refusal", date: today, status: prescriptions.StatusExpired, outcome: Refused, wantRules: []string{"L3"}, wantText: "expired"},
		{name: "completed", date: today, status: prescriptions.StatusCompleted, outcome: Collected, wantRules: []string{"L3"}, wantText: "completed"},
		{name: "unknown status", date: today, status: "paused", outcome: Collected, wantRules: []string{"L3"}, wantText: `"paused"`},
		{name: "blocked supply", date: today, outcome: Supervised, block: &block, wantRules: []string{"MD1"}, wantText: "Do not dispense"},
		{name: "blocked collection", date: today, outcome: Collected, block: &block, wantRules: []string{"MD1"}},
		{name: "withheld on a blocked day", date: today, outcome: Withheld, block: &block},
		{name: "refused on a blocked day", date: today, outcome: Refused, block: &block},
		{
			name: "everything wrong at once", date: "2026-10-20", status: prescriptions.StatusCancelled,
			outcome: Supervised, block: &block, wantRules: []string{"L3", "MD4", "MD1"},
		},
		{name: "correction missed to supervised next day", date: "2026-10-24", outcome: Supervised, correction: true, current: Missed},
		{name: "correction before the date", date: "2026-10-26", outcome: Supervised, correction: true, current: Withheld, wantRules: []string{"L3"}},
		{name: "correction to missed before the date", date: "2026-10-26", outcome: Missed, correction: true, current: Withheld, wantRules: []string{"S1"}},

		// A correction that turns a day into a supply meets a supply's checks.
		{name: "correction withheld to supervised while blocked", date: today, outcome: Supervised, correction: true, current: Withheld,
			block: &block, wantRules: []string{"MD1"}, wantText: "On 2026-10-25, Do not dispense"},
		{name: "correction missed to collected on a past blocked day", date: "2026-10-22", outcome: Collected, correction: true, current: Missed,
			block: &block, wantRules: []string{"MD1"}},
		{name: "correction to supervised on an expired prescription while blocked", date: "2026-10-20", status: prescriptions.StatusExpired,
			outcome: Collected, correction: true, current: Missed, block: &block, wantRules: []string{"L3", "MD1"}},
		{name: "correction to supervised, cancelled on the instalment's day", date: "2026-10-24", status: prescriptions.StatusCancelled,
			cancelled: "2026-10-24", outcome: Supervised, correction: true, current: Withheld, wantRules: []string{"L3"}, wantText: "cancelled"},
		{name: "correction to supervised, cancelled before the instalment", date: "2026-10-24", status: prescriptions.StatusCancelled,
			cancelled: "2026-10-20", outcome: Supervised, correction: true, current: Missed, wantRules: []string{"L3"}},
		{name: "correction to supervised, cancelled after the instalment", date: "2026-10-24", status: prescriptions.StatusCancelled,
			cancelled: "2026-10-25", outcome: Supervised, correction: true, current: Missed},
		{name: "correction to supervised, cancelled on an unknown day", date: "2026-10-24", status: prescriptions.StatusCancelled,
			outcome: Supervised, correction: true, current: Missed, wantRules: []string{"L3"}},

		// Corrections that hand nothing over stay allowed.
		{name: "correction supervised to missed while blocked", date: today, outcome: Missed, correction: true, current: Supervised, block: &block},
		{name: "correction of a withheld reason while blocked", date: today, outcome: Withheld, correction: true, current: Withheld, block: &block},
		{name: "correction supervised to collected while blocked", date: today, outcome: Collected, correction: true, current: Supervised, block: &block},
		{name: "correction to refused on a cancelled prescription", date: "2026-10-24", status: prescriptions.StatusCancelled,
			outcome: Refused, correction: true, current: Supervised},
		{name: "correction to missed on a lapsed prescription", date: today, prescribed: "2026-09-20", outcome: Missed, correction: true, current: Collected},

		// S7: the outcome fits the instalment's supervision, for first
		// records and corrections alike.
		{name: "supervised dose supervised", date: today, supervised: 30, outcome: Supervised},
		{name: "supervised dose collected", date: today, supervised: 30, outcome: Collected,
			wantRules: []string{"S7"}, wantText: "cannot be recorded as collected"},
		{name: "supervised with take-home part collected", date: today, supervised: 30, takeHome: 30, outcome: Collected,
			wantRules: []string{"S7"}, wantText: "take-home part"},
		{name: "supervised with take-home part supervised", date: today, supervised: 30, takeHome: 30, outcome: Supervised},
		{name: "take-home dose collected", date: today, takeHome: 30, outcome: Collected},
		{name: "take-home dose supervised", date: today, takeHome: 30, outcome: Supervised},
		{name: "supervised dose withheld", date: today, supervised: 30, outcome: Withheld},
		{name: "supervised dose refused", date: today, supervised: 30, outcome: Refused},
		{name: "supervised dose collected while blocked", date: today, supervised: 30, outcome: Collected, block: &block,
			wantRules: []string{"S7", "MD1"}},
		{name: "supervised dose collected before the date", date: "2026-10-26", supervised: 30, outcome: Collected,
			wantRules: []string{"L3", "S7"}},
		{name: "correction supervised to collected of a supervised dose", date: today, supervised: 30, outcome: Collected,
			correction: true, current: Supervised, wantRules: []string{"S7"}},
		{name: "correction missed to collected of a supervised dose", date: "2026-10-24", supervised: 30, outcome: Collected,
			correction: true, current: Missed, wantRules: []string{"S7"}},
		{name: "correction collected to supervised of a supervised dose", date: today, supervised: 30, outcome: Supervised,
			correction: true, current: Collected},
		{name: "correction collected to missed of a supervised dose", date: today, supervised: 30, outcome: Missed,
			correction: true, current: Collected},
		{name: "correction supervised to collected of a take-home dose", date: today, takeHome: 30, outcome: Collected,
			correction: true, current: Supervised},

		// L3: the first instalment is supplied within 28 days of the
		// prescription date, or the prescription is void after that.
		{name: "first supply on day 28", date: today, prescribed: "2026-09-27", outcome: Supervised},
		{name: "nothing supplied by day 28", date: today, prescribed: "2026-09-26", outcome: Supervised,
			wantRules: []string{"L3"}, wantText: "no instalment was supplied within 28 days"},
		{name: "nothing supplied by day 28, refusal", date: today, prescribed: "2026-09-26", outcome: Refused, wantRules: []string{"L3"}},
		{name: "first instalment supplied in time", date: today, prescribed: "2026-09-20", supplied: "2026-10-18", outcome: Collected},
		{name: "first supply after day 28", date: today, prescribed: "2026-09-20", supplied: "2026-10-19", outcome: Collected,
			wantRules: []string{"L3"}},
		{name: "correction making day 28 the first supply", date: "2026-10-18", prescribed: "2026-09-20", outcome: Supervised,
			correction: true, current: Missed},
		{name: "correction making day 29 the first supply", date: "2026-10-19", prescribed: "2026-09-20", outcome: Supervised,
			correction: true, current: Missed, wantRules: []string{"L3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status := tt.status
			if status == "" {
				status = prescriptions.StatusIssued
			}
			prescribed := d(tt.date).AddDays(-1)
			if tt.prescribed != "" {
				prescribed = d(tt.prescribed)
			}
			opt := func(s string) calendar.Date {
				if s == "" {
					return calendar.Date{}
				}
				return d(s)
			}
			supervised, takeHome := dosing.Mg(tt.supervised), dosing.Mg(tt.takeHome)
			if supervised == 0 && takeHome == 0 {
				takeHome = dosing.Mg(30)
			}
			got := CanRecord(n, RecordInput{
				Today:              d(today),
				InstalmentDate:     d(tt.date),
				PrescriptionStatus: status,
				PrescribedOn:       prescribed,
				CancelledOn:        opt(tt.cancelled),
				FirstSupply:        opt(tt.supplied),
				Outcome:            tt.outcome,
				Supervised:         supervised,
				TakeHome:           takeHome,
				Block:              tt.block,
				Correction:         tt.correction,
				Current:            tt.current,
			})
			var rules []string
			for _, f := range got {
				rules = append(rules, f.Rule)
				if f.Severity != policy.Block || f.Message == "" || f.Action == "" {
					t.Errorf("finding %+v: want a block with message and action", f)
				}
			}
			if !slices.Equal(rules, tt.wantRules) {
				t.Fatalf("CanRecord() rules = %v, want %v (%+v)", rules, tt.wantRules, got)
			}
			if tt.wantText != "" && !strings.Contains(got[0].Message, tt.wantText) {
				t.Errorf("message %q does not contain %q", got[0].Message, tt.wantText)
			}
		})
	}
}

func TestFirstInstalmentLapsed(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	tests := []struct {
		name                   string
		prescribed, supply, on string
		want                   bool
	}{
		{name: "within the 28 days", prescribed: "2026-02-01", on: "2026-03-01"},
		{name: "day 29, nothing supplied", prescribed: "2026-02-01", on: "2026-03-02", want: true},
		{name: "day 29 across a leap day", prescribed: "2028-02-01", on: "2028-03-01", want: true},
		{name: "day 28 across a leap day", prescribed: "2028-02-01", on: "2028-02-29"},
		{name: "supplied on day 28", prescribed: "2026-02-01", supply: "2026-03-01", on: "2026-03-10"},
		{name: "supplied on day 29", prescribed: "2026-02-01", supply: "2026-03-02", on: "2026-03-10", want: true},
		{name: "across the year end", prescribed: "2026-12-10", on: "2027-01-08", want: true},
		{name: "no prescription date", on: "2026-03-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var prescribed, supply calendar.Date
			if tt.prescribed != "" {
				prescribed = d(tt.prescribed)
			}
			if tt.supply != "" {
				supply = d(tt.supply)
			}
			if got := FirstInstalmentLapsed(n, prescribed, supply, d(tt.on)); got != tt.want {
				t.Fatalf("FirstInstalmentLapsed(%s, %s, %s) = %v, want %v", tt.prescribed, tt.supply, tt.on, got, tt.want)
			}
		})
	}
}

func TestOccurredAt(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		outcome Outcome
		date    string // the instalment's date
		given   string // "" when the request leaves occurred_at out
		now     string
		utc     bool // the zone is nil, read as UTC
		// issued is when the prescription was issued ("": not known) and
		// prescribedOn the date it bears ("": the date).
		issued, prescribedOn string
		// wantRule is the rule of the occurred_at field error, "" for none.
		wantRule string
	}{
		{name: "on the day", outcome: Supervised, date: "2026-12-02", given: "2026-12-02T10:00:00Z", now: "2026-12-02T10:30:00Z"},
		{name: "the day before (the tester's case)", outcome: Supervised, date: "2026-12-02", given: "2026-12-01T10:00:00Z",
			now: "2026-12-02T10:30:00Z", wantRule: "L3"},
		{name: "the last second of the day before", outcome: Collected, date: "2026-12-02", given: "2026-12-01T23:59:59Z",
			now: "2026-12-02T10:30:00Z", wantRule: "L3"},
		{name: "midnight starting the day", outcome: Collected, date: "2026-12-02", given: "2026-12-02T00:00:00Z", now: "2026-12-02T10:30:00Z"},
		{name: "withheld the day before", outcome: Withheld, date: "2026-12-02", given: "2026-12-01T18:00:00Z",
			now: "2026-12-02T10:30:00Z", wantRule: "S1"},
		{name: "refused the day before", outcome: Refused, date: "2026-12-02", given: "2026-12-01T18:00:00Z",
			now: "2026-12-02T10:30:00Z", wantRule: "S1"},
		{name: "given after its day", outcome: Supervised, date: "2026-12-02", given: "2026-12-03T09:00:00Z",
			now: "2026-12-03T09:30:00Z", wantRule: "MD4"},
		{name: "refused after its day", outcome: Refused, date: "2026-12-02", given: "2026-12-03T09:00:00Z",
			now: "2026-12-03T09:30:00Z", wantRule: "S1"},
		{name: "late record dated on its day", outcome: Supervised, date: "2026-12-02", given: "2026-12-02T11:00:00Z", now: "2026-12-05T09:30:00Z"},
		{name: "left out on the day", outcome: Supervised, date: "2026-12-02", now: "2026-12-02T15:00:00Z"},
		{name: "left out after the day", outcome: Supervised, date: "2026-12-02", now: "2026-12-03T09:00:00Z", wantRule: "S1"},
		{name: "withheld left out after the day", outcome: Withheld, date: "2026-12-02", now: "2026-12-03T09:00:00Z", wantRule: "S1"},
		{name: "missed left out after the day", outcome: Missed, date: "2026-12-02", now: "2026-12-09T09:00:00Z"},
		{name: "missed dated after the day", outcome: Missed, date: "2026-12-02", given: "2026-12-04T09:00:00Z", now: "2026-12-09T09:00:00Z"},
		{name: "within the clock-skew allowance", outcome: Supervised, date: "2026-12-02", given: "2026-12-02T10:04:59Z", now: "2026-12-02T10:00:00Z"},
		{name: "beyond the clock-skew allowance", outcome: Supervised, date: "2026-12-02", given: "2026-12-02T10:05:01Z",
			now: "2026-12-02T10:00:00Z", wantRule: "not_future"},
		{name: "missed dated before the day", outcome: Missed, date: "2026-12-02", given: "2026-12-01T23:00:00Z",
			now: "2026-12-09T09:00:00Z", wantRule: "not_before_date"},
		{name: "missed dated a century back", outcome: Missed, date: "2026-12-02", given: "1901-01-01T09:00:00Z",
			now: "2026-12-09T09:00:00Z", wantRule: "not_before_date"},
		{name: "missed marked on the day", outcome: Missed, date: "2026-12-02", given: "2026-12-02T18:00:00Z", now: "2026-12-02T18:30:00Z"},
		{name: "missed in the future", outcome: Missed, date: "2026-12-02", given: "2026-12-03T10:00:00Z",
			now: "2026-12-02T10:00:00Z", wantRule: "not_future"},

		// 29 March 2026: clocks go forward at 01:00 GMT, a 23-hour day.
		{name: "spring: 23:30 GMT the evening before", outcome: Supervised, date: "2026-03-29", given: "2026-03-28T23:30:00Z",
			now: "2026-03-29T12:00:00Z", wantRule: "L3"},
		{name: "spring: 00:30 GMT", outcome: Supervised, date: "2026-03-29", given: "2026-03-29T00:30:00Z", now: "2026-03-29T12:00:00Z"},
		{name: "spring: 23:59:59 BST", outcome: Supervised, date: "2026-03-29", given: "2026-03-29T22:59:59Z", now: "2026-03-30T09:00:00Z"},
		{name: "spring: midnight BST ends the day", outcome: Supervised, date: "2026-03-29", given: "2026-03-29T23:00:00Z",
			now: "2026-03-30T09:00:00Z", wantRule: "MD4"},
		{name: "spring: written with its offset", outcome: Collected, date: "2026-03-29", given: "2026-03-29T23:30:00+01:00", now: "2026-03-30T09:00:00Z"},
		{name: "spring: 00:30 BST the next day", outcome: Collected, date: "2026-03-29", given: "2026-03-30T00:30:00+01:00",
			now: "2026-03-30T09:00:00Z", wantRule: "MD4"},
		{name: "spring: in UTC the same instant is still the day", outcome: Collected, date: "2026-03-29", given: "2026-03-30T00:30:00+01:00",
			now: "2026-03-30T09:00:00Z", utc: true},

		// 25 October 2026: clocks go back at 01:00 GMT, a 25-hour day.
		{name: "autumn: 23:59:59 BST the evening before", outcome: Supervised, date: "2026-10-25", given: "2026-10-24T22:59:59Z",
			now: "2026-10-25T12:00:00Z", wantRule: "L3"},
		{name: "autumn: midnight BST starts the day", outcome: Supervised, date: "2026-10-25", given: "2026-10-24T23:00:00Z", now: "2026-10-25T12:00:00Z"},
		{name: "autumn: the second 01:30", outcome: Supervised, date: "2026-10-25", given: "2026-10-25T01:30:00Z", now: "2026-10-25T12:00:00Z"},
		{name: "autumn: 23:59:59 GMT", outcome: Supervised, date: "2026-10-25", given: "2026-10-25T23:59:59Z", now: "2026-10-26T09:00:00Z"},
		{name: "autumn: midnight GMT ends the day", outcome: Supervised, date: "2026-10-25", given: "2026-10-26T00:00:00Z",
			now: "2026-10-26T09:00:00Z", wantRule: "MD4"},
		{name: "autumn: in UTC 23:30 BST is still the day before", outcome: Supervised, date: "2026-10-25", given: "2026-10-24T23:30:00Z",
			now: "2026-10-25T12:00:00Z", utc: true, wantRule: "L3"},

		// Nothing is supplied before there is a prescription (L3).
		{name: "supervised before the prescription was issued (the reviewer's case)", outcome: Supervised, date: "2026-12-03",
			given: "2026-12-03T00:05:00Z", now: "2026-12-03T09:00:00Z", issued: "2026-12-03T07:01:00Z", wantRule: "L3"},
		{name: "collected a second before the issue", outcome: Collected, date: "2026-12-03",
			given: "2026-12-03T07:00:59Z", now: "2026-12-03T09:00:00Z", issued: "2026-12-03T07:01:00Z", wantRule: "L3"},
		{name: "supervised at the issue", outcome: Supervised, date: "2026-12-03",
			given: "2026-12-03T07:01:00Z", now: "2026-12-03T09:00:00Z", issued: "2026-12-03T07:01:00Z"},
		{name: "left out after the issue", outcome: Supervised, date: "2026-12-03", now: "2026-12-03T09:00:00Z", issued: "2026-12-03T07:01:00Z"},
		{name: "withheld before the issue is not a supply", outcome: Withheld, date: "2026-12-03",
			given: "2026-12-03T00:05:00Z", now: "2026-12-03T09:00:00Z", issued: "2026-12-03T07:01:00Z"},
		{name: "a day's dose under a prescription issued days before", outcome: Supervised, date: "2026-12-03",
			given: "2026-12-03T00:05:00Z", now: "2026-12-03T09:00:00Z", issued: "2026-12-01T16:00:00Z"},
		// Dated the day before it was entered: signed then (L1), so in
		// being on that day at a time not known.
		{name: "dated before the day it was issued", outcome: Supervised, date: "2026-12-02",
			given: "2026-12-02T09:00:00Z", now: "2026-12-03T09:00:00Z", issued: "2026-12-03T08:00:00Z", prescribedOn: "2026-12-02"},
		// Issued at 00:30 BST, 23:30 GMT the day before: still that day.
		{name: "issued just after local midnight", outcome: Supervised, date: "2026-10-24",
			given: "2026-10-23T23:15:00Z", now: "2026-10-24T09:00:00Z", issued: "2026-10-23T23:30:00Z", prescribedOn: "2026-10-24", wantRule: "L3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := OccurredInput{Outcome: tt.outcome, InstalmentDate: d(tt.date), Now: mustTime(t, tt.now), Zone: london}
			if tt.given != "" {
				in.Given = mustTime(t, tt.given)
			}
			if tt.utc {
				in.Zone = nil
			}
			if tt.issued != "" {
				in.IssuedAt, in.PrescribedOn = mustTime(t, tt.issued), calendar.DateOf(mustTime(t, tt.issued), london)
			}
			if tt.prescribedOn != "" {
				in.PrescribedOn = d(tt.prescribedOn)
			}
			at, err := OccurredAt(in)
			if tt.wantRule == "" {
				if err != nil {
					t.Fatalf("OccurredAt() = %v", err)
				}
				want := in.Given
				if want.IsZero() {
					want = in.Now
				}
				if !at.Equal(want) {
					t.Fatalf("OccurredAt() = %s, want %s", at, want)
				}
				return
			}
			pe, ok := problem.As(err)
			if !ok || pe.Code != problem.Invalid || len(pe.Fields) != 1 {
				t.Fatalf("OccurredAt() = %v, want one invalid field", err)
			}
			if f := pe.Fields[0]; f.Field != "occurred_at" || f.Rule != tt.wantRule || f.Message == "" {
				t.Fatalf("field error %+v, want occurred_at %s", f, tt.wantRule)
			}
		})
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
