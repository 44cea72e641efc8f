package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// A name is found in any case; where names from before that rule differ
// in case alone, none is guessed at: the caller is told to be exact.
func TestOrganisationByNameIgnoresCaseButNeverGuesses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := store.Organisation{Kind: auth.Pharmacy, Name: "Bridge Pharmacy", Address: "1 Bridge Street"}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(&o) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.OrganisationByName(ctx, "bridge PHARMACY")
		if err != nil || got.ID != o.ID {
			t.Fatalf("found %v, %v", got, err)
		}
		// As an older database may hold it, written past the rule.
		if err := db.ExecForTest(ctx, "INSERT INTO organisations (id, kind, name, address, phone, created_at) VALUES (?, ?, ?, '', '', ?)",
			"018f0000-0000-7000-8000-000000000001", auth.Pharmacy, "BRIDGE PHARMACY", db.Now()); err != nil {
			t.Fatal(err)
		}
		if got, err := db.OrganisationByName(ctx, "Bridge Pharmacy"); err != nil || got.ID != o.ID {
			t.Fatalf("the exact name found %v, %v", got, err)
		}
		if _, err := db.OrganisationByName(ctx, "bridge pharmacy"); err == nil || !strings.Contains(err.Error(), "2 organisations are named") {
			t.Fatalf("an ambiguous name answered %v", err)
		}
	})
}
