package httpapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// unknownKeys names each key encoding/json would refuse, by its path, and
// leaves the value without them, so the field can be read again.
func TestUnknownKeysNamedByPath(t *testing.T) {
	t.Parallel()
	type inner struct {
		Level string `json:"level"`
	}
	type embedded struct {
		Note string `json:"note"`
	}
	type request struct {
		embedded
		Overrides []overrideRequest `json:"overrides"`
		Needs     map[string]inner  `json:"needs"`
		Dose      rawField          `json:"dose"`
		Flags     *inner            `json:"flags"`
	}
	tests := []struct {
		in, clean string
		unknown   []string
	}{
		{`{"overrides":[{"rule":"M3","extra":1},{"reason":"r","x":[1]}]}`, `{"overrides":[{"rule":"M3"},{"reason":"r"}]}`,
			[]string{"overrides[0].extra", "overrides[1].x"}},
		{`{"needs":{"housing":{"level":"x","bar":2}}}`, `{"needs":{"housing":{"level":"x"}}}`, []string{"needs.housing.bar"}},
		{`{"flags":{"LEVEL":"a","foo":true}}`, `{"flags":{"LEVEL":"a"}}`, []string{"flags.foo"}},
		{`{"colour":"red","note":"n"}`, `{"note":"n"}`, []string{"colour"}},
		// A value that reads itself, or is not of the shape expected, is
		// left for decoding to judge.
		{`{"dose":{"mg":5}}`, `{"dose":{"mg":5}}`, nil},
		{`{"overrides":{"rule":"M3"}}`, `{"overrides":{"rule":"M3"}}`, nil},
	}
	for _, tt := range tests {
		unknown, clean := unknownKeys(reflect.TypeFor[request](), json.RawMessage(tt.in), "")
		if !slices.Equal(unknown, tt.unknown) || string(clean) != tt.clean {
			t.Errorf("%s: unknown %v, clean %s; want %v, %s", tt.in, unknown, clean, tt.unknown, tt.clean)
		}
	}
}
