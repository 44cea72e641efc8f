package prescriptions

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
)

// daily lays out one supervised instalment a day from from for days days,
// at dose a day.
func daily(from string, days int, dose int64) []NoticeInstalment {
	var out []NoticeInstalment
	start := calendar.MustParse(from)
	for i := range days {
		d := start.AddDays(i)
		out = append(out, NoticeInstalment{Date: d, Covers: []calendar.Date{d}, Supervised: dosing.Mg(dose)})
	}
	return out
}

func TestCancelNoticeFinding(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	base := CancelNotice{Serial: "RCDS-000045", By: "Dr Priya Raman (Riverside Community Drug Service)", On: d("2026-12-03"),
		Pharmacy: "Castle Street Pharmacy", Due: daily("2026-12-04", 4, 50),
		Periods: []DosePeriod{{From: d("2026-11-27"), DailyDose: dosing.Mg(50)}}}
	// A weekend take-home: Saturday's collection carries Sunday.
	weekend := []NoticeInstalment{
		{Date: d("2026-12-04"), Covers: []calendar.Date{d("2026-12-04")}, Supervised: dosing.Mg(50)},
		{Date: d("2026-12-05"), Covers: []calendar.Date{d("2026-12-05"), d("2026-12-06")}, Supervised: dosing.Mg(50), TakeHome: dosing.Mg(50)},
		{Date: d("2026-12-07"), Covers: []calendar.Date{d("2026-12-07")}, Supervised: dosing.Mg(50)},
	}
	tests := []struct {
		name    string
		change  func(c *CancelNotice)
		rule    string
		want    []string
		notWant []string
	}{
		{name: "cancelled outright", change: func(c *CancelNotice) { c.Reason = "admitted to hospital" }, rule: "MD5",
			want: []string{"Prescription RCDS-000045 was cancelled on 2026-12-03 by Dr Priya Raman (Riverside Community Drug Service): admitted to hospital.",
				"Its instalments still to come at Castle Street Pharmacy, on 2026-12-04 to 2026-12-07, are not to be supplied from it.",
				"No prescription replaces it for 2026-12-04 to 2026-12-07.", "set aside any dose measured out for them"},
			notWant: []string{"replaces it here"}},
		{name: "one instalment", change: func(c *CancelNotice) { c.Reason = "died."; c.Due = daily("2026-12-04", 1, 50) }, rule: "MD5",
			want: []string{": died. Its instalment still to come at Castle Street Pharmacy, on 2026-12-04, is not"}},
		{name: "reissued with a dose change", rule: "MD4", change: func(c *CancelNotice) {
			c.Reason = "Dose changed to 60 mg from 2026-12-05; remaining days reissued"
			c.Replacements = []Replacement{{Serial: "RCDS-000051", Pharmacy: "Castle Street Pharmacy", Here: true, From: d("2026-12-04"), To: d("2026-12-07"),
				Periods:     []DosePeriod{{From: d("2026-12-04"), DailyDose: dosing.Mg(50)}, {From: d("2026-12-05"), DailyDose: dosing.Mg(60)}},
				Instalments: append(daily("2026-12-04", 1, 50), daily("2026-12-05", 3, 60)...)}}
		}, want: []string{"RCDS-000051 replaces it here for 2026-12-04 to 2026-12-07: the dose is 60 mg a day from 2026-12-05 (was 50 mg).",
			"Supply the days replaced here from the new prescription only"},
			notWant: []string{"No prescription replaces", "collection days or supervision"}},
		{name: "reissued with the same doses and collections", rule: "MD4", change: func(c *CancelNotice) {
			c.Replacements = []Replacement{{Serial: "RCDS-000051", Here: true, From: d("2026-12-04"), To: d("2026-12-07"),
				Periods: []DosePeriod{{From: d("2026-12-04"), DailyDose: dosing.Mg(50)}}, Instalments: daily("2026-12-04", 4, 50)}}
		}, want: []string{"RCDS-000051 replaces it here for 2026-12-04 to 2026-12-07: the same doses on the same collection days."}},
		{name: "reissued with a new pattern", rule: "MD4", change: func(c *CancelNotice) {
			c.Replacements = []Replacement{{Serial: "RCDS-000051", Here: true, From: d("2026-12-04"), To: d("2026-12-07"),
				Periods: []DosePeriod{{From: d("2026-12-04"), DailyDose: dosing.Mg(50)}}, Instalments: weekend}}
		}, want: []string{"RCDS-000051 replaces it here for 2026-12-04 to 2026-12-07: the collection days or supervision change from 2026-12-05."}},
		{name: "reduced from the first day", rule: "MD4", change: func(c *CancelNotice) {
			c.Replacements = []Replacement{{Serial: "RCDS-000051", Here: true, From: d("2026-12-04"), To: d("2026-12-07"),
				Periods: []DosePeriod{{From: d("2026-12-04"), DailyDose: dosing.Mg(40)}}, Instalments: daily("2026-12-04", 4, 40)}}
		}, want: []string{"replaces it here for 2026-12-04 to 2026-12-07: the dose is 40 mg a day (was 50 mg)."}},
		{name: "moved to another pharmacy part-way", rule: "MD4", change: func(c *CancelNotice) {
			c.Reason = "Dispensing moves to Market Square Pharmacy from 2026-12-06; remaining days reissued"
			c.Replacements = []Replacement{
				{Serial: "RCDS-000051", Here: true, From: d("2026-12-04"), To: d("2026-12-05"),
					Periods: []DosePeriod{{From: d("2026-12-04"), DailyDose: dosing.Mg(50)}}, Instalments: daily("2026-12-04", 2, 50)},
				{Serial: "RCDS-000052", Pharmacy: "Market Square Pharmacy", From: d("2026-12-06"), To: d("2026-12-07"),
					Periods: []DosePeriod{{From: d("2026-12-06"), DailyDose: dosing.Mg(50)}}},
			}
		}, want: []string{"RCDS-000051 replaces it here for 2026-12-04 to 2026-12-05: the same doses on the same collection days.",
			"The doses for 2026-12-06 to 2026-12-07 are prescribed at Market Square Pharmacy (RCDS-000052).",
			"Supply nothing here for the days prescribed at another pharmacy."}},
		{name: "reissued for fewer days", rule: "MD5", change: func(c *CancelNotice) {
			c.Replacements = []Replacement{{Serial: "RCDS-000051", Here: true, From: d("2026-12-04"), To: d("2026-12-05"),
				Periods: []DosePeriod{{From: d("2026-12-04"), DailyDose: dosing.Mg(50)}}, Instalments: daily("2026-12-04", 2, 50)}}
		}, want: []string{"replaces it here for 2026-12-04 to 2026-12-05", "No prescription replaces it for 2026-12-06 to 2026-12-07."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := base
			c.Due = append([]NoticeInstalment(nil), base.Due...)
			tt.change(&c)
			f := c.Finding()
			if f.Rule != tt.rule {
				t.Errorf("rule %s, want %s", f.Rule, tt.rule)
			}
			text := f.Message + " " + f.Action
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("notice does not say %q:\n%s", w, text)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(text, w) {
					t.Errorf("notice says %q:\n%s", w, text)
				}
			}
		})
	}
}

