package httpapi

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/problem"
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
	p, err := s.db.Authenticate(c.Request.Context(), strings.TrimSpace(token))
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
			msg := fmt.Sprintf("a %s may not do this (needs %s)", p.Role, perm)
			if hint := auth.DenialHint(p.Role, perm); hint != "" {
				msg += ". " + hint
			}
			s.fail(c, problem.New(problem.Forbidden, "%s", msg))
			return
		}
		c.Next()
	}
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
