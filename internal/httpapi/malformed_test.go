package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/store"
)

// The malformed-request corpus: garbage sent to every write route must get
// a 4xx problem and write nothing; injection strings that are valid text
// may be stored, but only verbatim and without touching the schema.

// Injection strings used both as garbage (where a field wants an id, an
// enum or a date) and as valid text (where it wants a name).
var injections = []string{
	`'; DROP TABLE patients; --`,
	`Robert'); DROP TABLE organisations;--`,
	`<script>alert(1)</script>`,
	`${jndi:ldap://127.0.0.1:1389/a}`,
	`../../etc/passwd`,
	`%' OR '1'='1`,
	`" OR ""="`,
	`\u0000`,
}

func deepArrays(n int) string  { return strings.Repeat("[", n) + strings.Repeat("]", n) }
func deepObjects(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }

// garbageBodies are wrong for every write route, whatever its fields.
var garbageBodies = []struct{ name, body string }{
	{"not json", "{"},
	{"array", "[]"},
	{"string", `"hello"`},
	{"number", "42"},
	{"huge number", "1e309"},
	{"boolean", "true"},
	{"unknown field", `{"__proto__":{"admin":true}}`},
	{"two values", "{} {}"},
	{"too large", `{"x":"` + strings.Repeat("a", 2<<20) + `"}`},
	{"deeply nested unclosed", strings.Repeat("[", 100000)},
	{"deeply nested arrays", deepArrays(20000)},
	{"deeply nested objects", deepObjects(20000)},
	{"invalid utf8", "{\"x\":\"\xff\xfe\"}"},
	{"raw NUL in string", "{\"x\":\"a\x00b\"}"},
	{"NUL before body", "\x00{}"},
	{"byte order mark", "\xef\xbb\xbf{}"},
	{"NaN literal", `{"x":NaN}`},
}

// bodyContentTypes are declared types of a body that is not JSON in UTF-8
// ("none" sends no Content-Type).
var bodyContentTypes = []string{"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x",
	"application/json; charset=iso-8859-1", "application/xml", "json", "none"}

