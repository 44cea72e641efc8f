package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The public GET routes answer HEAD (RFC 9110 9.3.2) as GET does, without
// the body, as uptime monitors expect; a route's 405 lists HEAD too.
func TestPublicRoutesAnswerHEAD(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		srv := httptest.NewServer(e.srv.Handler()) // 127.0.0.1
		t.Cleanup(srv.Close)
		for _, tt := range []struct{ path, contentType string }{
			{"/healthz", "application/json; charset=utf-8"},
			{"/readyz", "application/json; charset=utf-8"},
			{"/metrics", ""},
			{"/openapi.yaml", "application/yaml"},
		} {
			e.must(200, e.do("", "GET", tt.path, nil)) // the GET it mirrors
			if r := e.do("", "HEAD", tt.path, nil); r.Status != 200 {
				t.Errorf("HEAD %s = %d, want 200", tt.path, r.Status)
			}
			req, err := http.NewRequestWithContext(context.Background(), "HEAD", srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || len(body) != 0 {
				t.Errorf("HEAD %s over HTTP = %d with %d bytes, want 200 and no body", tt.path, res.StatusCode, len(body))
			}
			if tt.contentType != "" && res.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("HEAD %s Content-Type = %q, want %q as GET", tt.path, res.Header.Get("Content-Type"), tt.contentType)
			}
		}
		r := e.do("", "POST", "/healthz", nil)
		problemOf(t, r, 405)
		if got := r.Header.Get("Allow"); got != "GET, HEAD" {
			t.Fatalf("Allow = %q, want GET, HEAD", got)
		}
	})
}
