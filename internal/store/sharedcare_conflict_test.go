package store

import "testing"

// A refused shared care move reads as a sentence about the arrangement,
// not about the state machine ("it cannot become accepted").
func TestTransitionConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, to, want string
	}{
		{SharedAccepted, SharedAccepted, "shared care is already accepted"},
		{SharedDeclined, SharedDeclined, "shared care is already declined"},
		{SharedHandedBack, SharedHandedBack, "shared care is already handed back"},
		{SharedAccepted, SharedDeclined, "shared care is already accepted, so it can no longer be declined; hand it back to end it"},
		{SharedProposed, SharedHandedBack, "shared care is only proposed; the practice declines a proposal rather than handing it back"},
		{SharedDeclined, SharedAccepted, "shared care was declined, so there is nothing to accept; the service may propose it again"},
		{SharedHandedBack, SharedDeclined, "shared care was handed back, so there is nothing to decline; the service may propose it again"},
		{SharedDeclined, SharedHandedBack, "shared care was declined, so there is nothing to hand back; the service may propose it again"},
	}
	for _, tt := range tests {
		t.Run(tt.status+"→"+tt.to, func(t *testing.T) {
			t.Parallel()
			if got := transitionConflict(tt.status, tt.to); got != tt.want {
				t.Errorf("transitionConflict(%s, %s) = %q, want %q", tt.status, tt.to, got, tt.want)
			}
		})
	}
}
