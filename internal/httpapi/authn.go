package httpapi

import (
	"fmt"
	"strconv"
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
// address throttle it (tokenGuard): while it is throttled a valid token
// still proceeds, and only failures answer 429.
func (s *Server) authenticate(c *gin.Context) {
	ip, now := c.ClientIP(), s.db.Now()
	throttled := s.guard.throttled(ip, now)
	token, why := bearerToken(c.Request.Header.Values("Authorization"))
	if why != "" {
		if throttled {
			s.throttle(c, s.guard.retryAfter(ip, now))
			return
		}
		c.Header("WWW-Authenticate", `Bearer realm="dosebook"`)
		s.fail(c, &problem.Error{Code: problem.Unauthorized, Message: why})
		return
	}
	p, gen, ok := s.principals.get(token, now)
	var err error
	if !ok {
		// A malformed token costs no lookup (Authenticate refuses it
		// first), so only a well-formed one waits for its turn.
		if throttled && auth.WellFormed(token) && !s.guard.mayLookUp(ip, token, now) {
			s.throttle(c, time.Second)
			return
		}
		p, err = s.db.Authenticate(c.Request.Context(), token)
		if err == nil {
			s.principals.put(token, p, now, gen)
			s.guard.accepted(token, now)
		}
	}
	if err != nil {
		if problem.CodeOf(err) == problem.Unauthorized {
			s.guard.failure(ip, token, now)
			if throttled {
				s.throttle(c, s.guard.retryAfter(ip, now))
				return
			}
			c.Header("WWW-Authenticate", `Bearer realm="dosebook", error="invalid_token"`)
		}
		s.fail(c, err)
		return
	}
	c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), p))
	c.Next()
}

// bearerToken takes the token from the request's Authorization headers,
// or says why there is none. The scheme is case-insensitive (RFC 9110
// 11.1). Two headers are refused rather than one chosen: which identity
// acts must never depend on header order.
func bearerToken(headers []string) (token, why string) {
	switch {
	case len(headers) == 0:
		return "", "an Authorization: Bearer token is required"
	case len(headers) > 1:
		return "", "send one Authorization header; this request has " + strconv.Itoa(len(headers))
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(headers[0]), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", "an Authorization: Bearer token is required"
	}
	return strings.TrimSpace(token), ""
}

// throttle answers a request from a throttled address that did not
// authenticate: 429, and when to try again in whole seconds.
func (s *Server) throttle(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", strconv.Itoa(int(max(time.Second, wait+time.Second-1)/time.Second)))
	s.fail(c, &problem.Error{Code: problem.TooMany,
		Message: "too many requests with invalid tokens from this address; a valid token is still accepted, try again later"})
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
			d := auth.DenialOf(p.Role, perm)
			if rd, ok := routeDenials[c.FullPath()][p.Role]; ok {
				d = rd
			}
			if d.HandBack {
				d.Instead = s.handBackInstead(c, p, d.Instead)
			}
			// The reason in plain words comes first; the permission is
			// jargon, named in brackets at the end.
			msg := fmt.Sprintf("%s %s may not do this (needs %s).", article, p.Role, perm)
			if d.Reason != "" {
				msg = strings.Join([]string{ruleLabel(d.Rule) + d.Reason, d.Instead, fmt.Sprintf("(permission %s)", perm)}, " ")
			}
			pe := problem.New(problem.Forbidden, "%s", strings.Join(strings.Fields(msg), " "))
			if d.Rule != "" {
				pe.Findings = []policy.Finding{s.cfg.Policy.FindingAt(d.Rule, policy.Block, d.Reason, d.Instead)}
			}
			s.fail(c, pe)
			return
		}
		c.Next()
	}
}

