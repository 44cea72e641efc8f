package httpapi

import "testing"

// A till that retries may send the same body with its keys in another
// order or other spacing: the same request, replayed, not "reused".
func TestRequestHashIsOfTheJSONValue(t *testing.T) {
	t.Parallel()
	const id = "0b6f6a4e-2f0b-4d38-9d5e-8f8f5a0e1c11"
	base := requestHash(id, []byte(`{"outcome":"supervised","identity_confirmed":true,"notes":"seen"}`))
	tests := []struct {
		name string
		body string
		same bool
	}{
		{"keys in another order", `{"notes":"seen","identity_confirmed":true,"outcome":"supervised"}`, true},
		{"spacing and a newline", "{ \"outcome\": \"supervised\",\n  \"identity_confirmed\": true, \"notes\": \"seen\" }\n", true},
		{"another outcome", `{"outcome":"collected","identity_confirmed":true,"notes":"seen"}`, false},
		{"notes differ", `{"outcome":"supervised","identity_confirmed":true,"notes":"seen."}`, false},
		{"a field left out", `{"outcome":"supervised","identity_confirmed":true}`, false},
		{"not JSON", `{"outcome":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := requestHash(id, []byte(tt.body)) == base; got != tt.same {
				t.Fatalf("same hash = %v, want %v", got, tt.same)
			}
		})
	}
	if requestHash("another-instalment", []byte(`{"outcome":"supervised","identity_confirmed":true,"notes":"seen"}`)) == base {
		t.Fatal("the same body for another instalment hashes alike")
	}
	// Numbers are kept as written: 1 and 1.0 are different requests.
	if requestHash(id, []byte(`{"a":1}`)) == requestHash(id, []byte(`{"a":1.0}`)) {
		t.Fatal("1 and 1.0 hash alike")
	}
}

func TestIdempotentRetryWithKeysReordered(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(1, "2026-03-26")
		list := e.must(200, e.do("pharmacist", "GET", "/v1/pharmacies/"+e.demo.PharmacyID+"/doses", nil))
		path := "/v1/instalments/" + dayEntry(t, list, pid)["instalment_id"].(string) + "/events"
		first := e.do("pharmacist", "POST", path, `{"outcome":"supervised","identity_confirmed":true,"notes":"seen"}`, "Idempotency-Key", "till-9")
		e.must(201, first)
		retry := e.do("pharmacist", "POST", path, `{"notes":"seen", "identity_confirmed":true, "outcome":"supervised"}`, "Idempotency-Key", "till-9")
		if retry.Status != 201 || string(retry.Body) != string(first.Body) {
			t.Fatalf("retry with keys reordered: %d %s, want the first answer %s", retry.Status, retry.Body, first.Body)
		}
	})
}
