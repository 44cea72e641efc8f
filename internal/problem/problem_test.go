package problem

import (
	"slices"
	"strings"
	"testing"
)

// A field that could not be read is named once, by why it could not be:
// later errors about it, or about anything inside it, judge the empty
// value it came out as and are dropped. Every other field's errors stay.
func TestFieldsDropErrorsAboutAFieldNotRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		notRead string     // a top-level field that could not be read
		why     FieldError // its decode error
		add     []string   // field/rule added after, by Add
		addAll  []string   // then by AddAll, as a validator returns them
		want    []string   // field/rule answered
	}{
		{"nothing unread", "", FieldError{}, []string{"name/required", "name/max_length"}, []string{"dose/positive"},
			[]string{"name/required", "name/max_length", "dose/positive"}},
		{"the unread field is named once", "days", FieldError{Field: "days", Rule: "type"},
			[]string{"days/required", "name/required"}, []string{"days/range"}, []string{"days/type", "name/required"}},
		{"nor anything inside it", "overrides", FieldError{Field: "overrides.rule", Rule: "type"},
			[]string{"overrides[0].rule/rule_id", "overrides/max_items", "overrides_note/required"}, []string{"overrides.reason/required"},
			[]string{"overrides.rule/type", "overrides_note/required"}},
		{"a key sent in another case", "Given_Name", FieldError{Field: "Given_Name", Rule: "type"},
			[]string{"given_name/required", "family_name/required"}, nil, []string{"Given_Name/type", "family_name/required"}},
		{"an unknown field hides nothing", "colour", FieldError{Field: "colour", Rule: "unknown_field"},
			[]string{"color/required"}, nil, []string{"colour/unknown_field", "color/required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f Fields
			if tt.notRead != "" {
				f.NotRead(tt.notRead, tt.why)
			}
			for _, a := range tt.add {
				field, rule, _ := strings.Cut(a, "/")
				f.Add(field, rule, "x")
			}
			var checked Fields
			for _, a := range tt.addAll {
				field, rule, _ := strings.Cut(a, "/")
				checked.Add(field, rule, "x")
			}
			f.AddAll(checked...)
			var got []string
			for _, e := range f {
				got = append(got, e.Field+"/"+e.Rule)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
			if f.Err() == nil {
				t.Errorf("Err() is nil")
			}
		})
	}
}

// What the store finds joins the request's own errors, but not about a
// field the request's are about already: its value was not read, or read
// as a default the store would judge instead of what was sent.
func TestMergeLeavesOutFieldsNamed(t *testing.T) {
	t.Parallel()
	var f Fields
	f.NotRead("overrides", FieldError{Field: "overrides.rule", Rule: "type"})
	f.Add("to", "dose", "x")
	f.Merge(FieldError{Field: "to", Rule: "positive"}, FieldError{Field: "overrides[0].rule", Rule: "rule_id"},
		FieldError{Field: "effective_date", Rule: "not_past"}, FieldError{Field: "effective_date", Rule: "after_start"})
	var got []string
	for _, e := range f {
		got = append(got, e.Field+"/"+e.Rule)
	}
	want := []string{"overrides.rule/type", "to/dose", "effective_date/not_past", "effective_date/after_start"}
	if !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}
