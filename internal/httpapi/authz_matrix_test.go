package httpapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/patients"
)

// The authorization matrix: every route in the route table × every role ×
// a record of the caller's own organisation and one of another's. It is
// generated from srv.routeTable(), so a new route cannot escape it: a route
// whose :id has no fixture fails the test.

// matrixWho are the callers, in the order they act on each route. The GP
// acts before the prescriber so that a GP's hand-back (which ends the GP's
// sight of the patient) comes after every other GP case, and a prescriber's
// own actions on the record come last.
var matrixWho = []struct {
	key  string
	role auth.Role
}{
	{"admin", auth.Admin},
	{"pharmacist", auth.Pharmacist},
	{"pharmacist_2", auth.Pharmacist},
	{"gp", auth.GP},
	{"prescriber", auth.Prescriber},
}

// recordSet is one organisation's chain of clinical records: a patient at a
// treatment service, dispensed at a pharmacy, under shared care accepted by
// a GP practice, with a regime, an issued prescription, its instalments and
// an open alert.
type recordSet struct {
	name                          string
	service, pharmacy, practice   string
	patient, regime, prescription string
	instalment, alert, sharedCare string
	administration                string // a Buvidal injection of another patient of the set's service
	user, token                   string
	nhs, given, family, address   string
	movePharmacy                  string          // a pharmacy no demo user works at, to move the regime to
	related                       map[string]bool // demo user key → may see this set's clinical records
}

// idFamilies maps the first path segment after /v1/ to the kind of record
// its :id names.
var idFamilies = map[string]func(s *recordSet) string{
	"patients":        func(s *recordSet) string { return s.patient },
	"regimes":         func(s *recordSet) string { return s.regime },
	"prescriptions":   func(s *recordSet) string { return s.prescription },
	"instalments":     func(s *recordSet) string { return s.instalment },
	"alerts":          func(s *recordSet) string { return s.alert },
	"shared-care":     func(s *recordSet) string { return s.sharedCare },
	"pharmacies":      func(s *recordSet) string { return s.pharmacy },
	"users":           func(s *recordSet) string { return s.user },
	"tokens":          func(s *recordSet) string { return s.token },
	"administrations": func(s *recordSet) string { return s.administration },
}

func familyOf(path string) string {
	rest, _ := strings.CutPrefix(path, "/v1/")
	fam, _, _ := strings.Cut(rest, "/")
	return fam
}

// sees reports whether the demo user `who` may reach record set s through a
// route of family fam. Users and tokens are managed service-wide by the
// admin (the admin creates every organisation's users). A pharmacy's
// opening days are readable by every clinician who may read prescriptions,
// but only its own pharmacist acts for a pharmacy.
func (s *recordSet) sees(who, fam string) bool {
	switch fam {
	case "users", "tokens":
		return true
	case "pharmacies":
		if who != "pharmacist" && who != "pharmacist_2" {
			return true
		}
	case "administrations":
		// The injection is of a Buvidal patient the practice does not
		// share care of.
		return s.related[who] && who != "gp"
	}
	return s.related[who]
}

