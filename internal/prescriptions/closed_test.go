package prescriptions

import (
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

func TestClosedDayFinding(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	tests := []struct {
		name  string
		dates []string
		by    Signer
		want  string
		// action says who cancels: true for every reader, service or GP.
		action string
	}{
		{name: "one date", dates: []string{"2026-12-23"}, want: "closed on 2026-12-23, when an instalment is due on prescription RX-7",
			action: "RX-7 was signed by the specialist service, which cancels it and prescribes its remaining days again, so that"},
		{name: "two dates", dates: []string{"2026-12-23", "2026-12-24"}, want: "closed on 2026-12-23 and 2026-12-24, when instalments are due",
			action: "which cancels it and prescribes its remaining days again"},
		{name: "three dates", dates: []string{"2026-12-22", "2026-12-23", "2026-12-24"}, want: "2026-12-22, 2026-12-23 and 2026-12-24",
			action: "which cancels it and prescribes its remaining days again"},
		{name: "service's, under shared care", dates: []string{"2026-12-23"}, by: Signer{SharedCare: true}, want: "closed on 2026-12-23",
			action: "RX-7 was signed by the specialist service, which cancels it and prescribes its remaining days again (or asks the GP practice to prescribe them)"},
		{name: "practice's", dates: []string{"2026-12-23"}, by: Signer{Practice: "Riverside Surgery", SharedCare: true}, want: "closed on 2026-12-23",
			action: "RX-7 was signed by Riverside Surgery, so the practice or the specialist service cancels it"},
		{name: "reissue of the practice's", dates: []string{"2026-12-23"}, by: Signer{Practice: "Riverside Surgery", Replaced: true, SharedCare: true},
			want: "closed on 2026-12-23", action: "RX-7 replaces a prescription Riverside Surgery signed, so the practice or the specialist service cancels it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ds []calendar.Date
			for _, s := range tt.dates {
				ds = append(ds, calendar.MustParse(s))
			}
			f := ClosedDayFinding(n, "RX-7", "Market Square Pharmacy", ds, tt.by)
			if f.Rule != "L8" || f.Severity != policy.SeverityOf("L8") {
				t.Errorf("finding %+v, want L8 at its table severity", f)
			}
			if !strings.Contains(f.Message, tt.want) || !strings.HasPrefix(f.Message, "Market Square Pharmacy is now closed") {
				t.Errorf("message %q does not say %q", f.Message, tt.want)
			}
			if !strings.HasPrefix(f.Action, "A new prescription is needed: ") || !strings.Contains(f.Action, tt.action) ||
				strings.Contains(f.Action, "cancel RX-7") {
				t.Errorf("action %q does not say %q, or tells every reader to cancel", f.Action, tt.action)
			}
		})
	}
}

func TestReopenedReason(t *testing.T) {
	t.Parallel()
	ds := func(ss ...string) []calendar.Date {
		var out []calendar.Date
		for _, s := range ss {
			out = append(out, calendar.MustParse(s))
		}
		return out
	}
	// Open every day but the 23rd and 24th December 2026.
	op := calendar.Opening{ClosedDates: ds("2026-12-23", "2026-12-24")}
	const head = "Castle Street Pharmacy is open again on "
	const by = " (opening changed by Tom Hughes at Castle Street Pharmacy on 2026-12-17): the "
	tests := []struct {
		name           string
		alerted, still []string
		want           string // "" when the alert stands
	}{
		{name: "the one date reopened", alerted: []string{"2026-12-22"},
			want: head + "2026-12-22" + by + "instalment of prescription RX-7 due then is no longer on a closed day."},
		{name: "both dates reopened", alerted: []string{"2026-12-21", "2026-12-22"},
			want: head + "2026-12-21 and 2026-12-22" + by + "instalments of prescription RX-7 due then are no longer on closed days."},
		{name: "one of two reopened", alerted: []string{"2026-12-22", "2026-12-23"}, still: []string{"2026-12-23"},
			want: head + "2026-12-22" + by + "instalment of prescription RX-7 due then is no longer on a closed day. The instalment on 2026-12-23 is still on a closed day, alerted on its own."},
		{name: "one of three reopened", alerted: []string{"2026-12-22", "2026-12-23", "2026-12-24"}, still: []string{"2026-12-23", "2026-12-24"},
			want: head + "2026-12-22" + by + "instalment of prescription RX-7 due then is no longer on a closed day. The instalments on 2026-12-23 and 2026-12-24 are still on closed days, alerted on their own."},
		{name: "a closed date no longer due is not named", alerted: []string{"2026-12-22", "2026-12-23"},
			want: head + "2026-12-22" + by + "instalment of prescription RX-7 due then is no longer on a closed day."},
		{name: "still closed", alerted: []string{"2026-12-23"}, still: []string{"2026-12-23"}},
		{name: "closed, no longer due", alerted: []string{"2026-12-23", "2026-12-24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ReopenedReason("RX-7", "Castle Street Pharmacy", ds(tt.alerted...), ds(tt.still...), op,
				"Tom Hughes at Castle Street Pharmacy", calendar.MustParse("2026-12-17"))
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("ReopenedReason() = %q, %v\nwant %q", got, ok, tt.want)
			}
		})
	}
}

