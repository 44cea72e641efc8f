package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/problem"
)

// Organisation is a treatment service, pharmacy or GP practice.
type Organisation struct {
	ID        string       `json:"id"`
	Kind      auth.OrgKind `json:"kind"`
	Name      string       `json:"name"`
	Address   string       `json:"address"`
	Phone     string       `json:"phone"`
	Opening   string       `json:"-"` // JSON calendar.Opening, pharmacies only
	CreatedAt time.Time    `json:"created_at"`
}

// User is a person who signs in with a token.
type User struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Role           auth.Role `json:"role"`
	Name           string    `json:"name"`
	Registration   string    `json:"registration"` // professional registration, e.g. GMC number
	Phone          string    `json:"phone"`
	CreatedAt      time.Time `json:"created_at"`
}

// Token is a stored bearer token: only its hash is kept.
type Token struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Hash      string     `json:"-"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// ValidID reports whether s is a UUID as Dosebook writes them, so that a
// malformed id is a 404 rather than a database error.
func ValidID(s string) bool {
	// Lower case only, as Dosebook writes them: PostgreSQL's uuid type
	// would match an upper-case spelling that SQLite's text never does.
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && s == strings.ToLower(s)
}

// organisationNameLockKey serialises organisation creations on PostgreSQL,
// so that the names stay unique ignoring case.
const organisationNameLockKey = 7_250_003

// CreateOrganisation adds an organisation.
func (tx *Tx) CreateOrganisation(o *Organisation) error {
	if o.ID == "" {
		o.ID = newID()
	}
	// Kept as printed (auth.CheckOrganisation refused what cannot be).
	o.Name, o.Address, o.Phone = auth.Name(o.Name), patients.Printable(o.Address), patients.Printable(o.Phone)
	// Names are told apart ignoring case, as a person reading or typing
	// them does (the CLI's --org finds one by name): "Other Surgery" and
	// "other surgery" would be two records of one place. Folded in Go so
	// both databases compare alike; a service has few organisations. Two
	// creations at once would each miss the other's name, so on
	// PostgreSQL they take turns (SQLite's writer already holds the
	// database).
	if tx.db.dialect == Postgres {
		if err := tx.g.Exec("SELECT pg_advisory_xact_lock(?)", organisationNameLockKey).Error; err != nil {
			return translate(err)
		}
	}
	var names []Organisation
	if err := tx.g.Find(&names).Error; err != nil {
		return translate(err)
	}
	for _, other := range names {
		if auth.SameName(other.Name, o.Name) {
			return &problem.Error{Code: problem.Conflict, Existing: other,
				Message: fmt.Sprintf("name: an organisation named %q already exists (names are compared ignoring case, accents typed apart and repeated spaces); choose another name or use it", other.Name)}
		}
	}
	o.CreatedAt = tx.db.Now()
	if err := tx.g.Create(o).Error; err != nil {
		return translate(err)
	}
	return tx.Audit("organisation.create", "organisation", o.ID, o)
}

// Organisation looks one up by id.
func (db *DB) Organisation(ctx context.Context, id string) (Organisation, error) {
	var o Organisation
	if !ValidID(id) {
		return o, problem.NotFoundf("organisation not found")
	}
	err := db.read(ctx).Take(&o, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return o, problem.NotFoundf("organisation not found")
	}
	return o, translate(err)
}

// OrganisationByName finds an organisation by its unique name.
func (db *DB) OrganisationByName(ctx context.Context, name string) (Organisation, error) {
	var o Organisation
	err := db.read(ctx).Take(&o, "name = ?", name).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Unique ignoring case (CreateOrganisation), so a name typed in
		// another case finds the one organisation; names from before that
		// rule may differ in case alone, and then none is guessed at.
		var all []Organisation
		if err := db.read(ctx).Order("name").Find(&all).Error; err != nil {
			return o, translate(err)
		}
		var found []string
		for _, other := range all {
			if auth.SameName(other.Name, name) {
				o, found = other, append(found, fmt.Sprintf("%q", other.Name))
			}
		}
		switch {
		case len(found) == 1:
			return o, nil
		case len(found) > 1:
			return Organisation{}, problem.Conflictf("%d organisations are named %q ignoring case (%s); give the name exactly as it is written",
				len(found), name, strings.Join(found, ", "))
		}
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return o, problem.NotFoundf("no organisation is named %q", name)
	}
	return o, translate(err)
}

// Organisations lists organisations, optionally of one kind, in name
// order.
func (db *DB) Organisations(ctx context.Context, kind auth.OrgKind) ([]Organisation, error) {
	return db.OrganisationsPage(ctx, kind, Page{})
}

// OrganisationsPage lists a page of organisations, optionally of one kind,
// in name order.
func (db *DB) OrganisationsPage(ctx context.Context, kind auth.OrgKind, pg Page) ([]Organisation, error) {
	var out []Organisation
	q := db.read(ctx).Order("name, id")
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	q, err := pg.after(db.read(ctx), q, "organisations", "name")
	if err != nil {
		return nil, err
	}
	return out, translate(q.Find(&out).Error)
}

// Page is one page of a list kept in (key, id) order: the rows after the
// row whose id is After (from the start when empty), at most Limit of them
// (all when 0).
type Page struct {
	After string
	Limit int
}

// after narrows q, ordered by table's key then id, to the page: keyset
// paging on the cursor row's own key, so rows added or removed elsewhere in
// the list neither repeat nor skip one. A cursor naming no row of the table
// is refused rather than answered with an empty page. lookup is a fresh
// query on the same connection for that check.
func (pg Page) after(lookup, q *gorm.DB, table, key string) (*gorm.DB, error) {
	if pg.Limit > 0 {
		q = q.Limit(pg.Limit)
	}
	if pg.After == "" {
		return q, nil
	}
	var n int64
	if err := lookup.Table(table).Where("id = ?", pg.After).Count(&n).Error; err != nil {
		return nil, translate(err)
	}
	if n == 0 {
		return nil, problem.Invalidf("cursor", "format", "cursor is not one this API returned")
	}
	sub := fmt.Sprintf("(SELECT c.%s FROM %s c WHERE c.id = ?)", key, table)
	return q.Where(fmt.Sprintf("(%[1]s.%[2]s > %[3]s OR (%[1]s.%[2]s = %[3]s AND %[1]s.id > ?))", table, key, sub),
		pg.After, pg.After, pg.After), nil
}

// userOrgErrors names what is wrong with a user's organisation: none of
// that id (exists), or not of the kind the role belongs to
// (matches_organisation; judged only for a role that is one).
func userOrgErrors(g *gorm.DB, orgID string, role auth.Role) (problem.Fields, error) {
	var f problem.Fields
	var org Organisation
	if err := g.Take(&org, "id = ?", orgID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			f.Add("organisation_id", "exists", "organisation %s does not exist", orgID)
			return f, nil
		}
		return nil, translate(err)
	}
	if want, ok := auth.RoleOrgKind[role]; ok && want != org.Kind {
		words := roleWords(role)
		f.Add("role", "matches_organisation", "%s %s belongs to a %s, not a %s",
			article(words), words, orgKindWords(want), orgKindWords(org.Kind))
	}
	return f, nil
}

// UserOrgErrors is userOrgErrors for a request refused for other fields,
// so that one answer names every field to fix; an organisation_id that is
// not a UUID is left to the request's own format check.
func (db *DB) UserOrgErrors(ctx context.Context, orgID string, role auth.Role) ([]problem.FieldError, error) {
	if !ValidID(orgID) {
		return nil, nil
	}
	return userOrgErrors(db.read(ctx), orgID, role)
}

// CreateUser adds a user to an organisation of the kind its role belongs to.
func (tx *Tx) CreateUser(u *User) error {
	f, err := userOrgErrors(tx.g, u.OrganisationID, u.Role)
	if err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = newID()
	}
	// Kept as printed (auth.CheckUser refused what cannot be).
	u.Name, u.Registration, u.Phone = auth.Name(u.Name), patients.Printable(u.Registration), patients.Printable(u.Phone)
	u.CreatedAt = tx.db.Now()
	if err := tx.g.Create(u).Error; err != nil {
		return translate(err)
	}
	return tx.Audit("user.create", "user", u.ID, u)
}

// User looks a user up by id.
func (db *DB) User(ctx context.Context, id string) (User, error) {
	var u User
	if !ValidID(id) {
		return u, problem.NotFoundf("user not found")
	}
	err := db.read(ctx).Take(&u, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, problem.NotFoundf("user not found")
	}
	return u, translate(err)
}

// UserByName finds the user of an organisation with a given name.
func (db *DB) UserByName(ctx context.Context, orgID, name string) (User, error) {
	var u User
	err := db.read(ctx).Take(&u, "organisation_id = ? AND name = ?", orgID, name).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, problem.NotFoundf("user not found")
	}
	return u, translate(err)
}

// Users lists a page of users, optionally of one organisation, in name
// order.
func (db *DB) Users(ctx context.Context, orgID string, pg Page) ([]User, error) {
	var out []User
	q := db.read(ctx).Order("name, id")
	if orgID != "" {
		q = q.Where("organisation_id = ?", orgID)
	}
	q, err := pg.after(db.read(ctx), q, "users", "name")
	if err != nil {
		return nil, err
	}
	return out, translate(q.Find(&out).Error)
}

// IssueToken creates a token for a user and returns it; it is never
// retrievable again.
func (tx *Tx) IssueToken(userID, label string, ttl time.Duration) (string, Token, error) {
	secret, hash, err := auth.NewToken()
	if err != nil {
		return "", Token{}, err
	}
	now := tx.db.Now()
	t := Token{ID: newID(), UserID: userID, Hash: hash, Label: label, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.g.Create(&t).Error; err != nil {
		return "", Token{}, translate(err)
	}
	return secret, t, tx.Audit("token.issue", "token", t.ID, map[string]any{"user_id": userID, "label": label, "expires_at": t.ExpiresAt})
}

// RevokeToken ends a token now. Revoking twice is harmless.
func (tx *Tx) RevokeToken(tokenID string) (Token, error) {
	var t Token
	if !ValidID(tokenID) {
		return t, problem.NotFoundf("token not found")
	}
	if err := tx.g.Take(&t, "id = ?", tokenID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return t, problem.NotFoundf("token not found")
		}
		return t, translate(err)
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	now := tx.db.Now()
	// A token has no stored status: it is active until it expires
	// (Authenticate), and revoking ends it either way.
	was := "active"
	if !now.Before(t.ExpiresAt) {
		was = "expired"
	}
	t.RevokedAt = &now
	if err := tx.g.Model(&Token{}).Where("id = ?", t.ID).Update("revoked_at", now).Error; err != nil {
		return t, translate(err)
	}
	return t, tx.Audit("token.revoke", "token", t.ID, map[string]any{"user_id": t.UserID, "status": statusChange(was, "revoked")})
}

// TokenBySecret finds a token from the secret itself, by its hash, for an
// administrator who holds the token but not its id.
func (db *DB) TokenBySecret(ctx context.Context, secret string) (Token, error) {
	var found []Token
	if err := db.read(ctx).Where("hash = ?", auth.HashToken(secret)).Limit(1).Find(&found).Error; err != nil {
		return Token{}, translate(err)
	}
	if len(found) == 0 {
		return Token{}, problem.NotFoundf("token not found")
	}
	return found[0], nil
}

// Tokens lists a page of a user's tokens (never their secrets), oldest
// first.
func (db *DB) Tokens(ctx context.Context, userID string, pg Page) ([]Token, error) {
	var out []Token
	q, err := pg.after(db.read(ctx), db.read(ctx).Where("user_id = ?", userID).Order("created_at, id"), "tokens", "created_at")
	if err != nil {
		return nil, err
	}
	return out, translate(q.Find(&out).Error)
}

// Authenticate resolves a bearer token to its user. Every failure is the
// same Unauthorized error so a caller learns nothing about why.
func (db *DB) Authenticate(ctx context.Context, token string) (auth.Principal, error) {
	denied := &problem.Error{Code: problem.Unauthorized, Message: "the bearer token is missing, malformed, expired or revoked"}
	if !auth.WellFormed(token) {
		return auth.Principal{}, denied
	}
	var row struct {
		TokenID   string
		ExpiresAt time.Time
		RevokedAt *time.Time
		UserID    string
		Name      string
		Role      auth.Role
		OrgID     string
		OrgName   string
		OrgKind   auth.OrgKind
	}
	err := db.read(ctx).Raw(`SELECT t.id AS token_id, t.expires_at, t.revoked_at, u.id AS user_id, u.name, u.role,
		o.id AS org_id, o.name AS org_name, o.kind AS org_kind
		FROM tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id
		WHERE t.hash = ?`, auth.HashToken(token)).Scan(&row).Error
	if err != nil {
		return auth.Principal{}, translate(err)
	}
	if row.TokenID == "" || row.RevokedAt != nil || !db.Now().Before(row.ExpiresAt) {
		return auth.Principal{}, denied
	}
	return auth.Principal{UserID: row.UserID, Name: row.Name, Role: row.Role, OrgID: row.OrgID,
		OrgName: row.OrgName, OrgKind: row.OrgKind, TokenID: row.TokenID, TokenExpiresAt: row.ExpiresAt}, nil
}

// roleWords is a role as a sentence names it: "admin", "GP".
func roleWords(r auth.Role) string {
	if r == auth.GP {
		return "GP"
	}
	return string(r)
}

// orgKindWords is a kind of organisation as a sentence names it:
// "treatment service", "GP practice".
func orgKindWords(k auth.OrgKind) string {
	if k == auth.GPPractice {
		return "GP practice"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}
