package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

func TestMigrationVersionsMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	pg, err := store.MigrationVersions(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := store.MigrationVersions(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pg, lite) || len(pg) == 0 {
		t.Fatalf("postgres versions %v, sqlite versions %v", pg, lite)
	}
}

// TestSchemasMatchAcrossDialects proves both migration folders build the same
// tables with the same columns.
func TestSchemasMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	if storetest.PostgresURL() == "" {
		t.Skip("needs DOSEBOOK_TEST_POSTGRES_URL")
	}
	lite := columns(t, storetest.Open(t, store.SQLite, store.Options{}))
	pg := columns(t, storetest.Open(t, store.Postgres, store.Options{}))
	if !slices.Equal(lite, pg) {
		t.Fatalf("schemas differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

func columns(t *testing.T, db *store.DB) []string {
	t.Helper()
	cols, err := db.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(cols)
	return cols
}

func TestAuditChainVerifiesAndDetectsTampering(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Concurrent writers must still produce one unbroken chain.
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Write(ctx, func(tx *store.Tx) error {
					// Names beyond ASCII: PostgreSQL hashes the same bytes Go does.
					o := store.Organisation{Kind: auth.Pharmacy, Name: fmt.Sprintf("Pharmacy Zoë Łukasz-Nguyễn — %d", i)}
					return tx.CreateOrganisation(&o)
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		v, err := db.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v.Count != 20 || len(v.Faults) != 0 {
			t.Fatalf("count %d faults %v", v.Count, v.Faults)
		}
		// The database itself refuses to change the trail.
		if err := db.ExecForTest(ctx, "UPDATE audit_events SET action = 'x' WHERE seq = 3"); err == nil {
			t.Fatal("UPDATE of audit_events was allowed")
		}
		if err := db.ExecForTest(ctx, "DELETE FROM audit_events WHERE seq = 3"); err == nil {
			t.Fatal("DELETE of audit_events was allowed")
		}
		// Someone with the power to lift the guard edits a row: verify notices.
		if err := db.TamperAuditForTest(ctx, "UPDATE audit_events SET changes = '{}' WHERE seq = 5"); err != nil {
			t.Fatal(err)
		}
		v, err = db.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Faults) == 0 {
			t.Fatal("edited row not detected")
		}
	})
}

// A transaction's one audit event is appended as it commits on PostgreSQL
// (through audit_outbox, migration 00016), several at once in its body:
// interleaved, they make one chain, nothing waits in the outbox after
// COMMIT, and a rolled-back write leaves no event.
func TestAuditEventsAppendedAtCommitJoinOneChain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 30)
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Write(ctx, func(tx *store.Tx) error {
					// Every third transaction writes two events.
					n := 1
					if i%3 == 0 {
						n = 2
					}
					for j := range n {
						o := store.Organisation{Kind: auth.Pharmacy, Name: fmt.Sprintf("Pharmacy %d.%d", i, j)}
						if err := tx.CreateOrganisation(&o); err != nil {
							return err
						}
					}
					return nil
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rollback := errors.New("changed my mind")
		if err := db.Write(ctx, func(tx *store.Tx) error {
			o := store.Organisation{Kind: auth.Pharmacy, Name: "Never saved"}
			if err := tx.CreateOrganisation(&o); err != nil {
				return err
			}
			return rollback
		}); !errors.Is(err, rollback) {
			t.Fatalf("the rolled-back write answered %v", err)
		}
		v, err := db.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v.Count != 40 || len(v.Faults) != 0 {
			t.Fatalf("count %d faults %v, want 40 events in one chain", v.Count, v.Faults)
		}
		if n, err := db.CountForTest(ctx, "audit_outbox"); err != nil || n != 0 {
			t.Fatalf("audit_outbox holds %d rows after COMMIT (%v)", n, err)
		}
	})
}

