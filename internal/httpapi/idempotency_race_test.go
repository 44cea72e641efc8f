package httpapi

import (
	"sync"
	"testing"
)

// Retries of one request with one Idempotency-Key, sent at once, all get
// the first answer: none is told its own record conflicts with itself.
func TestConcurrentRetriesWithOneKeyReplay(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-26T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(240, "2026-03-26")
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-26") + "/events"
		body := map[string]any{"outcome": "supervised", "identity_confirmed": true}
		const n = 24
		got := make([]response, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got[i] = e.do("pharmacist", "POST", path, body, "Idempotency-Key", "till-9-race")
			}()
		}
		close(start)
		wg.Wait()
		for i, r := range got {
			if r.Status != 201 || string(r.Body) != string(got[0].Body) {
				t.Fatalf("retry %d: %d %s, want the first answer %d %s", i, r.Status, r.Body, got[0].Status, got[0].Body)
			}
		}
	})
}
