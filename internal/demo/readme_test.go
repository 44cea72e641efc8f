package demo

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The README tells people how long demo tokens last; it must say the
// lifetime TokenTTL gives, not DOSEBOOK_TOKEN_TTL's default.
func TestReadmeStatesDemoTokenLifetime(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ") // line breaks as spaces
	days := int(TokenTTL / (24 * time.Hour))
	for _, want := range []string{
		fmt.Sprintf("Demo tokens (from `serve --demo` or `dosebook demo`) last %d days, whatever `DOSEBOOK_TOKEN_TTL` says", days),
		fmt.Sprintf("demo tokens always last %d days", days),
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
