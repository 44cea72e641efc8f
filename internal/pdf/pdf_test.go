package pdf

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
)

var fixedTime = time.Date(2025, 2, 28, 9, 30, 0, 0, time.UTC)

// update rewrites the golden files: go test ./internal/pdf -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden pdftotext files in testdata/")

func testOptions() Options { return Options{CreatedAt: fixedTime, Compress: false} }

// Approved wording (clinical rule L7), exactly as the Home Office worded it.
var approvedWording = []string{
	"Please dispense instalments due on pharmacy closed days on a prior suitable day.",
	"If an instalment's collection day has been missed, please still dispense the amount due for any remaining day(s) of that instalment.",
	"Consult the prescriber if 3 or more consecutive days of a prescription have been missed.",
	"Supervise consumption on collection days.",
}

func testPatient() Patient {
	return Patient{
		Name:        "Zoë Łukasz-Nguyễn",
		Address:     "Flat 4 — Côte House\n12 Brûlée Street\nLeeds LS2 7QA",
		DateOfBirth: calendar.MustParse("1980-01-02"),
		NHSNumber:   "943 476 5919",
		Phone:       "0113 496 0000",
	}
}

// prescriptionFixture builds a prescription with n instalments from Sat 1
// Mar 2025. Saturday instalments cover Sunday (the pharmacy is closed), so
// no instalment falls on a Sunday.
func prescriptionFixture(n int) PrescriptionView {
	start := calendar.MustParse("2025-03-01")
	var rows []InstalmentRow
	day := start
	for len(rows) < n {
		r := InstalmentRow{Date: day, Supervised: "60 ml"}
		switch day.Weekday() {
		case time.Saturday:
			next := day.AddDays(1)
			r.DaysCovered = fmt.Sprintf("%s – %s", day.Format("Mon 2"), next.Format("Mon 2"))
			r.TakeHome = "60 ml"
			day = day.AddDays(2)
		default:
			r.DaysCovered = day.Format("Mon 2")
			day = day.AddDays(1)
		}
		rows = append(rows, r)
	}
	end := day.AddDays(-1)
	return PrescriptionView{
		Serial: "DB-2025-000417",
		Status: "issued",
		Service: Service{
			Name:    "Leeds Recovery Service — Opiate Substitution Clinic",
			Address: "Ground floor, £10 Building — 2 Wellington Street\nLeeds LS1 4DL",
			Phone:   "0113 496 0123",
		},
		Prescriber: Prescriber{
			Name:         "Dr Ayodele Okafor",
			Role:         "Specialist doctor",
			Registration: "GMC 1234567",
			Organisation: "Leeds Recovery Service — Opiate Substitution Clinic",
			Address:      "Ground floor, £10 Building — 2 Wellington Street\nLeeds LS1 4DL",
			Phone:        "0113 496 0123",
		},
		Patient:           testPatient(),
		Pharmacy:          Pharmacy{Name: "Kirkgate Pharmacy", Address: "3 Kirkgate, Leeds LS2 7DJ", Phone: "0113 496 0456"},
		Medicine:          "Methadone hydrochloride 1 mg/ml oral solution",
		Form:              "Oral solution (sugar-free)",
		Strength:          "1 mg/ml",
		Dose:              "60 mg (60 ml) once daily",
		TotalQuantity:     "840 (eight hundred and forty) millilitres",
		Interval:          "Daily instalments of 60 ml; Saturday's instalment is 120 ml (60 ml supervised, 60 ml take-home for Sunday)",
		Start:             start,
		End:               end,
		Instalments:       rows,
		Wording:           approvedWording,
		PrescriptionDate:  calendar.MustParse("2025-02-28"),
		FirstInstalmentBy: calendar.MustParse("2025-03-28"),
	}
}

// fortnightFixture is the fullest lawful FP10MDA in common use: 14 daily
// instalments (a pharmacy open every day) with every approved wording.
func fortnightFixture() PrescriptionView {
	v := prescriptionFixture(14)
	for i := range v.Instalments {
		d := v.Start.AddDays(i)
		v.Instalments[i] = InstalmentRow{Date: d, DaysCovered: d.Format("Mon 2 Jan"), Supervised: "60 ml"}
	}
	v.End = v.Start.AddDays(13)
	v.Interval = "Daily instalments of 60 ml. Consumption supervised at the pharmacy every day."
	v.Wording = append(slices.Clone(approvedWording), "Dispense daily doses in separate containers.")
	return v
}

