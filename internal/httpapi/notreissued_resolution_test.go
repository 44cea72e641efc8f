package httpapi

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// lastInstalmentOf is the date of a prescription's last instalment.
func (e *env) lastInstalmentOf(prescriptionID string) string {
	e.t.Helper()
	ins := e.instalmentsOf(prescriptionID)
	return ins[len(ins)-1][:len("2006-01-02")]
}

// leftAsWritten records the 16th's collection of the first of
// twoFortnightsAtMarketSquare's prescriptions, so that the second's closed
// first day can no longer be supplied the day before, then changes the
// dose: the second is left as written and alerted (ADR 0011), and the
// pharmacy supplies its dose of the 18th.
func (e *env) leftAsWritten(c *clock, regimeID string, first, second map[string]any) {
	e.t.Helper()
	e.attended(c, "pharmacist_2", first["patient_id"].(string), "2026-12-03", "2026-12-16")
	e.setClock(c, mustTime("2026-12-16T10:00:00Z"))
	e.must(201, e.do("pharmacist_2", "POST", "/v1/instalments/"+e.instalmentOn(first["id"].(string), "2026-12-16")+"/events",
		map[string]any{"outcome": "supervised", "identity_confirmed": true}))
	m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+regimeID+"/dose-changes",
		map[string]any{"to": 75, "effective_date": "2026-12-22", "reason": "sedated, reduce"}))
	if re := m["reissued_prescriptions"].([]any); len(re) != 0 {
		e.t.Fatalf("reissued = %v", re)
	}
	// The pharmacy goes on supplying it as written (else it would expire
	// unsupplied, L3, when it runs out).
	e.setClock(c, mustTime("2026-12-18T10:00:00Z"))
	e.must(201, e.do("pharmacist_2", "POST", "/v1/instalments/"+e.instalmentOn(second["id"].(string), "2026-12-18")+"/events",
		map[string]any{"outcome": "supervised", "identity_confirmed": true}))
}

// A prescription left as written that simply runs its course answers its
// prescription_not_reissued alert: once its last instalment's day is
// closed, the pharmacy supplies nothing more from it and there is nothing
// left to cancel or rewrite. A new prescription cannot take over its days
// while it stands, so the alert is not answered that way.
func TestNotReissuedAlertResolvedWhenThePrescriptionRunsOut(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, first, second := e.twoFortnightsAtMarketSquare(582)
		e.leftAsWritten(c, rid, first, second)
		serial := second["serial"].(string)
		p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-18",
			"days": 13, "wording": []int{1, 3}, "issue": true}), 409)
		assertText(t, p["detail"].(string), "prescription "+serial+" is issued for 2026-12-17 to 2026-12-30")

		closeAt := func(day string) {
			e.setClock(c, mustTime(day+"T22:30:00Z"))
			e.must(200, e.do("pharmacist_2", "POST", "/v1/pharmacies/"+e.demo.Pharmacy2+"/day-close", map[string]any{"confirm_early": true}))
		}
		last := e.lastInstalmentOf(second["id"].(string))
		closeAt(calendar.MustParse(last).AddDays(-1).String())
		if got := e.alertsOf("prescriber", "?kind=prescription_not_reissued&patient_id="+pid); len(got) != 1 {
			t.Fatalf("not_reissued alerts before the last instalment's day closed = %v", got)
		}
		closeAt(last)
		for _, who := range []string{"prescriber", "pharmacist_2"} {
			if got := e.alertsOf(who, "?kind=prescription_not_reissued&patient_id="+pid); len(got) != 0 {
				t.Fatalf("%s: not_reissued alerts after the prescription ran out = %v", who, got)
			}
			a := e.resolvedAlert(who, pid, "prescription_not_reissued")
			if a == nil || a["resolution"] != "Prescription "+serial+" ran out: its last instalment was due on "+last+
				", so the pharmacy supplies nothing more from it and there is nothing left to cancel or prescribe again." {
				t.Fatalf("%s: resolved not_reissued alert = %v", who, a)
			}
		}
	})
}

// Under accepted shared care the practice prescribes, so it hears when a
// change of the service's leaves one of its prescriptions as written, the
// pharmacy still supplying the old dose; another practice does not. The
// next prescription issued for the patient (a draft the practice issues,
// here) answers the alert of one that has run out, whether or not a day
// close has.
func TestNotReissuedAlertReachesThePracticeUnderSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-03T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(583, map[string]any{"pharmacy_id": e.demo.Pharmacy2})
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 85, "stage": "maintenance",
			"start_date": "2026-12-03", "overrides": []map[string]any{{"rule": "M1", "reason": "transfer from another service at 85 mg"}}})["id"].(string)
		scID := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care", map[string]any{
			"overrides": []map[string]any{{"rule": "SC3", "reason": "GP knows the patient well; MDT agreed"}}}))["id"].(string)
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+scID+"/accept", nil))
		prescribe := func(start string) map[string]any {
			return e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
				"days": 14, "wording": []int{1, 3}, "issue": true}))
		}
		first, second := prescribe("2026-12-03"), prescribe("2026-12-17")
		e.must(200, e.do("pharmacist_2", "PUT", "/v1/pharmacies/"+e.demo.Pharmacy2+"/opening",
			map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{"2026-12-17"}, "bank_holidays_closed": true}))
		e.leftAsWritten(c, rid, first, second)

		serial := second["serial"].(string)
		for _, who := range []string{"prescriber", "gp"} {
			got := e.alertsOf(who, "?kind=prescription_not_reissued&patient_id="+pid)
			if len(got) != 1 || !strings.Contains(got[0]["message"].(string), serial+" was not reissued") {
				t.Fatalf("%s's not_reissued alerts = %v", who, got)
			}
		}
		token, _ := e.secondPractice()
		if got := e.alertsOf(token, "?open=false&kind=prescription_not_reissued"); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}

		// No day close has run since the prescription ran out.
		last := e.lastInstalmentOf(second["id"].(string))
		e.setClock(c, mustTime(calendar.MustParse(last).AddDays(1).String()+"T10:00:00Z"))
		if got := e.alertsOf("gp", "?kind=prescription_not_reissued&patient_id="+pid); len(got) != 1 {
			t.Fatalf("not_reissued alerts before the next prescription = %v", got)
		}
		draft := e.must(201, e.do("gp", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": calendar.MustParse(last).AddDays(1).String(), "days": 14, "wording": []int{1, 3}}))
		if got := e.alertsOf("gp", "?kind=prescription_not_reissued&patient_id="+pid); len(got) != 1 {
			t.Fatalf("not_reissued alerts after a draft = %v, want still open until one is issued", got)
		}
		e.must(200, e.do("gp", "POST", "/v1/prescriptions/"+draft["id"].(string)+"/issue", nil))
		for _, who := range []string{"prescriber", "gp", "pharmacist_2"} {
			if got := e.alertsOf(who, "?kind=prescription_not_reissued&patient_id="+pid); len(got) != 0 {
				t.Fatalf("%s: not_reissued alerts after the next prescription = %v", who, got)
			}
		}
		if a := e.resolvedAlert("gp", pid, "prescription_not_reissued"); a == nil ||
			!strings.HasPrefix(a["resolution"].(string), "Prescription "+serial+" ran out: its last instalment was due on "+last) {
			t.Fatalf("resolved not_reissued alert = %v", a)
		}
	})
}
