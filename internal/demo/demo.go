// Package demo seeds a small, realistic Dosebook service so a newcomer can
// try every role at once. Seeding is idempotent: run twice, it finds what it
// made before, finishes what an interrupted run left half done, tops up
// prescriptions that have run out, and issues fresh tokens.
package demo

import (
	"context"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

// TokenTTL is how long printed demo tokens last.
const TokenTTL = 30 * 24 * time.Hour

// Result is what `dosebook demo` prints.
type Result struct {
	Tokens map[string]string `json:"tokens"`
	// TokenIDs are the tokens' ids, by the same keys: what
	// `dosebook tokens revoke --id` takes.
	TokenIDs   map[string]string `json:"token_ids"`
	Users      []UserInfo        `json:"users"`
	ServiceID  string            `json:"service_id"`
	PharmacyID string            `json:"pharmacy_id"`
	Pharmacy2  string            `json:"pharmacy_2_id"`
	PracticeID string            `json:"gp_practice_id"`
	Patients   []PatientInfo     `json:"patients,omitempty"`
	// Warnings name what a run again could not do to a demo patient that
	// someone has changed since (a top-up the rules refuse); the demo
	// starts without it.
	Warnings []string `json:"warnings,omitempty"`
}

// UserInfo describes one demo user.
type UserInfo struct {
	Key          string    `json:"key"`
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Role         auth.Role `json:"role"`
	Organisation string    `json:"organisation"`
}

// PatientInfo names a demo patient and what it shows.
type PatientInfo struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Shows string `json:"shows"`
}

type orgSpec struct {
	key, name, address, phone string
	kind                      auth.OrgKind
}

var orgs = []orgSpec{
	{"service", "Riverside Community Drug Service", "12 Quay Street, Worcester WR1 2JJ", "01905 555 010", auth.TreatmentService},
	{"pharmacy", "Castle Street Pharmacy", "4 Castle Street, Worcester WR1 3AD", "01905 555 220", auth.Pharmacy},
	{"pharmacy_2", "Market Square Pharmacy", "27 Market Square, Droitwich WR9 8DA", "01905 555 330", auth.Pharmacy},
	{"practice", "Abbey Road Surgery", "1 Abbey Road, Worcester WR2 5BX", "01905 555 440", auth.GPPractice},
}

type userSpec struct {
	key, org, name, registration, phone string
	role                                auth.Role
}

var users = []userSpec{
	{"admin", "service", "Sam Okafor", "", "01905 555 011", auth.Admin},
	{"prescriber", "service", "Dr Priya Raman", "GMC 7012345", "01905 555 012", auth.Prescriber},
	{"pharmacist", "pharmacy", "Tom Hughes", "GPhC 2087654", "01905 555 221", auth.Pharmacist},
	{"pharmacist_2", "pharmacy_2", "Aisha Begum", "GPhC 2099887", "01905 555 331", auth.Pharmacist},
	{"gp", "practice", "Dr Owen Price", "GMC 6098765", "01905 555 441", auth.GP},
}

// Seed creates (or finds) the demo organisations, users and patients and
// issues a fresh token per user. It holds the history lock: the demo's
// weeks of dose records must be written before any day close, in this
// process or another on the same database, settles those days.
//
// Run again, it finishes what an interrupted run left (a patient written
// but its history not yet replayed) and tops up the patients'
// prescriptions so that some are due today (topUp).
func Seed(ctx context.Context, db *store.DB, cfg config.Config) (Result, error) {
	return seed(ctx, db, cfg, func(string) {})
}

// seed is Seed reporting each step it has written ("patient", "day"), so a
// test can interrupt it part-way.
func seed(ctx context.Context, db *store.DB, cfg config.Config, progress func(step string)) (Result, error) {
	var res Result
	err := db.WithHistoryLock(ctx, func() error {
		var err error
		if res, err = SeedPeople(ctx, db); err != nil {
			return err
		}
		res.Patients, res.Warnings, err = seedClinical(ctx, db, cfg, res, progress)
		return err
	})
	return res, err
}

// SeedPeople creates (or finds) the demo organisations and users and issues
// a fresh token per user; tests build their own patients on top.
func SeedPeople(ctx context.Context, db *store.DB) (Result, error) {
	res := Result{Tokens: map[string]string{}, TokenIDs: map[string]string{}}
	orgIDs := map[string]string{}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, o := range orgs {
			found, err := db.OrganisationByName(ctx, o.name)
			if problem.CodeOf(err) == problem.NotFound {
				found = store.Organisation{Kind: o.kind, Name: o.name, Address: o.address, Phone: o.phone}
				err = tx.CreateOrganisation(&found)
			}
			if err != nil {
				return err
			}
			orgIDs[o.key] = found.ID
		}
		for _, u := range users {
			found, err := db.UserByName(ctx, orgIDs[u.org], u.name)
			if problem.CodeOf(err) == problem.NotFound {
				found = store.User{OrganisationID: orgIDs[u.org], Role: u.role, Name: u.name,
					Registration: u.registration, Phone: u.phone}
				err = tx.CreateUser(&found)
			}
			if err != nil {
				return err
			}
			secret, token, err := tx.IssueToken(found.ID, "demo", TokenTTL)
			if err != nil {
				return err
			}
			res.Tokens[u.key], res.TokenIDs[u.key] = secret, token.ID
			res.Users = append(res.Users, UserInfo{Key: u.key, ID: found.ID, Name: u.name, Role: u.role,
				Organisation: orgName(u.org)})
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.ServiceID, res.PharmacyID, res.Pharmacy2, res.PracticeID =
		orgIDs["service"], orgIDs["pharmacy"], orgIDs["pharmacy_2"], orgIDs["practice"]
	return res, nil
}

func orgName(key string) string {
	for _, o := range orgs {
		if o.key == key {
			return o.name
		}
	}
	return ""
}

// IsDemoPharmacist says whether a pharmacist of this name in a pharmacy of
// this name is one Seed makes, so that a tool writing made-up records
// (dosebook load) can tell the demo's made-up people from real ones.
func IsDemoPharmacist(org, user string) bool {
	for _, u := range users {
		if u.role == auth.Pharmacist && u.name == user && org == orgName(u.org) {
			return true
		}
	}
	return false
}
