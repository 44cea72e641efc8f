package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/problem"
)

// listPageOf answers one page of a list the store gives whole: a patient's
// or a regime's own records (regimes, dose changes, administrations, drug
// screens, shared-care agreements), few, append-only and read whole by the
// rules as well, so the store keeps one query for both. The page starts
// after the item the cursor names, in the list's own stable order; a
// cursor naming no item of this list is refused.
func listPageOf[T any](c *gin.Context, pg page, items []T, key func(T) string) error {
	if pg.After != "" {
		i := -1
		for j, it := range items {
			if key(it) == pg.After {
				i = j
				break
			}
		}
		if i < 0 {
			return problem.Invalidf("cursor", "format", "cursor is not one this list returned")
		}
		items = items[i+1:]
	}
	list(c, items, pg.Limit, key)
	return nil
}
