// Package httpapi translates HTTP to Dosebook's services and back. gin stays
// here; handlers pass the request context down and never *gin.Context.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dosebook/dosebook/api"
	"github.com/dosebook/dosebook/internal/audit"
	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

// Server holds what handlers need. There is no global state: tests build
// as many servers as they like.
type Server struct {
	db      *store.DB
	cfg     config.Config
	log     *slog.Logger
	metrics *metrics
	engine  *gin.Engine
	guard   *tokenGuard
	// principals caches checked tokens (cfg.AuthCacheTTL).
	principals *principalCache
}

// New builds the router with explicit middleware.
func New(db *store.DB, cfg config.Config, log *slog.Logger) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// By default gin believes X-Forwarded-For from anyone, which would let a
	// client forge the IP written to the audit trail.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	s := &Server{db: db, cfg: cfg, log: log, engine: e, metrics: newMetrics(db), guard: newTokenGuard(),
		principals: newPrincipalCache(cfg.AuthCacheTTL)}
	e.Use(s.requestContext, s.recover, s.observe, s.saneQuery)
	// gin would answer a stray trailing slash with a 301 and an HTML body;
	// an API client gets a problem naming the route it meant instead.
	e.RedirectTrailingSlash = false
	e.NoRoute(func(c *gin.Context) {
		path := c.Request.URL.Path
		if trimmed := strings.TrimSuffix(path, "/"); trimmed != path && trimmed != "" && len(s.allowedMethods(trimmed)) > 0 {
			s.fail(c, problem.NotFoundf("no such route: %s (without the trailing slash: %s)", path, trimmed))
			return
		}
		s.fail(c, problem.NotFoundf("no such route: %s", path))
	})
	e.NoMethod(func(c *gin.Context) {
		allowed := s.allowedMethods(c.Request.URL.Path)
		c.Header("Allow", strings.Join(allowed, ", "))
		s.fail(c, &problem.Error{Code: problem.NotAllowed,
			Message: fmt.Sprintf("method %s not allowed on this route (allowed: %s)", c.Request.Method, strings.Join(allowed, ", "))})
	})
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// allowedMethods lists the methods the route table has for a path, for the
// Allow header of a 405 (RFC 9110 15.5.6).
func (s *Server) allowedMethods(path string) []string {
	var out []string
	for _, r := range s.routeTable() {
		if templateMatches(r.Path, path) && !slices.Contains(out, r.Method) {
			out = append(out, r.Method)
		}
	}
	slices.Sort(out)
	return out
}

