package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/api"
	"github.com/dosebook/dosebook/internal/problem"
)

// specQueryParams maps "METHOD /gin/:template" to the query parameters
// api/openapi.yaml gives that operation (its own and its path's). The spec
// is the truth about the API (ADR 0019): a parameter it does not name is
// refused, so a misspelt filter (?patientid=, ?nmae=) is a 422 naming it
// rather than a 200 with everything. Read once from the embedded spec,
// which never changes while the program runs.
var specQueryParams = sync.OnceValues(func() (map[string][]string, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		return nil, fmt.Errorf("load api/openapi.yaml: %w", err)
	}
	out := map[string][]string{}
	for path, item := range doc.Paths.Map() {
		tmpl := ginTemplate(path)
		for method, op := range item.Operations() {
			names := []string{}
			for _, ps := range [][]*openapi3.ParameterRef{item.Parameters, op.Parameters} {
				for _, p := range ps {
					if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && !slices.Contains(names, p.Value.Name) {
						names = append(names, p.Value.Name)
					}
				}
			}
			slices.Sort(names)
			out[method+" "+tmpl] = names
		}
	}
	return out, nil
})

// ginTemplate turns "/v1/users/{id}/tokens" into "/v1/users/:id/tokens".
func ginTemplate(specPath string) string {
	segs := strings.Split(specPath, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(segs, "/")
}

// knownQuery refuses query parameters the spec does not give the route:
// one 422 naming each (rule unknown_parameter), nothing done. ok is false
// when the spec does not describe the route (the spec test requires that
// it does), and then nothing is checked.
func (s *Server) knownQuery(method, path string) (h gin.HandlerFunc, ok bool, err error) {
	params, err := specQueryParams()
	if err != nil {
		return nil, false, err
	}
	if method == "HEAD" {
		method = "GET" // a HEAD is answered by the GET handler
	}
	allowed, ok := params[method+" "+path]
	if !ok {
		return nil, false, nil
	}
	return func(c *gin.Context) {
		var unknown []string
		for name := range c.Request.URL.Query() {
			if !slices.Contains(allowed, name) {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) == 0 {
			return
		}
		slices.Sort(unknown)
		// Each is named, up to a bound: a query of thousands of made-up
		// names gets a problem of reasonable size.
		unknown = unknown[:min(len(unknown), 20)]
		var f problem.Fields
		for _, name := range unknown {
			if utf8.RuneCountInString(name) > 100 {
				name = string([]rune(name)[:100]) + "…"
			}
			if len(allowed) == 0 {
				f.Add(name, "unknown_parameter", "this route takes no query parameters")
			} else {
				f.Add(name, "unknown_parameter", "%s is not a query parameter of this route (it takes %s)", name, strings.Join(allowed, ", "))
			}
		}
		s.fail(c, f.Err())
		c.Abort()
	}, true, nil
}
