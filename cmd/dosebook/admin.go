package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/problem"
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
	return openDBAfter(ctx, "orgs create", true, rest, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "treatment_service, pharmacy or gp_practice")
		fs.StringVar(&name, "name", "", "organisation name (unique)")
		fs.StringVar(&address, "address", "", "postal address")
		fs.StringVar(&phone, "phone", "", "telephone")
	}, func(config.Config) error {
		// The API's rule, checked before the database is touched.
		return flagErrors(auth.CheckOrganisation(auth.OrgKind(kind), name, address, phone))
	}, func(a app) error {
		o := store.Organisation{Kind: auth.OrgKind(kind), Name: strings.TrimSpace(name), Address: address, Phone: phone}
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
	return openDBAfter(ctx, "users create", true, rest, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&org, "org", "", "organisation id or exact name")
		fs.StringVar(&role, "role", "", "admin, prescriber, pharmacist or gp")
		fs.StringVar(&name, "name", "", "the user's full name")
		fs.StringVar(&registration, "registration", "", "professional registration number (prescribers, GPs)")
	}, func(config.Config) error {
		// The API's rule, checked before the database is touched.
		fields := auth.CheckUser(auth.Role(role), name, registration, "")
		if strings.TrimSpace(org) == "" {
			fields = append(problem.Fields{{Field: "org", Rule: "required", Message: "org is required"}}, fields...)
		}
		return flagErrors(fields)
	}, func(a app) error {
		o, err := a.db.Organisation(ctx, org)
		if err != nil {
			if o, err = a.db.OrganisationByName(ctx, org); err != nil {
				return &exitError{2, fmt.Errorf("--org: no organisation has id or name %q", org)}
			}
		}
		u := store.User{OrganisationID: o.ID, Role: auth.Role(role), Name: strings.TrimSpace(name), Registration: registration}
		var secret string
		var token store.Token
		err = a.db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateUser(&u); err != nil {
				return err
			}
			secret, token, err = tx.IssueToken(u.ID, "cli", a.cfg.TokenTTL)
			return err
		})
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(map[string]any{"user": u, "token": secret, "token_id": token.ID,
			"note": "the token is shown once; store it safely (revoke it with dosebook tokens revoke --id TOKEN_ID)"})
	})
}

func cmdTokens(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	rest, err := sub(args, "revoke")
	if err != nil {
		return err
	}
	var id, secret string
	return openDBAfter(ctx, "tokens revoke", true, rest, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "id", "", "the token's id (token_id, printed by users create and demo)")
		fs.StringVar(&secret, "token", "", "the token itself (dbk_…), when its id is not to hand")
	}, func(config.Config) error {
		switch {
		case id == "" && secret == "":
			return &exitError{2, fmt.Errorf("--id or --token is required")}
		case id != "" && secret != "":
			return &exitError{2, fmt.Errorf("give either --id or --token, not both")}
		case auth.WellFormed(id):
			return &exitError{2, fmt.Errorf("--id takes a token id; pass the token itself with --token")}
		case id != "" && !store.ValidID(strings.ToLower(id)):
			return &exitError{2, fmt.Errorf("--id %q is not a token id (a UUID such as the token_id printed by users create and demo)", id)}
		case secret != "" && !auth.WellFormed(secret):
			return &exitError{2, fmt.Errorf("--token: not a Dosebook token (dbk_…)")}
		}
		return nil
	}, func(a app) error {
		id = strings.ToLower(id)
		var t store.Token
		err := a.db.Write(ctx, func(tx *store.Tx) error {
			if secret != "" {
				found, err := a.db.TokenBySecret(ctx, secret)
				if err != nil {
					return err
				}
				id = found.ID
			}
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

// flagErrors turns the API's field errors into one line naming the flags
// (each flag has the field's name), exit status 2.
func flagErrors(f problem.Fields) error {
	if len(f) == 0 {
		return nil
	}
	var parts []string
	for _, e := range f {
		parts = append(parts, "--"+e.Field+": "+e.Message)
	}
	return &exitError{2, errors.New(strings.Join(parts, "; "))}
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
