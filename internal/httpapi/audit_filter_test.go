package httpapi

import (
	"slices"
	"testing"
)

// An audit filter that can only find nothing because it is mistyped is a
// 422 naming it, not an empty page that reads as "no such events".
func TestAuditFiltersAreChecked(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		refused := []struct {
			query string
			want  []string
		}{
			{"from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", []string{"from"}},
			{"entity_type=patients", []string{"entity_type"}},
			{"entity_type=Patient", []string{"entity_type"}},
			{"actor_id=tom", []string{"actor_id"}},
			{"actor_id=cli:", []string{"actor_id"}},
			{"actor_id=cli:ops@", []string{"actor_id"}},
			{"actor_id=SYSTEM", []string{"actor_id"}},
			{"entity_type=x&actor_id=y&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", []string{"actor_id", "entity_type", "from"}},
		}
		for _, tt := range refused {
			p := problemOf(t, e.do("admin", "GET", "/v1/audit?"+tt.query, nil), 422)
			got := fieldsOf(p)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: fields %v, want %v", tt.query, got, tt.want)
			}
		}
		var adminID string
		for _, u := range e.demo.Users {
			if u.Key == "admin" {
				adminID = u.ID
			}
		}
		for _, q := range []string{"entity_type=user", "entity_type=dose_change", "actor_id=system", "actor_id=cli:ops@host-1",
			"actor_id=" + adminID, "from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"} {
			e.must(200, e.do("admin", "GET", "/v1/audit?"+q, nil))
		}
	})
}

// Every entity type the demo's months of records file audit events under
// is one the filter takes.
func TestAuditEntityTypesAreKnown(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.seedDemo()
		seen := map[string]bool{}
		cursor := ""
		for range 1000 {
			m := e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&cursor="+cursor, nil))
			for _, it := range m["items"].([]any) {
				seen[it.(map[string]any)["entity_type"].(string)] = true
			}
			if cursor = m["next_cursor"].(string); cursor == "" {
				break
			}
		}
		for et := range seen {
			if !slices.Contains(auditEntityTypes, et) {
				t.Errorf("entity type %q is in the trail but not in auditEntityTypes", et)
			}
		}
		if len(seen) < 5 {
			t.Errorf("the demo filed events under only %v", seen)
		}
	})
}
