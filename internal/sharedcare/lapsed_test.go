package sharedcare

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestLapsed(t *testing.T) {
	met := func(key, detail string) Criterion {
		return Criterion{Key: key, Rule: "SC3", Description: key + ".", Met: true, Detail: detail}
	}
	unmet := func(key, detail string) Criterion {
		return Criterion{Key: key, Rule: "SC3", Description: key + ".", Detail: detail}
	}
	tests := []struct {
		name      string
		then, now []Criterion
		want      []string
	}{
		{"all still met", []Criterion{met("a", "x"), met("b", "y")}, []Criterion{met("a", "x"), met("b", "y")}, nil},
		{"unmet then and now: overridden, not lapsed", []Criterion{unmet("a", "x")}, []Criterion{unmet("a", "z")}, nil},
		{"met now, unmet then", []Criterion{unmet("a", "x")}, []Criterion{met("a", "z")}, nil},
		{"one lapsed", []Criterion{met("a", "x"), met("b", "y")}, []Criterion{met("a", "x"), unmet("b", "positive")}, []string{"b"}},
		{"unknown then", nil, []Criterion{unmet("a", "z")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range Lapsed(tt.then, tt.now) {
				got = append(got, l.Now.Key)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("Lapsed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLapsedToService(t *testing.T) {
	proposed, accepted := calendar.MustParse("2026-11-02"), calendar.MustParse("2026-11-16")
	ls := []Lapse{{Then: Criterion{Key: KeyNegativeScreen, Description: "A negative screen.", Met: true, Detail: "Negative for illicit opioids on 2026-10-30."},
		Now: Criterion{Key: KeyNegativeScreen, Description: "A negative screen.", Detail: "Positive for heroin on 2026-11-10, not before the negative screen of 2026-10-30."}}}
	got := LapsedToService("Severn Medical Practice", proposed, accepted, ls)
	for _, want := range []string{"Severn Medical Practice accepted shared care on 2026-11-16",
		"an SC3 criterion met when the service proposed it no longer holds",
		"negative_screen: A negative screen. Met when shared care was proposed on 2026-11-02 (Negative for illicit opioids on 2026-10-30); not met now: Positive for heroin on 2026-11-10",
		"hand prescribing back (SC1)"} {
		if !strings.Contains(got, want) {
			t.Errorf("message lacks %q:\n%s", want, got)
		}
	}
	if got := LapsedToService("P", proposed, accepted, append(ls, ls...)); !strings.Contains(got, "2 SC3 criteria met when the service proposed it no longer hold:") {
		t.Errorf("two lapses: %s", got)
	}
}

func TestCancelledByOtherToSigner(t *testing.T) {
	m := CancelledByOther{By: "Dr Rao", ByOrganisation: "Abbey Road Surgery", Reason: "Rewritten",
		Prescription: PrescriptionRef{Serial: "SVC-7", Start: calendar.MustParse("2026-06-12"), End: calendar.MustParse("2026-06-23"), Prescriber: "Dr Lee"},
		On:           calendar.MustParse("2026-06-12")}
	if got := m.ToSigner(); !strings.Contains(got, "Dr Rao of Abbey Road Surgery cancelled prescription SVC-7 (2026-06-12 to 2026-06-23, signed by Dr Lee) on 2026-06-12 (reason given: Rewritten).") ||
		!strings.Contains(got, "no day to come") {
		t.Errorf("no gap: %s", got)
	}
	m.Uncovered = "Fri 12 Jun 2026 to Tue 23 Jun 2026"
	if got := m.ToSigner(); !strings.Contains(got, "Days it leaves without a prescription: Fri 12 Jun 2026 to Tue 23 Jun 2026 (MD5)") {
		t.Errorf("gap: %s", got)
	}
}