// Rows cut from the end leave a chain that is consistent on its own; the
// head recorded earlier (an anchor) shows the loss.
func TestAuditAnchorDetectsRowsRemovedFromTheEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 5 {
			if err := db.Write(ctx, func(tx *store.Tx) error {
				// Names beyond ASCII: PostgreSQL hashes the same bytes Go does.
				o := store.Organisation{Kind: auth.Pharmacy, Name: fmt.Sprintf("Pharmacy Zoë Łukasz-Nguyễn — %d", i)}
				return tx.CreateOrganisation(&o)
			}); err != nil {
				t.Fatal(err)
			}
		}
		v, err := db.VerifyAudit(ctx)
		if err != nil || len(v.Faults) != 0 {
			t.Fatalf("verify: %v %v", err, v.Faults)
		}
		head := v.Head()
		if logged, err := db.AuditHead(ctx); head.Seq != 5 || err != nil || logged != head {
			t.Fatalf("head = %v, AuditHead = %v %v", head, logged, err)
		}
		if v, err = db.VerifyAudit(ctx, head); err != nil || len(v.Faults) != 0 {
			t.Fatalf("verify with its own head: %v %v", err, v.Faults)
		}
		if err := db.TamperAuditForTest(ctx, "DELETE FROM audit_events WHERE seq >= 4"); err != nil {
			t.Fatal(err)
		}
		if v, err = db.VerifyAudit(ctx); err != nil || len(v.Faults) != 0 {
			t.Fatalf("without an anchor the shortened chain looks intact: %v %v", err, v.Faults)
		}
		if v, err = db.VerifyAudit(ctx, head); err != nil || len(v.Faults) == 0 {
			t.Fatalf("rows removed from the end not detected with the anchor: %v", err)
		}
	})
}

// A night's scheduled alerts append thousands of audit events in one
// transaction: more than one INSERT's worth of PostgreSQL parameters.
func TestManyAuditEventsInOneTransaction(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 6000 // × 14 columns > 65,535 parameters
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := range n {
				if err := tx.Audit("test.bulk", "test", fmt.Sprint(i), map[string]int{"i": i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v.Count != n || len(v.Faults) != 0 {
			t.Fatalf("count %d faults %v", v.Count, v.Faults)
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var token, expired string
		var tok store.Token
		err := db.Write(ctx, func(tx *store.Tx) error {
			o := store.Organisation{Kind: auth.Pharmacy, Name: "P"}
			if err := tx.CreateOrganisation(&o); err != nil {
				return err
			}
			u := store.User{OrganisationID: o.ID, Role: auth.Pharmacist, Name: "Zoë Łukasz-Nguyễn"}
			if err := tx.CreateUser(&u); err != nil {
				return err
			}
			var err error
			if token, tok, err = tx.IssueToken(u.ID, "t", 3600e9); err != nil {
				return err
			}
			expired, _, err = tx.IssueToken(u.ID, "old", -1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.Authenticate(ctx, token)
		if err != nil || p.Role != auth.Pharmacist || p.Name != "Zoë Łukasz-Nguyễn" {
			t.Fatalf("authenticate: %+v %v", p, err)
		}
		for name, bad := range map[string]string{"expired": expired, "malformed": "dbk_x", "unknown": otherToken(token), "empty": ""} {
			if _, err := db.Authenticate(ctx, bad); err == nil {
				t.Errorf("%s token accepted", name)
			}
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.RevokeToken(tok.ID); return err }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, token); err == nil {
			t.Fatal("revoked token accepted")
		}
	})
}

func TestUserMustMatchOrganisationKind(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			o := store.Organisation{Kind: auth.Pharmacy, Name: "P"}
			if err := tx.CreateOrganisation(&o); err != nil {
				return err
			}
			return tx.CreateUser(&store.User{OrganisationID: o.ID, Role: auth.GP, Name: "x"})
		})
		if err == nil {
			t.Fatal("a GP was added to a pharmacy")
		}
		// Nothing of the failed transaction remains, not even its audit rows.
		v, _ := db.VerifyAudit(ctx)
		if v.Count != 0 {
			t.Fatalf("partial write: %d audit events", v.Count)
		}
	})
}

// Two servers starting at once on one empty PostgreSQL must both come up:
// the migration lock makes one wait for the other.
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	if storetest.PostgresURL() == "" {
		t.Skip("needs DOSEBOOK_TEST_POSTGRES_URL")
	}
	url := storetest.URL(t, store.Postgres)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = db.Migrate(ctx, nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// otherToken is well formed but differs from token in its last character.
func otherToken(token string) string {
	last := "a"
	if token[len(token)-1] == 'a' {
		last = "b"
	}
	return token[:len(token)-1] + last
}
