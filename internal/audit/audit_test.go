package audit

import (
	"testing"
	"time"
)

func chain(n int) []Event {
	prev := GenesisHash
	var out []Event
	for i := 1; i <= n; i++ {
		e := Event{Seq: int64(i), ID: "id", OccurredAt: time.Date(2026, 3, 29, 1, 0, i, 123456789, time.UTC),
			Action: "patient.create", Changes: `{"a":1}`, PrevHash: prev}
		e.Hash = ComputeHash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func([]Event) []Event
		faulty bool
	}{
		{"intact", func(e []Event) []Event { return e }, false},
		{"edited", func(e []Event) []Event { e[2].Changes = `{"a":2}`; return e }, true},
		{"removed", func(e []Event) []Event { return append(e[:2], e[3:]...) }, true},
		{"inserted", func(e []Event) []Event {
			x := e[1]
			x.ID = "forged"
			x.Hash = ComputeHash(x)
			return append(e[:2], append([]Event{x}, e[2:]...)...)
		}, true},
		{"time precision beyond storage ignored", func(e []Event) []Event {
			e[0].OccurredAt = e[0].OccurredAt.Truncate(time.Microsecond)
			return e
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := NewVerifier()
			for _, e := range tt.mutate(chain(5)) {
				v.Next(e)
			}
			if got := len(v.Faults) > 0; got != tt.faulty {
				t.Fatalf("faults = %v, want faulty=%v", v.Faults, tt.faulty)
			}
		})
	}
}
