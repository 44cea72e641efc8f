package httpapi

import (
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// Rapid access: the service's prescribers see how quickly referred people
// started treatment and who is still waiting; nobody else sees it, and
// another service's referrals are not counted.
func TestRapidAccessReport(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		e.newPatient(120, map[string]any{"referral_date": "2026-11-02", "first_contact_date": "2026-11-03", "first_dose_date": "2026-11-04"})
		e.newPatient(121, map[string]any{"referral_date": "2026-11-10", "first_contact_date": "2026-11-10", "first_dose_date": "2026-11-20"})
		waiting := e.newPatient(122, map[string]any{"referral_date": "2026-11-25", "first_contact_date": "2026-11-26"})
		e.newPatient(123, map[string]any{"referral_date": "2026-06-01", "first_dose_date": "2026-06-02"}) // before the window
		e.newPatient(124, nil)                                                                            // no referral date

		// A first injection and a first supervised dose start treatment too.
		buv := e.newPatient(126, map[string]any{"referral_date": "2026-11-28"})
		r := e.startRegime(buv, map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/administrations", map[string]any{
			"dose": 16, "site": "abdomen_left", "batch": "B77", "batch_expiry": "2027-06-30"}))
		meth := e.newPatient(127, map[string]any{"referral_date": "2026-11-30"})
		e.startRegime(meth, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20})
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": meth, "start_date": "2026-12-02",
			"days": 7, "wording": []int{1, 3}, "issue": true}))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(pr["id"].(string), "2026-12-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))

		// Another service's referral stays out of this service's figures.
		svc := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "treatment_service", "name": "Hillside Recovery", "address": "2 Hill Street, Worcester WR1 4AA"}))
		other := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": svc["id"], "role": "prescriber",
			"name": "Dr Lee", "issue_token": true}))["token"].(string)
		e.must(201, e.do(other, "POST", "/v1/patients", map[string]any{"nhs_number": patients.TestNHSNumber(125), "given_name": "Ann",
			"family_name": "Other", "date_of_birth": "1990-01-01", "referral_date": "2026-11-30"}))

		r = e.must(200, e.do("prescriber", "GET", "/v1/reports/rapid-access", nil))
		if r["from"] != "2026-09-04" || r["to"] != "2026-12-02" || r["referred"].(float64) != 5 {
			t.Fatalf("report = %v", r)
		}
		// Days to first dose: 2, 10, 4 (injection), 2 (supervised).
		dose := r["first_dose"].(map[string]any)
		if dose["reached"].(float64) != 4 || dose["median_days"].(float64) != 3 || dose["within_7_days"].(float64) != 3 || dose["within_14_days"].(float64) != 4 {
			t.Fatalf("first dose = %v", dose)
		}
		contact := r["first_contact"].(map[string]any)
		if contact["reached"].(float64) != 3 || contact["median_days"].(float64) != 1 {
			t.Fatalf("first contact = %v", contact)
		}
		awaiting := r["awaiting_first_dose"].([]any)
		if len(awaiting) != 1 || awaiting[0].(map[string]any)["patient_id"] != waiting || awaiting[0].(map[string]any)["days_waiting"].(float64) != 7 {
			t.Fatalf("awaiting = %v", awaiting)
		}
		// The other service sees only its own.
		if o := e.must(200, e.do(other, "GET", "/v1/reports/rapid-access", nil)); o["referred"].(float64) != 1 {
			t.Fatalf("the other service's report = %v", o)
		}
		// A window of their choosing; bad windows name the field.
		if r := e.must(200, e.do("prescriber", "GET", "/v1/reports/rapid-access?from=2026-01-01&to=2026-12-02", nil)); r["referred"].(float64) != 6 {
			t.Fatalf("the year's report = %v", r["referred"])
		}
		for q, field := range map[string]string{"?from=2026-12-03&to=2026-12-02": "from", "?from=2024-01-01": "from", "?to=12/02/2026": "to"} {
			if got := fieldsOf(problemOf(t, e.do("prescriber", "GET", "/v1/reports/rapid-access"+q, nil), 422)); len(got) != 1 || got[0] != field {
				t.Errorf("%s: fields %v, want %s", q, got, field)
			}
		}
		for _, who := range []string{"pharmacist", "gp", "admin"} {
			problemOf(t, e.do(who, "GET", "/v1/reports/rapid-access", nil), 403)
		}
	})
}