// routeDenials say why a role may not take one route where its
// permission's denial (auth.DenialOf) would say it of the wrong thing:
// moving the patient's pharmacy is a regime change, but handing shared
// care back is not the way to get it done.
var routeDenials = map[string]map[auth.Role]auth.Denial{
	"/v1/regimes/:id/pharmacy": {
		auth.GP: {Rule: "SC1", Reason: "The specialist service moves a patient to another pharmacy, not the GP practice: the regime is the service's.",
			Instead: "Ask the specialist service's prescriber to move the patient's pharmacy."},
	},
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

// tokenGuard slows the guessing of tokens from one client address without
// locking out the people who share it: a pharmacy chain's branches may all
// reach the service from one NAT address. After limit failures within a
// window the address is throttled until that window ends. While it is:
//
//   - a token the principal cache holds proceeds, at no cost;
//   - a token this server accepted within knownFor is looked up as usual:
//     it is someone's real token, not a guess, and the lookup is what its
//     next request would cost anyway (only its hash is kept, and dropped
//     when a lookup of it fails, so a revoked token loses the privilege);
//   - any other well-formed token is looked up at most once per
//     lookupEvery for the address, and the rest answer 429 without
//     touching the database.
//
// So a throttled address costs at most one indexed query (tokens.hash) a
// second beyond its users' own, and a guesser gets that many tries at a
// 256-bit secret; someone signing in for the first time may be asked to
// retry in a second. Every failure from a throttled address answers 429
// with Retry-After. Memory is bounded by pruning when a map grows large.
type tokenGuard struct {
	mu          sync.Mutex
	window      time.Duration
	limit       int
	lookupEvery time.Duration
	knownFor    time.Duration
	failures    map[string]*guardEntry
	// known holds the hashes of tokens accepted here, with when.
	known map[string]time.Time
}

type guardEntry struct {
	count int
	since time.Time
	// lookedUp is the last lookup of a token not known, while throttled.
	lookedUp time.Time
}

// guardMax bounds each of the guard's maps.
const guardMax = 10000

func newTokenGuard() *tokenGuard {
	return &tokenGuard{window: time.Minute, limit: 20, lookupEvery: time.Second, knownFor: 24 * time.Hour,
		failures: map[string]*guardEntry{}, known: map[string]time.Time{}}
}

// entry is ip's entry while its window is open, else nil. The caller holds mu.
func (g *tokenGuard) entry(ip string, now time.Time) *guardEntry {
	e := g.failures[ip]
	if e == nil || !now.Before(e.since.Add(g.window)) {
		return nil
	}
	return e
}

func (g *tokenGuard) throttled(ip string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entry(ip, now)
	return e != nil && e.count >= g.limit
}

// retryAfter is how long until ip's window closes.
func (g *tokenGuard) retryAfter(ip string, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.entry(ip, now); e != nil {
		return e.since.Add(g.window).Sub(now)
	}
	return 0
}

// mayLookUp says whether a throttled address may have token looked up now.
func (g *tokenGuard) mayLookUp(ip, token string, now time.Time) bool {
	hash := auth.HashToken(token)
	g.mu.Lock()
	defer g.mu.Unlock()
	if at, ok := g.known[hash]; ok && now.Before(at.Add(g.knownFor)) {
		return true
	}
	e := g.entry(ip, now)
	if e == nil {
		return true
	}
	if !e.lookedUp.IsZero() && now.Before(e.lookedUp.Add(g.lookupEvery)) {
		return false
	}
	e.lookedUp = now
	return true
}

// accepted remembers a token that authenticated.
func (g *tokenGuard) accepted(token string, now time.Time) {
	hash := auth.HashToken(token)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.known) >= guardMax {
		for k, at := range g.known {
			if !now.Before(at.Add(g.knownFor)) {
				delete(g.known, k)
			}
		}
		if len(g.known) >= guardMax {
			clear(g.known)
		}
	}
	g.known[hash] = now
}

func (g *tokenGuard) failure(ip, token string, now time.Time) {
	hash := auth.HashToken(token)
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.known, hash)
	if len(g.failures) > guardMax {
		for k, e := range g.failures {
			if !now.Before(e.since.Add(g.window)) {
				delete(g.failures, k)
			}
		}
	}
	e := g.entry(ip, now)
	if e == nil {
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
