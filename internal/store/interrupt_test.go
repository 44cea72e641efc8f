package store

import (
	"fmt"
	"testing"

	"github.com/dosebook/dosebook/internal/problem"
)

type codedError int

func (e codedError) Error() string { return fmt.Sprintf("sqlite error (%d)", int(e)) }
func (e codedError) Code() int     { return int(e) }

// SQLite stops a query whose context ended with SQLITE_INTERRUPT, not the
// context's error: that is the database going away from the request (a
// 503, or nothing when the client hung up), never an internal error.
func TestSQLiteInterruptIsNotAnInternalError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want problem.Code
	}{
		{codedError(9), problem.Unavailable},
		{fmt.Errorf("reading history: %w", codedError(9)), problem.Unavailable},
		{codedError(1), ""},
	} {
		pe, ok := problem.As(translate(tc.err))
		if got := problem.Code(""); ok {
			got = pe.Code
			if got != tc.want {
				t.Errorf("%v: %s, want %s", tc.err, got, tc.want)
			}
		} else if tc.want != "" {
			t.Errorf("%v: untranslated, want %s", tc.err, tc.want)
		}
	}
}
