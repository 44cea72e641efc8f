package httpapi

import (
	"slices"
	"sync"
	"testing"
)

// A GP's answer that comes after shared care was closed, by a colleague or
// the service (or as the loser of a race with one), is told where shared
// care now stands (409), not that the arrangement does not exist: the
// practice has lost sight of the patient, but it was party to the
// arrangement.
func TestSharedCareAnswerAfterItClosed(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		tests := []struct {
			name   string
			accept bool
			first  [][2]string // who, action, in order
			then   [2]string
			detail string
		}{
			{"accept after a decline", false, [][2]string{{"gp", "decline"}}, [2]string{"gp", "accept"},
				"shared care was declined, so there is nothing to accept; the service may propose it again"},
			{"decline after a decline", false, [][2]string{{"gp", "decline"}}, [2]string{"gp", "decline"},
				"shared care is already declined"},
			{"hand-back after the practice's hand-back", true, [][2]string{{"gp", "hand-back"}}, [2]string{"gp", "hand-back"},
				"shared care is already handed back"},
			{"hand-back after the service's hand-back", true, [][2]string{{"prescriber", "hand-back"}}, [2]string{"gp", "hand-back"},
				"shared care is already handed back"},
			{"accept after the service withdrew", false, [][2]string{{"prescriber", "hand-back"}}, [2]string{"gp", "accept"},
				"shared care was handed back, so there is nothing to accept; the service may propose it again"},
		}
		for i, tt := range tests {
			_, _, sc, _ := e.underSharedCare(580+i, "2026-06-10", tt.accept)
			for _, step := range tt.first {
				e.must(200, e.do(step[0], "POST", "/v1/shared-care/"+sc+"/"+step[1], map[string]any{"reason": "Not now"}))
			}
			var body any
			if tt.then[1] != "accept" {
				body = map[string]any{"reason": "Not now"}
			}
			p := problemOf(t, e.do(tt.then[0], "POST", "/v1/shared-care/"+sc+"/"+tt.then[1], body), 409)
			if p["detail"] != tt.detail {
				t.Errorf("%s: detail %q, want %q", tt.name, p["detail"], tt.detail)
			}
			if p["existing"] != nil {
				t.Errorf("%s: the closed arrangement is shown to the practice: %v", tt.name, p["existing"])
			}
			// The practice still sees neither the arrangement nor the patient.
			problemOf(t, e.do("gp", "GET", "/v1/shared-care/"+sc, nil), 404)
		}

		// The race itself: a GP's accept and a colleague's decline at once;
		// one wins, the other is told what the winner did.
		for i := range 3 {
			_, _, sc, _ := e.underSharedCare(590+i, "2026-06-10", false)
			got := make([]response, 2)
			var wg sync.WaitGroup
			for j, action := range []string{"accept", "decline"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var body any
					if action == "decline" {
						body = map[string]any{"reason": "No capacity"}
					}
					got[j] = e.do("gp", "POST", "/v1/shared-care/"+sc+"/"+action, body)
				}()
			}
			wg.Wait()
			statuses := []int{got[0].Status, got[1].Status}
			switch {
			case slices.Equal(statuses, []int{200, 409}):
				if d := problemOf(t, got[1], 409)["detail"]; d != "shared care is already accepted, so it can no longer be declined; hand it back to end it" {
					t.Errorf("the decline lost: %q", d)
				}
			case slices.Equal(statuses, []int{409, 200}):
				if d := problemOf(t, got[0], 409)["detail"]; d != "shared care was declined, so there is nothing to accept; the service may propose it again" {
					t.Errorf("the accept lost: %q", d)
				}
			default:
				t.Fatalf("accept %d %s, decline %d %s", got[0].Status, got[0].Body, got[1].Status, got[1].Body)
			}
		}
	})
}
