package regimes

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestStageValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Stage
		want bool
	}{
		{StageInduction, true}, {StageTitration, true}, {StageMaintenance, true}, {StageReduction, true},
		{"", false}, {"Maintenance", false}, {"detox", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			t.Parallel()
			if tt.s.Valid() != tt.want {
				t.Errorf("Valid() = %v", !tt.want)
			}
		})
	}
}

func pattern(mutate map[time.Weekday]Pickup) WeeklyPattern {
	p := AllSupervised()
	for d, v := range mutate {
		p[d] = v
	}
	return p
}

func TestWeeklyPatternValidate(t *testing.T) {
	t.Parallel()
	allEarlier := WeeklyPattern{}
	for i := range allEarlier {
		allEarlier[i] = PickupEarlier
	}
	tests := []struct {
		name    string
		p       WeeklyPattern
		wantErr string
	}{
		{name: "all supervised", p: AllSupervised()},
		{name: "sunday earlier", p: pattern(map[time.Weekday]Pickup{time.Sunday: PickupEarlier})},
		{name: "weekend earlier", p: pattern(map[time.Weekday]Pickup{time.Saturday: PickupEarlier, time.Sunday: PickupEarlier})},
		{name: "only wednesday collected", p: func() WeeklyPattern {
			p := allEarlier
			p[time.Wednesday] = PickupTakeHome
			return p
		}()},
		{name: "all earlier", p: allEarlier, wantErr: "at least one day"},
		{name: "unset day", p: pattern(map[time.Weekday]Pickup{time.Friday: ""}), wantErr: "friday"},
		{name: "bad value", p: pattern(map[time.Weekday]Pickup{time.Monday: "later"}), wantErr: `monday: "later"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSuppliedOn(t *testing.T) {
	t.Parallel()
	p := pattern(map[time.Weekday]Pickup{time.Saturday: PickupEarlier, time.Sunday: PickupEarlier, time.Monday: PickupTakeHome})
	tests := []struct {
		day, want time.Weekday
	}{
		{time.Sunday, time.Friday},
		{time.Saturday, time.Friday},
		{time.Monday, time.Monday},
		{time.Friday, time.Friday},
	}
	for _, tt := range tests {
		t.Run(tt.day.String(), func(t *testing.T) {
			t.Parallel()
			got, ok := p.SuppliedOn(tt.day)
			if !ok || got != tt.want {
				t.Errorf("SuppliedOn(%s) = %s, %v", tt.day, got, ok)
			}
		})
	}
	if p.UnsupervisedDays() != 3 {
		t.Errorf("UnsupervisedDays = %d", p.UnsupervisedDays())
	}
}

func TestWeeklyPatternJSON(t *testing.T) {
	t.Parallel()
	full := `{"monday":"supervised","tuesday":"supervised","wednesday":"supervised","thursday":"supervised","friday":"supervised","saturday":"take_home","sunday":"earlier"}`
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "full", in: full},
		{name: "missing sunday", in: strings.Replace(full, `,"sunday":"earlier"`, "", 1), wantErr: "sunday is missing"},
		{name: "invalid value", in: strings.Replace(full, `"monday":"supervised"`, `"monday":"maybe"`, 1), wantErr: `monday: "maybe"`},
		{name: "unknown key", in: strings.Replace(full, `}`, `,"funday":"supervised"}`, 1), wantErr: `"funday" is not a weekday`},
		{name: "capitalised key", in: strings.Replace(full, `"monday"`, `"Monday"`, 1), wantErr: `"Monday" is not a weekday key: keys are lower case; use "monday"`},
		{name: "every problem", in: `{"monday":"maybe","Tuesday":"supervised","friday":"no"}`,
			wantErr: "pattern: monday: \"maybe\" is not supervised, take_home or earlier\npattern: wednesday is missing\npattern: thursday is missing\n" +
				"pattern: friday: \"no\" is not supervised, take_home or earlier\npattern: saturday is missing\npattern: sunday is missing\n" +
				"pattern: \"Tuesday\" is not a weekday key: keys are lower case; use \"tuesday\""},
		{name: "array", in: `["supervised"]`, wantErr: "must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p WeeklyPattern
			err := json.Unmarshal([]byte(tt.in), &p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p[time.Saturday] != PickupTakeHome || p[time.Sunday] != PickupEarlier || p[time.Monday] != PickupSupervised {
				t.Errorf("decoded %v", p)
			}
			b, err := json.Marshal(p)
			if err != nil || string(b) != full {
				t.Errorf("round trip %s, %v", b, err)
			}
		})
	}
}
