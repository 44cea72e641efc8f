package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// s8Of lists the S8 findings among warnings.
func s8Of(warnings any) []map[string]any {
	var out []map[string]any
	for _, w := range warnings.([]any) {
		if w := w.(map[string]any); w["rule"] == "S8" {
			out = append(out, w)
		}
	}
	return out
}

// issuedS8 lists the S8 findings audited with a prescription's issue.
func (e *env) issuedS8(prescriptionID string) []map[string]any {
	e.t.Helper()
	m := e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_id="+prescriptionID, nil))
	for _, it := range m["items"].([]any) {
		ev := it.(map[string]any)
		if ev["action"] != "prescription.issue" {
			continue
		}
		var ch map[string]any
		if err := json.Unmarshal([]byte(ev["changes"].(string)), &ch); err != nil {
			e.t.Fatal(err)
		}
		return s8Of(ch["findings"])
	}
	e.t.Fatalf("no prescription.issue audited for %s", prescriptionID)
	return nil
}

// S8: a dose change or a pattern change reissues a supervised patient's
// live prescription, and the pharmacy has closed since it was issued. The
// reissue is checked as a written prescription is: closed days that make
// one instalment carry four supervised days home warn, on the reissue's
// audited issue and in the change's answer naming it; two closed days do
// not. The change and the reissue go ahead either way.
func TestReissueChecksSupervisedDaysCarried(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Each patient on 85 mg, supervised every day, with 2–15 Dec issued
		// while the pharmacy was open every day: no S8 then.
		supervisedFortnight := func(seq int) (regimeID string, rx map[string]any) {
			pid := e.newPatient(seq, nil)
			r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 85, "stage": "maintenance",
				"start_date": "2026-12-02", "overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 85 mg"}}})
			rx = e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-02",
				"days": 14, "wording": []int{1, 3}, "issue": true}))
			if s8 := s8Of(rx["warnings"]); len(s8) != 0 {
				t.Fatalf("S8 on the first prescription: %v", s8)
			}
			return r["id"].(string), rx
		}
		closeOn := func(days ...string) {
			e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening", map[string]any{"closed_dates": days}))
		}
		reissueOf := func(m map[string]any, replaces any) map[string]any {
			t.Helper()
			re := m["reissued_prescriptions"].([]any)
			if len(re) != 1 || re[0].(map[string]any)["replaces_id"] != replaces {
				t.Fatalf("reissued = %v", re)
			}
			return re[0].(map[string]any)
		}
		reduce := map[string]any{"to": 75, "effective_date": "2026-12-03", "reason": "sedated, reduce"}

		// Two closed days (Tue 8 and Wed 9 Dec) carried by Monday's
		// collection: within S8's three.
		shortID, shortRx := supervisedFortnight(591)
		closeOn("2026-12-08", "2026-12-09")
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+shortID+"/dose-changes", reduce))
		re := reissueOf(m, shortRx["id"])
		if s8 := s8Of(m["warnings"]); len(s8) != 0 {
			t.Fatalf("S8 for two closed days: %v", s8)
		}
		if s8 := e.issuedS8(re["id"].(string)); len(s8) != 0 {
			t.Fatalf("S8 audited for two closed days: %v", s8)
		}

		// Four (Tue 8 to Fri 11 Dec): the reissue warns.
		longID, longRx := supervisedFortnight(592)
		closeOn("2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11")
		const want = "the instalment on Mon 7 Dec 2026 carries 4 (Tue 8 Dec 2026 to Fri 11 Dec 2026), 300 mg (300 ml) to take home"
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+longID+"/dose-changes", reduce))
		re = reissueOf(m, longRx["id"])
		wantS8 := func(what string, got []map[string]any, prefix string) {
			t.Helper()
			if len(got) != 1 || got[0]["severity"] != "warn" || !strings.HasPrefix(got[0]["message"].(string), prefix) ||
				!strings.Contains(got[0]["message"].(string), want) {
				t.Fatalf("%s: S8 %v, want one warning starting %q saying %q", what, got, prefix, want)
			}
		}
		wantS8("dose change answer", s8Of(m["warnings"]), fmt.Sprintf("Reissued as %s: The pharmacy's closed days", re["serial"]))
		wantS8("reissue's issue", e.issuedS8(re["id"].(string)), "The pharmacy's closed days")
		if re["status"] != "issued" || m["dose_change"].(map[string]any)["to"] != 75.0 {
			t.Fatalf("change %v, reissue %v", m["dose_change"], re)
		}

		// A pattern change reissues it again: Tuesday to Friday are still
		// supervised, so the new reissue warns too.
		m = e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+longID+"/pattern", map[string]any{"pattern": weekendCollectedSaturday,
			"effective_date": "2026-12-04", "reason": "Works weekends", "supervision_relaxed_reason": "Compliance assured: 3 years stable"}))
		again := reissueOf(m, re["id"])
		wantS8("pattern change answer", s8Of(m["warnings"]), fmt.Sprintf("Reissued as %s: The pharmacy's closed days", again["serial"]))
		wantS8("second reissue's issue", e.issuedS8(again["id"].(string)), "The pharmacy's closed days")
	})
}
