package httpapi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/store"
)

func TestMe(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.must(200, e.do("prescriber", "GET", "/v1/me", nil))
		org := m["organisation"].(map[string]any)
		if m["role"] != "prescriber" || m["name"] != "Dr Priya Raman" || org["kind"] != "treatment_service" || org["id"] != e.demo.ServiceID {
			t.Fatalf("me = %v", m)
		}
		m = e.must(200, e.do("pharmacist_2", "GET", "/v1/me", nil))
		if m["organisation"].(map[string]any)["id"] != e.demo.Pharmacy2 {
			t.Fatalf("pharmacist_2 me = %v", m)
		}
	})
}

func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		cases := map[string][]string{
			"missing":    nil,
			"not bearer": {"Authorization", "Basic Zm9vOmJhcg=="},
			"malformed":  {"Authorization", "Bearer not-a-token"},
			"unknown":    {"Authorization", "Bearer dbk_" + strings.Repeat("a", 52)},
		}
		for name, h := range cases {
			t.Run(name, func(t *testing.T) {
				problemOf(t, e.do("", "GET", "/v1/me", nil, h...), 401)
			})
		}
		// A revoked token stops working at once.
		admin := e.demo.Tokens["admin"]
		var gpID string
		for _, u := range e.demo.Users {
			if u.Key == "gp" {
				gpID = u.ID
			}
		}
		m := e.must(201, e.do("admin", "POST", "/v1/users/"+gpID+"/tokens", map[string]any{"label": "laptop"}))
		tok := m["token"].(string)
		e.must(200, e.do(tok, "GET", "/v1/me", nil))
		e.must(200, e.do(admin, "POST", "/v1/tokens/"+m["id"].(string)+"/revoke", nil))
		problemOf(t, e.do(tok, "GET", "/v1/me", nil), 401)
	})
}

func TestAuditIsAdminOnly(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		for _, who := range []string{"prescriber", "pharmacist", "pharmacist_2", "gp"} {
			problemOf(t, e.do(who, "GET", "/v1/audit", nil), 403)
		}
		m := e.must(200, e.do("admin", "GET", "/v1/audit?entity_type=user&limit=2", nil))
		items := m["items"].([]any)
		if len(items) != 2 || m["next_cursor"] == "" {
			t.Fatalf("first page: %v", m)
		}
		next := e.must(200, e.do("admin", "GET", "/v1/audit?entity_type=user&limit=2&cursor="+m["next_cursor"].(string), nil))
		first := items[0].(map[string]any)["seq"].(float64)
		second := next["items"].([]any)[0].(map[string]any)["seq"].(float64)
		if second <= first {
			t.Fatalf("cursor did not advance: %v then %v", first, second)
		}
		problemOf(t, e.do("admin", "GET", "/v1/audit?from=yesterday", nil), 422)
	})
}

func TestAdminCreatesUsers(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{
			"organisation_id": e.demo.PharmacyID, "role": "pharmacist", "name": "Zoë Łukasz-Nguyễn", "issue_token": true}))
		tok := m["token"].(string)
		me := e.must(200, e.do(tok, "GET", "/v1/me", nil))
		if me["name"] != "Zoë Łukasz-Nguyễn" {
			t.Fatalf("me = %v", me)
		}
		p := problemOf(t, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": "x", "role": "wizard", "name": ""}), 422)
		if got := fieldsOf(p); !slices.Equal(got, []string{"organisation_id", "role", "name"}) {
			t.Fatalf("fields = %v", got)
		}
		problemOf(t, e.do("prescriber", "POST", "/v1/users", map[string]any{}), 403)
		// The new user and token are in the audit trail with the actor.
		a := e.must(200, e.do("admin", "GET", "/v1/audit?entity_type=user&entity_id="+m["user"].(map[string]any)["id"].(string), nil))
		ev := a["items"].([]any)[0].(map[string]any)
		if ev["action"] != "user.create" || ev["actor_role"] != "admin" || ev["request_id"] == "" {
			t.Fatalf("audit event = %v", ev)
		}
	})
}

