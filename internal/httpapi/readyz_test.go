package httpapi

import (
	"context"
	"strings"
	"testing"
)

// A database a newer release migrated is not ready for this binary, and
// /readyz says why, naming both versions, rather than "not current".
func TestReadyzNamesANewerSchema(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.must(200, e.do("", "GET", "/readyz", nil))
		// No placeholders: the statement is the same on both databases.
		if _, err := e.db.SQL().ExecContext(context.Background(),
			"INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)"); err != nil {
			t.Fatal(err)
		}
		p := problemOf(t, e.do("", "GET", "/readyz", nil), 503)
		detail, _ := p["detail"].(string)
		if !strings.Contains(detail, "database schema is at version 99999, newer than this dosebook knows") ||
			!strings.Contains(detail, "run the newer release") {
			t.Fatalf("detail = %q", detail)
		}
	})
}
