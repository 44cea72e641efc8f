package policy

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/dosing"
)

var wantRuleIDs = []string{
	"ID1", "M1", "M2", "M3", "M4", "M5", "M6", "B1", "B2", "B3", "B4",
	"BV1", "BV2", "BV3", "BV4", "BV5", "BV6", "BV7", "BV8", "BV9", "T1",
	"MD1", "MD2", "MD3", "MD4", "MD5", "L1", "L2", "L3", "L5", "L6", "L7", "L8", "L9",
	"S1", "S3", "S4", "S6", "S7", "S8", "SC1", "SC3", "SC4",
}

func TestTableComplete(t *testing.T) {
	t.Parallel()
	table := Table(Defaults())
	byID := make(map[string]Rule)
	for _, r := range table {
		if _, dup := byID[r.ID]; dup {
			t.Errorf("rule %s listed twice", r.ID)
		}
		byID[r.ID] = r
	}
	if len(table) != len(wantRuleIDs) {
		t.Errorf("table has %d rules, want %d", len(table), len(wantRuleIDs))
	}
	for _, id := range wantRuleIDs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			r, ok := byID[id]
			if !ok {
				t.Fatal("missing from table")
			}
			if r.Title == "" || r.Summary == "" || r.Source == "" {
				t.Errorf("incomplete rule %+v", r)
			}
			switch r.Severity {
			case Block, Override, Warn, Info:
			default:
				t.Errorf("severity %q", r.Severity)
			}
			switch r.Evidence {
			case EvidenceVerified, EvidenceSecondary:
			case EvidenceUnverified:
				// clinical-rules.md: [U] rules are never a hard block; SC3's
				// criteria stop a proposal only until a reason is recorded,
				// as issue 5 asks.
				if r.Severity == Block || r.Severity == Override && r.ID != "SC3" {
					t.Errorf("[U] rule has severity %s", r.Severity)
				}
			default:
				t.Errorf("evidence %q", r.Evidence)
			}
			if r.Parameters == nil {
				t.Error("nil parameters")
			}
			got, ok := RuleByID(Defaults(), id)
			if !ok || got.ID != id || SeverityOf(id) != r.Severity {
				t.Errorf("RuleByID(%s) = %+v, %v", id, got, ok)
			}
		})
	}
}

func TestTableSeverities(t *testing.T) {
	t.Parallel()
	want := map[string]Severity{
		"ID1": Block, "M1": Override, "M2": Override, "M3": Info, "M4": Override, "M6": Override,
		"B1": Override, "B2": Warn, "B3": Block, "B4": Override,
		"BV1": Block, "BV2": Block, "BV3": Override, "BV4": Warn, "BV5": Block, "BV6": Block,
		"BV7": Warn, "BV8": Warn, "MD1": Block, "MD2": Info, "MD3": Info,
		"L2": Block, "L3": Block, "L6": Block, "L7": Info, "L8": Info, "S7": Block, "S8": Warn, "SC3": Override,
	}
	for id, sev := range want {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			if got := SeverityOf(id); got != sev {
				t.Errorf("SeverityOf(%s) = %s, want %s", id, got, sev)
			}
		})
	}
	if SeverityOf("NOPE") != Block {
		t.Error("unknown rule id must fail safe as Block")
	}
}

