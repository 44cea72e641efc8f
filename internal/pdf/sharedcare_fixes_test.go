package pdf

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
)

// keepSummaryPDF writes a document to DOSEBOOK_TEST_PDF_DIR, when set, so a
// person can look at it.
func keepSummaryPDF(t *testing.T, data []byte) {
	dir := os.Getenv("DOSEBOOK_TEST_PDF_DIR")
	if dir == "" {
		return
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")
	if err := os.WriteFile(filepath.Join(dir, name+".pdf"), data, 0o644); err != nil {
		t.Error(err)
	}
}

// switchedBuvidalFixture is a patient who had weekly Buvidal and moved to
// monthly within the period, with nothing dispensed by a pharmacy.
func switchedBuvidalFixture() SharedCareSummaryView {
	v := buvidalSummaryFixture()
	switchOn := calendar.MustParse("2025-01-08")
	v.Medicine = "Buvidal prolonged-release buprenorphine injection (monthly)"
	v.CurrentDose = "96 mg once monthly by subcutaneous injection"
	v.Stage = "Maintenance since 8 Jan 2025: a stable dose."
	v.Earlier = "Switched from weekly Buvidal 24 mg to monthly Buvidal 96 mg on 8 Jan 2025."
	v.InjectionsOnly = true
	v.NextInjection = "Due 5 Mar 2025; on time from 26 Feb 2025 to 12 Mar 2025 (the last injection was 96 mg of monthly Buvidal on 5 Feb 2025)."
	v.Supervision = "Each injection is given under the skin by a nurse or other healthcare professional at the specialist service."
	v.Chart.Injections, v.Injections = nil, nil
	for d := v.Chart.From.AddDays(3); d.Before(switchOn); d = d.AddDays(7) {
		v.Chart.Injections = append(v.Chart.Injections, ChartInjection{Date: d, DoseMg: 24})
		v.Injections = append(v.Injections, InjectionRow{Date: d, Product: "Weekly", Dose: "24 mg", Site: "Thigh (left)"})
	}
	for _, d := range []calendar.Date{switchOn, switchOn.AddDays(28)} {
		v.Chart.Injections = append(v.Chart.Injections, ChartInjection{Date: d, DoseMg: 96})
		v.Injections = append(v.Injections, InjectionRow{Date: d, Product: "Monthly", Dose: "96 mg", Site: "Buttock (right)"})
	}
	v.Chart.Switches = []ChartSwitch{{Date: switchOn, Label: "switched from weekly Buvidal 24 mg to monthly Buvidal 96 mg on 8 Jan 2025"}}
	v.Responsibilities = []Responsibility{
		{Party: "Specialist service", Duty: "Prescribes: decides and changes the dose and the product, and decides any extra dose."},
		{Party: "GP practice", Duty: "Gives each injection at the current dose and product within its window, 7 days either side of the due date, and records it in Dosebook."},
	}
	v.Reviews = []ReviewRow{
		{Who: "GP practice", What: "Prescribing review: at least every 3 months while the practice prescribes", Due: calendar.MustParse("2025-06-03")},
		{Who: "Specialist service", What: "Specialist review of the patient and of shared care: at least every 12 months", Due: calendar.MustParse("2026-03-03")},
	}
	v.Contacts = []Contact{{Role: "Specialist service", Name: "Leeds Recovery Service", Phone: "0113 496 0123"}}
	return v
}

// An injection patient's letter says when the next injection is due and
// how it is given, shows every injection with its product and the switch,
// and leaves out the pharmacy and prescription end, which do not apply.
func TestSummaryForInjectionsOnly(t *testing.T) {
	t.Parallel()
	v := switchedBuvidalFixture()
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	keepSummaryPDF(t, data)
	text := pdfText(t, data, 0)
	assertContains(t, text,
		"Treatment stage Maintenance since 8 Jan 2025: a stable dose.",
		"Earlier treatment "+v.Earlier,
		"Next injection "+v.NextInjection,
		"How it is given "+v.Supervision,
		"Dashed line — switched from weekly Buvidal 24 mg to monthly Buvidal 96 mg on 8 Jan 2025",
		"Date Product Dose Site", "Weekly 24 mg Thigh (left)", "8 Jan 2025 Monthly 96 mg Buttock (right)",
		"Who Review Due", "GP practice Prescribing review", "Specialist service Specialist review",
	)
	for _, absent := range []string{"Current prescription ends", "Kirkgate", "Supervision "} {
		if strings.Contains(text, absent) {
			t.Errorf("an injection-only letter has %q", absent)
		}
	}
	assertLaidOut(t, wordBoxes(t, data))
}

// A patient stopped from dispensing after missed days has it said in a
// box before anything else about the treatment.
func TestSummaryDispensingStoppedNotice(t *testing.T) {
	t.Parallel()
	v := summaryFixture()
	v.DispensingStopped = "Dispensing is currently stopped, since 1 Mar 2025: the patient went without the dose on 3 consecutive days (27 Feb 2025 to 1 Mar 2025)."
	v.Stage = "Planned reduction since 6 Oct 2024: the dose is lowered step by step, as the service decides."
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	keepSummaryPDF(t, data)
	page1 := pdfText(t, data, 1)
	assertContains(t, page1, "Current treatment "+v.DispensingStopped+" Medicine", "Treatment stage "+v.Stage,
		"Current prescription ends", "Supervision")
	assertLaidOut(t, wordBoxes(t, data))
}

// The chart's month labels carry the year on the first one printed and on
// each January, a part-month at the start is labelled when there is room,
// and the day counts on the right have a heading.
func TestChartMonthLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to string
		want     string // the month row, as pdftotext reads it
	}{
		{"within a year", "2025-06-10", "2025-12-10", "Jun 2025 Jul Aug Sep Oct Nov Dec Days"},
		{"across a year", "2025-09-15", "2026-03-15", "Sep 2025 Oct Nov Dec Jan 2026 Feb Mar Days"},
		{"a short first part-month", "2025-06-27", "2025-12-27", "Jun Jul 2025 Aug Sep Oct Nov Dec Days"},
		{"two days of the first month", "2025-12-30", "2026-06-30", "Dec Jan 2026 Feb Mar Apr May Jun Days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := summaryFixture()
			from, to := calendar.MustParse(tt.from), calendar.MustParse(tt.to)
			v.Chart = ChartData{From: from, To: to}
			for d, i := from, 0; !d.After(to); d, i = d.AddDays(1), i+1 {
				out := OutcomeSupervised
				if d.Weekday() == time.Sunday {
					out = OutcomeCollected
				}
				v.Chart.Days = append(v.Chart.Days, ChartDay{Date: d, DoseMg: 60, Outcome: out})
			}
			data, err := SharedCareSummary(v, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			keepSummaryPDF(t, data)
			assertContains(t, pdfText(t, data, 1), "0 mg "+tt.want+" Supervised")
			assertLaidOut(t, wordBoxes(t, data))
		})
	}
}