// matrixBody is a minimal, valid-looking body for each write route, so
// that a permitted caller gets past validation to the ownership check.
func matrixBody(r Route, s *recordSet, today string, seq int) any {
	switch r.Method + " " + r.Path {
	case "POST /v1/organisations":
		return map[string]any{"kind": "pharmacy", "name": fmt.Sprintf("Matrix Pharmacy %d", seq)}
	case "POST /v1/users":
		return map[string]any{"organisation_id": s.service, "role": "prescriber", "name": fmt.Sprintf("Matrix User %d", seq)}
	case "POST /v1/users/:id/tokens":
		return map[string]any{"label": "matrix"}
	case "POST /v1/patients":
		return map[string]any{"nhs_number": patients.TestNHSNumber(7000 + seq), "given_name": "Matrix", "family_name": fmt.Sprintf("Patient %d", seq),
			"date_of_birth": "1980-01-01", "pharmacy_id": s.pharmacy}
	case "PATCH /v1/patients/:id":
		return map[string]any{"keyworker": "Matrix keyworker"}
	case "POST /v1/patients/:id/regimes":
		return map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20}
	case "POST /v1/patients/:id/drug-screens":
		return map[string]any{"sample_type": "urine", "witnessed": true, "results": map[string]any{"opiates": "positive"}}
	case "POST /v1/patients/:id/reviews":
		return map[string]any{"kind": "missed_doses", "notes": "matrix review"}
	case "POST /v1/patients/:id/shared-care":
		return map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "matrix"}}}
	case "POST /v1/regimes/:id/end", "POST /v1/prescriptions/:id/cancel", "POST /v1/administrations/:id/entered-in-error", "POST /v1/shared-care/:id/decline", "POST /v1/shared-care/:id/hand-back":
		return map[string]any{"reason": "matrix"}
	case "POST /v1/regimes/:id/pattern":
		return map[string]any{"pattern": map[string]any{"monday": "supervised", "tuesday": "supervised", "wednesday": "supervised",
			"thursday": "supervised", "friday": "supervised", "saturday": "supervised", "sunday": "earlier"},
			"overrides": []map[string]any{{"rule": "M6", "reason": "matrix"}}}
	case "POST /v1/regimes/:id/pharmacy":
		// Effective after the fixture prescription ends, so nothing is
		// reissued and later routes find the prescription as it was.
		return map[string]any{"pharmacy_id": s.movePharmacy, "effective_date": "2026-04-27", "reason": "matrix"}
	case "POST /v1/regimes/:id/dose-changes":
		// Effective after the fixture prescription ends, so it is not
		// cancelled and reissued and later routes still find it issued.
		return map[string]any{"to": 35, "reason": "matrix", "effective_date": "2026-04-20"}
	case "POST /v1/regimes/:id/administrations":
		return map[string]any{"dose": 8, "site": "upper_arm_left", "batch": "B-1", "batch_expiry": "2027-01-31"}
	case "POST /v1/prescriptions":
		return map[string]any{"patient_id": s.patient, "start_date": today, "days": 7}
	case "PUT /v1/pharmacies/:id/opening":
		return map[string]any{"closed_weekdays": []string{"sunday"}, "closed_dates": []string{}, "open_dates": []string{}, "bank_holidays_closed": true}
	case "POST /v1/instalments/:id/events":
		return map[string]any{"outcome": "supervised", "identity_confirmed": true}
	}
	return nil
}

// bodyReferences names the collection routes whose body points at one
// organisation's record, so the matrix runs them for both record sets.
var bodyReferences = map[string]bool{
	"POST /v1/prescriptions": true,
	"POST /v1/users":         true,
}

// matrixRank orders routes that change a record's state irreversibly after
// all others, then the hand-back (after which the GP no longer sees the
// patient), and last of all the end of the regime, which ends shared care
// too.
func matrixRank(r Route) int {
	switch {
	case r.Path == "/v1/regimes/:id/end":
		return 4
	case strings.HasSuffix(r.Path, "/hand-back"):
		return 3
	case strings.HasSuffix(r.Path, "/decline"):
		return 2
	case strings.HasSuffix(r.Path, "/cancel"), strings.HasSuffix(r.Path, "/end"), strings.HasSuffix(r.Path, "/revoke"):
		return 1
	}
	return 0
}

// todayInstalment is the id of the patient's instalment due today at its
// pharmacy, read from the pharmacist's day list.
func todayInstalment(e *env, pharmacist, pharmacy, patient string) string {
	e.t.Helper()
	list := e.must(200, e.do(pharmacist, "GET", "/v1/pharmacies/"+pharmacy+"/doses", nil))
	return dayEntry(e.t, list, patient)["instalment_id"].(string)
}

// withheldAlert records today's dose as withheld, which raises an S3 alert
// for the prescriber, the pharmacy and (under accepted shared care) the GP.
func withheldAlert(e *env, pharmacist, instalment, prescriber, patient string) string {
	e.t.Helper()
	e.must(201, e.do(pharmacist, "POST", "/v1/instalments/"+instalment+"/events", map[string]any{"outcome": "withheld",
		"reason": "intoxicated", "identity_confirmed": true, "notes": "unsteady"}))
	for _, a := range e.must(200, e.do(prescriber, "GET", "/v1/alerts", nil))["items"].([]any) {
		if m := a.(map[string]any); m["patient_id"] == patient {
			return m["id"].(string)
		}
	}
	e.t.Fatalf("no alert raised for patient %s", patient)
	return ""
}

