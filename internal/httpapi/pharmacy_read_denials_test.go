package httpapi

import (
	"strings"
	"testing"
)

// Reading a pharmacy's day list or balance is refused to a GP or
// prescriber as a read, saying where they read doses instead, not as
// though they had tried to record a dose.
func TestPharmacyReadsAreRefusedAsReads(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		ph := e.demo.PharmacyID
		for _, who := range []string{"gp", "prescriber"} {
			for _, path := range []string{"/v1/pharmacies/" + ph + "/doses", "/v1/pharmacies/" + ph + "/balance"} {
				d := problemOf(t, e.do(who, "GET", path, nil), 403)["detail"].(string)
				if strings.Contains(d, "records it") || strings.Contains(d, "doses:record") ||
					!strings.Contains(d, "read at the pharmacy") || !strings.Contains(d, "GET /v1/patients/{id}/doses") ||
					!strings.HasSuffix(d, "(permission doses:pharmacy_read)") {
					t.Errorf("%s GET %s: %q", who, path, d)
				}
			}
		}
		e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/doses", nil))
		e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+ph+"/balance", nil))
	})
}