// fieldKinds says what each request field holds, so the corpus can send
// values that are wrong for it.
var fieldKinds = map[string]string{
	"kind": "enum", "role": "enum", "medicine": "enum", "sample_type": "enum", "site": "enum", "outcome": "enum",
	"name": "text", "label": "text", "given_name": "text", "family_name": "text", "address": "text",
	"keyworker": "text", "notes": "text", "reason": "text", "batch": "text",
	"organisation_id": "uuid", "pharmacy_id": "uuid", "patient_id": "uuid",
	"nhs_number":    "nhs",
	"date_of_birth": "date", "effective_date": "date", "batch_expiry": "date", "start_date": "date", "date": "date",
	"dose": "dose", "to": "dose",
	"days":      "int",
	"witnessed": "bool", "identity_confirmed": "bool", "bank_holidays_closed": "bool", "confirm_early": "bool",
	"overrides": "array", "closed_weekdays": "array", "closed_dates": "array", "open_dates": "array",
	"results": "object", "pattern": "object",
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// badValues are raw JSON values wrong for a field of the kind.
func badValues(kind string) []string {
	long := jsonString(strings.Repeat("x", 100000))
	wrongType := []string{"1e309", "true", "[]", "{}", deepArrays(20000)}
	var injected []string
	for _, s := range injections {
		injected = append(injected, jsonString(s))
	}
	switch kind {
	case "text":
		// Injection strings are valid text; see TestInjectionStringsRoundTrip.
		return append(wrongType, `"a\u0000b"`, "\"a\x00b\"", "\"\xff\xfe\"", long, `"\ud800"`)
	case "enum", "uuid":
		// "" is not here: an empty optional enum or reference means "the
		// default" or "none" (a review's kind, a patient's pharmacy_id).
		return append(append(wrongType, injected...), `"NaN"`, long, `"a\u0000b"`)
	case "nhs":
		return append(append(wrongType, injected...), `"9434765918"`, `9434765919`, `"NaN"`, long)
	case "date":
		return append(append(wrongType[:4], injected[:5]...), `"2026-02-30"`, `"0000-01-01"`, `"NaN"`, `20260326`, `-0`,
			`"2026-03-26T00:00:00Z"`, `"26/03/2026"`, `"+2026-03-26"`, long)
	case "dose":
		return []string{"1e309", "-0", `"NaN"`, "1.0000000001", "-5", "0", `"1e3"`, "true", "[]", `"30 mg"`, "100001",
			"1e2", `""`, long, "99999999999999999999999"}
	case "int":
		return []string{"1e309", "1.0000000001", `"7"`, "-0", "-1", "9223372036854775808", "true", "[]", `"NaN"`}
	case "bool":
		return []string{`"true"`, "1", `"yes"`, "[]", "1e309"}
	case "array":
		return []string{`"sunday"`, "1e309", "{}", deepArrays(20000), "[1e309]", `["<script>alert(1)</script>"]`,
			`["2026-02-30"]`, `[{"rule":"<script>","reason":1e309}]`}
	case "object":
		return []string{"[]", `"x"`, "1e309", deepObjects(20000), `{"<script>alert(1)</script>":"positive"}`, `{"a":{"b":{"c":[]}}}`}
	}
	return nil
}

// withField writes body with key set to the raw JSON value, spliced in as
// text so that values json.Marshal would refuse (1e309, invalid UTF-8) go
// out as they are.
func withField(valid map[string]any, key, raw string) string {
	rest := map[string]any{}
	for k, v := range valid {
		if k != key {
			rest[k] = v
		}
	}
	b, _ := json.Marshal(rest)
	if len(rest) == 0 {
		return "{" + jsonString(key) + ":" + raw + "}"
	}
	return "{" + jsonString(key) + ":" + raw + "," + string(b[1:])
}

// tableCounts is the number of rows in every table of the schema, read in
// one query; it is the "nothing was written" check (every change also adds
// an audit event, so updates show in audit_events).
func tableCounts(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'goose%'`
	if db.Dialect() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'goose%'`
	}
	rows, err := db.SQL().QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	sort.Strings(tables)
	parts := make([]string, len(tables))
	for i, tb := range tables {
		parts[i] = fmt.Sprintf("(SELECT count(*) FROM %s)", tb)
	}
	counts := make([]int64, len(tables))
	dest := make([]any, len(tables))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := db.SQL().QueryRowContext(ctx, "SELECT "+strings.Join(parts, ", ")).Scan(dest...); err != nil {
		t.Fatalf("count rows: %v", err)
	}
	out := map[string]int64{}
	for i, tb := range tables {
		out[tb] = counts[i]
	}
	for _, must := range []string{"patients", "organisations", "users", "audit_events", "prescriptions", "dose_events"} {
		if _, ok := out[must]; !ok {
			t.Fatalf("table %s is missing: %v", must, tables)
		}
	}
	return out
}

func countsDiff(before, after map[string]int64) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, fmt.Sprintf("%s %d→%d", k, before[k], v))
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k+" dropped")
		}
	}
	sort.Strings(out)
	return out
}

// writeCaller is a demo user who may use the route on our record set.
func writeCaller(r Route, s *recordSet) string {
	for _, who := range []string{"prescriber", "pharmacist", "gp", "admin"} {
		role := auth.Role(who)
		if (r.Permission == "" || role.Can(r.Permission)) && (who == "admin" || s.sees(who, familyOf(r.Path))) {
			return who
		}
	}
	return ""
}

