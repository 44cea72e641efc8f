package httpapi

import (
	"fmt"
	"strings"
	"testing"
)

// A client retrying a dose change it did not hear answered meets the entry
// its first attempt made: 200, already_recorded, the same entry with its
// warnings and the prescriptions it reissued, nothing withdrawn (no T1)
// and no prescription reissued again.
// A later change for the same day that leaves every day's dose as it was
// (another stage) supersedes the entry but reissues nothing.
func TestRepeatedDoseChangeAnswersTheEntryItMade(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, _ := e.startMethadoneAt(532, 20, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		body := map[string]any{"to": 30, "reason": "withdrawal symptoms"}
		first := e.must(201, e.do("prescriber", "POST", path, body))
		if first["already_recorded"] != false || len(first["reissued_prescriptions"].([]any)) != 1 {
			t.Fatalf("first answer = %v", first)
		}
		id := first["dose_change"].(map[string]any)["id"]
		reissued := ids(first["reissued_prescriptions"])
		serials := e.issuedSerials(pid)
		for i := 0; i < 2; i++ {
			again := e.must(200, e.do("prescriber", "POST", path, body))
			if again["already_recorded"] != true || again["dose_change"].(map[string]any)["id"] != id {
				t.Fatalf("repeat answered %v", again)
			}
			if re, wd := ids(again["reissued_prescriptions"]), again["withdrawn_changes"].([]any); fmt.Sprint(re) != fmt.Sprint(reissued) || len(wd) != 0 {
				t.Fatalf("repeat answered reissued %v (want %v), withdrew %v", re, reissued, wd)
			}
			if w := fmt.Sprint(again["warnings"]); strings.Contains(w, "T1") {
				t.Fatalf("repeat warnings = %s", w)
			}
		}
		if got := e.issuedSerials(pid); fmt.Sprint(got) != fmt.Sprint(serials) {
			t.Fatalf("prescriptions %v became %v", serials, got)
		}
		if h := e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any); len(h) != 2 {
			t.Fatalf("dose history has %d entries, want the start and one change", len(h))
		}

		// A planned change repeated: the same.
		plan := map[string]any{"to": 35, "effective_date": "2026-12-03", "reason": "still withdrawing"}
		planned := e.must(201, e.do("prescriber", "POST", path, plan))
		serials = e.issuedSerials(pid)
		again := e.must(200, e.do("prescriber", "POST", path, plan))
		if again["dose_change"].(map[string]any)["id"] != planned["dose_change"].(map[string]any)["id"] {
			t.Fatalf("repeat of a planned change answered %v", again)
		}
		// An explicit stage equal to the one in force is the same request.
		plan["stage"] = "titration"
		e.must(200, e.do("prescriber", "POST", path, plan))

		// The same day and dose at another stage supersedes the entry, and
		// no day's dose changes: nothing is reissued.
		plan["stage"] = "maintenance"
		plan["reason"] = "stable at 35 mg"
		other := e.must(201, e.do("prescriber", "POST", path, plan))
		if re := other["reissued_prescriptions"].([]any); len(re) != 0 {
			t.Fatalf("a change leaving every dose as it was reissued %v", re)
		}
		if got := e.issuedSerials(pid); fmt.Sprint(got) != fmt.Sprint(serials) {
			t.Fatalf("prescriptions %v became %v", serials, got)
		}
	})
}

