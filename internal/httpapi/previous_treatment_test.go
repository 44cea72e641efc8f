package httpapi

import (
	"slices"
	"testing"
)

func warningRules(m map[string]any) []string {
	var out []string
	ws, _ := m["warnings"].([]any)
	for _, w := range ws {
		out = append(out, w.(map[string]any)["rule"].(string))
	}
	return out
}

// A regime counts as the treatment a new one follows on from only while
// the patient was still on it: buprenorphine that ended months ago leaves
// no tolerance, so restarting is an induction again (B1, B2, BV5); weekly
// Buvidal's weeks are the injections given, not the regime's span.
func TestPreviousTreatmentMustBeRecent(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-01-05T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		end := func(rid, on string) {
			e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/end", map[string]any{"ended_on": on, "reason": "stopped attending"}))
		}
		sites := []string{"abdomen_left", "abdomen_right", "thigh_left", "thigh_right"}
		inject := func(rid, date string, dose, i int) {
			c.Set(mustTime(date + "T10:00:00Z"))
			e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/administrations", map[string]any{"date": date, "dose": dose,
				"site": sites[i%len(sites)], "batch": "B1", "batch_expiry": "2027-06-30"}))
		}
		sublingual := map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8, "stage": "maintenance",
			"overrides": []map[string]any{{"rule": "M6", "reason": "n/a"}}}
		longAgo := e.startRegime(e.newPatient(401, nil), sublingual)
		recent := e.newPatient(402, nil)
		few := e.startRegime(e.newPatient(403, nil), map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		four := e.startRegime(e.newPatient(404, nil), map[string]any{"medicine": "buvidal_weekly", "dose": 16,
			"previous": map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8}})
		for i, d := range []string{"2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"} {
			if i < 2 {
				inject(few["id"].(string), d, 16, i)
			}
			inject(four["id"].(string), d, 16, i)
		}
		c.Set(mustTime("2026-02-02T10:00:00Z"))
		end(longAgo["id"].(string), "2026-02-02")
		end(few["id"].(string), "2026-02-02")
		end(four["id"].(string), "2026-02-02")

		// Monthly when the next weekly injection is due: two weeks of weekly
		// Buvidal are too few (BV5, overridable); four are enough.
		monthly := map[string]any{"medicine": "buvidal_monthly", "dose": 64, "start_date": "2026-02-02"}
		p := problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+few["patient_id"].(string)+"/regimes", monthly), 422)
		if !slices.Contains(rulesOf(p), "BV5") {
			t.Fatalf("two weekly injections: rules %v lack BV5", rulesOf(p))
		}
		m := e.startRegime(four["patient_id"].(string), monthly)
		if slices.Contains(warningRules(m), "BV5") {
			t.Fatalf("four weekly injections: warnings %v", warningRules(m))
		}

		// Ten months later the same patients are new inductions.
		e.setClock(c, mustTime("2026-11-23T10:00:00Z"))
		heroin := map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 16, "start_date": "2026-11-23",
			"last_short_acting_opioid_at": "2026-11-23T08:00:00Z", "first_dose_at": "2026-11-23T09:00:00Z"}
		if got := warningRules(e.startRegime(longAgo["patient_id"].(string), heroin)); !slices.Contains(got, "B1") || !slices.Contains(got, "B2") {
			t.Fatalf("buprenorphine ended ten months ago: warnings %v, want B1 and B2", got)
		}
		p = problemOf(t, e.do("prescriber", "POST", "/v1/patients/"+few["patient_id"].(string)+"/regimes",
			map[string]any{"medicine": "buvidal_monthly", "dose": 64, "start_date": "2026-11-23",
				"overrides": []map[string]any{{"rule": "BV5", "reason": "was on weekly before"}}}), 422)
		if !slices.Contains(rulesOf(p), "BV5") {
			t.Fatalf("weekly Buvidal ten months ago: rules %v lack BV5", rulesOf(p))
		}

		// Ended yesterday, after a dose the pharmacy recorded taken: still a
		// switch between buprenorphine products.
		r := e.startRegime(recent, sublingual)
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": recent, "start_date": "2026-11-23",
			"days": 1, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-11-23")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		end(r["id"].(string), "2026-11-23")
		c.Set(mustTime("2026-11-24T10:00:00Z"))
		heroin["start_date"], heroin["first_dose_at"], heroin["last_short_acting_opioid_at"] = "2026-11-24", "2026-11-24T09:00:00Z", "2026-11-24T08:00:00Z"
		heroin["dose"] = 12 // one B3 step above the 8 mg taken: a restart is judged as a step from it
		if got := warningRules(e.startRegime(recent, heroin)); slices.Contains(got, "B1") || slices.Contains(got, "B2") {
			t.Fatalf("buprenorphine ended yesterday: warnings %v", got)
		}
	})
}

// A regime ended only weeks after the patient stopped coming counts from
// the last dose the pharmacy recorded as taken, not from its end.
func TestPreviousTreatmentCountsFromTheLastDoseTaken(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(405, nil)
		r := e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 8, "start_date": "2026-03-02",
			"last_short_acting_opioid_at": "2026-03-01T20:00:00Z"})
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-02",
			"days": 14, "wording": []int{1, 3}, "issue": true}))["id"].(string)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(rx, "2026-03-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true}))
		e.setClock(c, mustTime("2026-03-23T10:00:00Z"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+r["id"].(string)+"/end", map[string]any{"ended_on": "2026-03-23",
			"reason": "not seen since 2 March"}))
		got := warningRules(e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 16, "start_date": "2026-03-23",
			"last_short_acting_opioid_at": "2026-03-23T08:00:00Z", "first_dose_at": "2026-03-23T09:00:00Z"}))
		if !slices.Contains(got, "B1") || !slices.Contains(got, "B2") {
			t.Fatalf("last dose three weeks ago: warnings %v, want B1 and B2", got)
		}
	})
}