// templateMatches matches a gin path template (":id" segments) to a path.
func templateMatches(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], ":") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Route is one registered endpoint with the permission it needs (empty for
// public ones). The table drives both the router and the authorization tests.
type Route struct {
	Method, Path string
	Permission   auth.Permission
	Public       bool
	handler      gin.HandlerFunc
}

func (s *Server) routes() error {
	for _, r := range s.routeTable() {
		handlers := []gin.HandlerFunc{}
		if !r.Public {
			handlers = append(handlers, s.authenticate, s.require(r.Permission))
		}
		// After authentication and authorization, so a caller without
		// access learns nothing of a route's parameters.
		known, ok, err := s.knownQuery(r.Method, r.Path)
		if err != nil {
			return err
		}
		if ok {
			handlers = append(handlers, known)
		}
		handlers = append(handlers, r.handler)
		s.engine.Handle(r.Method, r.Path, handlers...)
	}
	return nil
}

func (s *Server) routeTable() []Route {
	metrics := gin.WrapH(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	spec := func(c *gin.Context) { c.Data(200, "application/yaml", api.Spec) }
	rt := []Route{
		{Method: "GET", Path: "/healthz", Public: true, handler: s.healthz},
		{Method: "GET", Path: "/readyz", Public: true, handler: s.readyz},
		{Method: "GET", Path: "/metrics", Public: true, handler: metrics},
		{Method: "GET", Path: "/openapi.yaml", Public: true, handler: spec},
		// Uptime monitors and load balancers probe with HEAD, which RFC
		// 9110 (9.3.2) says a GET resource supports. The GET handler
		// answers it: net/http sends the status and headers and drops the
		// body.
		{Method: "HEAD", Path: "/healthz", Public: true, handler: s.healthz},
		{Method: "HEAD", Path: "/readyz", Public: true, handler: s.readyz},
		{Method: "HEAD", Path: "/metrics", Public: true, handler: metrics},
		{Method: "HEAD", Path: "/openapi.yaml", Public: true, handler: spec},
		{Method: "GET", Path: "/v1/me", handler: s.me},
		{Method: "GET", Path: "/v1/organisations", Permission: auth.PermOrgsManage, handler: s.listOrganisations},
		{Method: "POST", Path: "/v1/organisations", Permission: auth.PermOrgsManage, handler: s.createOrganisation},
		{Method: "GET", Path: "/v1/users", Permission: auth.PermUsersManage, handler: s.listUsers},
		{Method: "POST", Path: "/v1/users", Permission: auth.PermUsersManage, handler: s.createUser},
		{Method: "GET", Path: "/v1/users/:id/tokens", Permission: auth.PermUsersManage, handler: s.listTokens},
		{Method: "POST", Path: "/v1/users/:id/tokens", Permission: auth.PermUsersManage, handler: s.issueToken},
		{Method: "POST", Path: "/v1/tokens/:id/revoke", Permission: auth.PermUsersManage, handler: s.revokeToken},
		{Method: "GET", Path: "/v1/audit", Permission: auth.PermAuditRead, handler: s.listAudit},
	}
	rt = append(rt, s.clinicalRoutes()...)
	rt = append(rt, s.dispensingRoutes()...)
	return append(rt, s.sharedCareRoutes()...)
}

const requestIDHeader = "X-Request-Id"

func requestID(c *gin.Context) string { id, _ := c.Get("request_id"); s, _ := id.(string); return s }

// requestContext accepts or generates the request id, caps the body and the
// time, and hands the audit writer the request's origin.
func (s *Server) requestContext(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !validRequestID(id) {
		b := make([]byte, 12)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set("request_id", id)
	c.Header(requestIDHeader, id)
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.RequestTimeout)
	defer cancel()
	ctx = audit.WithRequest(ctx, audit.Request{ID: id, ClientIP: c.ClientIP()})
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// saneQuery refuses query parameters that are not text: invalid UTF-8 or
// control characters reach no handler, so no database is asked to compare
// them (PostgreSQL would refuse the bytes with an error, not an answer).
func (s *Server) saneQuery(c *gin.Context) {
	var f problem.Fields
	for key, values := range c.Request.URL.Query() {
		for _, v := range values {
			if !utf8.ValidString(key) || !utf8.ValidString(v) || strings.ContainsFunc(key+v, isControl) {
				name := key
				if !utf8.ValidString(name) || strings.ContainsFunc(name, isControl) {
					name = "query"
				}
				f.Add(name, "characters", "%s must be text without control characters", name)
				break
			}
		}
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		c.Abort()
		return
	}
	c.Next()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// recover turns a panic into a logged, generic 500 problem.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.Error("panic", "request_id", requestID(c), "route", c.FullPath(), "panic", sanitisePanic(r))
			if !c.Writer.Written() {
				s.fail(c, &problem.Error{Code: problem.Internal})
			}
		}
	}()
	c.Next()
}

func sanitisePanic(r any) string {
	switch v := r.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "non-error panic"
}

// observe logs one line per request and counts it by route template (never
// by raw path or query, which could carry patient identifiers).
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{"request_id", requestID(c), "method", c.Request.Method, "route", route,
		"status", status, "duration_ms", float64(elapsed.Microseconds()) / 1000}
	if p, ok := auth.PrincipalFrom(c.Request.Context()); ok {
		attrs = append(attrs, "user_id", p.UserID, "role", p.Role)
	}
	s.log.Log(c.Request.Context(), level, "request", attrs...)
}

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dosebook_http_requests_total", Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dosebook_http_request_duration_seconds", Help: "HTTP request latency by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewDBStatsCollector(db.SQL(), "dosebook"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// RegisterMetrics adds collectors from outside the HTTP layer (the day
// close job) to what /metrics serves.
func (s *Server) RegisterMetrics(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.metrics.registry.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) healthz(c *gin.Context) { c.JSON(200, gin.H{"status": "ok"}) }

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.fail(c, &problem.Error{Code: problem.Unavailable, Message: "the database is unreachable", Err: err})
		return
	}
	current, why, err := s.db.MigrationsCurrent(ctx)
	if err != nil {
		s.fail(c, &problem.Error{Code: problem.Unavailable, Message: "cannot read the schema version", Err: err})
		return
	}
	if !current {
		s.fail(c, &problem.Error{Code: problem.Unavailable, Message: why})
		return
	}
	c.JSON(200, gin.H{"status": "ready", "database": s.db.Dialect()})
}
