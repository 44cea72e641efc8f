package store

import (
	"context"
	"time"

	"github.com/dosebook/dosebook/internal/audit"
)

// AuditFilter narrows the audit trail listing.
type AuditFilter struct {
	EntityType string
	EntityID   string
	ActorID    string
	From, To   time.Time // To is exclusive
	AfterSeq   int64     // cursor
	Limit      int
}

// AuditEvents lists audit events in sequence order.
func (db *DB) AuditEvents(ctx context.Context, f AuditFilter) ([]audit.Event, error) {
	q := db.read(ctx).Order("seq").Where("seq > ?", f.AfterSeq)
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if !f.From.IsZero() {
		q = q.Where("occurred_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("occurred_at < ?", f.To.UTC())
	}
	var out []audit.Event
	return out, translate(q.Limit(f.Limit).Find(&out).Error)
}

// VerifyAudit walks the whole chain in pages and reports every fault,
// including anchors (heads recorded earlier) that no longer match.
func (db *DB) VerifyAudit(ctx context.Context, anchors ...audit.Anchor) (*audit.Verifier, error) {
	v := audit.NewVerifier(anchors...)
	var after int64 = -1 << 62
	for {
		var page []audit.Event
		if err := db.read(ctx).Where("seq > ?", after).Order("seq").Limit(5000).Find(&page).Error; err != nil {
			return nil, translate(err)
		}
		for _, e := range page {
			v.Next(e)
		}
		if len(page) < 5000 {
			v.Finish()
			return v, nil
		}
		after = page[len(page)-1].Seq
	}
}

// AuditHead is the chain's last event as an anchor (zero when empty).
func (db *DB) AuditHead(ctx context.Context) (audit.Anchor, error) {
	var last audit.Event
	err := db.read(ctx).Select("seq", "hash").Order("seq DESC").Limit(1).Find(&last).Error
	return audit.Anchor{Seq: last.Seq, Hash: last.Hash}, translate(err)
}
