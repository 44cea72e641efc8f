package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

type orgView struct {
	ID   string       `json:"id"`
	Name string       `json:"name"`
	Kind auth.OrgKind `json:"kind"`
}

func (s *Server) me(c *gin.Context) {
	p := principal(c)
	c.JSON(http.StatusOK, gin.H{
		"id": p.UserID, "name": p.Name, "role": p.Role,
		"organisation": orgView{ID: p.OrgID, Name: p.OrgName, Kind: p.OrgKind},
		"permissions":  p.Role.Permissions(),
	})
}

func (s *Server) listOrganisations(c *gin.Context) {
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	kind := auth.OrgKind(c.Query("kind"))
	if kind != "" && !kind.Valid() {
		s.fail(c, problem.Invalidf("kind", "enum", "kind must be treatment_service, pharmacy or gp_practice"))
		return
	}
	orgs, err := s.db.OrganisationsPage(c.Request.Context(), kind, store.Page{After: pg.After, Limit: pg.Limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, orgs, pg.Limit, func(o store.Organisation) string { return o.ID })
}

type createOrganisationRequest struct {
	Kind    auth.OrgKind `json:"kind"`
	Name    string       `json:"name"`
	Address string       `json:"address"`
	Phone   string       `json:"phone"`
}

// validate adds the request's errors to f, which holds those decoding
// found, and answers them all.
func (r createOrganisationRequest) validate(f problem.Fields) error {
	f.AddAll(auth.CheckOrganisation(r.Kind, r.Name, r.Address, r.Phone)...)
	return f.Err()
}

func (s *Server) createOrganisation(c *gin.Context) {
	var req createOrganisationRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := req.validate(f); err != nil {
		s.fail(c, err)
		return
	}
	o := store.Organisation{Kind: req.Kind, Name: strings.TrimSpace(req.Name), Address: req.Address, Phone: req.Phone}
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error { return tx.CreateOrganisation(&o) })
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

func (s *Server) listUsers(c *gin.Context) {
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	org := c.Query("organisation_id")
	if org != "" && !store.ValidID(org) {
		s.fail(c, problem.Invalidf("organisation_id", "format", "organisation_id must be a UUID"))
		return
	}
	users, err := s.db.Users(c.Request.Context(), org, store.Page{After: pg.After, Limit: pg.Limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, users, pg.Limit, func(u store.User) string { return u.ID })
}

type createUserRequest struct {
	OrganisationID string    `json:"organisation_id"`
	Role           auth.Role `json:"role"`
	Name           string    `json:"name"`
	Registration   string    `json:"registration"`
	Phone          string    `json:"phone"`
	IssueToken     bool      `json:"issue_token"`
}

// validate adds the request's errors to f, which holds those decoding
// found, and answers them all.
func (r createUserRequest) validate(f problem.Fields) error {
	if !store.ValidID(r.OrganisationID) {
		f.Add("organisation_id", "format", "organisation_id must be a UUID")
	}
	f.AddAll(auth.CheckUser(r.Role, r.Name, r.Registration, r.Phone)...)
	return f.Err()
}

func (s *Server) createUser(c *gin.Context) {
	var req createUserRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := req.validate(f); err != nil {
		s.fail(c, s.userReferenceErrors(c.Request.Context(), err, req.OrganisationID, req.Role))
		return
	}
	u := store.User{OrganisationID: req.OrganisationID, Role: req.Role, Name: strings.TrimSpace(req.Name),
		Registration: req.Registration, Phone: req.Phone}
	var secret string
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		if err := tx.CreateUser(&u); err != nil {
			return err
		}
		if req.IssueToken {
			var err error
			secret, _, err = tx.IssueToken(u.ID, "api", s.cfg.TokenTTL)
			return err
		}
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := gin.H{"user": u}
	if secret != "" {
		out["token"] = secret
	}
	c.JSON(http.StatusCreated, out)
}

func (s *Server) listTokens(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.db.User(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	tokens, err := s.db.Tokens(c.Request.Context(), id, store.Page{After: pg.After, Limit: pg.Limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, tokens, pg.Limit, func(t store.Token) string { return t.ID })
}

type issueTokenRequest struct {
	Label string `json:"label"`
	// TTLHours overrides the configured lifetime.
	TTLHours int `json:"ttl_hours"`
}

func (s *Server) issueToken(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req issueTokenRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	optionalText(&f, "label", req.Label, 100)
	if req.TTLHours < 0 || req.TTLHours > 24*366 {
		f.Add("ttl_hours", "range", "ttl_hours must be from 1 to 8784 (or 0 for the default)")
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	ttl := s.cfg.TokenTTL
	if req.TTLHours > 0 {
		ttl = time.Duration(req.TTLHours) * time.Hour
	}
	var secret string
	var tok store.Token
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		if _, err := s.db.User(c.Request.Context(), id); err != nil {
			return err
		}
		secret, tok, err = tx.IssueToken(id, req.Label, ttl)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": secret, "id": tok.ID, "expires_at": tok.ExpiresAt})
}

func (s *Server) revokeToken(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := decodeNone(c); err != nil {
		s.fail(c, err)
		return
	}
	var tok store.Token
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		tok, err = tx.RevokeToken(id)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.principals.forget()
	c.JSON(http.StatusOK, tok)
}

func (s *Server) listAudit(c *gin.Context) {
	pg, err := readSeqPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := store.AuditFilter{EntityType: c.Query("entity_type"), EntityID: c.Query("entity_id"),
		ActorID: c.Query("actor_id"), Limit: pg.Limit + 1}
	var fields problem.Fields
	if pg.After != "" {
		if f.AfterSeq, err = strconv.ParseInt(pg.After, 10, 64); err != nil {
			fields.Add("cursor", "format", "cursor is not one this API returned")
		}
	}
	f.From = parseTimeParam(&fields, c, "from")
	f.To = parseTimeParam(&fields, c, "to")
	checkAuditFilter(&fields, f)
	if err := fields.Err(); err != nil {
		s.fail(c, err)
		return
	}
	events, err := s.db.AuditEvents(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, events, pg.Limit, func(e audit.Event) string { return strconv.FormatInt(e.Seq, 10) })
}

// auditEntityTypes are the entity types the audit trail files events
// under: what the store's writes pass to Tx.Audit (rule overrides under
// the record they let through), and generate's batches.
var auditEntityTypes = []string{"administration", "alert", "dose_change", "dose_event", "generator", "instalment",
	"organisation", "patient", "prescription", "regime", "review", "shared_care", "token", "user"}

// checkAuditFilter refuses a filter that can only find nothing because it
// is mistyped: an empty answer would read as "no such events" (a range
// the wrong way round, an entity type that does not exist, an actor that
// is not a user's id, cli:USER@HOST or system).
func checkAuditFilter(fields *problem.Fields, f store.AuditFilter) {
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		fields.Add("from", "before_to", "from must not be after to")
	}
	if f.EntityType != "" && !slices.Contains(auditEntityTypes, f.EntityType) {
		fields.Add("entity_type", "enum", "entity_type must be one of %s", strings.Join(auditEntityTypes, ", "))
	}
	if a := f.ActorID; a != "" && !store.ValidID(a) && a != audit.System.ID && !validCLIActor(a) {
		fields.Add("actor_id", "format", "actor_id must be a user's id (a UUID), cli:USER@HOST or system")
	}
}

// validCLIActor is "cli:USER@HOST" (audit.CLIActor) with both parts given.
func validCLIActor(a string) bool {
	rest, ok := strings.CutPrefix(a, "cli:")
	user, host, at := strings.Cut(rest, "@")
	return ok && at && user != "" && host != "" && len(a) <= 300
}

func parseTimeParam(f *problem.Fields, c *gin.Context, name string) time.Time {
	s := c.Query(name)
	if s == "" {
		return time.Time{}
	}
	t, err := parseRFC3339(s)
	if err != nil {
		f.Add(name, "format", "%s must be an RFC 3339 time with offset, e.g. 2026-01-31T09:00:00Z", name)
	}
	return t
}

func requireText(f *problem.Fields, field, v string, max int) { f.RequireText(field, v, max) }

func optionalText(f *problem.Fields, field, v string, max int) { f.OptionalText(field, v, max) }

func isText(v string) bool { return problem.IsText(v) }
