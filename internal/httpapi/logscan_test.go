package httpapi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/patients"
)

// A full run's logs name no patient and carry no bearer token: not the NHS
// number (bare, 3-3-4 or hyphenated), the names, the address, nor any token
// issued or tried.
func TestLogsHoldNoIdentifiersOrTokens(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		e.seedDemo()
		var secrets []string // every bearer token used in the run
		for _, tok := range e.demo.Tokens {
			secrets = append(secrets, tok)
		}

		// A patient whose every identifier is distinctive.
		nhs := patients.TestNHSNumber(4242)
		body := map[string]any{"nhs_number": nhs[:3] + " " + nhs[3:6] + " " + nhs[6:], "given_name": "Persephone",
			"family_name": "Vantongeren-Okonkwo", "date_of_birth": "1977-07-07", "sex": "female",
			"address": "42 Lychgate Mews, Tewkesbury GL20 5XX", "phone": "07700 900461", "keyworker": "Ottoline Fairweather-Grieve",
			"pharmacy_id": e.demo.PharmacyID, "gp_practice_id": e.demo.PracticeID}
		pid := e.must(201, e.do("prescriber", "POST", "/v1/patients", body))["id"].(string)
		e.must(200, e.do("prescriber", "PATCH", "/v1/patients/"+pid, map[string]any{"address": "43 Lychgate Mews, Tewkesbury GL20 5XX"}))
		rid := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration",
			"start_date": "2026-03-26"})["id"].(string)
		pr := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2026-03-26", "days": 14, "wording": []int{1, 3}, "issue": true}))
		e.do("prescriber", "GET", "/v1/prescriptions/"+pr["id"].(string)+"/pdf", nil)

		// Dispensing: the day list carries names and NHS numbers.
		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil))
		inst := dayEntry(t, list, pid)["instalment_id"].(string)
		e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+inst+"/events", map[string]any{"outcome": "withheld",
			"reason": "intoxicated", "identity_confirmed": true, "notes": "Persephone Vantongeren-Okonkwo smelt of alcohol"},
			"Idempotency-Key", "till-7-0001"))
		e.do("pharmacist", "POST", "/v1/instalments/"+inst+"/events", map[string]any{"outcome": "supervised", "identity_confirmed": true})
		e.must(200, e.do("pharmacist", "POST", "/v1/pharmacies/"+e.demo.PharmacyID+"/day-close", map[string]any{"confirm_early": true}))
		e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid+"/doses", nil))
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/reviews", map[string]any{"kind": "missed_doses",
			"notes": "Seen Persephone at 42 Lychgate Mews"}))
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes", map[string]any{"to": 35,
			"effective_date": "2026-04-20", "reason": "Persephone reports cravings"}))
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "Vantongeren-Okonkwo moving to the GP"}}}))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		e.do("gp", "GET", "/v1/patients/"+pid+"/shared-care-summary.pdf", nil)

		// Searches put identifiers in query strings.
		for _, q := range []string{"nhs_number=" + nhs, "nhs_number=" + url.QueryEscape(nhs[:3]+" "+nhs[3:6]+" "+nhs[6:]),
			"name=Persephone", "name=Vantongeren"} {
			e.must(200, e.do("prescriber", "GET", "/v1/patients?"+q, nil))
		}

		// Errors that carry identifiers in the request or the answer.
		problemOf(t, e.do("prescriber", "POST", "/v1/patients", body), 409)
		bad := map[string]any{}
		for k, v := range body {
			bad[k] = v
		}
		bad["nhs_number"] = nhs[:9] + strconv.Itoa((int(nhs[9]-'0')+1)%10)
		bad["date_of_birth"] = "1977-02-30"
		problemOf(t, e.do("prescriber", "POST", "/v1/patients", bad), 422)
		problemOf(t, e.do("pharmacist_2", "GET", "/v1/patients/"+pid, nil), 404)
		problemOf(t, e.do("prescriber", "POST", "/v1/patients", `{"given_name":"Persephone","family_name":`), 400)
		problemOf(t, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-03-26", "days": 15}), 422)

		// Tokens: issued, used, revoked, and guessed.
		var prescriberID string
		for _, u := range e.demo.Users {
			if u.Key == "prescriber" {
				prescriberID = u.ID
			}
		}
		issued := e.must(201, e.do("admin", "POST", "/v1/users/"+prescriberID+"/tokens", map[string]any{"label": "ward laptop"}))
		tok := issued["token"].(string)
		secrets = append(secrets, tok)
		e.must(200, e.do(tok, "GET", "/v1/me", nil))
		e.must(200, e.do("admin", "POST", "/v1/tokens/"+issued["id"].(string)+"/revoke", nil))
		problemOf(t, e.do(tok, "GET", "/v1/me", nil), 401)
		u := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": e.demo.PharmacyID,
			"role": "pharmacist", "name": "Locum Pharmacist", "issue_token": true}))
		secrets = append(secrets, u["token"].(string))
		e.must(200, e.do(u["token"].(string), "GET", "/v1/patients/"+pid, nil))
		guessed := "dbk_" + strings.Repeat("q", 52)
		secrets = append(secrets, guessed, "not-a-real-token-7f3a9")
		problemOf(t, e.do(guessed, "GET", "/v1/me", nil), 401)
		problemOf(t, e.do("not-a-real-token-7f3a9", "GET", "/v1/me", nil), 401)
		e.must(200, e.do("admin", "GET", "/v1/audit?limit=500", nil))

		// Every patient in the run, the demo's too.
		var needles []string
		cursor := ""
		for {
			m := e.must(200, e.do("prescriber", "GET", "/v1/patients?limit=500&cursor="+cursor, nil))
			for _, it := range m["items"].([]any) {
				p := it.(map[string]any)
				n := p["nhs_number"].(string)
				needles = append(needles, n, n[:3]+" "+n[3:6]+" "+n[6:], n[:3]+"-"+n[3:6]+"-"+n[6:],
					p["given_name"].(string), p["family_name"].(string))
				if a, _ := p["address"].(string); a != "" {
					needles = append(needles, a)
				}
				if ph, _ := p["phone"].(string); ph != "" {
					needles = append(needles, ph)
				}
			}
			if cursor, _ = m["next_cursor"].(string); cursor == "" {
				break
			}
		}
		if len(needles) < 5*5 {
			t.Fatalf("only %d identifiers to look for; the run made too few patients", len(needles))
		}
		needles = append(needles, "43 Lychgate Mews", "Ottoline Fairweather-Grieve", nhs)

		logs := e.logs.String()
		if !strings.Contains(logs, `"msg":"request"`) || strings.Count(logs, "\n") < 25 {
			t.Fatalf("the run logged too little to prove anything:\n%s", logs)
		}
		for _, n := range needles {
			for _, form := range []string{n, strings.Trim(strconv.QuoteToASCII(n), `"`)} {
				if len(form) >= 4 && strings.Contains(logs, form) {
					t.Errorf("the logs hold the patient identifier %q: %s", n, lineWith(logs, form))
				}
			}
		}
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("the logs hold a bearer token %s…: %s", s[:8], lineWith(logs, s))
			}
			// Nor a recognisable part of one.
			if strings.HasPrefix(s, "dbk_") && strings.Contains(logs, s[4:20]) {
				t.Errorf("the logs hold part of a bearer token %s…", s[:8])
			}
		}
		if strings.Contains(logs, "Bearer ") {
			t.Errorf("the logs hold an Authorization header: %s", lineWith(logs, "Bearer "))
		}
		t.Logf("%d log lines scanned for %d identifiers and %d tokens", strings.Count(logs, "\n"), len(needles), len(secrets))
	})
}

// lineWith returns the first log line holding s, for the failure message.
func lineWith(logs, s string) string {
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			return fmt.Sprintf("%.400s", l)
		}
	}
	return ""
}
