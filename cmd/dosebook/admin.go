package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/store"
)

func sub(args []string, want string) ([]string, error) {
	if len(args) == 0 || args[0] != want {
		return nil, &exitError{2, fmt.Errorf("expected %q subcommand", want)}
	}
	return args[1:], nil
}

func cmdOrgs(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	rest, err := sub(args, "create")
	if err != nil {
		return err
	}
	var kind, name, address, phone string
	return withDB(ctx, "orgs create", rest, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "treatment_service, pharmacy or gp_practice")
		fs.StringVar(&name, "name", "", "organisation name (unique)")
		fs.StringVar(&address, "address", "", "postal address")
		fs.StringVar(&phone, "phone", "", "telephone")
	}, func(a app) error {
		if !auth.OrgKind(kind).Valid() || name == "" || strings.TrimSpace(address) == "" {
			// L1: prescriptions and letters print the address.
			return &exitError{2, fmt.Errorf("--kind must be treatment_service, pharmacy or gp_practice, and --name and --address are required")}
		}
		o := store.Organisation{Kind: auth.OrgKind(kind), Name: name, Address: address, Phone: phone}
		if err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(&o) }); err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(o)
	})
}

func cmdUsers(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	rest, err := sub(args, "create")
	if err != nil {
		return err
	}
	var org, role, name, registration string
	return withDB(ctx, "users create", rest, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&org, "org", "", "organisation id or exact name")
		fs.StringVar(&role, "role", "", "admin, prescriber, pharmacist or gp")
		fs.StringVar(&name, "name", "", "the user's full name")
		fs.StringVar(&registration, "registration", "", "professional registration number (prescribers, GPs)")
	}, func(a app) error {
		if org == "" || name == "" || !auth.Role(role).Valid() {
			return &exitError{2, fmt.Errorf("--org, --name and --role (admin, prescriber, pharmacist or gp) are required")}
		}
		o, err := a.db.Organisation(ctx, org)
		if err != nil {
			if o, err = a.db.OrganisationByName(ctx, org); err != nil {
				return &exitError{2, fmt.Errorf("--org: no organisation has id or name %q", org)}
			}
		}
		u := store.User{OrganisationID: o.ID, Role: auth.Role(role), Name: name, Registration: registration}
		var token string
		err = a.db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateUser(&u); err != nil {
				return err
			}
			token, _, err = tx.IssueToken(u.ID, "cli", a.cfg.TokenTTL)
			return err
		})
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(map[string]any{"user": u, "token": token,
			"note": "the token is shown once; store it safely"})
	})
}

func cmdTokens(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	rest, err := sub(args, "revoke")
	if err != nil {
		return err
	}
	var id string
	return withDB(ctx, "tokens revoke", rest, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "id", "", "token id")
	}, func(a app) error {
		var t store.Token
		err := a.db.Write(ctx, func(tx *store.Tx) error {
			var err error
			t, err = tx.RevokeToken(id)
			return err
		})
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(t)
	})
}

func cmdAudit(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	rest, err := sub(args, "verify")
	if err != nil {
		return err
	}
	var anchors anchorFlags
	return openDB(ctx, "audit verify", false, rest, env, stderr, func(fs *flag.FlagSet) {
		fs.Var(&anchors, "anchor", "SEQ:HASH of a head printed by an earlier verify or logged at day close; repeatable")
	}, func(a app) error {
		v, err := a.db.VerifyAudit(ctx, anchors...)
		if err != nil {
			return err
		}
		for _, f := range v.Faults {
			fmt.Fprintln(stdout, "FAULT", f.String())
		}
		if len(v.Faults) > 0 {
			return fmt.Errorf("audit trail verification failed: %d fault(s) in %d events", len(v.Faults), v.Count)
		}
		fmt.Fprintf(stdout, "audit trail intact: %d events verified\n", v.Count)
		if v.Count > 0 {
			// The chain cannot show rows cut from its end: keep the head
			// somewhere else and pass it back later.
			fmt.Fprintf(stdout, "head: %s (later: dosebook audit verify --anchor %s)\n", v.Head(), v.Head())
		}
		return nil
	})
}

type anchorFlags []audit.Anchor

func (f *anchorFlags) String() string { return fmt.Sprint(*f) }

func (f *anchorFlags) Set(s string) error {
	a, err := audit.ParseAnchor(s)
	if err != nil {
		return err
	}
	*f = append(*f, a)
	return nil
}
