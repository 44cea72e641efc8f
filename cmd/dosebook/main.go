// Command dosebook is the Dosebook service and its administration tools.
// This file is the one composition root: it reads config, opens the
// database, migrates, builds the services and starts the server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the container image may have no zoneinfo

	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/store"
)

const usage = `dosebook — the clinical record of opiate substitution treatment

Usage:
  dosebook serve [--demo] [flags]        run the HTTP API (migrates first)
  dosebook migrate [flags]               apply database migrations
  dosebook demo [flags]                  seed demo organisations, users and patients; print tokens
  dosebook orgs create --kind K --name N create an organisation
  dosebook users create --org ORG --role ROLE --name NAME
                                         create a user and print a new token once
  dosebook tokens revoke --id TOKEN_ID | --token SECRET
                                         revoke a token by its id (token_id, printed by users create and demo) or by the token itself
  dosebook audit verify [flags]          check the audit trail's hash chain
  dosebook day-close [--date D] [--confirm-early]
                                         mark a day's uncollected doses missed at every pharmacy (default today;
                                         today before DOSEBOOK_DAY_CLOSE_AT needs --confirm-early)
  dosebook generate --patients N --days D [--pharmacies P] [--seed S]
                                         bulk-load a synthetic service for benchmarks; print tokens
  dosebook load --url U --token-file F [--duration 30s] [--concurrency C] [--mix record=..,daylist=..,history=..]
                                         drive a running server over loopback; print throughput and latency
  dosebook samples [--out docs/samples]  regenerate the sample PDFs (and PNG previews) from demo data at a fixed date

Flags common to all commands (environment variables in brackets):
  --database-url (DOSEBOOK_DATABASE_URL)  postgres://… ; unset: ./dosebook.db
  --addr (DOSEBOOK_ADDR), --timezone (DOSEBOOK_TIMEZONE), --log-level (DOSEBOOK_LOG_LEVEL)
Run "dosebook COMMAND -h" for a command's flags.
`

// exitError carries an exit status: 2 for bad usage or configuration.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "dosebook:", err)
		} else {
			code = 0
		}
		os.Exit(code)
	}
}

func run(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd != "serve" {
		// Writes of the server are its users' (their tokens) or its own
		// jobs' ("system"); those of any other command, the operator's.
		ctx = operatorContext(ctx)
	}
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, env, stdout, stderr)
	case "migrate":
		return withDB(ctx, "migrate", rest, env, stderr, nil, func(a app) error {
			fmt.Fprintln(stdout, "migrations are current")
			return nil
		})
	case "demo":
		return cmdDemo(ctx, rest, env, stdout, stderr)
	case "generate":
		return cmdGenerate(ctx, rest, env, stdout, stderr)
	case "load":
		return cmdLoad(ctx, rest, stdout, stderr)
	case "orgs":
		return cmdOrgs(ctx, rest, env, stdout, stderr)
	case "users":
		return cmdUsers(ctx, rest, env, stdout, stderr)
	case "tokens":
		return cmdTokens(ctx, rest, env, stdout, stderr)
	case "day-close":
		return cmdDayClose(ctx, rest, env, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, rest, env, stdout, stderr)
	case "samples":
		return cmdSamples(ctx, rest, stdout, stderr)
	}
	return &exitError{2, fmt.Errorf("unknown command %q (run dosebook help)", cmd)}
}

// app is what a subcommand gets: config, a migrated database and a logger.
type app struct {
	cfg config.Config
	db  *store.DB
	log *slog.Logger
	fs  *flag.FlagSet
}

// withDB parses the common flags plus extra ones, opens and migrates the
// database, and runs fn.
func withDB(ctx context.Context, name string, args []string, env config.Env, stderr io.Writer,
	extra func(fs *flag.FlagSet), fn func(a app) error) error {
	return openDB(ctx, name, true, args, env, stderr, extra, fn)
}

// openDB is withDB with migration optional: a command that only inspects
// the database (audit verify) must not change its schema.
func openDB(ctx context.Context, name string, migrate bool, args []string, env config.Env, stderr io.Writer,
	extra func(fs *flag.FlagSet), fn func(a app) error) error {
	return openDBAfter(ctx, name, migrate, args, env, stderr, extra, nil, fn)
}

// openDBAfter is openDB with a step between reading the configuration and
// touching the database (serve binds its port there), so that a start
// bound to fail changes nothing.
func openDBAfter(ctx context.Context, name string, migrate bool, args []string, env config.Env, stderr io.Writer,
	extra func(fs *flag.FlagSet), before func(cfg config.Config) error, fn func(a app) error) error {
	fs := flag.NewFlagSet("dosebook "+name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	cfg, err := parseFlags(fs, args, env, stderr)
	if err != nil {
		return err
	}
	if before != nil {
		if err := before(cfg); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Zone: cfg.Timezone})
	if err != nil {
		return err
	}
	defer db.Close()
	if migrate {
		if err := db.Migrate(ctx, log); err != nil {
			return err
		}
	}
	return fn(app{cfg: cfg, db: db, log: log, fs: fs})
}

// parseFlags reads the configuration. A mistake is one line and exit
// status 2 (the flag package would print the whole usage after it); -h
// prints the flags.
func parseFlags(fs *flag.FlagSet, args []string, env config.Env, stderr io.Writer) (config.Config, error) {
	fs.SetOutput(io.Discard)
	cfg, err := config.Load(fs, args, env)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fmt.Fprintf(stderr, "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
		return cfg, err
	}
	if err != nil {
		return cfg, &exitError{2, err}
	}
	if fs.NArg() > 0 {
		return cfg, &exitError{2, fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return cfg, nil
}
