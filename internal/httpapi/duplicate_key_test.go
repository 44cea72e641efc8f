package httpapi

import "testing"

func TestDuplicateKey(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"dose": 30, "dose": 300}`, "dose"},
		{`{"dose": 30, "to": 40}`, ""},
		{`{"a": {"x": 1}, "b": {"x": 2}}`, ""},
		{`{"a": {"x": 1, "x": 2}}`, "a.x"},
		{`{"overrides": [{"rule": "M2", "reason": "a"}, {"rule": "M3", "rule": "M2"}]}`, "overrides[1].rule"},
		{`{"o": [[{"k": 1}], {"k": 1, "k": 2}]}`, "o[1].k"},
		{`{"results": {"cocaine": "positive"}, "results": {}}`, "results"},
		{`{"a": [], "b": {}, "c": null, "a": 1}`, "a"},
		{`[{"a": 1}, {"a": 1}]`, ""},
		// encoding/json would read either into the same field.
		{`{"dose": 1, "DOSE": 2}`, "DOSE"},
		{`{"kg": 1, "\u212ag": 2}`, "Kg"},
		{`{"a": 1,`, ""}, // invalid JSON: decoding says so
		{`{"a\u0062": 1, "ab": 2}`, "ab"},
		{`"x"`, ""},
	}
	for _, tt := range tests {
		if got := duplicateKey([]byte(tt.body)); got != tt.want {
			t.Errorf("duplicateKey(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// Deeply nested garbage costs time and memory in proportion to its size.
func BenchmarkDuplicateKeyDeep(b *testing.B) {
	body := []byte(deepObjects(20000))
	b.ReportAllocs()
	for b.Loop() {
		duplicateKey(body)
	}
}
