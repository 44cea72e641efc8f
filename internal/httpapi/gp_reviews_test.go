package httpapi

import (
	"slices"
	"strings"
	"testing"
)

func alertKindsOf(alerts []map[string]any) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a["kind"].(string))
	}
	slices.Sort(out)
	return out
}

// Under accepted shared care the GP practice hears of missed and withheld
// doses and MD1 blocks, and lifts a block with a review; with a proposal
// only, or for another practice's patient, it can do neither.
func TestGPReviewsUnderAcceptedSharedCare(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, prID := e.dispensed(51, "2026-03-02")
		reviews := "/v1/patients/" + pid + "/reviews"
		review := map[string]any{"kind": "missed_doses", "notes": "Seen at the practice: continue at 30 mg"}
		// Withheld before the practice accepts: the service's to act on.
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-02")+"/events",
			map[string]any{"outcome": "withheld", "reason": "intoxicated", "identity_confirmed": true}))

		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "GP agreed to take over early"}}}))
		problemOf(t, e.do("gp", "POST", reviews, review), 404) // proposed only
		if got := withoutAnswerNotices(e.alertsOf("gp", "?open=false")); len(got) != 0 {
			t.Fatalf("GP sees alerts of a proposal beside its notice: %v", got)
		}
		c.Set(mustTime("2026-03-02T10:00:00Z"))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))

		// Tuesday's dose taken, then Wednesday to Friday not collected: MD2,
		// then MD1. (A run that began with Monday's dose withheld would
		// have been alerted to the service on Monday, before the practice
		// accepted: one MD2 alert per run.)
		c.Set(mustTime("2026-03-03T10:00:00Z"))
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-03")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.closeDays(c, "2026-03-04", "2026-03-05", "2026-03-06")
		c.Set(mustTime("2026-03-07T09:00:00Z"))
		gp := e.alertsOf("gp", "")
		if got := alertKindsOf(gp); !slices.Equal(got, []string{"md1_block", "missed_dose"}) {
			t.Fatalf("GP alert kinds = %v", got)
		}
		// The service has Monday's withheld dose (S3, and MD2: a day without
		// the dose in titration) and the run from Wednesday.
		if got := alertKindsOf(withoutAnswerNotices(e.alertsOf("prescriber", "?patient_id="+pid))); !slices.Equal(got, []string{"md1_block", "missed_dose", "missed_dose", "withheld"}) {
			t.Fatalf("prescriber alert kinds = %v", got)
		}
		saturday := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-07") + "/events"
		dose := map[string]any{"outcome": "supervised", "identity_confirmed": true}
		blockedWith(t, e.do("pharmacist", "POST", saturday, dose), "MD1", "")

		// Another practice's GP can neither review nor see the patient's alerts.
		otherGP, _ := e.secondPractice()
		problemOf(t, e.do(otherGP, "POST", reviews, review), 404)
		if got := e.alertsOf(otherGP, "?open=false"); len(got) != 0 {
			t.Fatalf("another practice sees %v", got)
		}

		r := e.must(201, e.do("gp", "POST", reviews, review))
		if r["patient_id"] != pid {
			t.Fatalf("review = %v", r)
		}
		// The practice lifts the block but does not titrate: the MD3
		// suggestion is put to the service, which is alerted.
		if sg, _ := r["retitration"].(map[string]any); sg == nil || !strings.HasPrefix(sg["text"].(string), "For the specialist service to decide (SC1)") {
			t.Fatalf("the GP's review suggests %v", r["retitration"])
		}
		var told bool
		for _, a := range e.alertsOf("prescriber", "?kind=shared_care&patient_id="+pid) {
			told = told || strings.Contains(a["message"].(string), "lifted the MD1 block")
		}
		if !told {
			t.Fatalf("the service was not told the practice lifted the block: %v", e.alertsOf("prescriber", "?patient_id="+pid))
		}
		e.must(201, e.do("pharmacist", "POST", saturday, dose))

		// The practice's review lifted the block: the MD1 alert is resolved
		// for the service too.
		if a := e.resolvedAlert("prescriber", pid, "md1_block"); a == nil || !strings.Contains(a["resolution"].(string), "the MD1 block is lifted") {
			t.Fatalf("the service's MD1 alert after the practice's review = %v", a)
		}

		// The practice acknowledging closes the alert for the practice only.
		var missed string
		for _, a := range gp {
			if a["kind"] == "missed_dose" {
				missed = a["id"].(string)
			}
		}
		e.must(200, e.do("gp", "POST", "/v1/alerts/"+missed+"/acknowledge", nil))
		if slices.Contains(alertIDs(e.alertsOf("gp", "")), missed) || !slices.Contains(alertIDs(e.alertsOf("prescriber", "")), missed) {
			t.Fatal("the practice's acknowledgement did not stay the practice's")
		}
	})
}
