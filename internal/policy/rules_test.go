package policy

import (
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
		{name: "L6 above L5", spec: "L6.max_days=60", wantErr: "policy: L6.max_days (60) is above L5.max_supply_days (30)"},
		{name: "L5 below L6", spec: "L5.max_supply_days=10", wantErr: "policy: L6.max_days (14) is above L5.max_supply_days (10)"},
		{name: "L6 equal to L5", spec: "L6.max_days=30", check: func(n Numbers) bool { return n.L6MaxDays == 30 }},
		{name: "L5 and L6 raised together", spec: "L5.max_supply_days=60,L6.max_days=60", check: func(n Numbers) bool {
			return n.L5MaxSupplyDays == 60 && n.L6MaxDays == 60
		}},
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
