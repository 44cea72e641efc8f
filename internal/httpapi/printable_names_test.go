package httpapi

import (
	"slices"
	"strings"
	"testing"
)

// A prescriber's, a practice's and a pharmacy's details are printed on the
// prescription and the letters as a patient's are (L1, L2), so what the
// forms cannot print as written is refused as it is for a patient (ADR
// 0013): an invisible prescriber name would leave a controlled-drug
// prescription signed by nobody, an Arabic practice name prints as
// unjoined letters in reverse.
func TestOrganisationAndUserDetailsArePrintable(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		before := e.auditCount()
		for _, tc := range []struct {
			body   map[string]any
			fields []string
		}{
			{map[string]any{"name": "\u0645\u062d\u0645\u062f Surgery", "address": "\u200b"}, []string{"address", "name"}},
			{map[string]any{"name": "Test Surgery 😀"}, []string{"name"}},
			{map[string]any{"name": "Tab\tPharm"}, []string{"name"}},
			{map[string]any{"name": "\ufeff"}, []string{"name"}},
			{map[string]any{"name": "\u00ad"}, []string{"name"}},
			{map[string]any{"address": "\u2060"}, []string{"address"}},
			{map[string]any{"address": "\u00ad"}, []string{"address"}},
			{map[string]any{"phone": "١٢٣"}, []string{"phone"}},
		} {
			body := map[string]any{"kind": "gp_practice", "name": "Printable Surgery", "address": "3 Foregate Street, Worcester WR1 1DB"}
			for k, v := range tc.body {
				body[k] = v
			}
			p := problemOf(t, e.do("admin", "POST", "/v1/organisations", body), 422)
			if got := fieldsOf(p); !slices.Equal(got, tc.fields) {
				t.Errorf("%q: fields %v, want %v", tc.body, got, tc.fields)
			}
			for _, er := range p["errors"].([]any) {
				// Nothing visible at all is no text (required); a character
				// that cannot be printed is named (printable).
				er := er.(map[string]any)
				if !(er["rule"] == "printable" && strings.Contains(er["message"].(string), "cannot print")) &&
					!(er["rule"] == "required" && strings.Contains(er["message"].(string), "no visible characters")) {
					t.Errorf("%q: error %v", tc.body, er)
				}
			}
		}

		// The invisible prescriber is never created, so has no token to
		// issue a prescription with.
		for _, tc := range []struct {
			body   map[string]any
			fields []string
		}{
			{map[string]any{"name": "\u200b"}, []string{"name"}},
			{map[string]any{"name": "Dr Ann\u00adSmith", "registration": "GMC\u00a01234567", "phone": "٠١٦١"}, []string{"name", "registration", "phone"}},
			{map[string]any{"name": "王医生"}, []string{"name"}},
		} {
			body := map[string]any{"organisation_id": e.demo.ServiceID, "role": "prescriber", "name": "Dr Printable",
				"registration": "GMC 1234567", "issue_token": true}
			for k, v := range tc.body {
				body[k] = v
			}
			p := problemOf(t, e.do("admin", "POST", "/v1/users", body), 422)
			if got := fieldsOf(p); !slices.Equal(got, tc.fields) {
				t.Errorf("%q: fields %v, want %v", tc.body, got, tc.fields)
			}
			if _, ok := p["token"]; ok {
				t.Errorf("%q: a refused user was given a token", tc.body)
			}
		}
		if e.auditCount() != before {
			t.Fatal("a refused organisation or user wrote something")
		}
	})
}

// Letters with their accents, Greek and Cyrillic print, and are kept in
// NFC with single spaces: a prescriber so named issues a prescription that
// is signed with the name as written.
func TestPrintableNamesAreKeptAsPrinted(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2027-05-20T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		m := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": e.demo.ServiceID,
			"role": "prescriber", "name": "  Dr Zoe\u0308  Łukasz-Nguyễn ", "registration": " GMC 7055599 ", "issue_token": true}))
		if u := m["user"].(map[string]any); u["name"] != "Dr Zoë Łukasz-Nguyễn" || u["registration"] != "GMC 7055599" {
			t.Fatalf("user kept as %q, %q", u["name"], u["registration"])
		}
		tok := m["token"].(string)
		pid := e.newPatient(31, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2027-05-20"})
		rx := e.must(201, e.do(tok, "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2027-05-24", "days": 7, "wording": []int{3, 1}, "issue": true}))
		assertText(t, pdfToText(t, e.must200PDF(tok, rx["id"].(string))), "Dr Zoë Łukasz-Nguyễn", "GMC 7055599")

		o := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice",
			"name": " Cafe\u0301  Ψ Практика ", "address": "1 Rue de l'E\u0301glise\nSaint-Étienne"}))
		if o["name"] != "Café Ψ Практика" || o["address"] != "1 Rue de l'Église\nSaint-Étienne" {
			t.Fatalf("organisation kept as %q, %q", o["name"], o["address"])
		}
	})
}

// An organisation's name is unique as a reader sees it: an accent typed
// apart from its letter, or a second space, makes no other name.
func TestOrganisationNamesCompareAsPrinted(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		first := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice",
			"name": "Caf\u00e9 Surgery", "address": "5 Sansome Walk, Worcester WR1 1LH"}))
		for _, tc := range []struct{ name, existing string }{
			{"Cafe\u0301 Surgery", "Café Surgery"},
			{"CAFE\u0301  surgery", "Café Surgery"},
			{"Riverside  Community Drug Service", "Riverside Community Drug Service"},
			{" riverside community   drug service", "Riverside Community Drug Service"},
		} {
			p := problemOf(t, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice", "name": tc.name,
				"address": "5 Sansome Walk, Worcester WR1 1LH"}), 409)
			assertText(t, p["detail"].(string), `an organisation named "`+tc.existing+`" already exists`)
			if tc.existing == "Café Surgery" && p["existing"].(map[string]any)["id"] != first["id"] {
				t.Fatalf("%q clashed with %v", tc.name, p["existing"])
			}
		}
		// A zero-width space is no way round it either: it is refused.
		problemOf(t, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice", "name": "Caf\u00e9\u200b Surgery",
			"address": "5 Sansome Walk, Worcester WR1 1LH"}), 422)
		// Without its accent it is another name.
		e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice", "name": "Cafe Surgery",
			"address": "5 Sansome Walk, Worcester WR1 1LH"}))
	})
}
