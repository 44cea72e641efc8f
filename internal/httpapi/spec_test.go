package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/dosebook/dosebook/api"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// openAPI is api/openapi.yaml loaded, validated and routed. It is read-only
// once built, so parallel tests share it safely.
type openAPI struct {
	doc    *openapi3.T
	router routers.Router
	err    error
}

var (
	specOnce   sync.Once
	loadedSpec openAPI
)

// uuidPattern is the canonical textual form, any version: ids are UUIDs
// (store.ValidID) and the spec says format: uuid, which kin-openapi does
// not check on its own.
const uuidPattern = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`

// schemaOptions apply to every body checked: uuid is checked too, and
// errors name the JSON path that failed without dumping the schema and
// value (the body is printed beside the error).
func schemaOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(uuidPattern)),
		openapi3.DisableSchemaErrorDetails(),
		openapi3.MultiErrors(),
	}
}

// theSpec loads api/openapi.yaml once for all tests.
func theSpec() openAPI {
	specOnce.Do(func() { loadedSpec = loadSpec() })
	return loadedSpec
}

func loadSpec() openAPI {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err != nil {
		return openAPI{err: fmt.Errorf("load: %w", err)}
	}
	if err := doc.Validate(loader.Context); err != nil {
		return openAPI{err: fmt.Errorf("invalid: %w", err)}
	}
	// Route on paths alone: test requests are addressed to example.com,
	// not to the server the document lists.
	routed := *doc
	routed.Servers = nil
	router, err := gorillamux.NewRouter(&routed)
	if err != nil {
		return openAPI{err: fmt.Errorf("router: %w", err)}
	}
	return openAPI{doc: doc, router: router}
}

// validationOptions check responses only. Requests are not re-validated:
// the tests send bad requests on purpose, the API authenticated them
// already, and their bodies have been read.
func validationOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		ExcludeRequestBody:      true,
		IncludeResponseStatus:   true, // a status must be listed or covered by default
		MultiError:              true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: schemaOptions(),
	}
}

// checkAgainstSpec validates every response the tests see against
// api/openapi.yaml: the route must be described, the status listed (or
// covered by default), the content type declared and the body must match
// its schema.
func checkAgainstSpec(t *testing.T, req *http.Request, r response) {
	t.Helper()
	if strings.HasPrefix(req.URL.Path, "/test/") {
		return // test-only routes, such as the panic route, are not the API
	}
	spec := theSpec()
	if spec.err != nil {
		// Errorf, not Fatalf: t may be the parent of the subtest running.
		t.Errorf("spec: api/openapi.yaml: %v", spec.err)
		return
	}
	// The original body has been consumed; routing needs only the method,
	// URL and headers.
	fresh := httptest.NewRequest(req.Method, req.URL.RequestURI(), nil)
	fresh.Header = req.Header.Clone()
	where := fmt.Sprintf("%s %s → %d", req.Method, req.URL.RequestURI(), r.Status)

	route, params, err := spec.router.FindRoute(fresh)
	if err != nil {
		if unroutedProblem(r) {
			// gin's NoRoute/NoMethod answer for a path or method the API does
			// not have: no operation describes it, but it is still a problem.
			if err := validateProblem(spec.doc, r); err != nil {
				t.Errorf("spec: %s: the unknown-route problem does not match #/components/schemas/Problem: %v\nbody: %s", where, err, r.Body)
			} else if extra := undocumentedFields(spec.doc.Components.Schemas["Problem"].Value, r.Body); len(extra) > 0 {
				t.Errorf("spec: %s: the unknown-route problem has fields the Problem schema does not describe: %s", where, strings.Join(extra, ", "))
			}
			return
		}
		t.Errorf("spec: %s: not described in api/openapi.yaml (%v)\nbody: %s", where, err, r.Body)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: fresh, PathParams: params, Route: route, Options: validationOptions(),
		},
		Status:  r.Status,
		Header:  r.Header,
		Options: validationOptions(),
	}
	in.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("spec: %s (operation %s %s) does not match api/openapi.yaml:\n%v\nbody: %s",
			where, req.Method, route.Path, err, abbreviate(r.Body))
		return
	}
	if extra := undocumentedFields(responseSchema(route.Operation, r), r.Body); len(extra) > 0 {
		t.Errorf("spec: %s (operation %s %s) answers fields api/openapi.yaml does not describe: %s\nbody: %s",
			where, req.Method, route.Path, strings.Join(extra, ", "), abbreviate(r.Body))
	}
}

// responseSchema is the schema the operation documents for r's status and
// content type, or nil.
func responseSchema(op *openapi3.Operation, r response) *openapi3.Schema {
	ref := op.Responses.Status(r.Status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get(r.Header.Get("Content-Type"))
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// undocumentedFields lists the JSON paths of object members the schema does
// not name. Response schemas stay open (allOf composition and
// additionalProperties: false do not mix in OpenAPI 3.0), so this catches a
// field added to a handler but not to the spec.
func undocumentedFields(s *openapi3.Schema, body []byte) []string {
	if s == nil {
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil // not JSON; the validator has judged it already
	}
	var out []string
	walkUndocumented(s, v, "", &out)
	slices.Sort(out)
	return out
}

func walkUndocumented(s *openapi3.Schema, v any, path string, out *[]string) {
	if s == nil {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.Schema{}
		open, values := objectShape(s, props)
		for k, e := range x {
			if ps, ok := props[k]; ok {
				walkUndocumented(ps, e, path+"/"+k, out)
			} else if values != nil {
				walkUndocumented(values, e, path+"/"+k, out)
			} else if !open {
				*out = append(*out, path+"/"+k)
			}
		}
	case []any:
		items := itemsOf(s)
		for i, e := range x {
			walkUndocumented(items, e, fmt.Sprintf("%s/%d", path, i), out)
		}
	}
}

// objectShape gathers the named properties of s and its allOf parts. open
// is true for a free-form object (no properties named anywhere, or
// anyOf/oneOf, which this walk does not resolve); values is the schema of
// a map's values (additionalProperties: {schema}).
func objectShape(s *openapi3.Schema, props map[string]*openapi3.Schema) (open bool, values *openapi3.Schema) {
	named := false
	var visit func(s *openapi3.Schema)
	visit = func(s *openapi3.Schema) {
		if s == nil {
			return
		}
		if len(s.AnyOf) > 0 || len(s.OneOf) > 0 {
			open = true
		}
		for k, p := range s.Properties {
			named = true
			if p != nil {
				props[k] = p.Value
			}
		}
		if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
			values = ap.Value
		}
		for _, part := range s.AllOf {
			if part != nil {
				visit(part.Value)
			}
		}
	}
	visit(s)
	return open || (!named && values == nil), values
}

func itemsOf(s *openapi3.Schema) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if s.Items != nil {
		return s.Items.Value
	}
	for _, part := range s.AllOf {
		if part != nil {
			if it := itemsOf(part.Value); it != nil {
				return it
			}
		}
	}
	return nil
}

// unroutedProblem recognises the problems gin's NoRoute and NoMethod
// handlers write (server.go).
func unroutedProblem(r response) bool {
	if r.Header.Get("Content-Type") != "application/problem+json" {
		return false
	}
	if r.Status == http.StatusMethodNotAllowed {
		return true
	}
	if r.Status != http.StatusNotFound {
		return false
	}
	var p struct{ Detail string }
	if json.Unmarshal(r.Body, &p) != nil {
		return false
	}
	return strings.HasPrefix(p.Detail, "no such route: ")
}

func validateProblem(doc *openapi3.T, r response) error {
	ref := doc.Components.Schemas["Problem"]
	if ref == nil || ref.Value == nil {
		return errors.New("the spec has no Problem schema")
	}
	var v any
	if err := json.NewDecoder(bytes.NewReader(r.Body)).Decode(&v); err != nil {
		return err
	}
	return ref.Value.VisitJSON(v, schemaOptions()...)
}

func abbreviate(b []byte) string {
	const max = 4000
	if len(b) <= max {
		return string(b)
	}
	return string(b[:max]) + fmt.Sprintf("… (%d bytes)", len(b))
}

var ginParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// specPath writes a gin route template the OpenAPI way: /v1/x/:id → /v1/x/{id}.
func specPath(ginPath string) string { return ginParam.ReplaceAllString(ginPath, "{$1}") }

// TestEveryRouteIsInTheSpec proves the route table and api/openapi.yaml
// agree both ways: every route is described, and nothing described is
// missing from the router.
func TestEveryRouteIsInTheSpec(t *testing.T) {
	t.Parallel()
	spec := theSpec()
	if spec.err != nil {
		t.Fatalf("api/openapi.yaml: %v", spec.err)
	}
	srv, err := New(storetest.Open(t, store.SQLite, store.Options{}), testConfig(t), discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	real, opIDs := map[string]bool{}, map[string]string{}
	for _, r := range srv.routeTable() {
		key := r.Method + " " + specPath(r.Path)
		if real[key] {
			t.Errorf("route %s is registered twice", key)
		}
		real[key] = true
		item := spec.doc.Paths.Value(specPath(r.Path))
		if item == nil {
			t.Errorf("route %s: path %s is not in api/openapi.yaml", key, specPath(r.Path))
			continue
		}
		op := item.GetOperation(r.Method)
		if op == nil {
			t.Errorf("route %s: api/openapi.yaml describes %s but not its %s operation", key, specPath(r.Path), r.Method)
			continue
		}
		if r.Public != (op.Security != nil && len(*op.Security) == 0) {
			t.Errorf("route %s: public=%v but the spec's security says otherwise", key, r.Public)
		}
		if op.Responses == nil || op.Responses.Len() == 0 {
			t.Errorf("route %s: no responses described", key)
		}
		// Client generators name their methods by operationId.
		if op.OperationID == "" {
			t.Errorf("route %s: no operationId", key)
		} else if seen := opIDs[op.OperationID]; seen != "" {
			t.Errorf("route %s: operationId %s is %s's too", key, op.OperationID, seen)
		}
		opIDs[op.OperationID] = key
	}
	var stale []string
	for path, item := range spec.doc.Paths.Map() {
		for method := range item.Operations() {
			if !real[method+" "+path] {
				stale = append(stale, method+" "+path)
			}
		}
	}
	slices.Sort(stale)
	for _, s := range stale {
		t.Errorf("api/openapi.yaml describes %s, which is not a route", s)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestSpecCoversQuietRoutes sends a successful request to each operation the
// behaviour tests reach only with errors, so that every success schema in
// api/openapi.yaml is checked against a real answer (checkAgainstSpec runs
// on each response).
func TestSpecCoversQuietRoutes(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		var prescriberID string
		for _, u := range e.demo.Users {
			if u.Key == "prescriber" {
				prescriberID = u.ID
			}
		}
		e.must(200, e.do("admin", "GET", "/v1/users?organisation_id="+e.demo.ServiceID, nil))
		e.must(200, e.do("admin", "GET", "/v1/users/"+prescriberID+"/tokens", nil))
		e.must(200, e.do("admin", "GET", "/v1/organisations?kind=pharmacy", nil))

		pid := e.newPatient(40, map[string]any{"referral_date": "2026-03-10",
			"risk_flags": map[string]any{"alcohol": true, "children_in_household": true}})
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{
			"keyworker": "Sam Ó Briain — keyworker", "first_contact_date": "2026-03-12", "naloxone_supplied_on": nil,
			"needs": map[string]any{"housing": map[string]any{"level": "high", "notes": "sofa surfing"},
				"blood_borne_virus": map[string]any{"hepatitis_c": "antibody_positive", "last_tested": "2026-01-05"}}}))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{
			"sample_type": "urine", "witnessed": true, "results": map[string]any{"opiates": "positive", "cocaine": "negative"}}))
		e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/drug-screens", nil))

		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20, "ecg_date": "2026-03-01"})
		rid := r["id"].(string)
		// One active regime per patient: the conflict carries the active one.
		problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+pid+"/regimes",
			map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20}), 409)
		e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/regimes", nil))
		e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": map[string]any{
			"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised", "thursday": "supervised",
			"friday": "supervised", "saturday": "supervised", "sunday": "earlier"},
			"overrides": []map[string]any{{"rule": "M6", "reason": "pharmacy closed on Sundays; stable, no children at risk"}}}))
		e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		e.must(200, e.do("gp", "GET", "/v1/patients?nhs_number="+e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))["nhs_number"].(string), nil))

		bid := e.newPatient(41, nil)
		b := e.startRegime(bid, map[string]any{"medicine": "buvidal_weekly", "dose": 8, "last_dose_at": "2026-03-25T09:00:00Z",
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4}})
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+b["id"].(string)+"/administrations", map[string]any{
			"dose": 8, "site": "upper_arm_left", "batch": "B-77", "batch_expiry": "2027-01-31"}))
		e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+b["id"].(string), nil))
		e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+b["id"].(string)+"/administrations", nil))

		// Shared care (SC1, SC3 overridden: the regime has only just started)
		// and the printed documents.
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2026-03-26", "days": 7, "wording": []int{1}, "issue": true}))
		if r := e.do("prescriber", "GET", "/v1/prescriptions/"+pr["id"].(string)+"/pdf", nil); r.Status != 200 {
			t.Fatalf("prescription pdf: %d %s", r.Status, r.Body)
		}
		sc3 := []map[string]any{{"rule": "SC3", "reason": "moving away; GP agreed to take over early"}}
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{"overrides": sc3}))
		scID := sc["id"].(string)
		e.must(200, e.do("gp", "GET", "/v1/patients/"+pid+"/shared-care", nil))
		e.must(200, e.do("gp", "GET", "/v1/shared-care/"+scID, nil))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))
		if r := e.do("gp", "GET", "/v1/patients/"+pid+"/shared-care-summary.pdf", nil); r.Status != 200 {
			t.Fatalf("summary pdf: %d %s", r.Status, r.Body)
		}
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/hand-back", map[string]any{"reason": "relapse; back to the specialist"}))
		sc = e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{
			"practice_id": e.demo.PracticeID, "overrides": sc3}))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/decline", map[string]any{"reason": "list closed"}))

		e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening", nil))
		e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?status=draft&patient_id="+pid, nil))
		e.must(200, e.do("prescriber", "GET", "/v1/alerts?open=false", nil))
	})
}
