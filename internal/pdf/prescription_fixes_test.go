package pdf

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The longest patient name the API takes (100 + 100 characters) and a long
// address, as the worst-case prescription carries them.
const (
	longPatientName = "Zoë Alexandra Marguerite Philippa Łukasz-Nguyễn Fitzwilliam-Ó Súilleabháin Montgomery-Wellesley Chol" +
		" Wolfeschlegelsteinhausenbergerdorff-Łukasz-Nguyễn Ó Súilleabháin Montgomery-Wellesley Fitzwilliam Zo"
	longPatientAddress = "Flat 14 — Côte House, Bishopsgate Mews (rear entrance, ring bell twice)\n" +
		"127 Brûlée Street — Hunslet Lane Industrial Estate\nHolbeck Urban Village\nLeeds, West Yorkshire LS11 5QA"
)

// worstCaseFixture is the fullest lawful FP10MDA: 14 daily instalments
// (L6), a reissue after two dose changes, so the dose and the instalment
// lines run to three lines and a "Replaces" line is printed, every
// approved wording (L7), the longest names, and a prescriber at a GP
// practice with a long address and a direct line.
func worstCaseFixture() PrescriptionView {
	v := fortnightFixture()
	v.Patient.Name = longPatientName
	v.Patient.Address = longPatientAddress
	v.Prescriber = Prescriber{Name: "Dr Oluwaseun Adebayo-Fitzgerald Łukasz-Nguyễn", Role: "GP (shared care)", Registration: "GMC 6098765",
		Organisation: "Burley Park Medical Centre — Kirkstall and Headingley Primary Care Network",
		Address:      "Unit 3, Burley Park Health Village — 273 Burley Road\nKirkstall\nLeeds, West Yorkshire LS4 2EL",
		Phone:        "0113 230 4111", DirectLine: "0113 230 4112"}
	v.Pharmacy = Pharmacy{Name: "Kirkgate Community Pharmacy (Łukasz & Brûlée Healthcare Ltd)",
		Address: "3 Kirkgate, Leeds Kirkgate Market — East Hall, Leeds LS2 7DJ", Phone: "0113 496 0456"}
	for i := range v.Instalments {
		d := v.Start.AddDays(i)
		amount := "60 ml"
		if i >= 4 {
			amount = "10 ml"
		}
		v.Instalments[i] = InstalmentRow{Date: d, DaysCovered: d.Format("Mon 2 Jan"), Supervised: amount}
	}
	v.Dose = "60 mg (60 ml) daily from 1 Mar 2025 to 4 Mar 2025, then 10 mg (10 ml) daily from 5 Mar 2025 to 9 Mar 2025, " +
		"then 15 mg (15 ml) daily from 10 Mar 2025 to 12 Mar 2025, then 20 mg (20 ml) daily from 13 Mar 2025"
	v.TotalQuantity = "405 (four hundred and five) millilitres"
	v.Interval = "Daily instalments of 60 ml from 1 Mar 2025 to 4 Mar 2025, then 10 ml from 5 Mar 2025 to 9 Mar 2025, " +
		"then 15 ml from 10 Mar 2025 to 12 Mar 2025, then 20 ml from 13 Mar 2025. The pickup pattern changes during this " +
		"prescription: each instalment is supervised or taken home as scheduled below."
	v.Replaces = "DB-2025-000416, cancelled: its remaining days are dispensed from this prescription only."
	v.Wording = append(slices.Clone(approvedWording), "Dispense daily doses in separate containers.")
	return v
}

