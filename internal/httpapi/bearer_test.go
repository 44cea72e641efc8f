package httpapi

import (
	"net/http/httptest"
	"testing"
)

func TestBearerToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers []string
		token   string
		refused bool
	}{
		{"none", nil, "", true},
		{"bearer", []string{"Bearer dbk_x"}, "dbk_x", false},
		{"scheme in any case (RFC 9110)", []string{"bearer dbk_x"}, "dbk_x", false},
		{"capitals", []string{"BEARER  dbk_x "}, "dbk_x", false},
		{"basic", []string{"Basic Zm9vOmJhcg=="}, "", true},
		{"scheme alone", []string{"Bearer"}, "", true},
		{"scheme and spaces", []string{"Bearer   "}, "", true},
		{"two headers", []string{"Bearer dbk_x", "Bearer dbk_y"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, why := bearerToken(tt.headers)
			if token != tt.token || (why != "") != tt.refused {
				t.Errorf("bearerToken(%q) = %q, %q", tt.headers, token, why)
			}
		})
	}
}

// Two Authorization headers, each a valid token of someone else: neither
// acts, whichever comes first.
func TestTwoAuthorizationHeadersAreRefused(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.must(200, e.do("", "GET", "/v1/me", nil, "Authorization", "bearer "+e.demo.Tokens["gp"]))
		req := httptest.NewRequest("GET", "/v1/me", nil)
		req.Header.Add("Authorization", "Bearer "+e.demo.Tokens["prescriber"])
		req.Header.Add("Authorization", "Bearer "+e.demo.Tokens["gp"])
		w := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(w, req)
		if w.Code != 401 {
			t.Fatalf("two Authorization headers: %d %s", w.Code, w.Body)
		}
	})
}