func summaryFixture() SharedCareSummaryView {
	from := calendar.MustParse("2024-09-01")
	to := from.AddDays(182)
	var days []ChartDay
	dose := 30.0
	for d, i := from, 0; !d.After(to); d, i = d.AddDays(1), i+1 {
		if i > 0 && i%7 == 0 && dose < 80 {
			dose += 10
		}
		out := OutcomeSupervised
		switch {
		case i%37 == 11 || i%53 == 20:
			out = OutcomeMissed
		case i == 64 || i == 130:
			out = OutcomeWithheld
		case i > 90 && d.Weekday() == time.Sunday:
			out = OutcomeCollected
		case i > 120 && d.Weekday() == time.Wednesday:
			out = OutcomeCollected
		}
		days = append(days, ChartDay{Date: d, DoseMg: dose, Outcome: out})
	}
	return SharedCareSummaryView{
		ServiceName:         "Leeds Recovery Service — Opiate Substitution Clinic",
		ServiceAddress:      "Ground floor, £10 Building — 2 Wellington Street\nLeeds LS1 4DL",
		ServicePhone:        "0113 496 0123",
		Author:              "Dr Ayodele Okafor, Specialist doctor (GMC 1234567)",
		GPPractice:          GPPractice{Name: "Burley Park Medical Centre", Address: "273 Burley Road\nLeeds LS4 2EL"},
		Patient:             testPatient(),
		Date:                calendar.MustParse("2025-03-03"),
		Status:              StatusProposed,
		StatusDate:          calendar.MustParse("2025-02-24"),
		Medicine:            "Methadone hydrochloride 1 mg/ml oral solution (sugar-free)",
		CurrentDose:         "80 mg (80 ml) once daily",
		LastChange:          calendar.MustParse("2024-10-06"),
		LastPrescriptionEnd: calendar.MustParse("2025-03-14"),
		Chart:               ChartData{From: from, To: to, Days: days},
		Titrations: []TitrationRow{
			{Date: calendar.MustParse("2024-09-01"), From: "—", To: "30 mg", Reason: "Induction", Prescriber: "Dr Ayodele Okafor"},
			{Date: calendar.MustParse("2024-09-08"), From: "30 mg", To: "40 mg", Reason: "Withdrawal symptoms in the evening", Prescriber: "Dr Ayodele Okafor"},
			{Date: calendar.MustParse("2024-09-15"), From: "40 mg", To: "50 mg", Reason: "Continued use on top", Prescriber: "Siân Ó Briain (NMP)"},
			{Date: calendar.MustParse("2024-09-22"), From: "50 mg", To: "60 mg", Reason: "Cravings", Prescriber: "Siân Ó Briain (NMP)"},
			{Date: calendar.MustParse("2024-09-29"), From: "60 mg", To: "70 mg", Reason: "Cravings", Prescriber: "Dr Ayodele Okafor"},
			{Date: calendar.MustParse("2024-10-06"), From: "70 mg", To: "80 mg", Reason: "Stabilising; ECG booked", Prescriber: "Dr Ayodele Okafor", Override: "M2: 20 mg in 7 days agreed at MDT"},
		},
		Adherence: Adherence{Window: "last 12 weeks (9 Dec 2024 – 2 Mar 2025)", Due: 84, Supervised: 66, Collected: 15, Missed: 2, Withheld: 1, Percent: "96 %"},
		Screens: []ScreenRow{
			{Date: calendar.MustParse("2025-02-10"), Sample: "Oral fluid", Witnessed: true, Results: "Methadone positive; opiates, cocaine and benzodiazepines negative"},
			{Date: calendar.MustParse("2024-12-02"), Sample: "Urine", Witnessed: false, Results: "Methadone positive; cannabis positive"},
		},
		RiskFlags: []string{
			"Alcohol: drinks up to 20 units a week — advised not to drink before doses",
			"QTc 438 ms on ECG of 14 Oct 2024 (dose ≥ 100 mg would need a repeat ECG)",
		},
		Naloxone:    "Prenoxad 2 mg/2 ml kit supplied 10 Feb 2025; partner trained",
		Pharmacy:    Pharmacy{Name: "Kirkgate Pharmacy", Address: "3 Kirkgate, Leeds LS2 7DJ", Phone: "0113 496 0456"},
		Supervision: "Supervised Monday to Saturday; Sunday dose taken home",
		Keyworker:   "Siân Ó Briain — 0113 496 0150",
		Responsibilities: []Responsibility{
			{Party: "Specialist service", Duty: "Keywork and psychosocial support; drug screens; yearly specialist review; advice on request; takes prescribing back when asked."},
			{Party: "GP", Duty: "Prescribes the agreed dose on FP10MDA (no dose changes); reviews at least every 3 months; tells the service about new sedative medicines."},
			{Party: "Pharmacy", Duty: "Supervises consumption as prescribed; reports missed doses, intoxication and concerns to the prescriber."},
		},
		Reviews: []ReviewRow{
			{What: "GP medication review", Due: calendar.MustParse("2025-06-02")},
			{What: "Specialist shared care review", Due: calendar.MustParse("2026-03-02")},
		},
		HandBack: "Telephone the duty prescriber on 0113 496 0123 and send a task through the shared record; the service will resume prescribing from the end of the current prescription.",
		Contacts: []Contact{
			{Role: "Duty prescriber", Name: "Leeds Recovery Service", Phone: "0113 496 0123"},
			{Role: "Keyworker", Name: "Siân Ó Briain", Phone: "0113 496 0150"},
		},
	}
}

// tool finds a poppler binary. Locally its absence skips the test; in CI it
// fails it, so the text assertions never silently stop running.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pdfText extracts the text of a PDF (optionally of one page) with
// whitespace collapsed, so wrapped lines still match.
func pdfText(t *testing.T, data []byte, page int) string {
	t.Helper()
	bin := tool(t, "pdftotext")
	args := []string{"-layout", "-enc", "UTF-8"}
	if page > 0 {
		args = append(args, "-f", strconv.Itoa(page), "-l", strconv.Itoa(page))
	}
	args = append(args, writeTemp(t, data), "-")
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func pdfPages(t *testing.T, data []byte) int {
	t.Helper()
	bin := tool(t, "pdfinfo")
	out, err := exec.Command(bin, writeTemp(t, data)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func assertContains(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("text does not contain %q", w)
		}
	}
}

func TestPrescriptionText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rows  int
		copy  bool
		pages int
	}{
		{"fortnight", 12, false, 1},
		{"long schedule flows onto a continuation page", 40, false, 2},
		{"reprint", 12, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := prescriptionFixture(tt.rows)
			v.Copy = tt.copy
			data, err := Prescription(v, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, data, 0)
			assertContains(t, text,
				prescriptionTitle,
				"Zoë Łukasz-Nguyễn", "Flat 4 — Côte House", "£10 Building",
				"Date of birth: 2 Jan 1980", "943 476 5919",
				"Dr Ayodele Okafor", "GMC 1234567", "Specialist doctor",
				v.Medicine, v.Dose, v.Strength,
				"840 (eight hundred and forty) millilitres",
				"Kirkgate Pharmacy",
				"Sat 1 Mar 2025 to",
				"First instalment to be dispensed by", "28 Mar 2025", "28 Feb 2025",
				"Serial "+v.Serial,
			)
			assertContains(t, text, v.Interval)
			for _, w := range approvedWording {
				assertContains(t, text, w)
			}
			for _, r := range v.Instalments {
				assertContains(t, text, r.Date.Format("Mon 2 Jan 2006"))
			}
			if got := pdfPages(t, data); got != tt.pages {
				t.Errorf("pages = %d, want %d", got, tt.pages)
			}
			for p := 1; p <= tt.pages; p++ {
				assertContains(t, pdfText(t, data, p), fmt.Sprintf("Serial %s — page %d of %d", v.Serial, p, tt.pages))
			}
			if tt.pages > 1 {
				// The continuation page says what it continues.
				assertContains(t, pdfText(t, data, 2), "continuation", "Serial "+v.Serial, "Zoë Łukasz-Nguyễn", "Instalment date", "Take-home")
			}
			if hasCopy := strings.Contains(text, "COPY"); hasCopy != tt.copy {
				t.Errorf("COPY in text = %v, want %v", hasCopy, tt.copy)
			}
			if tt.copy {
				for p := 1; p <= tt.pages; p++ {
					assertContains(t, pdfText(t, data, p), copyBanner)
				}
			}
		})
	}
}