// matrixFixtures builds "our" record set at the demo organisations and
// "their" set at a second treatment service, the second pharmacy and a
// second GP practice, all through the API.
func matrixFixtures(e *env, today string) (ours, theirs *recordSet) {
	e.t.Helper()
	sc3 := []map[string]any{{"rule": "SC3", "reason": "matrix fixture: GP agreed to take over early"}}
	userID := func(key string) string {
		for _, u := range e.demo.Users {
			if u.Key == key {
				return u.ID
			}
		}
		e.t.Fatalf("no demo user %s", key)
		return ""
	}

	// Ours: the demo service, pharmacy and practice.
	ours = &recordSet{name: "demo-org", service: e.demo.ServiceID, pharmacy: e.demo.PharmacyID, practice: e.demo.PracticeID,
		related: map[string]bool{"prescriber": true, "pharmacist": true, "gp": true}}
	ours.patient, ours.prescription = e.dispensed(901, today)
	p := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+ours.patient, nil))
	ours.nhs, ours.given, ours.family, ours.address = p["nhs_number"].(string), p["given_name"].(string), p["family_name"].(string), p["address"].(string)
	ours.regime = e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+ours.prescription, nil))["regime_id"].(string)
	sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+ours.patient+"/shared-care", map[string]any{"overrides": sc3}))
	ours.sharedCare = sc["id"].(string)
	e.must(200, e.do("gp", "POST", "/v1/shared-care/"+ours.sharedCare+"/accept", nil))
	ours.instalment = todayInstalment(e, "pharmacist", ours.pharmacy, ours.patient)
	ours.alert = withheldAlert(e, "pharmacist", ours.instalment, "prescriber", ours.patient)
	ours.user = userID("prescriber")
	ours.token = e.must(201, e.do("admin", "POST", "/v1/users/"+ours.user+"/tokens", map[string]any{"label": "matrix own"}))["id"].(string)
	injection := map[string]any{"dose": 16, "site": "thigh_left", "batch": "B-16", "batch_expiry": "2027-01-31"}
	buvidal := map[string]any{"medicine": "buvidal_weekly", "dose": 16, "test_dose_given": true, "start_date": today}
	bv := e.startRegime(e.newPatient(903, nil), buvidal)["id"].(string)
	ours.administration = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+bv+"/administrations", injection))["administration"].(map[string]any)["id"].(string)

	// Theirs: another treatment service with its own prescriber, patients
	// dispensed at the second pharmacy, shared care with another practice.
	svc := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "treatment_service",
		"name": "Severn Valley Recovery Service", "address": "9 Severn Street, Worcester WR1 2NE"}))
	pres := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": svc["id"], "role": "prescriber",
		"name": "Dr Imogen Tatlock", "registration": "GMC 7099001", "issue_token": true}))
	presTok := pres["token"].(string)
	gpTok, practice := e.secondPractice()
	theirs = &recordSet{name: "second-org", service: svc["id"].(string), pharmacy: e.demo.Pharmacy2, practice: practice,
		related: map[string]bool{"pharmacist_2": true}, user: pres["user"].(map[string]any)["id"].(string),
		nhs: patients.TestNHSNumber(902), given: "Bartholomew", family: "Quennell-Ashdown", address: "77 Pershore Lane — Droitwich"}
	theirs.patient = e.must(201, e.do(presTok, "POST", "/v1/patients", map[string]any{"nhs_number": theirs.nhs,
		"given_name": theirs.given, "family_name": theirs.family, "date_of_birth": "1979-09-09", "sex": "male",
		"address": theirs.address, "pharmacy_id": theirs.pharmacy, "gp_practice_id": practice}))["id"].(string)
	theirs.regime = e.must(201, e.do(presTok, "POST", "/v1/patients/"+theirs.patient+"/regimes", map[string]any{
		"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": today}))["id"].(string)
	theirs.prescription = e.must(201, e.do(presTok, "POST", "/v1/prescriptions", map[string]any{"patient_id": theirs.patient,
		"start_date": today, "days": 14, "wording": []int{1, 3}, "issue": true}))["id"].(string)
	theirs.sharedCare = e.must(201, e.do(presTok, "POST", "/v1/patients/"+theirs.patient+"/shared-care",
		map[string]any{"overrides": sc3}))["id"].(string)
	e.must(200, e.do(gpTok, "POST", "/v1/shared-care/"+theirs.sharedCare+"/accept", nil))
	theirs.instalment = todayInstalment(e, "pharmacist_2", theirs.pharmacy, theirs.patient)
	theirs.alert = withheldAlert(e, "pharmacist_2", theirs.instalment, presTok, theirs.patient)
	theirs.token = e.must(201, e.do("admin", "POST", "/v1/users/"+theirs.user+"/tokens", map[string]any{"label": "matrix other"}))["id"].(string)
	bvPatient := e.must(201, e.do(presTok, "POST", "/v1/patients", map[string]any{"nhs_number": patients.TestNHSNumber(904),
		"given_name": "Matrix", "family_name": "Buvidal", "date_of_birth": "1979-09-09", "sex": "male",
		"address": "78 Pershore Lane — Droitwich", "pharmacy_id": theirs.pharmacy}))["id"].(string)
	bv = e.must(201, e.do(presTok, "POST", "/v1/patients/"+bvPatient+"/regimes", buvidal))["id"].(string)
	theirs.administration = e.must(201, e.do(presTok, "POST", "/v1/regimes/"+bv+"/administrations", injection))["administration"].(map[string]any)["id"].(string)
	spare := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "pharmacy", "name": "Matrix Spare Pharmacy", "address": "9 Spare Street, Worcester WR1 9ZZ"}))
	ours.movePharmacy, theirs.movePharmacy = spare["id"].(string), spare["id"].(string)
	return ours, theirs
}

