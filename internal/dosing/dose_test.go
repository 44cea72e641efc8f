package dosing

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseMilligrams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Micrograms
		wantErr string
	}{
		{in: "30", want: 30000},
		{in: "2.5", want: 2500},
		{in: "0.4", want: 400},
		{in: "1.125", want: 1125},
		{in: "0", want: 0},
		{in: "0.001", want: 1},
		{in: "007", want: 7000},
		{in: "100000", want: MaxDose},
		{in: "100000.000", want: MaxDose},
		{in: "", wantErr: "empty"},
		{in: "-1", wantErr: "plain decimal"},
		{in: "+1", wantErr: "plain decimal"},
		{in: "1e3", wantErr: "plain decimal"},
		{in: "NaN", wantErr: "plain decimal"},
		{in: "Inf", wantErr: "plain decimal"},
		{in: " 30", wantErr: "plain decimal"},
		{in: "30 ", wantErr: "plain decimal"},
		{in: "1.2345", wantErr: "more than 3 decimal"},
		{in: "100000.001", wantErr: "larger than"},
		{in: "1000000", wantErr: "larger than"},
		{in: "99999999999999999999999", wantErr: "larger than"},
		{in: ".5", wantErr: "start with a digit"},
		{in: "5.", wantErr: "digits after"},
		{in: "1.2.3", wantErr: "plain decimal"},
		{in: "1,5", wantErr: "plain decimal"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMilligrams(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMilligrams(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseMilligrams(%q) = %v, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestMilligramsString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   Micrograms
		want string
	}{
		{30000, "30"},
		{2500, "2.5"},
		{400, "0.4"},
		{1125, "1.125"},
		{1, "0.001"},
		{0, "0"},
		{-2500, "-2.5"},
		{10050, "10.05"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.MilligramsString(); got != tt.want {
				t.Errorf("MilligramsString(%d) = %q, want %q", tt.in, got, tt.want)
			}
			if got := tt.in.String(); got != tt.want+" mg" {
				t.Errorf("String(%d) = %q", tt.in, got)
			}
			if tt.in >= 0 {
				back, err := ParseMilligrams(tt.want)
				if err != nil || back != tt.in {
					t.Errorf("round trip %q = %v, %v", tt.want, back, err)
				}
			}
		})
	}
}

func TestMicrogramsJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Dose Micrograms `json:"dose"`
	}
	tests := []struct {
		name    string
		in      string
		want    Micrograms
		wantErr bool
	}{
		{name: "number", in: `{"dose":2.5}`, want: 2500},
		{name: "integer", in: `{"dose":30}`, want: 30000},
		{name: "string", in: `{"dose":"0.4"}`, want: 400},
		// 0.1 is not exact in binary; parsing the literal keeps it exact.
		{name: "not via float", in: `{"dose":0.1}`, want: 100},
		{name: "null keeps zero", in: `{"dose":null}`, want: 0},
		{name: "exponent", in: `{"dose":1e1}`, wantErr: true},
		{name: "negative", in: `{"dose":-1}`, wantErr: true},
		{name: "too many decimals", in: `{"dose":1.0001}`, wantErr: true},
		{name: "bad string", in: `{"dose":"ten"}`, wantErr: true},
		{name: "string with space", in: `{"dose":" 10"}`, wantErr: true},
		{name: "bool", in: `{"dose":true}`, wantErr: true},
		{name: "huge", in: `{"dose":100001}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d doc
			err := json.Unmarshal([]byte(tt.in), &d)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Unmarshal(%s) = %v, want error", tt.in, d.Dose)
				}
				return
			}
			if err != nil || d.Dose != tt.want {
				t.Fatalf("Unmarshal(%s) = %v, %v; want %v", tt.in, d.Dose, err, tt.want)
			}
		})
	}

	b, err := json.Marshal(doc{Dose: 2500})
	if err != nil || string(b) != `{"dose":2.5}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
}

func TestFormulary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code      string
		class     Class
		unit      string
		interval  string
		strengths []Micrograms
	}{
		{CodeMethadone, ClassMethadone, UnitMillilitres, IntervalDaily, []Micrograms{Mg(1)}},
		{CodeBuprenorphineSL, ClassBuprenorphine, UnitMilligrams, IntervalDaily, []Micrograms{400, Mg(2), Mg(8)}},
		{CodeBuprenorphineNalSL, ClassBuprenorphine, UnitMilligrams, IntervalDaily, []Micrograms{Mg(2), Mg(8)}},
		{CodeEspranor, ClassBuprenorphine, UnitMilligrams, IntervalDaily, []Micrograms{Mg(2), Mg(8)}},
		{CodeBuvidalWeekly, ClassBuvidal, UnitMilligrams, IntervalWeekly, []Micrograms{Mg(8), Mg(16), Mg(24), Mg(32)}},
		{CodeBuvidalMonthly, ClassBuvidal, UnitMilligrams, IntervalMonthly, []Micrograms{Mg(64), Mg(96), Mg(128), Mg(160)}},
	}
	if got := len(Formulary()); got != len(tests) {
		t.Fatalf("formulary has %d products, want %d", got, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			m, ok := LookupMedicine(tt.code)
			if !ok {
				t.Fatal("not found")
			}
			if m.Class != tt.class || m.Unit != tt.unit || m.Interval != tt.interval {
				t.Errorf("got %+v", m)
			}
			if len(m.Strengths) != len(tt.strengths) || len(m.StrengthLabels) != len(tt.strengths) {
				t.Fatalf("strengths %v labels %v", m.Strengths, m.StrengthLabels)
			}
			for i, s := range tt.strengths {
				if m.Strengths[i] != s || !m.HasStrength(s) {
					t.Errorf("strength %d = %v, want %v", i, m.Strengths[i], s)
				}
			}
			if m.Injectable != (tt.class == ClassBuvidal) {
				t.Errorf("Injectable = %v", m.Injectable)
			}
			if m.QuantityOf(Mg(30)) != Mg(30) {
				t.Errorf("QuantityOf changed the amount")
			}
		})
	}
	if _, ok := LookupMedicine("heroin"); ok {
		t.Error("unknown code found")
	}
	nal, _ := LookupMedicine(CodeBuprenorphineNalSL)
	esp, _ := LookupMedicine(CodeEspranor)
	if !nal.Naloxone || nal.StrengthLabels[0] != "2 mg/0.5 mg" || !esp.Espranor {
		t.Error("naloxone / Espranor flags wrong")
	}
	// A caller changing its copy must not change the next caller's.
	f := Formulary()
	f[0].Strengths[0] = 0
	if m, _ := LookupMedicine(CodeMethadone); m.Strengths[0] != Mg(1) {
		t.Error("formulary is shared mutable state")
	}
}
