package httpapi

import (
	"strings"
	"testing"
)

// A planned dose change that set the stage too is withdrawn whole (T1):
// the hold that withdraws it withdraws the stage entry it wrote. The
// entry stays in pattern_history marked withdrawn by the hold; the regime
// is back at the stage before it, a later change is recorded at that
// stage, and a pharmacy move before the withdrawn entry's day goes
// through.
func TestWithdrawnDoseChangeWithdrawsItsStage(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _ := e.startMethadoneAt(871, 30, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		plan := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-12-04",
			"reason": "Stable now", "stage": "maintenance"}))
		planID := plan["dose_change"].(map[string]any)["id"].(string)
		stageEntry := func() map[string]any {
			t.Helper()
			for _, it := range e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["pattern_history"].([]any) {
				if m := it.(map[string]any); m["reason"] == "Stage changed with the dose change: Stable now" {
					return m
				}
			}
			t.Fatal("pattern_history has no entry for the stage set with the dose change")
			return nil
		}
		if s := stageEntry(); s["effective_date"] != "2026-12-04" || s["stage"] != "maintenance" || s["withdrawn"] != nil {
			t.Fatalf("stage entry before the hold = %v", s)
		}

		c.Set(mustTime("2026-12-01T12:00:00Z"))
		hold := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 30, "effective_date": "2026-12-02", "reason": "Hold: drowsy"}))
		holdID := hold["dose_change"].(map[string]any)["id"].(string)
		if wd := ids(hold["withdrawn_changes"]); len(wd) != 1 || wd[0] != planID {
			t.Fatalf("the hold withdrew %v, want %s", wd, planID)
		}
		s := stageEntry()
		w, _ := s["withdrawn"].(map[string]any)
		if w == nil || w["dose_change_id"] != holdID || w["reason"] != "Hold: drowsy" {
			t.Fatalf("stage entry after the hold = %v, want withdrawn by %s", s, holdID)
		}
		r := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if r["stage"] != "titration" {
			t.Fatalf("regime stage after the hold = %v, want titration", r["stage"])
		}

		// A pharmacy move before the withdrawn entry's day is not refused
		// after_latest_change.
		mv := e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-03", "reason": "Moved house"})
		if mv.Status != 201 {
			t.Fatalf("move from 2026-12-03 answered %d %s", mv.Status, mv.Body)
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["stage"]; got != "titration" {
			t.Fatalf("regime stage after the move = %v", got)
		}

		// A later change is recorded at the stage now in force.
		next := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "effective_date": "2026-12-05", "reason": "Step up"}))
		if got := next["dose_change"].(map[string]any)["stage"]; got != "titration" {
			t.Fatalf("the next change is recorded at stage %v, want titration", got)
		}
	})
}

// A change on the planned change's own day withdraws it and the stage it
// set: without a stage of its own it is recorded at the stage before.
func TestSameDayChangeWithdrawsThePlannedStage(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _ := e.startMethadoneAt(872, 30, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-12-04",
			"reason": "Stable now", "stage": "maintenance"}))
		c.Set(mustTime("2026-12-01T12:00:00Z"))
		again := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "effective_date": "2026-12-04", "reason": "Smaller step"}))
		if len(ids(again["withdrawn_changes"])) != 1 || again["dose_change"].(map[string]any)["stage"] != "titration" {
			t.Fatalf("the same-day change answered %v", again)
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))["stage"]; got != "titration" {
			t.Fatalf("regime stage = %v, want titration", got)
		}
	})
}