func TestBadInputIsAClientError(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"not json", "{", 400, ""},
			{"empty", "", 400, ""},
			{"two values", `{"kind":"pharmacy","name":"a"} {}`, 400, ""},
			{"unknown field", `{"kind":"pharmacy","name":"a","colour":"red"}`, 422, "colour"},
			{"wrong type", `{"kind":"pharmacy","name":7}`, 422, "name"},
			{"no address", `{"kind":"gp_practice","name":"Nowhere Surgery"}`, 422, "address"},
			{"invalid utf8", "{\"kind\":\"pharmacy\",\"name\":\"\xff\"}", 400, ""},
			{"too large", `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, ""},
			{"deeply nested", strings.Repeat("[", 100000), 400, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := problemOf(t, e.do("admin", "POST", "/v1/organisations", tc.body), tc.status)
				if tc.field != "" && !slices.Contains(fieldsOf(p), tc.field) {
					t.Fatalf("fields %v lack %q", fieldsOf(p), tc.field)
				}
			})
		}
		orgs := e.must(200, e.do("admin", "GET", "/v1/organisations", nil))
		if n := len(orgs["items"].([]any)); n != 4 {
			t.Fatalf("bad input wrote something: %d organisations", n)
		}
	})
}

func TestRequestIDAndPanics(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		r := e.do("", "GET", "/healthz", nil, "X-Request-Id", "abc-123")
		if r.Header.Get("X-Request-Id") != "abc-123" {
			t.Fatalf("request id not echoed: %v", r.Header)
		}
		if r := e.do("", "GET", "/healthz", nil); len(r.Header.Get("X-Request-Id")) < 16 {
			t.Fatal("request id not generated")
		}
		e.srv.engine.GET("/test/panic", func(c *gin.Context) { panic("boom with secret dbk_zzz") })
		p := problemOf(t, e.do("", "GET", "/test/panic", nil, "X-Request-Id", "panic-1"), 500)
		if strings.Contains(p["detail"].(string), "boom") || p["request_id"] != "panic-1" {
			t.Fatalf("panic detail leaked or request id missing: %v", p)
		}
		if !strings.Contains(e.logs.String(), `"request_id":"panic-1"`) {
			t.Fatal("panic not logged with request id")
		}
		problemOf(t, e.do("prescriber", "GET", "/v1/nowhere", nil), 404)
		// A trailing slash is a 404 problem naming the route meant, not
		// gin's HTML redirect.
		if p := problemOf(t, e.do("prescriber", "GET", "/v1/me/", nil), 404); !strings.Contains(p["detail"].(string), "without the trailing slash: /v1/me") {
			t.Fatalf("trailing slash: %v", p)
		}
		// A route with the wrong method is 405 naming what it allows.
		r = e.do("prescriber", "DELETE", "/v1/patients", nil)
		problemOf(t, r, 405)
		if got := r.Header.Get("Allow"); got != "GET, POST" {
			t.Fatalf("Allow = %q, want GET, POST", got)
		}
	})
}

func TestOperations(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.must(200, e.do("", "GET", "/readyz", nil))
		e.do("prescriber", "GET", "/v1/me", nil)
		r := e.do("", "GET", "/metrics", nil)
		body := string(r.Body)
		for _, want := range []string{`dosebook_http_requests_total{method="GET",route="/v1/me",status="200"}`,
			"dosebook_http_request_duration_seconds_bucket", `go_sql_max_open_connections{db_name="dosebook"}`} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if r := e.do("", "GET", "/openapi.yaml", nil); !strings.HasPrefix(string(r.Body), "openapi: 3.0") {
			t.Fatal("spec not served")
		}
	})
}

// Repeated bad tokens from one address throttle it for the rest of the
// minute, without locking out the people who share the address (a pharmacy
// chain behind one NAT address): a valid token still gets through, and only
// failures answer 429 with Retry-After. Tokens the server has not seen
// accepted are looked up at most once a second, so a throttled address
// cannot have the database look up guesses at will.
func TestBadTokensAreThrottled(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		bad := "Bearer dbk_" + strings.Repeat("b", 52)
		throttled := func(r response, retryAfter string) {
			t.Helper()
			problemOf(t, r, 429)
			if got := r.Header.Get("Retry-After"); got != retryAfter {
				t.Fatalf("Retry-After = %q, want %s", got, retryAfter)
			}
		}
		// Before the guessing starts, the prescriber and the admin have
		// used the service, and the admin has given the GP a token.
		e.must(200, e.do("prescriber", "GET", "/v1/me", nil))
		var gpID string
		for _, u := range e.demo.Users {
			if u.Key == "gp" {
				gpID = u.ID
			}
		}
		m := e.must(201, e.do("admin", "POST", "/v1/users/"+gpID+"/tokens", map[string]any{"label": "lost phone"}))
		gpToken := m["token"].(string)
		e.must(200, e.do(gpToken, "GET", "/v1/me", nil))

		for range 20 {
			problemOf(t, e.do("", "GET", "/v1/me", nil, "Authorization", bad), 401)
		}
		throttled(e.do("", "GET", "/v1/me", nil, "Authorization", bad), "60")
		throttled(e.do("", "GET", "/v1/me", nil, "Authorization", "Bearer not-a-token"), "60")
		throttled(e.do("", "GET", "/v1/me", nil), "60")

		// A colleague behind the same address is let through: from the
		// cache, and after it with a lookup, as the token is known here.
		e.must(200, e.do("prescriber", "GET", "/v1/me", nil))
		c.Set(c.Now().Add(10 * time.Second))
		throttled(e.do("", "GET", "/v1/me", nil, "Authorization", bad), "50")
		e.must(200, e.do("prescriber", "GET", "/v1/me", nil))

		// A token first used now waits for the address's next lookup, as
		// the bad token had this second's; guesses within a second of a
		// lookup are refused unchecked.
		throttled(e.do("pharmacist", "GET", "/v1/me", nil), "1")
		c.Set(c.Now().Add(time.Second))
		e.must(200, e.do("pharmacist", "GET", "/v1/me", nil))
		throttled(e.do("", "GET", "/v1/me", nil, "Authorization", bad), "1")
		c.Set(c.Now().Add(time.Second))
		throttled(e.do("", "GET", "/v1/me", nil, "Authorization", bad), "48")
		throttled(e.do("", "GET", "/v1/me", nil, "Authorization", bad), "1")

		// A revoked token is refused and loses its place: after its first
		// failure it waits its turn like any other token.
		c.Set(c.Now().Add(time.Second))
		e.must(200, e.do("admin", "POST", "/v1/tokens/"+m["id"].(string)+"/revoke", nil))
		throttled(e.do(gpToken, "GET", "/v1/me", nil), "47")
		throttled(e.do(gpToken, "GET", "/v1/me", nil), "47")
		throttled(e.do(gpToken, "GET", "/v1/me", nil), "1")

		// The minute over, a bad token is a plain 401 again.
		c.Set(mustTime("2026-03-02T12:01:00Z"))
		problemOf(t, e.do("", "GET", "/v1/me", nil, "Authorization", bad), 401)
		e.must(200, e.do("prescriber", "GET", "/v1/me", nil))
	})
}

// A throttled address has tokens the server has not accepted looked up
// at most once a second, however many arrive; known tokens always are.
func TestThrottledAddressLooksUpOncePerSecond(t *testing.T) {
	t.Parallel()
	g := newTokenGuard()
	now := mustTime("2026-03-02T12:00:00Z")
	known := "dbk_" + strings.Repeat("k", 52)
	g.accepted(known, now)
	for range g.limit {
		g.failure("192.0.2.1", "dbk_"+strings.Repeat("b", 52), now)
	}
	if !g.throttled("192.0.2.1", now) || g.throttled("192.0.2.2", now) {
		t.Fatal("throttled the wrong address")
	}
	for _, step := range []struct {
		at      time.Duration
		guesses int
		want    int
	}{{0, 100, 1}, {500 * time.Millisecond, 100, 0}, {time.Second, 100, 1}, {59 * time.Second, 100, 1}} {
		at := now.Add(step.at)
		n := 0
		for i := range step.guesses {
			if g.mayLookUp("192.0.2.1", fmt.Sprintf("dbk_%052d", i), at) {
				n++
			}
			if !g.mayLookUp("192.0.2.1", known, at) {
				t.Fatalf("at +%v a known token was refused a lookup", step.at)
			}
		}
		if n != step.want {
			t.Errorf("at +%v: %d lookups, want %d", step.at, n, step.want)
		}
	}
}

// A server reuses a checked token for DOSEBOOK_AUTH_CACHE; a revocation made
// elsewhere (the CLI, another server) takes hold when that time is up, and
// a token's own expiry is never stretched by the cache.
func TestAuthCacheHonoursRevocationElsewhereAndExpiry(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		if e.srv.cfg.AuthCacheTTL != 5*time.Second {
			t.Fatalf("default auth cache: %v", e.srv.cfg.AuthCacheTTL)
		}
		var gpID string
		for _, u := range e.demo.Users {
			if u.Key == "gp" {
				gpID = u.ID
			}
		}
		m := e.must(201, e.do("admin", "POST", "/v1/users/"+gpID+"/tokens", map[string]any{"label": "cli-revoked"}))
		tok := m["token"].(string)
		e.must(200, e.do(tok, "GET", "/v1/me", nil))
		// Revoked by another process: this server's cache still holds it.
		if err := e.db.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.RevokeToken(m["id"].(string))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		e.must(200, e.do(tok, "GET", "/v1/me", nil))
		c.Set(c.Now().Add(5 * time.Second))
		problemOf(t, e.do(tok, "GET", "/v1/me", nil), 401)

		// Expiry: a cached token stops at its expires_at, not at the cache's.
		m = e.must(201, e.do("admin", "POST", "/v1/users/"+gpID+"/tokens", map[string]any{"label": "short", "ttl_hours": 1}))
		tok = m["token"].(string)
		c.Set(mustTime(m["expires_at"].(string)).Add(-2 * time.Second))
		e.must(200, e.do(tok, "GET", "/v1/me", nil))
		c.Set(c.Now().Add(2 * time.Second))
		problemOf(t, e.do(tok, "GET", "/v1/me", nil), 401)
	})
}