func isWrite(r Route) bool { return r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH" }

func TestMalformedRequestsWriteNothing(t *testing.T) {
	t.Parallel()
	const today = "2026-03-26"
	eachEnvAt(t, today+"T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ours, _ := matrixFixtures(e, today)
		// Give the body-less actions something they could act on, so that
		// garbage they wrongly accept shows as a write: a draft to issue,
		// an open alert and a live token.
		ours.prescription = e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": ours.patient,
			"start_date": "2026-03-27", "days": 7}))["id"].(string)

		// Irreversible actions (end, cancel, revoke, decline, hand back) go
		// last, so garbage one of them wrongly accepts cannot mask another
		// route's answer.
		routes := slices.Clone(e.srv.routeTable())
		slices.SortStableFunc(routes, func(a, b Route) int { return matrixRank(a) - matrixRank(b) })
		sent := 0
		for _, r := range routes {
			if !isWrite(r) {
				continue
			}
			who := writeCaller(r, ours)
			if who == "" {
				t.Errorf("%s %s: no demo user may write here; the corpus cannot reach it", r.Method, r.Path)
				continue
			}
			path := r.Path
			if strings.Contains(path, ":id") {
				path = strings.ReplaceAll(path, ":id", idFamilies[familyOf(r.Path)](ours))
			}
			// contentType "" sends application/json.
			type tc struct{ name, body, contentType string }
			var cases []tc
			for _, g := range garbageBodies {
				cases = append(cases, tc{g.name, g.body, ""})
			}
			valid, _ := matrixBody(r, ours, today, 9000).(map[string]any)
			if r.Method+" "+r.Path == "POST /v1/pharmacies/:id/day-close" {
				valid = map[string]any{"date": today, "confirm_early": true}
			}
			keys := make([]string, 0, len(valid))
			for k := range valid {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				kind, ok := fieldKinds[k]
				if !ok {
					t.Errorf("%s %s: field %q has no kind in fieldKinds", r.Method, r.Path, k)
					continue
				}
				for _, v := range badValues(kind) {
					cases = append(cases, tc{fmt.Sprintf("%s=%s", k, abbreviateString(v, 40)), withField(valid, k, v), ""})
				}
			}
			// A valid body not declared as JSON in UTF-8 (curl -d sends a form).
			if validBody, err := json.Marshal(valid); err == nil && len(valid) > 0 {
				for _, ct := range bodyContentTypes {
					cases = append(cases, tc{"Content-Type " + ct, string(validBody), ct})
				}
			}
			// One error per route and kind of failure, naming every corpus
			// entry that caused it and showing the first answer.
			type failure struct {
				names  []string
				sample string
			}
			failures := map[string]*failure{}
			fail := func(what, name, sample string) {
				f := failures[what]
				if f == nil {
					f = &failure{sample: sample}
					failures[what] = f
				}
				f.names = append(f.names, name)
			}
			for _, tc := range cases {
				before := tableCounts(t, e.db)
				var res response
				if tc.contentType != "" {
					res = e.do(who, r.Method, path, tc.body, "Content-Type", strings.TrimPrefix(tc.contentType, "none"))
				} else {
					res = e.do(who, r.Method, path, tc.body)
				}
				sent++
				if res.Status < 400 || res.Status >= 500 {
					fail(fmt.Sprintf("answered %d, want 4xx", res.Status), tc.name, abbreviateString(string(res.Body), 300))
				} else if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
					fail(fmt.Sprintf("content type %q, want application/problem+json", ct), tc.name, "")
				}
				if d := countsDiff(before, tableCounts(t, e.db)); len(d) > 0 {
					fail("wrote to the database", tc.name, fmt.Sprint(d))
				}
			}
			whats := make([]string, 0, len(failures))
			for w := range failures {
				whats = append(whats, w)
			}
			sort.Strings(whats)
			for _, w := range whats {
				f := failures[w]
				t.Errorf("%s %s as %s: %s for %d malformed bodies: %s\n    first: %s", r.Method, r.Path, who, w, len(f.names),
					strings.Join(f.names, "; "), f.sample)
			}
		}
		t.Logf("%d malformed requests", sent)
	})
}

func abbreviateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("…(%d bytes)", len(s))
}