// leaks lists the identifying values of set s found in body that the
// request did not carry itself.
func leaks(body []byte, request string, s *recordSet) []string {
	var out []string
	for _, v := range []string{s.patient, s.regime, s.prescription, s.instalment, s.alert, s.sharedCare, s.nhs, s.family, s.address} {
		if v != "" && !strings.Contains(request, v) && strings.Contains(string(body), v) {
			out = append(out, v)
		}
	}
	return out
}

func detailOf(r response) string {
	var p struct{ Detail string }
	_ = json.Unmarshal(r.Body, &p)
	return p.Detail
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	const today = "2026-03-26"
	eachEnvAt(t, today+"T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ours, theirs := matrixFixtures(e, today)
		routes := slices.Clone(e.srv.routeTable())
		slices.SortStableFunc(routes, func(a, b Route) int { return matrixRank(a) - matrixRank(b) })

		type outcome struct {
			route    Route
			who, set string
			status   int
			want     string
		}
		var results []outcome
		seq := 0
		// send makes the request and returns it as text too, so the leak
		// check can ignore what the caller itself supplied.
		send := func(r Route, who string, s *recordSet) (response, string) {
			seq++
			path := r.Path
			if strings.Contains(path, ":id") {
				path = strings.ReplaceAll(path, ":id", idFamilies[familyOf(r.Path)](s))
			}
			body := matrixBody(r, s, today, seq)
			if body == nil {
				return e.do(who, r.Method, path, nil), path
			}
			return e.do(who, r.Method, path, body), path + " " + fmt.Sprint(body)
		}

		// Every route with an :id must have a fixture of the right kind.
		for _, r := range routes {
			if strings.Contains(r.Path, ":") && (!strings.Contains(r.Path, ":id") || idFamilies[familyOf(r.Path)] == nil) {
				t.Errorf("%s %s: the authorization matrix has no fixture for this path parameter; add its record kind to idFamilies", r.Method, r.Path)
			}
			if strings.Count(r.Path, ":") > 1 {
				t.Errorf("%s %s: more than one path parameter; teach the matrix to fill it", r.Method, r.Path)
			}
		}
		if t.Failed() {
			return
		}

		// 1. No token: every non-public route answers 401; public ones do not.
		for _, r := range routes {
			res, _ := send(r, "", ours)
			if r.Public {
				if res.Status >= 400 {
					t.Errorf("%s %s without a token: %d, want a public answer: %s", r.Method, r.Path, res.Status, abbreviate(res.Body))
				}
				continue
			}
			if res.Status != 401 {
				t.Errorf("%s %s without a token: %d, want 401: %s", r.Method, r.Path, res.Status, abbreviate(res.Body))
			} else if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s %s without a token: content type %q", r.Method, r.Path, ct)
			}
		}

		// 2. Another organisation's record, then 3. the caller's own. Each
		// role sees the other set as "another organisation's" unless it is
		// related to it (pharmacist_2 dispenses the other set's patient).
		for _, phase := range []string{"other", "own"} {
			for _, r := range routes {
				if r.Public {
					continue
				}
				key := r.Method + " " + r.Path
				hasID := strings.Contains(r.Path, ":id")
				for _, w := range matrixWho {
					for _, s := range []*recordSet{ours, theirs} {
						visible := s.sees(w.key, familyOf(r.Path))
						if !hasID && !bodyReferences[key] {
							// A collection route names no record: it runs
							// once per role, and scoping shows in the leak
							// check below.
							if phase != "own" || s != ours {
								continue
							}
							visible = true
						} else if (phase == "own") != visible {
							continue
						}
						res, sent := send(r, w.key, s)
						var want string
						allowed := r.Permission == "" || w.role.Can(r.Permission)
						switch {
						case !allowed:
							want = "403"
						case !visible:
							want = "404"
						default:
							want = "allowed"
						}
						ok := false
						switch want {
						case "403":
							ok = res.Status == 403
						case "404":
							ok = res.Status == 404
						default:
							ok = res.Status != 401 && res.Status != 403 && res.Status != 404 && res.Status < 500
						}
						if !ok {
							t.Errorf("%s as %s on %s record: %d, want %s: %s", key, w.key, s.name, res.Status, want, abbreviate(res.Body))
						}
						// Another organisation's record is indistinguishable
						// from one that does not exist.
						if want == "404" && res.Status == 404 {
							ghost := *s
							for _, id := range []*string{&ghost.patient, &ghost.regime, &ghost.prescription, &ghost.instalment,
								&ghost.alert, &ghost.sharedCare, &ghost.pharmacy, &ghost.user, &ghost.token, &ghost.administration} {
								*id = "00000000-0000-4000-8000-00000000dead"
							}
							g, _ := send(r, w.key, &ghost)
							if g.Status != 404 || detailOf(g) != detailOf(res) {
								t.Errorf("%s as %s: another organisation's record answers %d %q, a missing one %d %q",
									key, w.key, res.Status, detailOf(res), g.Status, detailOf(g))
							}
						}
						if res.Status >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
							t.Errorf("%s as %s on %s record: %d with content type %q", key, w.key, s.name, res.Status, res.Header.Get("Content-Type"))
						}
						// Whatever the status, nothing of a set the caller may
						// not see comes back.
						if w.role != auth.Admin {
							for _, other := range []*recordSet{ours, theirs} {
								if other.related[w.key] {
									continue
								}
								if l := leaks(res.Body, sent, other); len(l) > 0 {
									t.Errorf("%s as %s on %s record leaks the %s set's %v: %s", key, w.key, s.name, other.name, l, abbreviate(res.Body))
								}
							}
						}
						results = append(results, outcome{r, w.key, s.name, res.Status, want})
					}
				}
			}
		}
		if testing.Verbose() {
			for _, o := range results {
				t.Logf("%-6s %-45s %-13s %-5s → %d (want %s)", o.route.Method, o.route.Path, o.who, o.set, o.status, o.want)
			}
		}
		// Every non-public route was exercised by every role.
		for _, r := range routes {
			if r.Public {
				continue
			}
			for _, w := range matrixWho {
				if !slices.ContainsFunc(results, func(o outcome) bool { return o.route.Method == r.Method && o.route.Path == r.Path && o.who == w.key }) {
					t.Errorf("%s %s: never tried as %s", r.Method, r.Path, w.key)
				}
			}
		}
	})
}
