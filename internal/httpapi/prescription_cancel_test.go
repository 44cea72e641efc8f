package httpapi

import (
	"strings"
	"testing"
)

// A finished prescription is not rewritten: one that ran its course
// (completed) or lapsed unsupplied (expired, L3) answers a cancellation
// with 409, as an already cancelled one does, and stays as it was, with
// its balance and the dose history's status unchanged. A draft past its
// validity is expired too.
func TestFinishedPrescriptionIsNotCancelled(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-07-10T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Two supervised days, 10–11 Jul, both dispensed.
		pid, done := e.stableDispensedFor(201, "2026-07-10", 2)
		// Issued 10 Jul to start 4 Aug, nothing ever supplied: expired
		// after 7 Aug though its days run on.
		lapsedPid := e.newPatient(202, nil)
		e.startRegime(lapsedPid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance",
			"start_date": "2026-07-10", "overrides": []map[string]any{{"rule": "M3", "reason": "transfer on 30 mg"}}})
		lapsed := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": lapsedPid,
			"start_date": "2026-08-04", "days": 14, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2026-07-20", "days": 7, "wording": []int{1, 3}}))["id"].(string)
		e.record(done, "2026-07-10", supervised)
		c.Set(mustTime("2026-07-11T09:00:00Z"))
		e.record(done, "2026-07-11", supervised)

		c.Set(mustTime("2026-07-12T09:00:00Z"))
		balance := string(e.do("prescriber", "GET", "/v1/prescriptions/"+done+"/balance", nil).Body)
		refused := func(id, status, says string) {
			t.Helper()
			before := e.auditCount()
			p := problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions/"+id+"/cancel", map[string]any{"reason": "tidying up"}), 409)
			if d := p["detail"].(string); !strings.Contains(d, says) {
				t.Errorf("%s: detail %q does not say %q", status, d, says)
			}
			if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+id, nil))["status"]; got != status {
				t.Errorf("after a refused cancellation the prescription is %v, want %s", got, status)
			}
			if e.auditCount() != before {
				t.Errorf("%s: a refused cancellation was written", status)
			}
		}
		refused(done, "completed", "completed")
		if got := string(e.do("prescriber", "GET", "/v1/prescriptions/"+done+"/balance", nil).Body); got != balance {
			t.Errorf("balance %s, want %s", got, balance)
		}
		hist := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses?from=2026-07-10&to=2026-07-11", nil))
		if ins := hist["instalments"].([]any); len(ins) != 2 {
			t.Errorf("dose history lists %d instalments, want 2", len(ins))
		}
		for _, in := range hist["instalments"].([]any) {
			if st := in.(map[string]any)["prescription_status"]; st != "completed" {
				t.Errorf("dose history shows the instalment's prescription %v, want completed: %v", st, in)
			}
		}

		c.Set(mustTime("2026-08-08T09:00:00Z"))
		refused(lapsed, "expired", "expired")
		refused(draft, "expired", "expired")
	})
}

// first_supply is the first day supplied from the prescription whether it
// is still issued or was cancelled since: the answer to the cancellation
// and a later read agree.
func TestCancelledPrescriptionKeepsItsFirstSupply(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-07-10T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rx := e.stableDispensedFor(203, "2026-07-10", 7)
		e.record(rx, "2026-07-10", supervised)
		cancelled := e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+rx+"/cancel", map[string]any{"reason": "moving away"}))
		got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))
		if cancelled["first_supply"] != "2026-07-10" || got["first_supply"] != "2026-07-10" || got["status"] != "cancelled" {
			t.Fatalf("first_supply: cancel answered %v, GET %v (status %v); want 2026-07-10", cancelled["first_supply"], got["first_supply"], got["status"])
		}
		listed := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions?status=cancelled", nil))["items"].([]any)
		if len(listed) != 1 || listed[0].(map[string]any)["first_supply"] != "2026-07-10" {
			t.Fatalf("listed = %v", listed)
		}
		// Nothing supplied: null, cancelled or not.
		_, none := e.stableDispensedFor(204, "2026-07-10", 7)
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+none+"/cancel", map[string]any{"reason": "written in error"}))
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+none, nil))["first_supply"]; got != nil {
			t.Fatalf("first_supply of one never supplied = %v", got)
		}
	})
}

// stableDispensedFor is stableDispensed for days days.
func (e *env) stableDispensedFor(seq int, start string, days int) (patientID, prescriptionID string) {
	e.t.Helper()
	pid := e.newPatient(seq, nil)
	e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance", "start_date": start,
		"overrides": []map[string]any{{"rule": "M3", "reason": "transfer on 30 mg"}}})
	pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": start,
		"days": days, "wording": []int{1, 3}, "issue": true}))
	return pid, pr["id"].(string)
}