func TestSharedCareSummaryText(t *testing.T) {
	t.Parallel()
	v := summaryFixture()
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, data, 0)
	assertContains(t, text,
		"Zoë Łukasz-Nguyễn", "943 476 5919", "Date of birth: 2 Jan 1980",
		"Burley Park Medical Centre", "£10 Building",
		"Status: Proposed",
		v.Medicine, v.CurrentDose, "6 Oct 2024", "14 Mar 2025",
		"Supervised Monday to Saturday",
		"Siân Ó Briain — 0113 496 0150",
		// legend
		"Daily dose (mg)", "Supervised", "Collected (take-home)", "Missed", "Withheld",
		"80 mg",
		// adherence
		"96 %",
		v.Naloxone, v.HandBack,
		"Specialist shared care review", "2 Mar 2026",
		"Duty prescriber",
	)
	for _, r := range v.Titrations {
		assertContains(t, text, r.Date.Format("2 Jan 2006"), r.Reason)
	}
	assertContains(t, text, "M2: 20 mg in 7 days agreed at MDT")
	for _, s := range v.Screens {
		assertContains(t, text, s.Date.Format("2 Jan 2006"), s.Results)
	}
	for _, r := range v.RiskFlags {
		assertContains(t, text, r)
	}
	for _, r := range v.Responsibilities {
		assertContains(t, text, r.Party, r.Duty)
	}
	n := pdfPages(t, data)
	for p := 1; p <= n; p++ {
		assertContains(t, pdfText(t, data, p), fmt.Sprintf("page %d of %d", p, n))
	}
}

// The letter's opening says where shared care stands: a letter printed
// after acceptance, a decline or a hand-back must not read as a proposal.
func TestSummaryOpeningFollowsStatus(t *testing.T) {
	t.Parallel()
	on := calendar.MustParse("2025-03-03")
	tests := []struct {
		status, by, reason string
		box, want          string
	}{
		{StatusNotProposed, "", "", "Status: Not yet proposed",
			"Draft, not sent: shared care of the patient above has not yet been proposed to the practice. Prescribing stays with the specialist service"},
		{StatusProposed, "", "", "Status: Proposed",
			"We proposed on 3 Mar 2025 that prescribing for the patient above continues under shared care with your practice."},
		{StatusAccepted, "", "", "Status: Accepted",
			"Prescribing passed to the practice under shared care on 3 Mar 2025. This summary sets out"},
		{StatusDeclined, PartyPractice, "Not stable enough — missed doses.", "Status: Declined",
			"The practice declined shared care on 3 Mar 2025 (reason given: Not stable enough — missed doses). Prescribing stays with the specialist service"},
		{StatusHandedBack, PartyPractice, "Relapse", "Status: Handed back",
			"Shared care ended on 3 Mar 2025: the practice handed prescribing back to the specialist service (reason given: Relapse). The service prescribes from now on"},
		{StatusHandedBack, PartyService, "Dose increase needed", "Status: Handed back",
			"Shared care ended on 3 Mar 2025: the specialist service took prescribing back from the practice (reason given: Dose increase needed)."},
		{StatusWithdrawn, PartyService, "MDT", "Status: Withdrawn",
			"The specialist service withdrew its proposal of shared care on 3 Mar 2025 (reason given: MDT)."},
	}
	for _, tt := range tests {
		t.Run(tt.status+" by "+tt.by, func(t *testing.T) {
			t.Parallel()
			v := summaryFixture()
			v.Status, v.StatusBy, v.StatusReason = tt.status, tt.by, tt.reason
			if tt.status != StatusNotProposed {
				v.StatusDate = on
			}
			data, err := SharedCareSummary(v, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, data, 1)
			assertContains(t, text, tt.box, tt.want)
			if tt.status != StatusProposed && strings.Contains(text, "propose that") {
				t.Errorf("a %s letter proposes: %s", tt.status, text)
			}
		})
	}
	bad := summaryFixture()
	bad.Status = "pending"
	if _, err := SharedCareSummary(bad, testOptions()); err == nil {
		t.Error("an unknown status rendered")
	}
	bad.Status, bad.StatusBy = StatusHandedBack, ""
	if _, err := SharedCareSummary(bad, testOptions()); err == nil {
		t.Error("a hand-back by nobody rendered")
	}
}

