package sharedcare

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
)

var today = calendar.MustParse("2025-06-30")

func eligible() EligibilityInput {
	return EligibilityInput{
		Today:                    today,
		LastDoseChange:           today.AddDays(-100),
		DueDoses:                 84,
		TakenDoses:               84,
		LastNegativeOpioidScreen: today.AddDays(-10),
		ScreensInWindow:          2,
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		numbers    func(policy.Numbers) policy.Numbers
		edit       func(*EligibilityInput)
		key        string // criterion expected to fail; "" = all met
		wantDetail string
	}{
		{name: "all met", edit: func(*EligibilityInput) {}},
		{name: "stable exactly 12 weeks", edit: func(in *EligibilityInput) { in.LastDoseChange = today.AddDays(-84) }},
		{name: "stable one day short", edit: func(in *EligibilityInput) { in.LastDoseChange = today.AddDays(-83) }, key: KeyStableDose, wantDetail: "1 more days"},
		{name: "dose change planned", edit: func(in *EligibilityInput) { in.LastDoseChange = today.AddDays(10) }, key: KeyStableDose,
			wantDetail: "A dose change is planned for 2025-07-10 (in 10 days): the dose is stable once it has held for 12 weeks, on 2025-10-02."},
		{name: "dose change planned for tomorrow", edit: func(in *EligibilityInput) { in.LastDoseChange = today.AddDays(1) }, key: KeyStableDose,
			wantDetail: "planned for 2025-07-01 (in 1 day)"},
		{name: "dose changed today", edit: func(in *EligibilityInput) { in.LastDoseChange = today }, key: KeyStableDose,
			wantDetail: "Dose last changed on 2025-06-30, today; 84 more days needed."},
		{name: "dose date unknown", edit: func(in *EligibilityInput) { in.LastDoseChange = calendar.Date{} }, key: KeyStableDose, wantDetail: "not known"},
		{name: "adherence exactly 90%", edit: func(in *EligibilityInput) { in.DueDoses, in.TakenDoses = 10, 9 }},
		{name: "adherence just under 90%", edit: func(in *EligibilityInput) { in.DueDoses, in.TakenDoses = 84, 75 }, key: KeyAdherence, wantDetail: "75 of 84"},
		{name: "no doses due", edit: func(in *EligibilityInput) { in.DueDoses, in.TakenDoses = 0, 0 }, key: KeyAdherence, wantDetail: "No doses were due"},
		{name: "injections all on time", edit: func(in *EligibilityInput) { in.Injections, in.DueDoses, in.TakenDoses = true, 12, 12 }},
		{name: "injections exactly 90%", edit: func(in *EligibilityInput) { in.Injections, in.DueDoses, in.TakenDoses = true, 10, 9 }},
		{name: "injections under 90%", edit: func(in *EligibilityInput) { in.Injections, in.DueDoses, in.TakenDoses = true, 12, 10 },
			key: KeyAdherence, wantDetail: "10 of 12 due injections given within their window (BV8)"},
		{name: "no injection due", edit: func(in *EligibilityInput) { in.Injections, in.DueDoses, in.TakenDoses = true, 0, 0 },
			key: KeyAdherence, wantDetail: "No injection fell due"},
		{
			name:    "tuned adherence 85%",
			numbers: func(n policy.Numbers) policy.Numbers { n.SC3AdherencePercent = 85; return n },
			edit:    func(in *EligibilityInput) { in.DueDoses, in.TakenDoses = 20, 17 },
		},
		{name: "MD1 block", edit: func(in *EligibilityInput) { in.MD1BlocksInWindow = 1 }, key: KeyNoMissedDoseBlock, wantDetail: "1 MD1 block"},
		{name: "MD1 block standing today, reached after the window", edit: func(in *EligibilityInput) { in.BlockedSince = calendar.MustParse("2026-12-01") },
			key: KeyNoMissedDoseBlock, wantDetail: "An MD1 block stands today (days missed since 2026-12-01)"},
		{name: "MD1 block in the window still standing", edit: func(in *EligibilityInput) {
			in.MD1BlocksInWindow, in.BlockedSince = 1, calendar.MustParse("2026-11-20")
		}, key: KeyNoMissedDoseBlock, wantDetail: "1 MD1 block(s) in the period, and one stands today"},
		{name: "screen exactly 12 weeks old", edit: func(in *EligibilityInput) { in.LastNegativeOpioidScreen = today.AddDays(-84) }},
		{name: "screen too old", edit: func(in *EligibilityInput) { in.LastNegativeOpioidScreen = today.AddDays(-85) }, key: KeyNegativeScreen, wantDetail: "older than 12 weeks"},
		{name: "no screen", edit: func(in *EligibilityInput) { in.LastNegativeOpioidScreen, in.ScreensInWindow = calendar.Date{}, 0 }, key: KeyNegativeScreen, wantDetail: "No drug screen"},
		{name: "only positive screens", edit: func(in *EligibilityInput) { in.LastNegativeOpioidScreen = calendar.Date{} }, key: KeyNegativeScreen, wantDetail: "none negative"},
		{name: "positive after the negative", edit: func(in *EligibilityInput) {
			in.PositiveSince, in.PositiveFor = today.AddDays(-3), []string{"opiates", "fentanyl"}
		}, key: KeyNegativeScreen, wantDetail: "Positive for opiates, fentanyl on"},
		{name: "positive the same day as the negative", edit: func(in *EligibilityInput) {
			in.PositiveSince, in.PositiveFor = today.AddDays(-10), []string{"fentanyl"}
		}, key: KeyNegativeScreen, wantDetail: "Positive for fentanyl on"},
		{name: "positive before the negative", edit: func(in *EligibilityInput) {
			in.PositiveSince, in.PositiveFor = today.AddDays(-30), []string{"opiates"}
		}},
		{name: "screen in future", edit: func(in *EligibilityInput) { in.LastNegativeOpioidScreen = today.AddDays(1) }, key: KeyNegativeScreen, wantDetail: "after today"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := policy.Defaults()
			if tt.numbers != nil {
				n = tt.numbers(n)
			}
			in := eligible()
			tt.edit(&in)
			cs := Evaluate(n, in)
			if len(cs) != 4 {
				t.Fatalf("got %d criteria", len(cs))
			}
			for _, c := range cs {
				if c.Rule != "SC3" || c.Description == "" || c.Detail == "" {
					t.Errorf("incomplete criterion %+v", c)
				}
				wantMet := c.Key != tt.key
				if c.Met != wantMet {
					t.Errorf("%s met = %v (%s)", c.Key, c.Met, c.Detail)
				}
				if c.Key == tt.key && !strings.Contains(c.Detail, tt.wantDetail) {
					t.Errorf("%s detail %q, want %q", c.Key, c.Detail, tt.wantDetail)
				}
			}
			if AllMet(cs) != (tt.key == "") {
				t.Errorf("AllMet = %v", AllMet(cs))
			}
		})
	}
}