func TestNotReissuedFindings(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	const market, high = "Market Square Pharmacy", "High Street Pharmacy"
	reduction := []DosePeriod{{From: d("2026-12-03"), DailyDose: dosing.Mg(60)}, {From: d("2026-12-10"), DailyDose: dosing.Mg(85)}}
	tests := []struct {
		name      string
		rewrite   []Rewrite
		noAddress bool
		rule      string
		message   []string
		action    []string
	}{
		{name: "closed first day", rewrite: []Rewrite{{d("2026-12-18"), d("2026-12-30"), market}}, rule: "L8",
			message: []string{"RX-7 was not reissued and still stands as written", "the dose for 2026-12-17 cannot be laid out, as the pharmacy is closed",
				"Market Square Pharmacy keeps supplying it as written — 85 mg a day, on the collection days it states, to 2026-12-30 — not as changed."},
			action: []string{"Cancel RX-7 and prescribe its remaining days again: from 2026-12-18 to 2026-12-30 (13 days) at Market Square Pharmacy.",
				"The dose for 2026-12-17 cannot be supplied"}},
		{name: "a pharmacy move: one prescription each side of it",
			rewrite: []Rewrite{{d("2026-12-18"), d("2026-12-20"), market}, {d("2026-12-21"), d("2026-12-30"), high}}, rule: "L8",
			action: []string{"again: from 2026-12-18 to 2026-12-20 (3 days) at Market Square Pharmacy and from 2026-12-21 to 2026-12-30 (10 days) at High Street Pharmacy, one prescription for each pharmacy."}},
		{name: "two days lost", rewrite: []Rewrite{{d("2026-12-19"), d("2026-12-30"), market}}, rule: "L8",
			action: []string{"The doses for 2026-12-17 to 2026-12-18 cannot be supplied"}},
		{name: "nothing left", rule: "L8", action: []string{"Cancel RX-7. None of its remaining days can be supplied."}},
		{name: "no address", noAddress: true, rewrite: []Rewrite{{d("2026-12-17"), d("2026-12-30"), market}}, rule: "L2",
			message: []string{"the patient has no address recorded", "reg 15(1)(e)", "keeps supplying it as written — 85 mg a day"},
			action:  []string{"Record the patient's address (or 'No fixed abode') on the patient record, then cancel RX-7 and prescribe its remaining days again: from 2026-12-17 to 2026-12-30 (14 days)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nr := NotReissued{Serial: "RX-7", Periods: reduction, Pharmacy: market, First: d("2026-12-17"), End: d("2026-12-30"), Rewrite: tt.rewrite}
			f := nr.Unbuildable(d("2026-12-17"), "the pharmacy is closed that day")
			if tt.noAddress {
				f = nr.NoAddress()
			}
			if f.Rule != tt.rule || f.Severity != policy.Warn {
				t.Errorf("finding %+v, want a %s warning: the change it follows is never refused", f, tt.rule)
			}
			for _, want := range tt.message {
				if !strings.Contains(f.Message, want) {
					t.Errorf("message %q does not say %q", f.Message, want)
				}
			}
			for _, want := range tt.action {
				if !strings.Contains(f.Action, want) {
					t.Errorf("action %q does not say %q", f.Action, want)
				}
			}
		})
	}
}