// Once the service has ended the treatment, the opening says so, when and
// why, and that nobody prescribes it (or gives its injections) now,
// whatever became of shared care before: nobody takes anything on "from
// now on".
func TestSummaryOpeningAfterTheTreatmentEnded(t *testing.T) {
	t.Parallel()
	on, end := calendar.MustParse("2025-03-03"), calendar.MustParse("2025-03-10")
	tests := []struct {
		name                 string
		status, by           string
		endedSharedCare, inj bool
		want                 string
	}{
		{"the end closed shared care", StatusHandedBack, PartyService, true, false,
			"Shared care ended on 3 Mar 2025: the specialist service ended the treatment on 10 Mar 2025 (reason given: Moved away). " +
				"Nobody prescribes it now; this summary records the treatment as it was when it ended."},
		{"the end closed shared care, Buvidal", StatusHandedBack, PartyService, true, true,
			"Shared care ended on 3 Mar 2025: the specialist service ended the treatment on 10 Mar 2025 (reason given: Moved away). " +
				"Nobody gives the injections now;"},
		{"the end withdrew a proposal", StatusWithdrawn, PartyService, true, false,
			"The proposal of shared care was withdrawn on 3 Mar 2025: the specialist service ended the treatment on 10 Mar 2025"},
		{"handed back, then ended", StatusHandedBack, PartyPractice, false, false,
			"Shared care ended on 3 Mar 2025: the practice handed prescribing back to the specialist service (reason given: Relapse). " +
				"Then the specialist service ended the treatment on 10 Mar 2025 (reason given: Moved away). Nobody prescribes it now"},
		{"declined, then ended", StatusDeclined, PartyPractice, false, false,
			"The practice declined shared care on 3 Mar 2025 (reason given: Relapse). Then the specialist service ended the treatment"},
		{"never proposed", StatusNotProposed, "", false, false,
			"Draft, not sent: shared care of the patient above was not proposed to the practice. The specialist service ended the treatment on 10 Mar 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := summaryFixture()
			v.Status, v.StatusBy, v.StatusDate, v.StatusReason = tt.status, tt.by, on, "Relapse"
			if tt.status == StatusNotProposed {
				v.StatusDate = calendar.Date{}
			}
			v.TreatmentEnded, v.TreatmentEndReason, v.EndedSharedCare, v.PracticeGivesInjections = end, "Moved away", tt.endedSharedCare, tt.inj
			got, err := v.opening()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, tt.want) || strings.Contains(got, "from now on") || strings.Contains(got, "stays with") {
				t.Errorf("opening = %q\nwant it to hold %q", got, tt.want)
			}
		})
	}
}

// pdfLayout is pdftotext -layout's text of a PDF, pages separated by form
// feeds, as the golden files hold it.
func pdfLayout(t *testing.T, data []byte) string {
	t.Helper()
	out, err := exec.Command(tool(t, "pdftotext"), "-layout", "-enc", "UTF-8", writeTemp(t, data), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// pageSizes is pdfinfo's size line of every page.
func pageSizes(t *testing.T, data []byte) []string {
	t.Helper()
	n := pdfPages(t, data)
	out, err := exec.Command(tool(t, "pdfinfo"), "-f", "1", "-l", strconv.Itoa(n), writeTemp(t, data)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	var sizes []string
	for _, m := range regexp.MustCompile(`(?m)^Page\s+\d+ size:\s+(.+)$`).FindAllSubmatch(out, -1) {
		sizes = append(sizes, strings.TrimSpace(string(m[1])))
	}
	if len(sizes) != n {
		t.Fatalf("pdfinfo gave %d page sizes for %d pages:\n%s", len(sizes), n, out)
	}
	return sizes
}

// Both documents are A4 portrait on every page (issue 5, PDF quality).
func TestA4(t *testing.T) {
	t.Parallel()
	for name, fn := range map[string]func() ([]byte, error){
		"prescription":              func() ([]byte, error) { return Prescription(fortnightFixture(), testOptions()) },
		"prescription continuation": func() ([]byte, error) { return Prescription(prescriptionFixture(40), testOptions()) },
		"summary":                   func() ([]byte, error) { return SharedCareSummary(summaryFixture(), testOptions()) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := fn()
			if err != nil {
				t.Fatal(err)
			}
			for i, size := range pageSizes(t, data) {
				if size != "595.28 x 841.89 pts (A4)" {
					t.Errorf("page %d size %q, want A4 portrait", i+1, size)
				}
			}
		})
	}
}

// The golden files hold the text of each document from fixed fixtures,
// laid out as pdftotext -layout reads it, so any change to what is printed
// or where shows in review. Regenerate with -update and read the diff.
func TestGolden(t *testing.T) {
	t.Parallel()
	copyV := fortnightFixture()
	copyV.Copy = true
	accepted := summaryFixture()
	accepted.Status, accepted.StatusDate = StatusAccepted, calendar.MustParse("2025-03-03")
	for name, fn := range map[string]func() ([]byte, error){
		"prescription":                 func() ([]byte, error) { return Prescription(fortnightFixture(), testOptions()) },
		"prescription-copy":            func() ([]byte, error) { return Prescription(copyV, testOptions()) },
		"prescription-continuation":    func() ([]byte, error) { return Prescription(continuationFixture(), testOptions()) },
		"shared-care-summary":          func() ([]byte, error) { return SharedCareSummary(summaryFixture(), testOptions()) },
		"shared-care-summary-accepted": func() ([]byte, error) { return SharedCareSummary(accepted, testOptions()) },
		"shared-care-summary-buvidal":  func() ([]byte, error) { return SharedCareSummary(buvidalSummaryFixture(), testOptions()) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := fn()
			if err != nil {
				t.Fatal(err)
			}
			got := pdfLayout(t, data)
			path := filepath.Join("testdata", name+".golden.txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/pdf -run Golden -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s; if the change is meant, rerun with -update and review the diff.\n%s",
					name, path, firstDiff(string(want), got))
			}
		})
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, wl, gl)
		}
	}
	return ""
}

