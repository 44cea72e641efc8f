package httpapi

import (
	"reflect"
	"slices"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/problem"
)

// A body wrong in several fields is answered with every one of them, each
// named by its field, in the order sent; the request holds every other
// field as sent, and nothing of the wrong ones.
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
		read request  // what decoded
	}{
		{"one type error", `{"supervised": "yes", "notes": "x"}`, []string{"supervised/type"}, request{Notes: "x"}},
		{"three type errors", `{"days": "two", "supervised": 1, "notes": 7}`,
			[]string{"days/type", "supervised/type", "notes/type"}, request{}},
		{"a date it cannot read is named", `{"start": "tomorrow", "days": 2}`, []string{"start/format"}, request{Days: 2}},
		// Decoding stops at the date; the fields after it are still read.
		{"a date and a type error", `{"start": "2026-02-30", "supervised": "no", "dose": "lots", "days": 3}`,
			[]string{"start/format", "supervised/type", "dose/format"}, request{Days: 3}},
		// A field wrong inside is not read at all, not half.
		{"nested", `{"items": [{"rule": "a"}, {"rule": 3}], "days": true, "notes": "n"}`, []string{"items.rule/type", "days/type"},
			request{Notes: "n"}},
		{"unknown and wrong", `{"colour": "red", "days": "x", "supervised": true}`, []string{"colour/unknown_field", "days/type"},
			request{Supervised: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := request{Notes: "left from before"}
			f, err := decodeBytes([]byte(tt.body), &r)
			if err != nil {
				t.Fatalf("decode answered %v at once, want the fields", err)
			}
			var got []string
			for _, e := range f {
				got = append(got, e.Field+"/"+e.Rule)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(r, tt.read) {
				t.Errorf("read %+v, want %+v", r, tt.read)
			}
		})
	}
	// Not an object at all, not JSON, or more than one value: one answer
	// at once, as before.
	for _, tt := range []struct {
		body string
		want problem.Code
	}{
		{`[1, 2]`, problem.Invalid},
		{`"days"`, problem.Invalid},
		{`{"days": `, problem.Malformed},
		{`{"days": "x"} {"days": 2}`, problem.Malformed},
		{`{"days": "x", "days": 2}`, problem.Invalid}, // duplicate
	} {
		var r request
		f, err := decodeBytes([]byte(tt.body), &r)
		if pe, _ := problem.As(err); pe == nil || pe.Code != tt.want || len(f) != 0 {
			t.Errorf("%s answered %+v at once and %v, want %s at once", tt.body, pe, f, tt.want)
		}
	}
}