// Injection strings that are valid text are stored verbatim, found by
// search only where they match, and leave the schema as it was.
func TestInjectionStringsRoundTrip(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		before := tableCounts(t, e.db)
		text := injections[:len(injections)-1] // the last is an escape, covered as a NUL byte
		var ids []string
		for i, s := range text {
			body := map[string]any{"nhs_number": patients.TestNHSNumber(800 + i), "given_name": s, "family_name": s + " Family",
				"date_of_birth": "1985-04-12", "address": s + "\n2 Quay Street", "keyworker": s, "pharmacy_id": e.demo.PharmacyID}
			m := e.must(201, e.do("prescriber", "POST", "/v1/patients", body))
			ids = append(ids, m["id"].(string))
			got := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+m["id"].(string), nil))
			for _, k := range []string{"given_name", "family_name", "address", "keyworker"} {
				if got[k] != body[k] {
					t.Errorf("%s: stored %q, sent %q", k, got[k], body[k])
				}
			}
			org := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "pharmacy", "name": fmt.Sprintf("%s %d", s, i), "address": s}))
			if org["name"] != fmt.Sprintf("%s %d", s, i) || org["address"] != s {
				t.Errorf("organisation stored %q / %q", org["name"], org["address"])
			}
			u := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": org["id"], "role": "pharmacist", "name": s}))
			if u["user"].(map[string]any)["name"] != s {
				t.Errorf("user name stored %q, sent %q", u["user"].(map[string]any)["name"], s)
			}
			e.must(201, e.do("prescriber", "POST", "/v1/patients/"+m["id"].(string)+"/reviews", map[string]any{"kind": "missed_doses", "notes": s}))
		}
		// Searching with an injection string finds only what matches it.
		for _, s := range text {
			m := e.must(200, e.do("prescriber", "GET", "/v1/patients?name="+url.QueryEscape(s), nil))
			for _, it := range m["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if !slices.Contains(ids, id) {
					t.Errorf("search %q found a patient it does not name: %s", s, id)
				}
			}
			if n := len(m["items"].([]any)); n > len(text) {
				t.Errorf("search %q returned %d patients", s, n)
			}
			for _, q := range []string{"nhs_number", "status", "patient_id"} {
				r := e.do("prescriber", "GET", "/v1/prescriptions?"+q+"="+url.QueryEscape(s), nil)
				if r.Status >= 500 {
					t.Errorf("GET /v1/prescriptions?%s=%q: %d", q, s, r.Status)
				}
			}
			if r := e.do("admin", "GET", "/v1/audit?entity_type=patient&entity_id="+url.QueryEscape(s), nil); r.Status != 200 ||
				len(r.JSON(t)["items"].([]any)) != 0 {
				t.Errorf("audit filter %q: %d %s", s, r.Status, abbreviate(r.Body))
			}
			// An entity type that is none is named, not searched for.
			if p := problemOf(t, e.do("admin", "GET", "/v1/audit?entity_type="+url.QueryEscape(s), nil), 422); !slices.Equal(fieldsOf(p), []string{"entity_type"}) {
				t.Errorf("audit entity_type %q: fields %v", s, fieldsOf(p))
			}
		}
		after := tableCounts(t, e.db)
		for table := range before {
			if _, ok := after[table]; !ok {
				t.Errorf("table %s is gone", table)
			}
		}
		if after["patients"] != before["patients"]+int64(len(text)) {
			t.Errorf("patients %d → %d, want +%d", before["patients"], after["patients"], len(text))
		}
		if v, err := e.db.VerifyAudit(context.Background()); err != nil || len(v.Faults) != 0 {
			t.Errorf("audit chain: %v %v", err, v)
		}
	})
}

// A body must be declared as JSON: curl's -d without a Content-Type sends
// a form, which is refused with 415 saying what to send, not guessed at.
func TestBodyMustBeDeclaredJSON(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		body := `{"nhs_number": "` + patients.TestNHSNumber(301) + `", "given_name": "Ann", "family_name": "Lee", "date_of_birth": "1980-01-01"}`
		for _, ct := range []string{"application/x-www-form-urlencoded", "", "text/plain; charset=utf-8", "application/json; charset=latin1"} {
			p := problemOf(t, e.do("prescriber", "POST", "/v1/patients", body, "Content-Type", ct), 415)
			if p["type"] != "/problems/unsupported_media" || !strings.Contains(p["detail"].(string), `"Content-Type: application/json"`) {
				t.Errorf("Content-Type %q: %v", ct, p)
			}
		}
		// None of them made the patient: the NHS number is still free.
		e.must(201, e.do("prescriber", "POST", "/v1/patients", body, "Content-Type", "application/json; charset=UTF-8"))
		// A body-less action needs no Content-Type.
		e.must(200, e.do("prescriber", "GET", "/v1/me", nil, "Content-Type", "text/plain"))
	})
}