func TestOverridable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bool
	}{
		{"M2", true}, {"M4", true}, {"SC3", true},
		{"B3", true}, {"BV5", true}, // blocks with a level at override
		{"BV1", false}, {"BV2", false}, {"BV6", false}, {"MD4", false}, {"L6", false}, // only ever block
		{"M3", false}, {"BV4", false}, // never stop an action
		{"NOPE", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			if got := Overridable(tt.id); got != tt.want {
				t.Errorf("Overridable(%s) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
	for id := range overridableBlocks {
		if SeverityOf(id) != Block {
			t.Errorf("%s is listed as a Block rule with an override level but is %s", id, SeverityOf(id))
		}
	}
}

func TestEveryKeyBelongsToARule(t *testing.T) {
	t.Parallel()
	n := Defaults()
	covered := make(map[string]bool)
	for _, r := range Table(n) {
		for k := range r.Parameters {
			covered[k] = true
		}
	}
	for _, k := range KeyNames() {
		if !covered[k] {
			t.Errorf("key %s is on no rule", k)
		}
	}
	if len(n.Keys()) != len(KeyNames()) {
		t.Errorf("duplicate keys: %d unique of %d", len(n.Keys()), len(KeyNames()))
	}
	if err := n.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}

func TestSummaryShowsEffectiveNumbers(t *testing.T) {
	t.Parallel()
	n, err := ParseOverrides(Defaults(), "M2.max_step_mg=5")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := RuleByID(n, "M2")
	if !strings.Contains(r.Summary, "at most 5 mg per change") {
		t.Errorf("summary %q does not show the tuned step", r.Summary)
	}
	if r.Parameters["M2.max_step_mg"] != "5" {
		t.Errorf("parameters %v", r.Parameters)
	}
	d, _ := RuleByID(Defaults(), "M1")
	if !strings.Contains(d.Summary, "10–30 mg") || !strings.Contains(d.Summary, "above 40 mg") {
		t.Errorf("M1 summary %q", d.Summary)
	}
}

func TestParseOverrides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    string
		check   func(Numbers) bool
		wantErr string
	}{
		{name: "empty", spec: "", check: func(n Numbers) bool { return n == Defaults() }},
		{name: "mg and percent", spec: "M2.max_step_mg=5,SC3.adherence_percent=85", check: func(n Numbers) bool {
			return n.M2MaxStep == dosing.Mg(5) && n.SC3AdherencePercent == 85
		}},
		{name: "decimal mg", spec: "B2.start_min_mg=1.5", check: func(n Numbers) bool { return n.B2StartMin == 1500 }},
		{name: "spaces and trailing comma", spec: " L6.max_days = 7 , ", check: func(n Numbers) bool { return n.L6MaxDays == 7 }},
		{name: "percent 100", spec: "SC3.adherence_percent=100", check: func(n Numbers) bool { return n.SC3AdherencePercent == 100 }},
		{name: "unknown key", spec: "M2.max_step=5",
			wantErr: `policy override "M2.max_step": unknown key; M2's keys are M2.max_step_mg, M2.max_per_7_days_mg, M2.titration_weeks`},
		{name: "unknown rule", spec: "M9.max_step_mg=5",
			wantErr: `policy override "M9.max_step_mg": unknown key; valid keys are M1.start_warn_above_mg, M1.start_block_above_mg,`},
		{name: "no rule id", spec: "max_step_mg=5", wantErr: `"max_step_mg": unknown key; valid keys are M1.`},
		{name: "bad mg", spec: "M2.max_step_mg=ten", wantErr: `"M2.max_step_mg"`},
		{name: "zero mg", spec: "M2.max_step_mg=0", wantErr: `"M2.max_step_mg": must be more than 0`},
		{name: "negative int", spec: "L3.valid_days=-1", wantErr: `"L3.valid_days"`},
		{name: "zero int", spec: "L3.valid_days=0", wantErr: `"L3.valid_days"`},
		{name: "float int", spec: "L3.valid_days=2.5", wantErr: `"L3.valid_days"`},
		{name: "percent over 100", spec: "SC3.adherence_percent=101", wantErr: `"SC3.adherence_percent": 101 is more than 100`},
		{name: "no equals", spec: "M2.max_step_mg", wantErr: "want key=value"},
		{name: "repeated", spec: "L6.max_days=7,L6.max_days=8", wantErr: "more than once"},
		{name: "inconsistent range", spec: "M1.start_warn_above_mg=50", wantErr: "M1.start_warn_above_mg (50 mg) is above M1.start_block_above_mg"},
		{name: "L5 below L6", spec: "L5.max_supply_days=10", wantErr: "policy: L6.max_days (14) is above L5.max_supply_days (10)"},
		// BV8: one dose's window must close before the next one's opens.
		{name: "BV8 weekly window overlapping the next", spec: "BV8.weekly_window_days=9",
			wantErr: "policy: BV8.weekly_window_days (9) is too wide: doses fall due every 7 days, so a window of 9 days either side overlaps the next dose's; at most 3"},
		{name: "BV8 weekly window touching the next", spec: "BV8.weekly_window_days=4", wantErr: "BV8.weekly_window_days (4) is too wide"},
		{name: "BV8 weekly window widest", spec: "BV8.weekly_window_days=3", check: func(n Numbers) bool { return n.BV8WeeklyWindowDays == 3 }},
		{name: "BV8 monthly window sharing a day with the next", spec: "BV8.monthly_window_days=14",
			wantErr: "policy: BV8.monthly_window_days (14) is too wide: doses fall due every 28 days, so a window of 14 days either side overlaps the next dose's; at most 13"},
		{name: "BV8 monthly window widest", spec: "BV8.monthly_window_days=13", check: func(n Numbers) bool { return n.BV8MonthlyWindowDays == 13 }},
		{name: "L6 equal to L5", spec: "L5.max_supply_days=7,L6.max_days=7", check: func(n Numbers) bool { return n.L6MaxDays == 7 }},
		// L5 is good practice [U]: a service may raise it, while L6 keeps
		// an FP10MDA to 14 days.
		{name: "L5 raised", spec: "L5.max_supply_days=60", check: func(n Numbers) bool { return n.L5MaxSupplyDays == 60 && n.L6MaxDays == 14 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseOverrides(Defaults(), tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got != Defaults() {
					t.Error("failed parse must return base unchanged")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(got) {
				t.Errorf("overrides not applied: %+v", got.Keys())
			}
		})
	}
}

func TestFindingHelpers(t *testing.T) {
	t.Parallel()
	n := Defaults()
	tests := []struct {
		name       string
		f          Finding
		wantSev    Severity
		stops      bool
		overridden map[string]bool
	}{
		{name: "block", f: n.Finding("BV1", "m", "a"), wantSev: Block, stops: true, overridden: map[string]bool{"BV1": true}},
		{name: "override not given", f: n.Finding("M2", "m", "a"), wantSev: Override, stops: true},
		{name: "override given", f: n.Finding("M2", "m", "a"), wantSev: Override, stops: false, overridden: map[string]bool{"M2": true}},
		{name: "warn", f: n.Finding("BV7", "m", "a"), wantSev: Warn},
		{name: "at", f: n.FindingAt("M1", Warn, "m", "a"), wantSev: Warn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.f.Severity != tt.wantSev || tt.f.Message != "m" || tt.f.Action != "a" {
				t.Errorf("finding %+v", tt.f)
			}
			if tt.f.Stops(tt.overridden) != tt.stops {
				t.Errorf("Stops = %v", !tt.stops)
			}
		})
	}
}

// A figure the law or a product licence sets may be tightened but never
// relaxed: a relaxed one fails the start in one line naming the key, the
// value and the limit, whatever else the spec tunes.
func TestOverridesNeverRelaxALegalOrLicensedFigure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec    string
		wantErr string // "" when the figure is accepted
	}{
		{"L3.valid_days=28", ""},
		{"L3.valid_days=21", ""},
		{"L3.valid_days=29", `policy override "L3.valid_days": 29 is above the legal limit of 28 days (L3: `},
		{"L3.valid_days=90,L5.max_supply_days=60,L6.max_days=56", `policy override "L3.valid_days": 90 is above the legal limit of 28 days`},
		{"L5.max_supply_days=60,L6.max_days=56", `policy override "L6.max_days": 56 is above the legal limit of 14 days (L6: an FP10MDA covers at most 14 days`},
		{"L6.max_days=15", `"L6.max_days": 15 is above the legal limit of 14 days`},
		{"L6.max_days=14", ""},
		{"L6.max_days=7", ""},
		{"B3.max_daily_mg=64", `policy override "B3.max_daily_mg": 64 mg is above the licensed limit of 32 mg (B3: `},
		{"B3.max_daily_mg=32.1", `"B3.max_daily_mg": 32.1 mg is above the licensed limit of 32 mg`},
		{"B3.max_daily_mg=24", ""},
		{"BV6.monthly_max_mg=500", `policy override "BV6.monthly_max_mg": 500 mg is above the licensed limit of 160 mg (BV6: `},
		{"BV6.weekly_max_mg=40", `"BV6.weekly_max_mg": 40 mg is above the licensed limit of 32 mg`},
		{"BV6.extra_max_mg=16", `"BV6.extra_max_mg": 16 mg is above the licensed limit of 8 mg`},
		{"BV6.extra_dose_mg=16", `"BV6.extra_dose_mg": 16 mg is not the licensed dose of 8 mg`},
		{"BV6.extra_dose_mg=3", `"BV6.extra_dose_mg": 3 mg is not the licensed dose of 8 mg`},
		{"BV6.monthly_max_mg=128", ""},
		{"BV3.first_dose_mg=24", `"BV3.first_dose_mg": 24 mg is not the licensed dose of 16 mg`},
		{"BV3.first_dose_mg=5", `"BV3.first_dose_mg": 5 mg is not the licensed dose of 16 mg`},
		{"BV3.week1_extra_doses=3", `"BV3.week1_extra_doses": 3 is above the licensed limit of 2 doses`},
		{"BV3.test_dose_mg=8", `"BV3.test_dose_mg": 8 mg is not the licensed dose of 4 mg`},
		{"BV3.test_dose_mg=0.5", `"BV3.test_dose_mg": 0.5 mg is not the licensed dose of 4 mg`},
		{"BV3.test_dose_mg=4,BV3.first_dose_mg=16,BV6.extra_dose_mg=8", ""},
		{"BV3.week1_extra_doses=1", ""},
		{"BV5.weekly_weeks_before_monthly=2", `"BV5.weekly_weeks_before_monthly": 2 is below the licensed minimum of 4 weeks`},
		{"BV5.weekly_weeks_before_monthly=6", ""},
		{"BV7.site_reuse_weeks=4", `"BV7.site_reuse_weeks": 4 is below the licensed minimum of 8 weeks`},
		{"B1.short_acting_hours=2", `"B1.short_acting_hours": 2 is below the licensed minimum of 6 hours (B1: `},
		{"B1.methadone_hours=12", `"B1.methadone_hours": 12 is below the licensed minimum of 24 hours`},
		{"B1.methadone_max_mg=40", `"B1.methadone_max_mg": 40 mg is above the licensed limit of 30 mg`},
		{"B1.short_acting_hours=12,B1.methadone_hours=36,B1.methadone_max_mg=20", ""},
		{"MD1.consecutive_missed_days=4", `"MD1.consecutive_missed_days": 4 is above the legal limit of 3 days (MD1: the Home Office approved wording`},
		{"MD1.consecutive_missed_days=2", ""},
		{"M5.review_months=6", `"M5.review_months": 6 is above the licensed limit of 3 months`},
		{"M6.supervised_months=1", `"M6.supervised_months": 1 is below the NICE minimum of 3 months (M6: `},
		{"M6.supervised_months=6", ""},
		// Guidance figures stay tunable either way.
		{"M2.max_step_mg=20,B2.start_warn_above_mg=12,MD2.stable_missed_days=3,S6.methadone_review_weeks=8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			got, err := ParseOverrides(Defaults(), tt.spec)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if err := got.Validate(); err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "never") {
				t.Errorf("err = %q, want one line saying the figure may not be relaxed", err)
			}
			if got != Defaults() {
				t.Error("a refused spec must return base unchanged")
			}
		})
	}
	// Numbers built in code are held to the same limits by Validate.
	n := Defaults()
	n.L6MaxDays, n.L5MaxSupplyDays = 28, 30
	if err := n.Validate(); err == nil || !strings.Contains(err.Error(), `"L6.max_days": 28 is above the legal limit of 14 days`) {
		t.Errorf("Validate = %v", err)
	}
}

// The README's DOSEBOOK_POLICY row names every figure that may not be
// relaxed, with its limit.
func TestReadmeNamesEveryLimit(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range numberKeys() {
		if k.limit == nil {
			continue
		}
		n++
		v := strconv.Itoa(k.limit.n)
		if k.mg != nil {
			v = k.limit.mg.MilligramsString()
		}
		if want := "`" + k.key + "` " + v; !strings.Contains(string(b), want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
	if n < 10 {
		t.Errorf("%d limited keys", n)
	}
}