// Replacements cancelled in turn before the pharmacy read of them: the
// notice is told against the prescription it had, naming each.
func TestCancelNoticeSince(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	c := CancelNotice{Serial: "RCDS-000045", By: "Dr A (Service)", On: d("2026-12-03"), Reason: "Dose changed to 55 mg",
		Pharmacy: "Castle Street Pharmacy", Due: daily("2026-12-03", 3, 50),
		Periods: []DosePeriod{{From: d("2026-11-27"), DailyDose: dosing.Mg(50)}},
		Since: []Cancelled{{Serial: "RCDS-000046", By: "Dr A (Service)", On: d("2026-12-03"), Reason: "Dose changed to 60 mg."},
			{Serial: "RCDS-000047", By: "Dr B (Service)", On: d("2026-12-03"), Reason: "Dose changed to 65 mg"}},
		Replacements: []Replacement{{Serial: "RCDS-000048", Here: true, From: d("2026-12-03"), To: d("2026-12-05"),
			Periods: []DosePeriod{{From: d("2026-12-03"), DailyDose: dosing.Mg(65)}}, Instalments: daily("2026-12-03", 3, 65)}}}
	msg := c.Finding().Message
	for _, want := range []string{"It was replaced here by RCDS-000046, cancelled on 2026-12-03 by Dr A (Service): Dose changed to 60 mg; " +
		"then by RCDS-000047, cancelled on 2026-12-03 by Dr B (Service): Dose changed to 65 mg. Nothing was supplied from any of them.",
		"RCDS-000048 replaces it here for 2026-12-03 to 2026-12-05: the dose is 65 mg a day (was 50 mg)."} {
		if !strings.Contains(msg, want) {
			t.Errorf("notice does not say %q:\n%s", want, msg)
		}
	}
	for _, tt := range []struct {
		now  []string
		want string
	}{
		{[]string{"RCDS-000048"}, "RCDS-000047, which this notice named as the replacement here, was itself cancelled on 2026-12-03: ended. " +
			"A later notice, raised when RCDS-000047 was cancelled, replaces this one and names RCDS-000048."},
		{nil, "replaces this one; no prescription replaces it."},
	} {
		if got := NoticeReplaced("RCDS-000047", d("2026-12-03"), "ended.", tt.now); !strings.Contains(got, tt.want) {
			t.Errorf("NoticeReplaced(%v) = %q, want %q", tt.now, got, tt.want)
		}
	}
}

func TestRangeList(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	for _, tt := range []struct {
		dates []calendar.Date
		want  string
	}{
		{nil, ""},
		{[]calendar.Date{d("2026-12-04")}, "2026-12-04"},
		{[]calendar.Date{d("2026-12-04"), d("2026-12-05")}, "2026-12-04 to 2026-12-05"},
		{[]calendar.Date{d("2026-12-04"), d("2026-12-05"), d("2026-12-07"), d("2026-12-09"), d("2026-12-10")},
			"2026-12-04 to 2026-12-05, 2026-12-07 and 2026-12-09 to 2026-12-10"},
	} {
		if got := rangeList(tt.dates); got != tt.want {
			t.Errorf("rangeList(%v) = %q, want %q", tt.dates, got, tt.want)
		}
	}
}
