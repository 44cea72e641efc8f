package httpapi

import (
	"regexp"
	"strings"
	"testing"
)

// A GP refused by role reads the clinical reason in plain words and who
// can do it instead; the permission is named, if at all, in brackets at
// the end, never as the sentence itself.
func TestGPRefusalsSayWhyInPlainWords(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rid, _, _ := e.underSharedCare(611, "2026-06-10", true)
		tests := []struct {
			method, path string
			body         map[string]any
			say          string
		}{
			{"POST", "/v1/regimes/" + rid + "/dose-changes", map[string]any{"to": 40, "reason": "x"}, "A GP practice does not change the dose under shared care"},
			{"POST", "/v1/regimes/" + rid + "/pattern", map[string]any{"pattern": []string{"collect"}}, "A GP practice does not start, change or end a regime"},
			{"POST", "/v1/regimes/" + rid + "/end", map[string]any{"reason": "x"}, "A GP practice does not start, change or end a regime"},
			{"POST", "/v1/regimes/" + rid + "/pharmacy", map[string]any{"pharmacy_id": "x"}, "The specialist service moves a patient to another pharmacy"},
			{"PATCH", "/v1/patients/" + pid, map[string]any{"address": "1 Canal Row"}, "The specialist service keeps the patient's record"},
			{"POST", "/v1/patients/" + pid + "/drug-screens", map[string]any{}, "The specialist service records drug screens"},
		}
		for _, tt := range tests {
			d := problemOf(t, e.do("gp", tt.method, tt.path, tt.body), 403)["detail"].(string)
			if !strings.Contains(d, tt.say) || strings.Contains(d, "may not do this") {
				t.Errorf("%s %s: detail %q does not say %q", tt.method, tt.path, d, tt.say)
			}
			// The permission, if named, is the bracket that ends the detail.
			before := d
			if i := strings.LastIndex(d, " (permission "); i >= 0 {
				before = d[:i]
				if !strings.HasSuffix(d, ")") {
					t.Errorf("%s %s: the permission does not end %q", tt.method, tt.path, d)
				}
			}
			if permission.MatchString(before) {
				t.Errorf("%s %s: permission jargon in %q", tt.method, tt.path, d)
			}
		}
	})
}

// permission matches a permission's name, such as regimes:write.
var permission = regexp.MustCompile(`[a-z_]+:[a-z_]+`)