// continuationFixture has more instalments than one page holds. No lawful
// FP10MDA does (L6 caps it at 14 days, which the prescriptions package
// enforces), but the renderer lays out whatever it is given, so the
// continuation must be right if it ever happens.
func continuationFixture() PrescriptionView {
	v := fortnightFixture()
	v.Instalments = nil
	for i := range 42 {
		d := v.Start.AddDays(i)
		v.Instalments = append(v.Instalments, InstalmentRow{Date: d, DaysCovered: d.Format("Mon 2 Jan"), Supervised: "60 ml"})
	}
	v.End = v.Start.AddDays(41)
	v.TotalQuantity = "2520 (two thousand five hundred and twenty) millilitres"
	return v
}

// The fullest common FP10MDA — 14 daily instalments, every approved
// wording — is one page with its signature: a signature box alone on a
// second page is not what a pharmacist expects to see signed.
func TestFortnightFitsOnePage(t *testing.T) {
	t.Parallel()
	data, err := Prescription(fortnightFixture(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if n := pdfPages(t, data); n != 1 {
		t.Fatalf("a 14-day daily prescription takes %d pages", n)
	}
	assertContains(t, pdfText(t, data, 1), "PRESCRIBER'S SIGNATURE", "Dispense daily doses in separate containers.", "Serial DB-2025-000417 — page 1 of 1")
}

// A schedule that does not fit flows onto a continuation page that names
// the serial and the patient, repeats the table header above the rows it
// continues, and numbers the pages "page N of M"; no instalment is lost or
// printed twice, and the signature comes once, on page 1 with the medicine.
func TestContinuationPage(t *testing.T) {
	t.Parallel()
	v := continuationFixture()
	data, err := Prescription(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimSuffix(pdfLayout(t, data), "\f"), "\f")
	n := len(pages)
	if got := pdfPages(t, data); n < 2 || got != n {
		t.Fatalf("%d instalments: %d pages (pdfinfo %d); want a continuation page", len(v.Instalments), n, got)
	}
	header := regexp.MustCompile(`(?m)^\s*Instalment date\s+Days covered\s+Supervised\s+Take-home\s+Pharmacy record\s*$`)
	rowAt := map[string]int{} // instalment date → page
	for i, page := range pages {
		p := i + 1
		flat := strings.Join(strings.Fields(page), " ")
		assertContains(t, flat, fmt.Sprintf("Serial %s — page %d of %d", v.Serial, p, n))
		if p > 1 {
			assertContains(t, flat, "FP10MDA-style instalment prescription — continuation", "Serial "+v.Serial,
				"Zoë Łukasz-Nguyễn — DOB 2 Jan 1980 — NHS 943 476 5919")
		}
		rows := 0
		for _, r := range v.Instalments {
			row := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(dayDate(r.Date)) + `\s+` + regexp.QuoteMeta(r.DaysCovered) + `\s+60 ml`)
			for range row.FindAllStringIndex(page, -1) {
				if prev, dup := rowAt[dayDate(r.Date)]; dup {
					t.Errorf("instalment %s printed on page %d and again on page %d", dayDate(r.Date), prev, p)
				}
				rowAt[dayDate(r.Date)] = p
				rows++
			}
		}
		// Wherever rows are, the header is above them.
		if rows > 0 {
			h := header.FindStringIndex(page)
			first := regexp.MustCompile(`(?m)^\s*\w{3} \d+ \w{3} 2025\s+\w{3} \d+ \w{3}\s+60 ml`).FindStringIndex(page)
			if h == nil || first == nil || h[0] > first[0] {
				t.Errorf("page %d: %d instalment rows without the table header above them", p, rows)
			}
		}
		// Signed on the sheet that states the medicine, dose and total.
		if got := strings.Count(flat, "PRESCRIBER'S SIGNATURE"); (p == 1) != (got == 1) || got > 1 {
			t.Errorf("page %d has %d signature boxes; want one, on page 1", p, got)
		}
	}
	for _, r := range v.Instalments {
		if _, ok := rowAt[dayDate(r.Date)]; !ok {
			t.Errorf("instalment %s is missing", dayDate(r.Date))
		}
	}
	if rowAt[dayDate(v.Instalments[len(v.Instalments)-1].Date)] < 2 {
		t.Error("the table does not continue on page 2")
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	render := map[string]func() ([]byte, error){
		"prescription": func() ([]byte, error) { return Prescription(prescriptionFixture(40), testOptions()) },
		"copy": func() ([]byte, error) {
			v := prescriptionFixture(12)
			v.Copy = true
			return Prescription(v, testOptions())
		},
		"summary": func() ([]byte, error) { return SharedCareSummary(summaryFixture(), testOptions()) },
	}
	for name, fn := range render {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := fn()
			if err != nil {
				t.Fatal(err)
			}
			b, err := fn()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Fatal("two renderings of the same input differ")
			}
			if !bytes.Contains(a, []byte("D:20250228093000")) {
				t.Error("creation date is not Options.CreatedAt")
			}
		})
	}
}

