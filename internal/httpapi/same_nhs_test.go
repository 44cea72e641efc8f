package httpapi

import (
	"testing"
)

// One person registered with two services, each prescribing at the same
// pharmacy: both lines on the day list say so, first.
func TestDayListFlagsOneNHSNumberUnderTwoRecords(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(150, "2026-12-02")
		nhs := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))["nhs_number"].(string)
		svc := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "treatment_service", "name": "Hillside Recovery", "address": "2 Hill Street, Worcester WR1 4AA"}))
		other := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": svc["id"], "role": "prescriber",
			"name": "Dr Lee", "issue_token": true}))["token"].(string)
		dup := e.must(201, e.do(other, "POST", "/v1/patients", map[string]any{"nhs_number": nhs, "given_name": "Zoe",
			"family_name": "Lukasz", "date_of_birth": "1985-04-12", "address": "1 Canal Row — Worcester WR1 3EE", "pharmacy_id": e.demo.PharmacyID}))["id"].(string)
		e.must(201, e.do(other, "POST", "/v1/patients/"+dup+"/regimes", map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30}))
		e.must(201, e.do(other, "POST", "/v1/prescriptions", map[string]any{"patient_id": dup, "start_date": "2026-12-02",
			"days": 7, "wording": []int{1, 3}, "issue": true}))

		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil))
		flagged := 0
		for _, it := range list["items"].([]any) {
			line := it.(map[string]any)
			ws := line["warnings"].([]any)
			if line["patient_id"] == pid || line["patient_id"] == dup {
				if len(ws) == 0 || ws[0].(map[string]any)["code"] != "same_nhs_number" {
					t.Fatalf("line %v: warnings %v", line["patient_name"], ws)
				}
				flagged++
			} else if len(ws) > 0 && ws[0].(map[string]any)["code"] == "same_nhs_number" {
				t.Fatalf("an unrelated line is flagged: %v", line)
			}
		}
		if flagged != 2 {
			t.Fatalf("%d lines flagged, want 2", flagged)
		}
		// A page of one line is told apart from the whole day.
		page := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses?limit=1", nil))
		line := page["items"].([]any)[0].(map[string]any)
		if ws := line["warnings"].([]any); page["next_cursor"] == "" || len(ws) == 0 || ws[0].(map[string]any)["code"] != "same_nhs_number" {
			t.Fatalf("a page of one line: %v", page)
		}
	})
}
