package httpapi

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// A cancelled prescription is not printed: the refusal names the issued
// prescription that replaced it (following reissues of reissues), or says
// none did.
func TestCancelledPrintNamesItsReplacement(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-27T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(111, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		rid := r["id"].(string)
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-27",
			"days": 10, "wording": []int{1, 3}, "issue": true}))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35, "reason": "cravings"}))
		re := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 40, "reason": "still withdrawing"}))
		re2 := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		if re2["replaces_id"] != re["id"] {
			t.Fatalf("second reissue replaces %v", re2["replaces_id"])
		}
		for _, who := range []string{"prescriber", "pharmacist"} {
			for _, id := range []any{pr["id"], re["id"]} {
				p := problemOf(t, e.do(who, "GET", "/v1/prescriptions/"+id.(string)+"/pdf", nil), 409)
				d := p["detail"].(string)
				if !strings.Contains(d, "replaced by "+re2["serial"].(string)) || !strings.Contains(d, re2["id"].(string)) ||
					strings.Contains(d, re["serial"].(string)+" (id") {
					t.Fatalf("%s prints %v: %s", who, id, d)
				}
				// Only its signer prints the original: anyone else is told
				// a print is a COPY, not sent to print it.
				if who == "prescriber" && !strings.Contains(d, "signed by you: your print is its original): print that one") ||
					who == "pharmacist" && (strings.Contains(d, "print that one") ||
						!strings.Contains(d, "signed by Dr Priya Raman, who prints its original: a print by you is a COPY, not for dispensing): that prescription is the one to dispense from, not this one")) {
					t.Fatalf("%s prints %v: %s", who, id, d)
				}
			}
		}
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+re2["id"].(string)+"/cancel", map[string]any{"reason": "stopping treatment"}))
		p := problemOf(t, e.do("prescriber", "GET", "/v1/prescriptions/"+pr["id"].(string)+"/pdf", nil), 409)
		if d := p["detail"].(string); !strings.Contains(d, "no issued prescription replaced it") {
			t.Fatalf("after the chain's end is cancelled: %s", d)
		}
		p = problemOf(t, e.do("prescriber", "GET", "/v1/prescriptions/"+re2["id"].(string)+"/pdf", nil), 409)
		if d := p["detail"].(string); !strings.Contains(d, "(stopping treatment)") || !strings.Contains(d, "no issued prescription replaced it") {
			t.Fatalf("cancelled with no replacement: %s", d)
		}
	})
}

// Cancelling answers the cancellation's own findings (MD5), not the
// prescription's wording findings that a read of it carries.
func TestCancelWarnsOnlyOfTheCancellation(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-11-27T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(112, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "pattern": weekendCollectedSaturday,
			"supervision_relaxed_reason": "Stable, known to the service for years"})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-11-27",
			"days": 10, "wording": []int{1}, "issue": true}))
		// Without wording 3, a read of it carries L7.
		g := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+pr["id"].(string), nil))
		if ws := g["warnings"].([]any); len(ws) == 0 || ws[0].(map[string]any)["rule"] != "L7" {
			t.Fatalf("read warnings: %v", ws)
		}
		res := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+pr["id"].(string)+"/cancel", map[string]any{"reason": "rewritten"}))
		ws := res["warnings"].([]any)
		if len(ws) == 0 {
			t.Fatalf("no MD5 for the days left uncovered")
		}
		for _, w := range ws {
			if f := w.(map[string]any); f["rule"] != "MD5" {
				t.Fatalf("cancel answers %v", f)
			}
		}
	})
}

// A prescription past its last day reads completed if anything was supplied
// from it and expired if nothing was, from the day after its last day, and
// stays so when its L3 window closes later; GET and the list filters agree.
func TestEndedPrescriptionStatusIsSettled(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		mk := func(seq int) string {
			pid := e.newPatient(seq, nil)
			e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance", "start_date": "2026-12-03"})
			pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-03",
				"days": 14, "wording": []int{1, 3}, "issue": true}))
			return pr["id"].(string)
		}
		never, withheld, supplied := mk(121), mk(122), mk(123)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(withheld, "2026-12-03")+"/events",
			map[string]any{"outcome": "withheld", "reason": "intoxicated"}))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(supplied, "2026-12-03")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		check := func(day string, want map[string]string) {
			t.Helper()
			c.Set(mustTime(day + "T12:00:00Z"))
			for id, status := range want {
				g := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+id, nil))
				if g["status"] != status {
					t.Fatalf("%s: %s reads %v, want %s", day, id, g["status"], status)
				}
				for _, s := range []string{"issued", "completed", "expired"} {
					l := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?limit=500&status="+s, nil))
					in := false
					for _, it := range l["items"].([]any) {
						in = in || it.(map[string]any)["id"] == id
					}
					if in != (s == status) {
						t.Fatalf("%s: %s (status %s) listed under %s: %v", day, id, status, s, in)
					}
				}
			}
		}
		// Day close records the days left unrecorded as missed: no supply.
		for d := calendar.MustParse("2026-12-03"); !d.After(calendar.MustParse("2026-12-15")); d = d.AddDays(1) {
			e.closeAll(c, d.String())
		}
		check("2026-12-16", map[string]string{never: "issued", withheld: "issued", supplied: "issued"})
		for _, day := range []string{"2026-12-16", "2026-12-17", "2026-12-31", "2027-01-01", "2027-01-14"} {
			e.closeAll(c, day)
			if day != "2026-12-16" {
				check(day, map[string]string{never: "expired", withheld: "expired", supplied: "completed"})
			}
		}
	})
}
