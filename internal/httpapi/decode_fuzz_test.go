package httpapi

import (
	"net/http"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

// decodeTargets are fresh request values of every shape the API decodes.
func decodeTargets() []any {
	return []any{
		&patientRequest{}, &doseEventRequest{}, &reviewRequest{}, &dayCloseRequest{}, &createOrganisationRequest{},
		&createUserRequest{}, &issueTokenRequest{}, &prescriptionRequest{}, &cancelRequest{}, &startRegimeRequest{},
		&doseChangeRequest{}, &endRegimeRequest{}, &patternRequest{}, &administrationRequest{}, &drugScreenRequest{},
		&proposeSharedCareRequest{}, &reasonRequest{}, &calendar.Opening{}, &struct{}{},
	}
}

// FuzzDecode: decoding any body into any request never panics, and a
// refusal is always a *problem.Error whose status is a 4xx. A patient body
// that decodes, wholly or in part, is also validated, which must not panic
// either and must refuse a body a field of which could not be read.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"nhs_number":"943 476 5919","given_name":"Zoë","family_name":"Łukasz-Nguyễn","date_of_birth":"1985-04-12"}`,
		`{"outcome":"supervised","identity_confirmed":true,"occurred_at":"2026-03-26T09:00:00Z"}`,
		`{"closed_weekdays":["sunday"],"closed_dates":["2026-12-25"],"open_dates":[],"bank_holidays_closed":true}`,
		`{"medicine":"methadone_oral_solution_1mg_ml","dose":30,"overrides":[{"rule":"M1","reason":"x"}]}`,
		`{"to":"2.5","effective_date":"2026-02-30"}`, `{"dose":1e309}`, `{"dose":-0}`, `{"days":1.0000000001}`,
		`{"closed_weekdays":[7]}`, `{"closed_weekdays":["funday"]}`, `{"date":"0000-01-01"}`, `{"results":{"opiates":1}}`,
		"{", "", "null", "[]", `"x"`, "{} {}", "\xff", "{\"a\":\"\x00\"}", `{"given_name":"\ud800"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`, `{"pattern":{"monday":["supervised"]}}`,
		`{"needs":{"housing":{"level":"dire"}}}`, `{"risk_flags":{"alcohol":"yes"}}`, `{"date_of_birth":{"y":1}}`,
	} {
		f.Add(s)
	}
	today := calendar.MustParse("2026-03-26")
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range decodeTargets() {
			f, err := decodeBytes([]byte(body), v)
			if err != nil {
				checkClientError(t, body, v, err)
				continue
			}
			if err := f.Err(); err != nil {
				checkClientError(t, body, v, err)
			}
			if p, ok := v.(*patientRequest); ok {
				var pt store.Patient
				for _, create := range []bool{true, false} {
					err := p.apply(&pt, create, today, f)
					if err != nil {
						checkClientError(t, body, v, err)
					} else if len(f) > 0 {
						t.Fatalf("decoding %q: fields %v not read, yet the patient request applied", body, f)
					}
				}
			}
		}
	})
}

func checkClientError(t *testing.T, body string, v any, err error) {
	t.Helper()
	pe, ok := err.(*problem.Error)
	if !ok {
		t.Fatalf("decoding %q into %T: %T %v, want *problem.Error", body, v, err, err)
	}
	status, known := statusOf[pe.Code]
	if !known || status < 400 || status >= 500 || status == http.StatusUnauthorized || status == http.StatusForbidden {
		t.Fatalf("decoding %q into %T: code %q (status %d), want a 4xx client error", body, v, pe.Code, status)
	}
}
