package httpapi

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

// authenticate resolves the bearer token. Repeated bad tokens from one
// address are throttled so tokens cannot be guessed at speed.
func (s *Server) authenticate(c *gin.Context) {
	ip := c.ClientIP()
	if s.guard.blocked(ip) {
		c.Header("Retry-After", "60")
		s.fail(c, &problem.Error{Code: problem.TooMany, Message: "too many requests with invalid tokens from this address; wait a minute"})
		return
	}
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="dosebook"`)
		s.fail(c, &problem.Error{Code: problem.Unauthorized, Message: "an Authorization: Bearer token is required"})
		return
	}
	token = strings.TrimSpace(token)
	p, gen, ok := s.principals.get(token, s.db.Now())
	var err error
	if !ok {
		p, err = s.db.Authenticate(c.Request.Context(), token)
		if err == nil {
			s.principals.put(token, p, s.db.Now(), gen)
		}
	}
	if err != nil {
		if problem.CodeOf(err) == problem.Unauthorized {
			s.guard.failure(ip)
			c.Header("WWW-Authenticate", `Bearer realm="dosebook", error="invalid_token"`)
		}
		s.fail(c, err)
		return
	}
	c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), p))
	c.Next()
}

// require checks the role holds the route's permission. Organisation scoping
// is applied later, in the store's queries.
func (s *Server) require(perm auth.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if perm == "" {
			c.Next()
			return
		}
		p, _ := auth.PrincipalFrom(c.Request.Context())
		if !p.Role.Can(perm) {
			article := "a"
			if p.Role == auth.Admin {
				article = "an"
			}
			msg := fmt.Sprintf("%s %s may not do this (needs %s)", article, p.Role, perm)
			d := auth.DenialOf(p.Role, perm)
			if d.HandBack {
				d.Instead = s.handBackInstead(c, p, d.Instead)
			}
			pe := problem.New(problem.Forbidden, "%s", strings.TrimSpace(strings.Join([]string{msg + ".", ruleLabel(d.Rule) + d.Reason, d.Instead}, " ")))
			if d.Rule != "" {
				pe.Findings = []policy.Finding{s.cfg.Policy.FindingAt(d.Rule, policy.Block, d.Reason, d.Instead)}
			}
			s.fail(c, pe)
			return
		}
		c.Next()
	}
}

// handBackInstead completes a refusal whose way forward is the patient's
// shared care arrangement (SC1) with that arrangement, found from the
// route's regime or patient as the caller may see them: an accepted one is
// handed back at its own path; a proposed one has not passed prescribing
// to the practice, so the service still decides. Anything the caller may
// not see, or a failed lookup, leaves the general sentence.
func (s *Server) handBackInstead(c *gin.Context, p auth.Principal, instead string) string {
	ctx, id := c.Request.Context(), c.Param("id")
	patientID := ""
	switch {
	case strings.HasPrefix(c.FullPath(), "/v1/regimes/:id"):
		r, err := s.db.RegimeFor(ctx, p, id)
		if err != nil {
			return instead
		}
		patientID = r.PatientID
	case strings.HasPrefix(c.FullPath(), "/v1/patients/:id"):
		patientID = id
	default:
		return instead
	}
	sc, err := s.db.OpenSharedCareFor(ctx, p, patientID)
	if err != nil || sc == nil {
		return instead
	}
	if sc.Status == store.SharedProposed {
		return "Shared care of this patient is only proposed (GET /v1/shared-care/" + sc.ID +
			"): the specialist service still prescribes and makes this change; ask it."
	}
	return instead + " This patient's arrangement: POST /v1/shared-care/" + sc.ID + "/hand-back."
}

func principal(c *gin.Context) auth.Principal {
	p, _ := auth.PrincipalFrom(c.Request.Context())
	return p
}

// tokenGuard counts failed authentications per client address in a fixed
// window; memory is bounded by pruning on each failure.
type tokenGuard struct {
	mu       sync.Mutex
	window   time.Duration
	limit    int
	failures map[string]*guardEntry
}

type guardEntry struct {
	count int
	since time.Time
}

func newTokenGuard() *tokenGuard {
	return &tokenGuard{window: time.Minute, limit: 20, failures: map[string]*guardEntry{}}
}

func (g *tokenGuard) blocked(ip string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.failures[ip]
	return e != nil && time.Since(e.since) < g.window && e.count >= g.limit
}

func (g *tokenGuard) failure(ip string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if len(g.failures) > 10000 {
		for k, e := range g.failures {
			if now.Sub(e.since) >= g.window {
				delete(g.failures, k)
			}
		}
	}
	e := g.failures[ip]
	if e == nil || now.Sub(e.since) >= g.window {
		e = &guardEntry{since: now}
		g.failures[ip] = e
	}
	e.count++
}

// principalCache reuses a checked token for a few seconds: every request
// is authenticated, and at a busy pharmacy the lookup was one database
// round trip in nine on the path that records a dose. Keys are token
// hashes, never tokens. Revoking through this server clears it at once.
type principalCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]cachedPrincipal
	// gen counts revocations: a lookup that started before one must not
	// put its (possibly revoked) answer back after forget.
	gen uint64
}

type cachedPrincipal struct {
	p     auth.Principal
	until time.Time
}

// principalCacheMax bounds memory: past it the cache is emptied and refills.
const principalCacheMax = 10000

func newPrincipalCache(ttl time.Duration) *principalCache {
	return &principalCache{ttl: ttl, entries: map[string]cachedPrincipal{}}
}

func (pc *principalCache) get(token string, now time.Time) (p auth.Principal, gen uint64, ok bool) {
	if pc.ttl <= 0 {
		return auth.Principal{}, 0, false
	}
	key := auth.HashToken(token)
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, found := pc.entries[key]
	if !found || !now.Before(e.until) {
		return auth.Principal{}, pc.gen, false
	}
	return e.p, pc.gen, true
}

func (pc *principalCache) put(token string, p auth.Principal, now time.Time, gen uint64) {
	if pc.ttl <= 0 {
		return
	}
	until := now.Add(pc.ttl)
	if p.TokenExpiresAt.Before(until) {
		until = p.TokenExpiresAt
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen != pc.gen {
		return
	}
	if len(pc.entries) >= principalCacheMax {
		clear(pc.entries)
	}
	pc.entries[auth.HashToken(token)] = cachedPrincipal{p: p, until: until}
}

// forget drops every cached token, after a revocation.
func (pc *principalCache) forget() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	clear(pc.entries)
	pc.gen++
}

func ruleLabel(rule string) string {
	if rule == "" {
		return ""
	}
	return rule + ": "
}