// A pattern change and a pharmacy move recorded after a planned stage
// change copied its stage: withdrawing the change (T1) restates each at
// the stage before, on its own day with its own pattern and pharmacy, so
// the held patient stays in titration. A retry of the hold is answered
// with the hold, the restated entries notwithstanding.
func TestWithdrawnStageIsRestatedWhereALaterEntryCopiedIt(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _ := e.startMethadoneAt(873, 30, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-12-05",
			"stage": "maintenance", "reason": "Stable, plan maintenance"}))
		pc := e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-12-07", "supervision_relaxed_reason": "Compliance assured: stable", "reason": "Weekend at home",
			"overrides": []map[string]any{{"rule": "M6", "reason": "stable"}}}))
		if got := pc["pattern_change"].(map[string]any)["stage"]; got != "maintenance" {
			t.Fatalf("pattern change recorded at stage %v, want maintenance (copied)", got)
		}
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-09", "reason": "Moved house"}))

		c.Set(mustTime("2026-12-01T12:00:00Z"))
		holdBody := map[string]any{"to": 35, "effective_date": "2026-12-03", "reason": "Hold titration: missed doses, not stable"}
		hold := e.must(201, e.do("prescriber", "POST", path, holdBody))
		if len(ids(hold["withdrawn_changes"])) != 1 {
			t.Fatalf("the hold withdrew %v", hold["withdrawn_changes"])
		}
		told := false
		for _, w := range hold["warnings"].([]any) {
			m := w.(map[string]any)
			told = told || m["rule"] == "T1" && strings.Contains(m["message"].(string), "from 2026-12-07 at titration") &&
				strings.Contains(m["message"].(string), "from 2026-12-09 at titration")
		}
		if !told {
			t.Fatalf("the hold's warnings do not name the restated entries: %v", hold["warnings"])
		}
		r := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		if r["stage"] != "titration" || r["pharmacy_id"] != e.demo.Pharmacy2 {
			t.Fatalf("regime after the hold: stage %v pharmacy %v, want titration at the new pharmacy", r["stage"], r["pharmacy_id"])
		}
		want := "Stage restated: the planned change to maintenance from 2026-12-05 was withdrawn"
		var restated []string
		for _, it := range r["pattern_history"].([]any) {
			m := it.(map[string]any)
			if m["reason"] == want {
				if m["stage"] != "titration" || m["withdrawn"] != nil {
					t.Fatalf("restated entry = %v", m)
				}
				restated = append(restated, m["effective_date"].(string))
			}
		}
		if strings.Join(restated, " ") != "2026-12-07 2026-12-09" {
			t.Fatalf("restated entries from %v, want 2026-12-07 and 2026-12-09; history %v", restated, r["pattern_history"])
		}
		pat, _ := r["pattern"].(map[string]any)
		if pat == nil || pat["saturday"] != "take_home" {
			t.Fatalf("regime pattern after the hold = %v, want the weekend pattern kept", r["pattern"])
		}

		// The hold sent again is its retry: answered with the hold.
		again := e.do("prescriber", "POST", path, holdBody)
		if again.Status != 200 && again.Status != 201 {
			t.Fatalf("retry answered %d %s", again.Status, again.Body)
		}
		if got := e.must(again.Status, again)["dose_change"].(map[string]any)["id"]; got != hold["dose_change"].(map[string]any)["id"] {
			t.Fatalf("retry recorded a new change %v", got)
		}
	})
}

// A change on the day of a copying entry that sets the stage itself
// restates nothing there: its own stage is in force that day, so an entry
// restated to the stage before would never be, and its T1 warning would
// tell the prescriber to set a stage they have just set.
func TestSameDayStageChangeRestatesNothingThatDay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-01T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rid, _ := e.startMethadoneAt(874, 30, "titration", "2026-12-01")
		path := "/v1/regimes/" + rid + "/dose-changes"
		e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 40, "effective_date": "2026-12-06",
			"stage": "maintenance", "reason": "Stable, plan maintenance"}))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-12-06", "supervision_relaxed_reason": "Compliance assured: stable", "reason": "Weekend at home",
			"overrides": []map[string]any{{"rule": "M6", "reason": "stable"}}}))
		c.Set(mustTime("2026-12-01T12:00:00Z"))
		m := e.must(201, e.do("prescriber", "POST", path, map[string]any{"to": 35, "effective_date": "2026-12-06",
			"stage": "maintenance", "reason": "Smaller step, still maintenance"}))
		for _, w := range m["warnings"].([]any) {
			if msg := w.(map[string]any)["message"].(string); strings.Contains(msg, "restated") {
				t.Fatalf("a same-day stage change was told of a restatement: %s", msg)
			}
		}
		r := e.must(200, e.do("prescriber", "GET", "/v1/regimes/"+rid, nil))
		for _, it := range r["pattern_history"].([]any) {
			if h := it.(map[string]any); strings.HasPrefix(h["reason"].(string), "Stage restated") {
				t.Fatalf("restated entry written: %v", h)
			}
		}
		if r["stage"] != "maintenance" {
			t.Fatalf("the regime's stage (its latest standing entry) = %v, want maintenance", r["stage"])
		}
	})
}
