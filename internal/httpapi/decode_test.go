package httpapi

import (
	"slices"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/problem"
)

// A body wrong in several fields is answered with every one of them, each
// named by its field, in the order sent.
func TestDecodeNamesEveryFieldThatIsWrong(t *testing.T) {
	t.Parallel()
	type item struct {
		Rule string `json:"rule"`
	}
	type request struct {
		Supervised bool              `json:"supervised"`
		Days       int               `json:"days"`
		Start      calendar.Date     `json:"start"`
		Dose       dosing.Micrograms `json:"dose"`
		Items      []item            `json:"items"`
		Notes      string            `json:"notes"`
	}
	tests := []struct {
		name string
		body string
		want []string // field/rule
	}{
		{"one type error", `{"supervised": "yes", "notes": "x"}`, []string{"supervised/type"}},
		{"three type errors", `{"days": "two", "supervised": 1, "notes": 7}`,
			[]string{"days/type", "supervised/type", "notes/type"}},
		{"a date it cannot read is named", `{"start": "tomorrow", "days": 2}`, []string{"start/format"}},
		{"a date and a type error", `{"start": "2026-02-30", "supervised": "no", "dose": "lots"}`,
			[]string{"start/format", "supervised/type", "dose/format"}},
		{"nested", `{"items": [{"rule": 3}], "days": true}`, []string{"items.rule/type", "days/type"}},
		{"unknown and wrong", `{"colour": "red", "days": "x"}`, []string{"colour/unknown_field", "days/type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r request
			pe, ok := problem.As(decodeBytes([]byte(tt.body), &r))
			if !ok || pe.Code != problem.Invalid {
				t.Fatalf("decode answered %v, want invalid fields", pe)
			}
			var got []string
			for _, f := range pe.Fields {
				got = append(got, f.Field+"/"+f.Rule)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
		})
	}
	// Not an object at all, or not JSON: one answer, as before.
	var r request
	if pe, _ := problem.As(decodeBytes([]byte(`[1, 2]`), &r)); pe == nil || len(pe.Fields) != 1 || pe.Fields[0].Field != "body" {
		t.Errorf("an array body answered %+v", pe)
	}
	if pe, _ := problem.As(decodeBytes([]byte(`{"days": `), &r)); pe == nil || pe.Code != problem.Malformed {
		t.Errorf("truncated JSON answered %+v", pe)
	}
}