// Documents share the parsed fonts and the font bytes (see loadFonts), so
// rendering many at once must give exactly what rendering them one by one
// gives, and must leave the font bytes as embedded. Run with -race.
func TestConcurrentRenderingMatchesSerial(t *testing.T) {
	t.Parallel()
	names := []string{
		"Zoë Łukasz-Nguyễn",
		"Αλέξανδρος Παπαδόπουλος",
		"Анна Сергеевна Иванова",
		"Siân Ó Briain",
	}
	var render []func() ([]byte, error)
	for i, name := range names {
		for _, compress := range []bool{false, true} {
			o := Options{CreatedAt: fixedTime, Compress: compress}
			v := prescriptionFixture(12 + 14*i)
			v.Patient.Name = name
			s := summaryFixture()
			s.Patient.Name = name
			render = append(render,
				func() ([]byte, error) { return Prescription(v, o) },
				func() ([]byte, error) { return SharedCareSummary(s, o) },
			)
		}
	}
	want := make([][]byte, len(render))
	for i, fn := range render {
		data, err := fn()
		if err != nil {
			t.Fatal(err)
		}
		want[i] = data
	}

	const rounds = 4
	got := make([][]byte, rounds*len(render))
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = render[i%len(render)]()
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("document %d: %v", i%len(render), errs[i])
		}
		if !bytes.Equal(got[i], want[i%len(render)]) {
			t.Errorf("document %d rendered concurrently differs from its serial rendering", i%len(render))
		}
	}

	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for name, shared := range map[string][]byte{"fonts/DejaVuSans.ttf": fs.regular, "fonts/DejaVuSans-Bold.ttf": fs.bold} {
		embedded, err := fontFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(shared, embedded) {
			t.Errorf("%s: rendering changed the shared font bytes", name)
		}
	}
}