// ids lists the ids of a list of objects in an answer.
func ids(items any) []string {
	var out []string
	for _, it := range items.([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// A request to hold the dose in force today, sent after an increase was
// planned, is a new decision, not a retry of today's entry: it withdraws
// the plan (T1), whether its reason is new or today's entry's own.
func TestHoldingTheDoseWithdrawsAPlannedIncrease(t *testing.T) {
	t.Parallel()
	for _, reason := range []string{"withdraw the plan, hold at 35: sleepy", "still withdrawing"} {
		t.Run(reason, func(t *testing.T) {
			eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
				_, rid, _ := e.startMethadoneAt(533, 30, "titration", "2026-12-01")
				path := "/v1/regimes/" + rid + "/dose-changes"
				e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "reason": "still withdrawing"}))
				c.Set(mustTime("2026-12-01T12:00:00Z"))
				plan := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 45, "effective_date": "2026-12-04", "reason": "plan up"}))
				planID := plan["dose_change"].(map[string]any)["id"].(string)
				c.Set(mustTime("2026-12-01T15:00:00Z"))
				hold := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "reason": reason}))
				if hold["already_recorded"] != false || fmt.Sprint(ids(hold["withdrawn_changes"])) != fmt.Sprint([]string{planID}) {
					t.Fatalf("holding at 35 answered %v", hold)
				}
				if w := fmt.Sprint(hold["warnings"]); !strings.Contains(w, "T1") {
					t.Fatalf("holding at 35 warned %s, want T1", w)
				}
				for _, it := range e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any) {
					if m := it.(map[string]any); m["id"] == planID && m["withdrawn"] == nil {
						t.Fatalf("the planned increase still stands: %v", m)
					}
				}
			})
		})
	}
}

// A retried change that withdrew a planned one answers the changes it
// withdrew and the prescriptions it reissued, as the first attempt did; a
// request that differs in its reason or overrides is not a retry.
func TestRetriedChangeAnswersWhatItDid(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _ := e.startMethadoneAt(534, 30, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		plan := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-12-04", "reason": "plan up"}))
		planID := plan["dose_change"].(map[string]any)["id"].(string)
		body := map[string]any{"to": 35, "effective_date": "2026-12-02", "reason": "smaller step first"}
		first := e.must(201, e.do("prescriber", "POST", path, body))
		if fmt.Sprint(ids(first["withdrawn_changes"])) != fmt.Sprint([]string{planID}) || len(ids(first["reissued_prescriptions"])) == 0 {
			t.Fatalf("first answer = %v", first)
		}
		again := e.must(200, e.do("prescriber", "POST", path, body))
		if again["already_recorded"] != true ||
			fmt.Sprint(ids(again["withdrawn_changes"])) != fmt.Sprint(ids(first["withdrawn_changes"])) ||
			fmt.Sprint(ids(again["reissued_prescriptions"])) != fmt.Sprint(ids(first["reissued_prescriptions"])) {
			t.Fatalf("retry answered %v, first %v", again, first)
		}
		if w := again["withdrawn_changes"].([]any)[0].(map[string]any)["withdrawn"].(map[string]any); w["dose_change_id"] != first["dose_change"].(map[string]any)["id"] {
			t.Fatalf("withdrawn change marked %v", w)
		}
		body["reason"] = "smaller step first, as agreed"
		e.must(201, e.do("prescriber", "POST", path, body))
	})
}

// A retry restates the overrides recorded with the entry; an override sent
// that the change did not need was not recorded, and sent again it does
// not make the retry a new change that withdraws the first.
func TestRetryWithAnOverrideNotNeeded(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _ := e.startMethadoneAt(535, 30, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		body := map[string]any{"to": 35, "effective_date": "2026-12-03", "reason": "Step up",
			"overrides": []map[string]any{{"rule": "M2", "reason": "Clinically indicated"}}}
		first := e.must(201, e.do("prescriber", "POST", path, body))
		if ov := first["overrides"].([]any); len(ov) != 0 {
			t.Fatalf("an override not needed was recorded: %v", ov)
		}
		c.Set(mustTime("2026-12-01T10:05:00Z"))
		again := e.must(200, e.do("prescriber", "POST", path, body))
		if again["already_recorded"] != true || again["dose_change"].(map[string]any)["id"] != first["dose_change"].(map[string]any)["id"] ||
			len(again["withdrawn_changes"].([]any)) != 0 {
			t.Fatalf("retry answered %v", again)
		}
		for _, it := range e.must(200, e.do("prescriber", "GET", path, nil))["items"].([]any) {
			if m := it.(map[string]any); m["withdrawn"] != nil {
				t.Fatalf("the retry withdrew %v", m)
			}
		}
	})
}
