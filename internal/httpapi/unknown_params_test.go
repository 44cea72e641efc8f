package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A query parameter the spec does not give the route is refused, each
// named, before anything is read or written; the ones it gives still work.
// Without a token the answer is still 401: the check comes after
// authentication.
func TestUnknownQueryParametersAreRefused(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		tests := []struct {
			who, method, path string
			body              any
			want              []string
		}{
			{"prescriber", "GET", "/v1/alerts?patientid=01a23c6a-0000-7000-8000-000000000000", nil, []string{"patientid"}},
			{"prescriber", "GET", "/v1/patients?nmae=Zo%C3%AB", nil, []string{"nmae"}},
			{"prescriber", "GET", "/v1/patients?name=Zo&b=1&a=2", nil, []string{"a", "b"}},
			{"prescriber", "GET", "/v1/me?verbose=1", nil, []string{"verbose"}},
			{"admin", "GET", "/v1/audit?entity=patient", nil, []string{"entity"}},
			{"prescriber", "POST", "/v1/patients?dry_run=1", map[string]any{"given_name": "Zoë"}, []string{"dry_run"}},
			{"prescriber", "GET", "/v1/patients?" + strings.Repeat("x", 300) + "=1", nil, []string{strings.Repeat("x", 100) + "…"}},
		}
		for _, tt := range tests {
			p := problemOf(t, e.do(tt.who, tt.method, tt.path, tt.body), 422)
			if !slices.Equal(fieldsOf(p), tt.want) {
				t.Errorf("%s %s: fields %v, want %v", tt.method, tt.path, fieldsOf(p), tt.want)
			}
			for _, er := range p["errors"].([]any) {
				if rule := er.(map[string]any)["rule"]; rule != "unknown_parameter" {
					t.Errorf("%s %s: rule %v, want unknown_parameter", tt.method, tt.path, rule)
				}
			}
		}
		// Nothing was written by the refused POST.
		if m := e.must(200, e.do("prescriber", "GET", "/v1/patients?name=Zo%C3%AB", nil)); len(m["items"].([]any)) != 0 {
			t.Fatalf("patients after a refused POST: %v", m["items"])
		}
		problemOf(t, e.do("", "GET", "/v1/alerts?patientid=x", nil), 401)
		problemOf(t, e.do("gp", "GET", "/v1/audit?entity=x", nil), 403)
		// Documented parameters still work.
		e.must(200, e.do("prescriber", "GET", "/v1/patients?name=Zo&limit=5", nil))
		e.must(200, e.do("admin", "GET", "/v1/organisations?kind=pharmacy&limit=1", nil))
		e.must(200, e.do("", "GET", "/healthz", nil))
	})
}

// Every query parameter the spec names comes from the spec file, and the
// table has every route of the router.
func TestSpecQueryParamsCoverEveryRoute(t *testing.T) {
	t.Parallel()
	params, err := specQueryParams()
	if err != nil {
		t.Fatal(err)
	}
	eachEnv(t, func(t *testing.T, e *env) {
		for _, r := range e.srv.routeTable() {
			m := r.Method
			if m == "HEAD" {
				m = "GET"
			}
			if _, ok := params[m+" "+r.Path]; !ok && r.Path != "/metrics" && r.Path != "/openapi.yaml" {
				t.Errorf("%s %s: not in the spec's query parameter table", r.Method, r.Path)
			}
		}
	})
	if got := params["GET /v1/patients"]; !slices.Contains(got, "nhs_number") || !slices.Contains(got, "cursor") {
		t.Errorf("GET /v1/patients takes %v", got)
	}
}
