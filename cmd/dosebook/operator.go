package main

import (
	"context"
	"os"
	"os/user"
	"strconv"

	"github.com/google/uuid"

	"github.com/dosebook/dosebook/internal/audit"
)

// operatorContext makes every write of one command run at a shell
// auditable as that person's doing: actor "cli:USER@HOST", role "cli", one
// request id "cli-…" for all the command's events, client "local". Without
// it a shell user minting an admin token would be recorded as "system",
// like the scheduled day close (ADR 0002, addendum on who wrote it).
func operatorContext(ctx context.Context) context.Context {
	ctx = audit.WithActor(ctx, audit.CLIActor(osUser(), hostName()))
	return audit.WithRequest(ctx, audit.Request{ID: "cli-" + uuid.Must(uuid.NewV7()).String(), ClientIP: "local"})
}

// osUser is the account the process runs as, looked up by uid rather than
// read from $USER, which anyone can set.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	// An account with no passwd entry (a container run with --user 1234).
	return "uid" + strconv.Itoa(os.Getuid())
}

func hostName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "unknown-host"
}
