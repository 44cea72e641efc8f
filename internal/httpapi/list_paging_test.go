package httpapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// walkPages reads path whole (limit=500), then page by page with limit 2
// following next_cursor, and fails unless the pages, joined, are the whole
// list in the same order. It returns the list's length.
func (e *env) walkPages(who, path string) int {
	e.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	ids := func(m map[string]any) []string {
		var out []string
		for _, it := range m["items"].([]any) {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		return out
	}
	whole := e.must(200, e.do(who, "GET", path+sep+"limit=500", nil))
	want := ids(whole)
	if whole["next_cursor"] != "" {
		e.t.Fatalf("%s: whole list has next_cursor %v", path, whole["next_cursor"])
	}
	var got []string
	cursor := ""
	for range len(want) + 1 {
		m := e.must(200, e.do(who, "GET", path+sep+"limit=2&cursor="+cursor, nil))
		page := ids(m)
		if len(page) > 2 {
			e.t.Fatalf("%s: limit=2 gave %d items", path, len(page))
		}
		got = append(got, page...)
		if cursor = m["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		e.t.Fatalf("%s: pages gave\n%v\nwant\n%v", path, got, want)
	}
	return len(want)
}

// Every list pages: limit caps it, next_cursor continues it in the list's
// own order without repeating or skipping an item, and a limit out of
// range or a cursor no page of the list returned is a 422 naming it.
func TestEveryListPages(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid := e.buvidalOnTime(c, 401, "2026-01-05", "2026-02-09", "2026-02-11")
		pid := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["patient_id"].(string)
		other := e.newPatient(402, nil)
		for range 3 {
			r := e.startRegime(other, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-02-11"})
			e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/end", map[string]any{"reason": "started in error"}))
		}
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 32, "effective_date": "2026-02-16", "reason": "cravings"}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 24, "effective_date": "2026-02-23", "reason": "settled"}))
		for i := range 2 {
			e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/drug-screens", map[string]any{"sample_type": "urine",
				"witnessed": true, "date": fmt.Sprintf("2026-02-0%d", i+2), "results": map[string]any{"opiates": "negative", "buprenorphine": "positive"}}))
		}
		var adminID string
		for _, u := range e.demo.Users {
			if u.Key == "admin" {
				adminID = u.ID
			}
		}
		for range 2 {
			e.must(201, e.do("admin", "POST", "/v1/users/"+adminID+"/tokens", map[string]any{"label": "spare"}))
		}
		e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "pharmacy", "name": "Abbey Pharmacy",
			"address": "9 Castle Street, Worcester WR1 3AD", "phone": "01905 555 999"}))
		lists := []struct {
			who, path string
			atLeast   int
		}{
			{"admin", "/v1/organisations", 5},
			{"admin", "/v1/organisations?kind=pharmacy", 3},
			{"admin", "/v1/users", 5},
			{"admin", "/v1/users?organisation_id=" + e.demo.ServiceID, 2},
			{"admin", "/v1/users/" + adminID + "/tokens", 3},
			{"prescriber", "/v1/patients/" + pid + "/regimes", 1},
			{"prescriber", "/v1/patients/" + other + "/regimes", 3},
			{"prescriber", "/v1/regimes/" + rid + "/dose-changes", 3},
			{"prescriber", "/v1/regimes/" + rid + "/administrations", 6},
			{"prescriber", "/v1/patients/" + pid + "/drug-screens", 3},
			{"prescriber", "/v1/patients/" + pid + "/shared-care", 0},
		}
		for _, l := range lists {
			if n := e.walkPages(l.who, l.path); n < l.atLeast {
				t.Errorf("%s: %d items, want at least %d", l.path, n, l.atLeast)
			}
			sep := "?"
			if strings.Contains(l.path, "?") {
				sep = "&"
			}
			// A well-formed cursor naming nothing in this list (the
			// patient's own id, an id of nothing) is refused like garbage.
			for _, q := range []string{"limit=-1", "limit=0", "limit=501", "limit=abc", "cursor=abc", "cursor=" + cursorOf(pid), "cursor=" + cursorOf("01a23c6a-0000-7000-8000-000000000000")} {
				p := problemOf(t, e.do(l.who, "GET", l.path+sep+q, nil), 422)
				field := strings.Split(q, "=")[0]
				if !slices.Equal(fieldsOf(p), []string{field}) {
					t.Errorf("%s%s%s: fields %v, want %s", l.path, sep, q, fieldsOf(p), field)
				}
			}
		}
	})
}
