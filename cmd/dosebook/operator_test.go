package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// wantOperator is the actor a command run by this test process is
// recorded against.
func wantOperator(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Skipf("no passwd entry for this uid: %v", err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return "cli:" + u.Username + "@" + host
}

// A write made at a shell names who made it: minting an admin token with
// users create is recorded against the OS user and host, role "cli", with
// one request id for the command's events, and the chain still verifies.
// The scheduled day close stays the system's, even when the server was
// started from a shell.
func TestCLIWritesNameTheOperator(t *testing.T) {
	t.Parallel()
	operator := wantOperator(t)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			url := storetest.URL(t, d)
			for _, args := range [][]string{
				{"orgs", "create", "--kind", "treatment_service", "--name", "Riverside", "--address", "1 Quay St"},
				{"orgs", "create", "--kind", "pharmacy", "--name", "Castle Street Pharmacy", "--address", "1 High St"},
				{"users", "create", "--org", "Riverside", "--role", "admin", "--name", "Rogue Admin"},
			} {
				if _, code, msg := cliAt(t, url, args...); code != 0 {
					t.Fatalf("%s: %d %s", strings.Join(args, " "), code, msg)
				}
			}
			ctx := context.Background()
			db, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			events, err := db.AuditEvents(ctx, store.AuditFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			byAction := map[string]audit.Event{}
			for _, e := range events {
				byAction[e.Action] = e
				if e.ActorID != operator || e.ActorRole != audit.RoleCLI || e.OrganisationID != "" ||
					!strings.HasPrefix(e.RequestID, "cli-") || e.ClientIP != "local" {
					t.Errorf("%s: actor %q role %q org %q request %q client %q, want %q, cli, no organisation, cli-…, local",
						e.Action, e.ActorID, e.ActorRole, e.OrganisationID, e.RequestID, e.ClientIP, operator)
				}
			}
			created, issued := byAction["user.create"], byAction["token.issue"]
			if created.RequestID == "" || created.RequestID != issued.RequestID {
				t.Errorf("users create: request ids %q and %q, want one for the command", created.RequestID, issued.RequestID)
			}
			if org := byAction["organisation.create"]; org.RequestID == created.RequestID {
				t.Errorf("orgs create and users create share request id %q", org.RequestID)
			}
			// GET /v1/audit?actor_id=… finds them.
			mine, err := db.AuditEvents(ctx, store.AuditFilter{ActorID: operator, Limit: 100})
			if err != nil || len(mine) != len(events) {
				t.Fatalf("filter by actor %q: %d of %d events, %v", operator, len(mine), len(events), err)
			}

			// The server's day close, started under a shell's context to
			// show that it is not the operator's.
			closer := newDayCloser(db, genTestConfig(t), slog.New(slog.NewTextHandler(io.Discard, nil)), newDayCloseMetrics())
			day := calendar.DateOf(db.Now(), closer.zone).AddDays(-1)
			if _, err := closer.close(operatorContext(ctx), day); err != nil {
				t.Fatal(err)
			}
			after, err := db.AuditEvents(ctx, store.AuditFilter{AfterSeq: events[len(events)-1].Seq, Limit: 100})
			if err != nil || len(after) == 0 {
				t.Fatalf("day close appended no audit event: %v", err)
			}
			for _, e := range after {
				if e.ActorID != "system" || e.ActorRole != "system" || e.RequestID != "" || e.ClientIP != "" {
					t.Errorf("scheduled %s: actor %q role %q request %q client %q, want system with no request",
						e.Action, e.ActorID, e.ActorRole, e.RequestID, e.ClientIP)
				}
			}
			if out, code, msg := cliAt(t, url, "audit", "verify"); code != 0 {
				t.Fatalf("audit verify: %d %s %s", code, out, msg)
			}
		})
	}
}