func TestCompressOption(t *testing.T) {
	t.Parallel()
	plain, err := Prescription(prescriptionFixture(12), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	packed, err := Prescription(prescriptionFixture(12), Options{CreatedAt: fixedTime, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(packed) >= len(plain) {
		t.Errorf("compressed %d bytes, uncompressed %d", len(packed), len(plain))
	}
}

func TestRejectsBadInput(t *testing.T) {
	t.Parallel()
	noSerial := prescriptionFixture(3)
	noSerial.Serial = " "
	badChart := summaryFixture()
	badChart.Chart.Days[3].Outcome = "lost"
	noName := summaryFixture()
	noName.Patient.Name = ""
	tests := []struct {
		name string
		fn   func() ([]byte, error)
	}{
		{"prescription without serial", func() ([]byte, error) { return Prescription(noSerial, testOptions()) }},
		{"unknown chart outcome", func() ([]byte, error) { return SharedCareSummary(badChart, testOptions()) }},
		{"summary without patient", func() ([]byte, error) { return SharedCareSummary(noName, testOptions()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := tt.fn(); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

// Characters outside gofpdf's 16-bit width table must not panic.
func TestAstralCharacters(t *testing.T) {
	t.Parallel()
	v := prescriptionFixture(3)
	v.Patient.Name = "Zoë 🙂 Łukasz-Nguyễn"
	if _, err := Prescription(v, testOptions()); err != nil {
		t.Fatal(err)
	}
}

// Sparse and empty documents still render.
func TestMinimalDocuments(t *testing.T) {
	t.Parallel()
	if _, err := Prescription(PrescriptionView{Serial: "X1", Patient: Patient{Name: "Zoë"}}, testOptions()); err != nil {
		t.Fatal(err)
	}
	if _, err := SharedCareSummary(SharedCareSummaryView{Patient: Patient{Name: "Zoë"}}, testOptions()); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkPrescription(b *testing.B) {
	v := prescriptionFixture(12)
	o := testOptions()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Prescription(v, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSharedCareSummary(b *testing.B) {
	v := summaryFixture()
	o := testOptions()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SharedCareSummary(v, o); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteSamples writes the fixtures to DOSEBOOK_PDF_SAMPLES (a directory)
// for looking at them; it does nothing otherwise.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("DOSEBOOK_PDF_SAMPLES")
	if dir == "" {
		t.Skip("set DOSEBOOK_PDF_SAMPLES to a directory to write sample PDFs")
	}
	copyV := prescriptionFixture(40)
	copyV.Copy = true
	for name, fn := range map[string]func() ([]byte, error){
		"prescription.pdf":      func() ([]byte, error) { return Prescription(prescriptionFixture(12), testOptions()) },
		"prescription-long.pdf": func() ([]byte, error) { return Prescription(prescriptionFixture(40), testOptions()) },
		"prescription-copy.pdf": func() ([]byte, error) { return Prescription(copyV, testOptions()) },
		"summary.pdf":           func() ([]byte, error) { return SharedCareSummary(summaryFixture(), testOptions()) },
	} {
		data, err := fn()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A prescription across a dose change states each dose with its days (L2):
// the longer dose and instalment lines wrap in their rows, and a fortnight
// still fits one page with its signature.
func TestPrescriptionAcrossADoseChange(t *testing.T) {
	t.Parallel()
	v := fortnightFixture()
	v.Dose = "60 mg (60 ml) daily from 1 Mar 2025 to 3 Mar 2025, then 65 mg (65 ml) daily from 4 Mar 2025 to 9 Mar 2025, then 70 mg (70 ml) daily from 10 Mar 2025"
	v.Interval = "Daily instalments of 60 ml from 1 Mar 2025 to 3 Mar 2025, then 65 ml from 4 Mar 2025 to 9 Mar 2025, then 70 ml from 10 Mar 2025. Consumption supervised at the pharmacy every day."
	data, err := Prescription(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if n := pdfPages(t, data); n != 1 {
		t.Fatalf("%d pages", n)
	}
	assertContains(t, pdfText(t, data, 1), v.Dose, v.Interval, "PRESCRIBER'S SIGNATURE")
}

// A GP prescribing under shared care is printed at the practice (L1): the
// prescription belongs to the service, which is not the prescriber's
// address.
func TestGPPrescriberAddress(t *testing.T) {
	t.Parallel()
	v := fortnightFixture()
	v.Prescriber = Prescriber{Name: "Dr Owen Price", Role: "GP (shared care)", Registration: "GMC 6098765",
		Organisation: "Burley Park Medical Centre", Address: "273 Burley Road\nLeeds LS4 2EL", Phone: "0113 230 4111", DirectLine: "0113 230 4112"}
	data, err := Prescription(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, data, 0)
	assertContains(t, text, "Dr Owen Price", "GP (shared care) — GMC 6098765", "Burley Park Medical Centre", "273 Burley Road",
		"Leeds LS4 2EL", "Tel 0113 230 4111", "Direct line 0113 230 4112")
	for _, s := range []string{v.Service.Name, "Wellington Street", v.Service.Phone} {
		if strings.Contains(text, s) {
			t.Errorf("the GP's prescription prints the service's %q", s)
		}
	}
}

// bboxWord is one word pdftotext -bbox found, in points from the top left.
type bboxWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

// bboxPage is one page's size and words.
type bboxPage struct {
	width, height float64
	words         []bboxWord
}

// wordBoxes reads where every word of a PDF is printed.
func wordBoxes(t *testing.T, data []byte) []bboxPage {
	t.Helper()
	out, err := exec.Command(tool(t, "pdftotext"), "-bbox", "-enc", "UTF-8", writeTemp(t, data), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	num := func(s string) float64 {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("pdftotext -bbox: %q: %v", s, err)
		}
		return f
	}
	pageRe := regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	wordRe := regexp.MustCompile(`<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>`)
	var pages []bboxPage
	for _, chunk := range strings.Split(string(out), "</page>") {
		m := pageRe.FindStringSubmatch(chunk)
		if m == nil {
			continue
		}
		p := bboxPage{width: num(m[1]), height: num(m[2])}
		for _, w := range wordRe.FindAllStringSubmatch(chunk, -1) {
			text := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'").Replace(w[5])
			p.words = append(p.words, bboxWord{text, num(w[1]), num(w[2]), num(w[3]), num(w[4])})
		}
		pages = append(pages, p)
	}
	return pages
}

// line is the words of a page whose middle is between y0 and y1 points
// from the top, left to right.
func (p bboxPage) line(y0, y1 float64) []bboxWord {
	var out []bboxWord
	for _, w := range p.words {
		if mid := (w.yMin + w.yMax) / 2; mid >= y0 && mid <= y1 {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b bboxWord) int { return cmp.Compare(a.xMin, b.xMin) })
	return out
}

func lineText(ws []bboxWord) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.text)
	}
	return strings.Join(s, " ")
}

const ptPerMM = 72 / 25.4

// assertLaidOut checks that every word is inside the page's margins and
// that no two words overlap.
func assertLaidOut(t *testing.T, pages []bboxPage) {
	t.Helper()
	const slack = 0.5 // points
	for i, p := range pages {
		for j, a := range p.words {
			if a.xMin < marginL*ptPerMM-slack || a.xMax > p.width-marginR*ptPerMM+slack || a.yMin < 0 || a.yMax > p.height {
				t.Errorf("page %d: %q at x %.1f–%.1f, y %.1f–%.1f is outside the margins", i+1, a.text, a.xMin, a.xMax, a.yMin, a.yMax)
			}
			for _, b := range p.words[j+1:] {
				if a.xMin < b.xMax-slack && b.xMin < a.xMax-slack && a.yMin < b.yMax-slack && b.yMin < a.yMax-slack {
					t.Errorf("page %d: %q and %q overlap", i+1, a.text, b.text)
				}
			}
		}
	}
}

// Names as long as the API allows (100 + 100 characters) are shortened in
// the one-line page headers and footers, which keep the date of birth, the
// NHS number and the page label; nothing leaves the page or overprints.
func TestLongNamesFitTheirPages(t *testing.T) {
	t.Parallel()
	names := map[string]string{
		"60 characters":  "Zoë Alexandra Marguerite Łukasz-Nguyễn Fitzwilliam-Ó Súilleab",
		"100 characters": "Zoë Alexandra Marguerite Philippa Łukasz-Nguyễn Fitzwilliam-Ó Súilleabháin Montgomery-Wellesley Chol",
		"201 characters": strings.Repeat("Wolfeschlegelsteinhausenbergerdorff ", 2) + "Zoë " + strings.Repeat("Ó Súilleabháin-Nguyễn ", 5) + "Łukasz-Montgome",
		"no spaces":      strings.Repeat("Ł", 100) + " " + strings.Repeat("W", 100),
	}
	for label, name := range names {
		if n := len([]rune(name)); n < 60 || n > 201 {
			t.Fatalf("%s: %d characters", label, n)
		}
		t.Run(label, func(t *testing.T) {
			t.Parallel()
			s := summaryFixture()
			s.Patient.Name = name
			summary, err := SharedCareSummary(s, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			rx := prescriptionFixture(40) // flows onto a continuation page
			rx.Patient.Name = name
			prescription, err := Prescription(rx, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			const footerTop = (pageH - 14) * ptPerMM
			for doc, data := range map[string][]byte{"summary": summary, "prescription": prescription} {
				pages := wordBoxes(t, data)
				if len(pages) < 2 {
					t.Fatalf("%s: %d pages; the test wants a second page", doc, len(pages))
				}
				assertLaidOut(t, pages)
				for i, p := range pages {
					footer := p.line(footerTop, p.height)
					label := fmt.Sprintf("page %d of %d", i+1, len(pages))
					if !strings.Contains(lineText(footer), label) {
						t.Errorf("%s page %d: footer %q lacks %q", doc, i+1, lineText(footer), label)
					}
					if doc != "summary" {
						continue
					}
					assertContains(t, lineText(footer), "DOB 2 Jan 1980 — NHS number 943 476 5919")
					if i > 0 {
						header := p.line(0, marginT*ptPerMM+3*ptPerMM)
						assertContains(t, lineText(header), "Shared care summary (continued)", "DOB 2 Jan 1980 — NHS number 943 476 5919")
					}
				}
				if doc == "prescription" {
					// The continuation strip: title, then the patient, beside the serial.
					assertContains(t, lineText(pages[1].line(0, (marginT+11)*ptPerMM)), "continuation", "Serial "+rx.Serial)
					assertContains(t, lineText(pages[1].line((marginT+6)*ptPerMM, (marginT+11)*ptPerMM)), "DOB 2 Jan 1980 — NHS 943 476 5919")
				}
			}
		})
	}
}

// pageTexts is each page's text in pdftotext's reading order, for finding
// what shares a page.
func pageTexts(pages []bboxPage) []string {
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = lineText(p.words)
	}
	return out
}

// The signature is never alone on a page: however much precedes it, the
// summary's closing signature shares its page with the contacts, and the
// prescription's signature box with the wording it signs (or, without
// wording, with the schedule's last instalment).
func TestSignatureKeptWithWhatPrecedesIt(t *testing.T) {
	t.Parallel()
	t.Run("summary", func(t *testing.T) {
		t.Parallel()
		base := summaryFixture()
		lastContact := base.Contacts[len(base.Contacts)-1]
		for extra := range 30 {
			v := summaryFixture()
			for i := range extra {
				v.Screens = append(v.Screens, ScreenRow{Date: v.Date.AddDays(-7 * (i + 20)), Sample: "Urine", Results: "Methadone positive"})
			}
			data, err := SharedCareSummary(v, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			for i, text := range pageTexts(wordBoxes(t, data)) {
				if strings.Contains(text, "On behalf of the specialist service:") && !strings.Contains(text, lastContact.Role+" "+lastContact.Name) {
					t.Errorf("%d more screens: the signature is on page %d without the contacts: %s", extra, i+1, text)
				}
			}
		}
	})
	t.Run("prescription", func(t *testing.T) {
		t.Parallel()
		for rows := 10; rows <= 40; rows++ {
			for _, wording := range []bool{true, false} {
				v := prescriptionFixture(rows)
				if !wording {
					v.Wording = nil
				}
				data, err := Prescription(v, testOptions())
				if err != nil {
					t.Fatal(err)
				}
				want := "Instructions to the pharmacist"
				if !wording {
					want = dayDate(v.Instalments[len(v.Instalments)-1].Date)
				}
				for i, text := range pageTexts(wordBoxes(t, data)) {
					if strings.Contains(text, "PRESCRIBER'S SIGNATURE") && !strings.Contains(text, want) {
						t.Errorf("%d instalments, wording %v: the signature is on page %d without %q", rows, wording, i+1, want)
					}
				}
			}
		}
	})
}

// buvidalSummaryFixture is a weekly Buvidal patient's summary: 16 mg, then
// 24 mg, an additional 8 mg dose the day after one injection, and no
// dispensing.
func buvidalSummaryFixture() SharedCareSummaryView {
	v := summaryFixture()
	from, to := v.Chart.From, v.Chart.To
	v.Medicine = "Buvidal prolonged-release buprenorphine injection (weekly)"
	v.CurrentDose = "24 mg once weekly by subcutaneous injection"
	v.Supervision = "Injections are given by a healthcare professional at the service (BV2); nothing is dispensed to take home."
	v.Adherence = Adherence{}
	v.Titrations = nil
	v.Chart = ChartData{From: from, To: to, Injectable: true}
	v.Injections = nil
	for d, i := from.AddDays(3), 0; !d.After(to); d, i = d.AddDays(7), i+1 {
		dose, label := 16.0, "16 mg"
		if i >= 4 {
			dose, label = 24, "24 mg"
		}
		v.Chart.Injections = append(v.Chart.Injections, ChartInjection{Date: d, DoseMg: dose})
		v.Injections = append(v.Injections, InjectionRow{Date: d, Dose: label, Site: "Abdomen (left)"})
		if i == 2 {
			v.Chart.Injections = append(v.Chart.Injections, ChartInjection{Date: d.AddDays(1), DoseMg: 8, Extra: true})
			v.Injections = append(v.Injections, InjectionRow{Date: d.AddDays(1), Dose: "8 mg (additional dose)", Site: "Thigh (right)"})
		}
	}
	return v
}

// An injectable regime's chart shows each injection, labelled with its
// dose and date, not a daily dose and pharmacy attendance.
func TestInjectionChart(t *testing.T) {
	t.Parallel()
	v := buvidalSummaryFixture()
	data, err := SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	page1 := pdfText(t, data, 1)
	assertContains(t, page1, "Injections, 1 Sep 2024 to 2 Mar 2025", "Injection (label: dose in mg)", "Additional dose (between regular doses)",
		"4 Sep", "11 Sep", "26 Feb") // the first, second and last injections' dates
	for _, absent := range []string{"Daily dose (mg)", "Dose and pharmacy attendance", "Collected (take-home)", "Withheld"} {
		if strings.Contains(page1, absent) {
			t.Errorf("the injection chart has %q", absent)
		}
	}
	// Each regular injection's dose is labelled; the additional dose a day
	// after the third shares its label room and is in the table.
	if got := strings.Count(page1, "16"); got < 4 {
		t.Errorf("%d labels of 16 mg", got)
	}
	assertLaidOut(t, wordBoxes(t, data))

	// An injectable with no injections in the period has no chart.
	v.Chart.Injections = nil
	data, err = SharedCareSummary(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, data, 0); strings.Contains(text, "Injection (label") {
		t.Error("a chart without injections")
	}
}