// The worst case is one page, and the prescription date and the signature
// are on it with the medicine, dose and total (L1, L2): an original or a
// copy.
func TestWorstCasePrescriptionFitsOnePage(t *testing.T) {
	t.Parallel()
	for _, copy := range []bool{false, true} {
		t.Run(fmt.Sprintf("copy=%v", copy), func(t *testing.T) {
			t.Parallel()
			v := worstCaseFixture()
			v.Copy = copy
			data, err := Prescription(v, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			writeSample(t, data)
			if n := pdfPages(t, data); n != 1 {
				t.Fatalf("the worst-case prescription takes %d pages", n)
			}
			page1 := pdfText(t, data, 1)
			assertContains(t, page1, "PRESCRIBER'S SIGNATURE", v.Dose, v.TotalQuantity, v.Replaces,
				"Serial DB-2025-000417 — page 1 of 1")
			// The fixture's prescription date is printed nowhere else.
			assertContains(t, page1, "Prescription date", "28 Feb 2025", "First instalment to be dispensed by", "28 Mar 2025")
			for _, w := range v.Wording {
				assertContains(t, page1, w)
			}
			for _, r := range v.Instalments {
				assertContains(t, page1, dayDate(r.Date))
			}
			if !copy { // the COPY watermark is laid over the text on purpose
				assertLaidOut(t, wordBoxes(t, data))
			}
		})
	}
}

// writeSample keeps a rendered PDF in DOSEBOOK_PDF_SAMPLES, when set, for
// looking at.
func writeSample(t *testing.T, data []byte) {
	t.Helper()
	dir := os.Getenv("DOSEBOOK_PDF_SAMPLES")
	if dir == "" {
		return
	}
	name := strings.NewReplacer("/", "-", "=", "-").Replace(t.Name()) + ".pdf"
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// However long the schedule, the signature is on page 1 with the medicine,
// dose and total (L1, L2); a schedule too long for page 1 ends there with
// a line naming the instalments that continue, and where.
func TestSignatureOnTheSheetWithTheMedicine(t *testing.T) {
	t.Parallel()
	for _, rows := range []int{12, 14, 20, 26, 40, 80} {
		for _, wording := range []bool{true, false} {
			for _, copy := range []bool{false, true} {
				t.Run(fmt.Sprintf("%d rows, wording %v, copy %v", rows, wording, copy), func(t *testing.T) {
					t.Parallel()
					v := worstCaseFixture()
					if rows != 14 {
						v = prescriptionFixture(rows)
					}
					v.Copy = copy
					if !wording {
						v.Wording = nil
					}
					data, err := Prescription(v, testOptions())
					if err != nil {
						t.Fatal(err)
					}
					n := pdfPages(t, data)
					page1 := pdfText(t, data, 1)
					assertContains(t, page1, "PRESCRIBER'S SIGNATURE", "Prescription date", "Total quantity", v.TotalQuantity, v.Dose,
						dayDate(v.Instalments[0].Date))
					if rows <= 14 && n != 1 {
						t.Errorf("%d pages", n)
					}
					last := dayDate(v.Instalments[len(v.Instalments)-1].Date)
					switch {
					case n == 1:
						assertContains(t, page1, last)
						if strings.Contains(page1, "continued on") {
							t.Error("a one-page prescription says it continues")
						}
					case n == 2:
						assertContains(t, page1, "to "+strconv.Itoa(rows)+" (", last+"): continued on page 2")
					default:
						assertContains(t, page1, fmt.Sprintf("continued on pages 2 to %d", n))
					}
					for p := 2; p <= n; p++ {
						if strings.Contains(pdfText(t, data, p), "PRESCRIBER'S SIGNATURE") {
							t.Errorf("page %d has a signature box", p)
						}
					}
				})
			}
		}
	}
}

// A prescription prints no Dosebook state: an issued one says nothing of
// it, and one that can no longer be dispensed from says so in words on
// every page.
func TestPrescriptionStatusInPlainWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status string
		want   string
	}{
		{"issued", ""},
		{"", ""},
		{"expired", "EXPIRED — not valid for dispensing"},
		{"completed", "COMPLETED — every instalment date has passed"},
		{"something new", "NOT VALID FOR DISPENSING"},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			t.Parallel()
			for _, rows := range []int{12, 40} {
				v := prescriptionFixture(rows)
				v.Status = tt.status
				data, err := Prescription(v, testOptions())
				if err != nil {
					t.Fatal(err)
				}
				text := pdfText(t, data, 0)
				for _, no := range []string{"status", "issued", "L3", "L7"} {
					if strings.Contains(text, no) {
						t.Errorf("%d rows: the prescription prints %q", rows, no)
					}
				}
				assertContains(t, text, "The first instalment must be dispensed within 28 days of the prescription date. Later instalments on their scheduled dates.")
				for p := 1; p <= pdfPages(t, data); p++ {
					if got := strings.Contains(pdfText(t, data, p), "dispensing —") || strings.Contains(pdfText(t, data, p), "NOT VALID"); tt.want == "" && got {
						t.Errorf("page %d of an issued prescription is stamped", p)
					}
					if tt.want != "" {
						assertContains(t, pdfText(t, data, p), tt.want)
					}
				}
			}
		})
	}
}

// An address as long as the API takes (500 characters) still leaves the
// signature on the page of the medicine, dose and total; the schedule's
// tail moves on.
func TestLongestAddressKeepsTheSignatureWithTheMedicine(t *testing.T) {
	t.Parallel()
	v := worstCaseFixture()
	v.Patient.Address = strings.Repeat("Flat 14 — Côte House, Bishopsgate Mews, ", 12)[:500]
	data, err := Prescription(v, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	writeSample(t, data)
	assertContains(t, pdfText(t, data, 1), "PRESCRIBER'S SIGNATURE", v.Dose, v.TotalQuantity, "28 Feb 2025")
	assertLaidOut(t, wordBoxes(t, data))
}