// Changes decided for later have their own row beside the current dose,
// and their rows in the dose-change table say they are planned.
func TestSummaryPlannedChanges(t *testing.T) {
	t.Parallel()
	v := summaryFixture()
	v.PlannedChanges = "70 mg (70 ml) once daily from 10 Mar 2025; then 60 mg (60 ml) once daily from 17 Mar 2025"
	v.Titrations = append(v.Titrations,
		TitrationRow{Date: calendar.MustParse("2025-03-10"), Planned: true, From: "80 mg", To: "70 mg", Reason: "Asked to reduce", Prescriber: "Dr Ayodele Okafor"})
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	keepSummaryPDF(t, data)
	text := pdfText(t, data, 0)
	assertContains(t, text, "Current dose "+v.CurrentDose+" Planned dose changes "+v.PlannedChanges, "10 Mar 2025 80 mg 70 mg Asked to reduce Dr Ayodele Okafor — (planned)")
	if strings.Count(text, "(planned)") != 1 {
		t.Errorf("%d rows marked planned, want 1\n%s", strings.Count(text, "(planned)"), text)
	}
	assertLaidOut(t, wordBoxes(t, data))
}

// A letter without drug screens says so under the heading.
func TestSummaryWithoutScreens(t *testing.T) {
	t.Parallel()
	v := summaryFixture()
	v.Screens, v.NoScreens = nil, "None recorded in the last 6 months."
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	keepSummaryPDF(t, data)
	assertContains(t, pdfText(t, data, 0), "Drug screens None recorded in the last 6 months. Risks and naloxone")
	assertLaidOut(t, wordBoxes(t, data))

	// With screens, the table alone.
	v = summaryFixture()
	v.NoScreens = "None recorded in the last 6 months."
	data, err = SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, data, 0); strings.Contains(text, "None recorded") || !strings.Contains(text, "Drug screens Date Sample Witnessed Results") {
		t.Errorf("screens listed and none said:\n%s", text)
	}
}

// A lane mark stays inside the lanes' frame: today's, the last day's, sits
// left of the right-hand line rather than on it, as the first day's sits
// right of the left-hand one; a day in between keeps its middle.
func TestChartMarksInsideTheFrame(t *testing.T) {
	t.Parallel()
	from := calendar.MustParse("2026-06-02")
	to := calendar.MustParse("2026-12-02")
	n := from.DaysUntil(to) + 1
	fr := chartFrame{from: from, px: 40, pw: 150, dayW: 150 / float64(n)}
	for _, w := range []float64{0.6, 1.8} {
		for _, d := range []calendar.Date{from, from.AddDays(1), from.AddDays(90), to.AddDays(-1), to} {
			x := fr.markX(d, w)
			if x-w/2 < fr.px+markInset-1e-9 || x+w/2 > fr.px+fr.pw-markInset+1e-9 {
				t.Errorf("%s, %.1f mm wide: mark from %.2f to %.2f, frame %.2f to %.2f", d, w, x-w/2, x+w/2, fr.px, fr.px+fr.pw)
			}
		}
		if mid := from.AddDays(90); fr.markX(mid, w) != fr.xOf(mid)+fr.dayW/2 {
			t.Errorf("%.1f mm wide: a mid-range day's mark moved", w)
		}
	}
}
