package pdf

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// The dose changes have a Stage column when the rows name stages, with a
// stage changed alone beside the same dose, and still fit the page with
// the widest doses (the combination product); rows naming no stage leave
// the column out.
func TestSummaryStageColumn(t *testing.T) {
	t.Parallel()
	v := summaryFixture()
	v.Titrations = []TitrationRow{
		{Date: calendar.MustParse("2024-09-01"), From: "—", To: "12 mg/3 mg", Stage: "Titration", Reason: "Starting dose", Prescriber: "Dr Ayodele Okafor"},
		{Date: calendar.MustParse("2024-09-08"), From: "12 mg/3 mg", To: "16 mg/4 mg", Stage: "Titration", Reason: "Withdrawal symptoms in the evening",
			Prescriber: "Dr Ayodele Okafor"},
		{Date: calendar.MustParse("2024-10-06"), From: "16 mg/4 mg", To: "16 mg/4 mg", Stage: "Titration → maintenance", Reason: "Stable",
			Prescriber: "Siân Ó Briain (NMP)", Override: "M2: agreed at MDT"},
		{Date: calendar.MustParse("2025-03-10"), Planned: true, From: "16 mg/4 mg", To: "16 mg/4 mg", Stage: "Maintenance → reduction",
			Reason: "Wants to start reducing", Prescriber: "Dr Ayodele Okafor"},
	}
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	keepSummaryPDF(t, data)
	assertLaidOut(t, wordBoxes(t, data))
	// pdftotext -layout gives a cell's second line after the row's first.
	assertContains(t, pdfText(t, data, 0),
		"Date From To Stage Reason Prescriber Override",
		"1 Sep 2024 — 12 mg/3 mg Titration Starting dose",
		"6 Oct 2024 16 mg/4 mg 16 mg/4 mg Titration → Stable Siân Ó Briain M2: agreed at maintenance (NMP) MDT",
		"10 Mar 2025 16 mg/4 mg 16 mg/4 mg Maintenance Wants to start reducing Dr Ayodele Okafor — (planned) → reduction")

	data, err = SharedCareSummary(summaryFixture(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, data, 0)
	assertContains(t, text, "Date From To Reason Prescriber Override")
	if strings.Contains(text, "Stage") {
		t.Errorf("letter without stages has a Stage column: %s", text)
	}
}

// A review due before the letter's date is marked overdue; one due on it
// or later, or undated, is not.
func TestReviewDueText(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-11-18")
	for _, tt := range []struct {
		due  string
		want string
	}{
		{"2026-10-16", "16 Oct 2026 — overdue"},
		{"2026-11-17", "17 Nov 2026 — overdue"},
		{"2026-11-18", "18 Nov 2026"},
		{"2027-02-18", "18 Feb 2027"},
		{"", "—"},
	} {
		var due calendar.Date
		if tt.due != "" {
			due = calendar.MustParse(tt.due)
		}
		if got := (ReviewRow{Due: due}).dueText(today); got != tt.want {
			t.Errorf("dueText(%q) = %q, want %q", tt.due, got, tt.want)
		}
	}
}

// A review already due on the letter's date is marked overdue in the
// letter's review table; one still to come is not.
func TestSummaryMarksOverdueReviews(t *testing.T) {
	t.Parallel()
	v := summaryFixture()
	v.Reviews = []ReviewRow{
		{Who: "Specialist service", What: "Review of the treatment while the service prescribes: at least every 3 months", Due: calendar.MustParse("2025-01-06")},
		{Who: "GP practice", What: "Prescribing review", Due: calendar.MustParse("2025-03-03")},
	}
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	keepSummaryPDF(t, data)
	assertLaidOut(t, wordBoxes(t, data))
	text := pdfText(t, data, 0)
	assertContains(t, text, "at least every 6 Jan 2025 — overdue 3 months", "Prescribing review 3 Mar 2025")
	if strings.Contains(text, "3 Mar 2025 — overdue") {
		t.Errorf("a review due on the letter's date is marked overdue: %s", text)
	}
}
