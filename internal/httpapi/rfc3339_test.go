package httpapi

import (
	"testing"
	"time"
)

// RFC 3339 §5.6 allows a lowercase "t" and "z", and offsets of hours 00-23
// and minutes 00-59, which Go's time.Parse does not check.
func TestParseRFC3339(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "2026-12-03T06:00:00Z", want: want},
		{in: "2026-12-03t06:00:00z", want: want},
		{in: "2026-12-03t06:00:00Z", want: want},
		{in: "2026-12-03T07:00:00+01:00", want: want},
		{in: "2026-12-03t07:00:00.5+01:00", want: want.Add(500 * time.Millisecond)},
		{in: "2026-12-03T19:59:00+23:59", want: time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)},
		{in: "2026-12-02T06:01:00-23:59", want: time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)},
		{in: "2026-12-03T07:00:00-00:00", want: time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)},
		{in: "2026-12-03T07:00:00+00:60", bad: true},
		{in: "2026-12-03T07:00:00+00:99", bad: true},
		{in: "2026-12-03T07:00:00+24:00", bad: true},
		{in: "2026-12-03T07:00:00-24:00", bad: true},
		{in: "2026-12-03T07:00:00+99:00", bad: true},
		{in: "2026-12-03t07:00:00.5+01:60", bad: true},
		{in: "2026-12-03 06:00:00Z", bad: true},
		{in: "2026-12-03T06:00:00", bad: true},
		{in: "2026-12-03x06:00:00z", bad: true},
		{in: "z", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseRFC3339(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("parseRFC3339(%q) = %s, want an error", tt.in, got)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("parseRFC3339(%q) = %s, %v, want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

// A dose record's occurred_at in lowercase is read as the time it is.
func TestLowercaseOccurredAt(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(54, "2026-03-02")
		c.Set(mustTime("2026-03-02T11:00:00Z"))
		ev := e.must(201, e.do("pharmacist", "POST", "/v1/instalments/"+e.instalmentOn(prID, "2026-03-02")+"/events",
			map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": "2026-03-02t10:00:00z"}))["event"].(map[string]any)
		if got, _ := time.Parse(time.RFC3339, ev["occurred_at"].(string)); !got.Equal(mustTime("2026-03-02T10:00:00Z")) {
			t.Fatalf("occurred_at = %v", ev["occurred_at"])
		}
	})
}

// An out-of-range offset is refused (422 date_time), not read as another
// time: "+00:60" was recorded as an hour earlier.
func TestOccurredAtOffsetOutOfRange(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, prID := e.dispensed(55, "2026-03-02")
		c.Set(mustTime("2026-03-02T11:00:00Z"))
		path := "/v1/instalments/" + e.instalmentOn(prID, "2026-03-02") + "/events"
		for _, at := range []string{"2026-03-02T10:00:00+00:60", "2026-03-02T10:00:00+24:00"} {
			fieldRule(t, e.do("pharmacist", "POST", path, map[string]any{"outcome": "supervised", "identity_confirmed": true, "occurred_at": at}),
				"occurred_at", "date_time")
		}
	})
}
