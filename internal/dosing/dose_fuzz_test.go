package dosing

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseMilligrams: parsing never panics; an accepted amount is within
// 0..MaxDose and writes back (MilligramsString, JSON) to text that parses
// to exactly the same number of micrograms.
func FuzzParseMilligrams(f *testing.F) {
	for _, s := range []string{"30", "2.5", "1.125", "0.1", "0", "000001", "100000", "100000.001", "1e309", "-0", "NaN",
		"1.0000000001", ".5", "5.", "", " 30", "30 mg", "+1", "99999999999999999999", "0.001", "1.000", "١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMilligrams(s)
		if err != nil {
			if m != 0 {
				t.Fatalf("ParseMilligrams(%q) = %d with error %v", s, m, err)
			}
			return
		}
		if m < 0 || m > MaxDose {
			t.Fatalf("ParseMilligrams(%q) = %d µg, outside 0..%d", s, m, MaxDose)
		}
		text := m.MilligramsString()
		back, err := ParseMilligrams(text)
		if err != nil || back != m {
			t.Fatalf("ParseMilligrams(%q) = %d; MilligramsString %q parses to %d, %v", s, m, text, back, err)
		}
		if strings.HasSuffix(text, "0") && strings.Contains(text, ".") {
			t.Fatalf("MilligramsString(%d) = %q keeps trailing zeros", m, text)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal %d: %v", m, err)
		}
		var fromJSON Micrograms
		if err := json.Unmarshal(b, &fromJSON); err != nil || fromJSON != m {
			t.Fatalf("JSON %s of %d reads back as %d, %v", b, m, fromJSON, err)
		}
		var fromString Micrograms
		if err := json.Unmarshal([]byte(`"`+text+`"`), &fromString); err != nil || fromString != m {
			t.Fatalf("JSON string %q reads back as %d, %v", text, fromString, err)
		}
	})
}

// FuzzMicrogramsJSON: any amount in range survives the JSON round trip
// exactly, with no float on the way.
func FuzzMicrogramsJSON(f *testing.F) {
	for _, v := range []int64{0, 1, 100, 999, 1000, 1001, 2500, 30000, 1125, int64(MaxDose), int64(MaxDose) - 1} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		if v < 0 {
			v = -v
		}
		if v < 0 {
			return // MinInt64
		}
		m := Micrograms(v % (int64(MaxDose) + 1))
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back Micrograms
		if err := json.Unmarshal(b, &back); err != nil || back != m {
			t.Fatalf("%d → %s → %d, %v", m, b, back, err)
		}
	})
}
