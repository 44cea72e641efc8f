package httpapi

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A client that hangs up mid-request is not a database outage: the line is
// INFO "client disconnected" with status 499 (nginx's convention; nobody
// receives it), and no 503 is counted. A request that runs out of
// DOSEBOOK_REQUEST_TIMEOUT is still a 503 problem (docs/reliability.md).
func TestClientThatHangsUpIsNotAnOutage(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		path := "/v1/pharmacies/" + e.demo.PharmacyID + "/doses"
		e.must(200, e.do("pharmacist", "GET", path, nil)) // the token is now cached: the next request gets past authentication
		e.logs.Reset()

		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the client has gone
		req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+e.demo.Tokens["pharmacist"])
		w := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(w, req)
		if w.Code != 499 || w.Body.Len() != 0 {
			t.Fatalf("status %d body %q, want 499 and no body", w.Code, w.Body)
		}
		logs := e.logs.String()
		for _, bad := range []string{"dependency unavailable", `"level":"ERROR"`, `"level":"WARN"`, `"status":503`} {
			if strings.Contains(logs, bad) {
				t.Errorf("logs hold %s:\n%s", bad, logs)
			}
		}
		for _, want := range []string{`"level":"INFO","msg":"client disconnected"`, `"status":499`} {
			if !strings.Contains(logs, want) {
				t.Errorf("logs lack %s:\n%s", want, logs)
			}
		}

		e.srv.cfg.RequestTimeout = time.Nanosecond // every request is out of time at once
		p := problemOf(t, e.do("pharmacist", "GET", path, nil), 503)
		if p["type"] != "/problems/unavailable" {
			t.Fatalf("a request timeout: %v, want /problems/unavailable", p)
		}

		m := e.do("", "GET", "/metrics", nil)
		for _, want := range []string{
			`dosebook_http_requests_total{method="GET",route="/v1/pharmacies/:id/doses",status="499"} 1`,
			`dosebook_http_requests_total{method="GET",route="/v1/pharmacies/:id/doses",status="503"} 1`,
		} {
			if !strings.Contains(string(m.Body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
}
