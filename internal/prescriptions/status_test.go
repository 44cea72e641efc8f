package prescriptions

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestCanTransition(t *testing.T) {
	t.Parallel()
	all := []Status{StatusDraft, StatusIssued, StatusCompleted, StatusExpired, StatusCancelled}
	allowed := map[[2]Status]bool{
		{StatusDraft, StatusIssued}:     true,
		{StatusDraft, StatusCancelled}:  true,
		{StatusIssued, StatusCompleted}: true,
		{StatusIssued, StatusExpired}:   true,
		{StatusIssued, StatusCancelled}: true,
	}
	for _, from := range all {
		for _, to := range append(all, "unknown") {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				t.Parallel()
				want := allowed[[2]Status{from, to}]
				if got := CanTransition(from, to); got != want {
					t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
				}
			})
		}
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s         Status
		wantValid bool
		wantLive  bool
	}{
		{StatusDraft, true, false},
		{StatusIssued, true, true},
		{StatusCompleted, true, false},
		{StatusExpired, true, false},
		{StatusCancelled, true, false},
		{"", false, false},
		{"Issued", false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			t.Parallel()
			if got := tt.s.Valid(); got != tt.wantValid {
				t.Errorf("Valid() = %v, want %v", got, tt.wantValid)
			}
			if got := tt.s.Live(); got != tt.wantLive {
				t.Errorf("Live() = %v, want %v", got, tt.wantLive)
			}
		})
	}
}

func TestEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start string
		days  int
		want  string // "" for the zero Date
	}{
		{"one day", "2026-03-02", 1, "2026-03-02"},
		{"fourteen days", "2026-03-23", 14, "2026-04-05"},
		{"over clock change", "2026-10-19", 7, "2026-10-25"},
		{"over year end", "2026-12-24", 14, "2027-01-06"},
		{"leap day", "2028-02-22", 8, "2028-02-29"},
		{"zero days", "2026-03-02", 0, ""},
		{"negative days", "2026-03-02", -2, ""},
		{"no start", "", 14, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var start calendar.Date
			if tt.start != "" {
				start = calendar.MustParse(tt.start)
			}
			got := End(start, tt.days)
			if (tt.want == "" && !got.IsZero()) || (tt.want != "" && got.String() != tt.want) {
				t.Errorf("End(%s, %d) = %s, want %q", tt.start, tt.days, got, tt.want)
			}
		})
	}
}

func TestSplitAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		start     string
		days      int
		from      string
		wantStart string
		wantDays  int
		wantOK    bool
	}{
		{"from first day moves everything", "2026-03-02", 14, "2026-03-02", "2026-03-02", 14, true},
		{"from second day", "2026-03-02", 14, "2026-03-03", "2026-03-03", 13, true},
		{"middle", "2026-03-02", 14, "2026-03-09", "2026-03-09", 7, true},
		{"last day", "2026-03-02", 14, "2026-03-15", "2026-03-15", 1, true},
		{"day after end", "2026-03-02", 14, "2026-03-16", "", 0, false},
		{"long after end", "2026-03-02", 14, "2026-06-01", "", 0, false},
		{"before start moves everything", "2026-03-02", 14, "2026-02-20", "2026-03-02", 14, true},
		{"across clock change", "2026-10-19", 14, "2026-10-25", "2026-10-25", 8, true},
		{"across year end", "2026-12-24", 14, "2027-01-01", "2027-01-01", 6, true},
		{"no days", "2026-03-02", 0, "2026-03-02", "", 0, false},
		{"no from date", "2026-03-02", 14, "", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var from calendar.Date
			if tt.from != "" {
				from = calendar.MustParse(tt.from)
			}
			gotStart, gotDays, gotOK := SplitAt(calendar.MustParse(tt.start), tt.days, from)
			if gotOK != tt.wantOK || gotDays != tt.wantDays {
				t.Fatalf("SplitAt = %s, %d, %v; want %s, %d, %v", gotStart, gotDays, gotOK, tt.wantStart, tt.wantDays, tt.wantOK)
			}
			if tt.wantOK && gotStart.String() != tt.wantStart {
				t.Errorf("remaining start = %s, want %s", gotStart, tt.wantStart)
			}
			if !tt.wantOK && !gotStart.IsZero() {
				t.Errorf("remaining start = %s, want zero", gotStart)
			}
			if tt.wantOK && !End(gotStart, gotDays).Equal(End(calendar.MustParse(tt.start), tt.days)) {
				t.Errorf("remaining part ends %s, original ends %s", End(gotStart, gotDays), End(calendar.MustParse(tt.start), tt.days))
			}
		})
	}
}

func TestNotCancellable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Status
		want string // "" when it may be cancelled
	}{
		{StatusDraft, ""},
		{StatusIssued, ""},
		{StatusCompleted, "prescription RX-000001 is completed: its last day has passed"},
		{StatusExpired, "prescription RX-000001 has expired: it passed its validity (L3) or its last day with nothing supplied"},
		{StatusCancelled, "prescription RX-000001 is cancelled and cannot be cancelled"},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			t.Parallel()
			got := NotCancellable(tt.s, "RX-000001")
			if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
				t.Errorf("NotCancellable(%s) = %q, want %q…", tt.s, got, tt.want)
			}
		})
	}
}