func TestAllMetEmpty(t *testing.T) {
	t.Parallel()
	if AllMet(nil) {
		t.Error("no criteria must not mean eligible")
	}
}

func TestWindowAndJSON(t *testing.T) {
	t.Parallel()
	from, to := Window(policy.Defaults(), today)
	if from.DaysUntil(to) != 84 || !to.Equal(today) {
		t.Errorf("Window = %s..%s", from, to)
	}
	b, _ := json.Marshal(Criterion{Key: KeyAdherence, Rule: "SC3", Met: true})
	if !strings.Contains(string(b), `"key":"adherence"`) || !strings.Contains(string(b), `"met":true`) {
		t.Errorf("json %s", b)
	}
}

func TestPrintedDetail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Current dose since 2026-07-31 (120 days).", "Current dose since 31 Jul 2026 (120 days)."},
		{"Positive for heroin on 2026-11-02, not before the negative screen of 2026-10-01.",
			"Positive for heroin on 2 Nov 2026, not before the negative screen of 1 Oct 2026."},
		{"18 of 20 due doses taken (90 %).", "18 of 20 due doses taken (90 %)."},
		{"Not a date: 2026-13-45.", "Not a date: 2026-13-45."},
	} {
		if got := PrintedDetail(tc.in); got != tc.want {
			t.Errorf("PrintedDetail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
