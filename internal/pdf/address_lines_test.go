package pdf

import (
	"fmt"
	"strings"
	"testing"
)

// manyLines is an address of 59 short lines, under 500 characters, as was
// accepted before addresses were held to patients.MaxAddressLines.
func manyLines() string {
	var ls []string
	for i := 1; i <= 59; i++ {
		ls = append(ls, fmt.Sprintf("Ln %d", i))
	}
	return strings.Join(ls, "\n")
}

// An address of more lines than are accepted, recorded before they were
// refused, is printed joined with commas: page 1 of the letter keeps the
// patient's date of birth and NHS number above its footer, and the
// prescription's signed page keeps the whole address with the medicine.
func TestAddressOfManyLinesStaysInItsBlock(t *testing.T) {
	t.Parallel()
	t.Run("letter", func(t *testing.T) {
		t.Parallel()
		v := summaryFixture()
		v.Patient.Address = manyLines()
		v.GPPractice.Address = manyLines()
		v.ServiceAddress = manyLines()
		data, err := SharedCareSummary(v, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		keepSummaryPDF(t, data)
		page1 := pdfText(t, data, 1)
		assertContains(t, page1, "Ln 1, Ln 2, Ln 3", "Ln 58, Ln 59", "NHS number: "+v.Patient.NHSNumber, "Date of birth: 2 Jan 1980",
			"Shared care handover summary", "Current treatment")
		assertLaidOut(t, wordBoxes(t, data))
	})
	t.Run("prescription", func(t *testing.T) {
		t.Parallel()
		v := worstCaseFixture()
		v.Patient.Address = manyLines()
		v.Prescriber.Address = manyLines()
		data, err := Prescription(v, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		writeSample(t, data)
		page1 := pdfText(t, data, 1)
		assertContains(t, page1, "PRESCRIBER'S SIGNATURE", v.Dose, v.TotalQuantity, "Ln 1, Ln 2", "Ln 58, Ln 59",
			"NHS number: "+v.Patient.NHSNumber)
		assertLaidOut(t, wordBoxes(t, data))
	})
}
