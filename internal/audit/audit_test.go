package audit

import (
	"context"
	"strings"
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
			v.Finish()
			if got := len(v.Faults) > 0; got != tt.faulty {
				t.Fatalf("faults = %v, want faulty=%v", v.Faults, tt.faulty)
			}
		})
	}
}

// The chain cannot show rows cut from its end; an anchor taken earlier can.
func TestAnchors(t *testing.T) {
	t.Parallel()
	full := chain(5)
	head := Anchor{Seq: 5, Hash: full[4].Hash}
	tests := []struct {
		name    string
		events  []Event
		anchors []Anchor
		faulty  bool
	}{
		{"intact with head anchor", full, []Anchor{head}, false},
		{"intact with older anchor", full, []Anchor{{Seq: 3, Hash: full[2].Hash}}, false},
		{"tail removed: unnoticed without anchor", full[:3], nil, false},
		{"tail removed", full[:3], []Anchor{head}, true},
		{"whole trail removed", nil, []Anchor{head}, true},
		{"row replaced by a rebuilt chain", rebuilt(full), []Anchor{head}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := NewVerifier(tt.anchors...)
			for _, e := range tt.events {
				v.Next(e)
			}
			v.Finish()
			if got := len(v.Faults) > 0; got != tt.faulty {
				t.Fatalf("faults = %v, want faulty=%v", v.Faults, tt.faulty)
			}
		})
	}
}

// rebuilt edits one row and recomputes every hash after it: the chain is
// self-consistent again, which only an anchor reveals.
func rebuilt(in []Event) []Event {
	out := append([]Event(nil), in...)
	out[1].Changes = `{"a":9}`
	prev := out[0].Hash
	for i := 1; i < len(out); i++ {
		out[i].PrevHash = prev
		out[i].Hash = ComputeHash(out[i])
		prev = out[i].Hash
	}
	return out
}

func TestParseAnchor(t *testing.T) {
	t.Parallel()
	h := chain(1)[0].Hash
	for _, tt := range []struct {
		in string
		ok bool
	}{{"1:" + h, true}, {"12:" + strings.ToUpper(h), true}, {"0:" + h, false}, {"x:" + h, false}, {"3:abc", false}, {h, false}} {
		if _, err := ParseAnchor(tt.in); (err == nil) != tt.ok {
			t.Errorf("ParseAnchor(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

// The serialisation is fixed for good: every stored hash was made by it,
// and PostgreSQL's audit_append() builds the same bytes around Body.
func TestComputeHashIsStable(t *testing.T) {
	e := Event{Seq: 42, ID: "0190f5c2-7a1e-7c3d-9b2a-1f2e3d4c5b6a", OccurredAt: time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.UTC),
		ActorID: "u-1", ActorRole: "pharmacist", OrganisationID: "org-1", Action: "dose_event.record", EntityType: "instalment",
		EntityID: "i-1", RequestID: "r-1", ClientIP: "127.0.0.1", Changes: `{"outcome":"supervised","notes":"Zoë — £5"}`,
		PrevHash: "ab" + GenesisHash[2:]}
	if got, want := ComputeHash(e), "bbf1e7576206bf1d3f3628e6cd905770463a9e228c091ea009ca11d17fae9bfc"; got != want {
		t.Fatalf("ComputeHash = %s, want %s", got, want)
	}
}

// A write with no user's token is the system's unless a command run at a
// shell said whose it is.
func TestActorFrom(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if got := ActorFrom(ctx); got != System {
		t.Errorf("ActorFrom(no actor) = %+v, want %+v", got, System)
	}
	op := CLIActor("alice", "ops-1")
	if op.ID != "cli:alice@ops-1" || op.Role != RoleCLI {
		t.Errorf("CLIActor = %+v", op)
	}
	if got := ActorFrom(WithActor(ctx, op)); got != op {
		t.Errorf("ActorFrom(WithActor(op)) = %+v, want %+v", got, op)
	}
	if got := ActorFrom(WithActor(WithActor(ctx, op), System)); got != System {
		t.Errorf("the innermost actor wins: got %+v", got)
	}
}
