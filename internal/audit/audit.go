// Package audit defines the append-only, hash-chained audit trail: every
// write to Dosebook appends one Event in the same transaction, and each event's
// hash covers the previous one, so any edited, inserted or removed row shows.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event is one row of the audit trail.
type Event struct {
	Seq            int64     `json:"seq" gorm:"primaryKey;autoIncrement:false"`
	ID             string    `json:"id"`
	OccurredAt     time.Time `json:"occurred_at"`
	ActorID        string    `json:"actor_id"`
	ActorRole      string    `json:"actor_role"`
	OrganisationID string    `json:"organisation_id"`
	Action         string    `json:"action"`
	EntityType     string    `json:"entity_type"`
	EntityID       string    `json:"entity_id"`
	RequestID      string    `json:"request_id"`
	ClientIP       string    `json:"client_ip"`
	Changes        string    `json:"changes"` // canonical JSON of what changed
	PrevHash       string    `json:"prev_hash"`
	Hash           string    `json:"hash"`
}

func (Event) TableName() string { return "audit_events" }

// GenesisHash is the prev_hash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Precision is what both databases keep of a timestamp; hashing a finer time
// than is stored would make every row fail verification.
const Precision = time.Microsecond

// ComputeHash chains e to the previous hash. Fields are length-prefixed so
// that no two different events serialise alike.
func ComputeHash(e Event) string {
	var b strings.Builder
	field(&b, strconv.FormatInt(e.Seq, 10))
	b.WriteString(Body(e))
	field(&b, e.PrevHash)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Body is the part of the hashed serialisation that does not depend on the
// chain: every field but the sequence number, which comes before it, and
// the previous hash, which comes after. PostgreSQL's audit_append()
// (migrations/postgres/00011) wraps it the same way under the chain lock.
func Body(e Event) string {
	var b strings.Builder
	for _, f := range []string{
		e.ID, e.OccurredAt.UTC().Truncate(Precision).Format(time.RFC3339Nano),
		e.ActorID, e.ActorRole, e.OrganisationID, e.Action, e.EntityType, e.EntityID,
		e.RequestID, e.ClientIP, e.Changes,
	} {
		field(&b, f)
	}
	return b.String()
}

func field(b *strings.Builder, f string) {
	b.WriteString(strconv.Itoa(len(f)))
	b.WriteByte(':')
	b.WriteString(f)
	b.WriteByte('|')
}

// Fault is one break in the chain found by Verify.
type Fault struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (f Fault) String() string { return fmt.Sprintf("seq %d: %s", f.Seq, f.Reason) }

// Anchor is a chain head recorded outside the database (printed by
// `dosebook audit verify`, logged at every day close). The chain alone
// cannot show rows removed from its end; an anchor can: the row at Seq
// must still exist with this Hash.
type Anchor struct {
	Seq  int64
	Hash string
}

// ParseAnchor reads "SEQ:HASH".
func ParseAnchor(s string) (Anchor, error) {
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(hash) != len(GenesisHash) {
		return Anchor{}, fmt.Errorf("anchor %q is not SEQ:HASH (as printed by dosebook audit verify)", s)
	}
	return Anchor{Seq: n, Hash: strings.ToLower(hash)}, nil
}

func (a Anchor) String() string { return strconv.FormatInt(a.Seq, 10) + ":" + a.Hash }

// Verifier checks events in sequence order, one at a time, so a trail of
// millions of rows never has to be held in memory.
type Verifier struct {
	prevSeq  int64
	prevHash string
	anchors  map[int64]string
	Count    int64
	Faults   []Fault
}

func NewVerifier(anchors ...Anchor) *Verifier {
	v := &Verifier{prevHash: GenesisHash, anchors: map[int64]string{}}
	for _, a := range anchors {
		v.anchors[a.Seq] = a.Hash
	}
	return v
}

// Head is the last event seen, to be kept as an anchor.
func (v *Verifier) Head() Anchor { return Anchor{Seq: v.prevSeq, Hash: v.prevHash} }

// Finish reports anchors beyond the end of the chain: rows removed from
// the end (or the whole trail) since the anchor was taken.
func (v *Verifier) Finish() {
	for seq := range v.anchors {
		if seq > v.prevSeq {
			v.Faults = append(v.Faults, Fault{seq, fmt.Sprintf("anchored row missing: the chain ends at seq %d (rows removed from the end)", v.prevSeq)})
		}
	}
}

// Next checks one event against the chain so far.
func (v *Verifier) Next(e Event) {
	v.Count++
	switch {
	case e.Seq == v.prevSeq:
		v.Faults = append(v.Faults, Fault{e.Seq, "duplicate sequence number (inserted row)"})
	case e.Seq != v.prevSeq+1:
		v.Faults = append(v.Faults, Fault{e.Seq, fmt.Sprintf("sequence jumps from %d (rows removed)", v.prevSeq)})
	}
	if e.PrevHash != v.prevHash {
		v.Faults = append(v.Faults, Fault{e.Seq, "previous-hash link broken (row removed, inserted or edited before it)"})
	}
	if ComputeHash(e) != e.Hash {
		v.Faults = append(v.Faults, Fault{e.Seq, "hash does not match contents (row edited)"})
	}
	if want, ok := v.anchors[e.Seq]; ok && want != e.Hash {
		v.Faults = append(v.Faults, Fault{e.Seq, "hash differs from the anchor recorded earlier (row replaced)"})
	}
	v.prevSeq = e.Seq
	v.prevHash = e.Hash
}

// Request is what the HTTP layer knows about a write's origin.
type Request struct {
	ID       string
	ClientIP string
}

type requestKey struct{}

// WithRequest carries the request id and client address to the audit writer.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request metadata: empty in the service's own
// jobs; a "cli-" id and client "local" for a command run at a shell.
func RequestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}

// Actor is whom a write is recorded against when no signed-in user made
// it. A user's token, when there is one, names the actor instead.
type Actor struct {
	ID             string
	Role           string
	OrganisationID string
}

// RoleCLI is the actor role of a write made by a dosebook command run at a
// shell (users create, tokens revoke, day-close, …): such a write is
// somebody's doing, and must not read like the scheduled day close.
const RoleCLI = "cli"

// System is the service's own work: the scheduled day close and its
// catch-up. It is the actor when nothing else is known.
var System = Actor{ID: "system", Role: "system"}

// CLIActor is the operator who ran a command: "cli:USER@HOST".
func CLIActor(user, host string) Actor {
	return Actor{ID: "cli:" + user + "@" + host, Role: RoleCLI}
}

type actorKey struct{}

// WithActor names who writes under ctx when no user's token does.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor set by WithActor, System if none.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok && a.ID != "" {
		return a
	}
	return System
}
