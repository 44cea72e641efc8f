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

// Names are kept and compared as printed (auth.Name): a name given with its
// accent typed apart or a second space is kept in NFC with single spaces,
// and one already held in another spelling, as an older database may hold
// it, is still the same name to a new one and to OrganisationByName.
func TestOrganisationNamesCompareAsPrinted(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := store.Organisation{Kind: auth.GPPractice, Name: " Cafe\u0301  Surgery ", Address: " 1 Rue de l'E\u0301glise "}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(&o) }); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Organisation(ctx, o.ID); err != nil || got.Name != "Caf\u00e9 Surgery" || got.Address != "1 Rue de l'\u00c9glise" {
			t.Fatalf("kept as %q, %q (%v)", got.Name, got.Address, err)
		}
		if err := db.ExecForTest(ctx, "INSERT INTO organisations (id, kind, name, address, phone, created_at) VALUES (?, ?, ?, '', '', ?)",
			"018f0000-0000-7000-8000-000000000002", auth.Pharmacy, "Old  Mill Pharmacy", db.Now()); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Caf\u00e9 Surgery", "CAFE\u0301 SURGERY", "old mill pharmacy"} {
			dup := store.Organisation{Kind: auth.Pharmacy, Name: name, Address: "2 High Street"}
			err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(&dup) })
			if err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Errorf("%q: %v, want a conflict", name, err)
			}
		}
		if got, err := db.OrganisationByName(ctx, "Old Mill  pharmacy"); err != nil || got.ID != "018f0000-0000-7000-8000-000000000002" {
			t.Fatalf("found %v, %v", got, err)
		}
	})
}