func TestStaleLayout(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	closed := func(days ...string) calendar.Opening {
		op := calendar.Opening{ClosedWeekdays: []time.Weekday{time.Sunday}, BankHolidaysClosed: true}
		for _, s := range days {
			op.ClosedDates = append(op.ClosedDates, d(s))
		}
		return op
	}
	// Monday 21 to Sunday 27 Dec 2026, supervised every day; Christmas Day
	// is a bank holiday.
	layout := func(op calendar.Opening) Schedule {
		s, err := BuildSchedule(ScheduleInput{Start: d("2026-12-21"), Days: 7, Daily: dosing.Mg(30),
			Pattern: UniformPattern(PickupSupervised), Opening: op})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name     string
		was, now calendar.Opening
		from     string
		want     string // "" for none
	}{
		{"same opening", closed("2026-12-22"), closed("2026-12-22"), "2026-12-18", ""},
		{"reopened", closed("2026-12-22", "2026-12-23", "2026-12-24"), closed(), "2026-12-18",
			"it supplies the dose for 2026-12-22 with the collection on 2026-12-21, where on the opening now that dose is collected on its own day"},
		{"still closed on the first carried day", closed("2026-12-22", "2026-12-23", "2026-12-24"), closed("2026-12-22"), "2026-12-18",
			"the dose for 2026-12-23 with the collection on 2026-12-21, where on the opening now that dose is collected on its own day"},
		{"closed since", closed(), closed("2026-12-23"), "2026-12-18",
			"the dose for 2026-12-23 on its own day, where on the opening now that dose is collected with the collection on 2026-12-22"},
		// Only the days still to come count: the 22nd has passed.
		{"reopened day passed", closed("2026-12-22"), closed(), "2026-12-23", ""},
		{"reopened day today", closed("2026-12-22"), closed(), "2026-12-22", "the dose for 2026-12-22 with the collection on 2026-12-21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := StaleLayout(layout(tt.was), layout(tt.now), d(tt.from))
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("StaleLayout = %q, want %q", got, tt.want)
			}
		})
	}
	if got := StaleLayout(layout(closed()), Schedule{}, d("2026-12-18")); !strings.Contains(got, "the dose for 2026-12-21 on its own day, where on the opening now that dose is collected with no collection") {
		t.Errorf("StaleLayout against nothing = %q", got)
	}
}

func TestClosedAfterwardsFinding(t *testing.T) {
	t.Parallel()
	n := policy.Defaults()
	tests := []struct {
		name  string
		dates []string
		by    Signer
		want  []string
	}{
		{"one day", []string{"2026-12-15"}, Signer{}, []string{"Market Square recorded 2026-12-15 as closed: the instalment due then on prescription RX-7 was not supplied",
			"because the pharmacy was closed", "MD1, MD2", "not against the patient's adherence or attendance"}},
		{"two days, a practice's", []string{"2026-12-14", "2026-12-15"}, Signer{Practice: "Elm Practice"},
			[]string{"2026-12-14 and 2026-12-15 as closed: the instalments due then on prescription RX-7 were not supplied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ds []calendar.Date
			for _, s := range tt.dates {
				ds = append(ds, calendar.MustParse(s))
			}
			f := ClosedAfterwardsFinding(n, "RX-7", "Market Square", ds, tt.by)
			if f.Rule != "L8" || !strings.Contains(f.Action, "Arrange the patient's supply") {
				t.Fatalf("finding = %+v", f)
			}
			for _, w := range tt.want {
				if !strings.Contains(f.Message, w) {
					t.Fatalf("message %q lacks %q", f.Message, w)
				}
			}
			if tt.by.Practice != "" && !strings.Contains(f.Action, tt.by.Practice) {
				t.Fatalf("action %q does not name %s", f.Action, tt.by.Practice)
			}
		})
	}
}
