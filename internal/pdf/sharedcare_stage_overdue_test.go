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
