package pdf

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// A telephone number is never broken across lines: however long the
// pharmacy's address, the letter prints "Tel 0113 496 0456" on one line,
// where a reader dials it from.
func TestSummaryKeepsAPhoneNumberOnOneLine(t *testing.T) {
	t.Parallel()
	bin := tool(t, "pdftotext")
	whole := regexp.MustCompile(`0113 +496 +0456`)
	for n := range 24 {
		v := summaryFixture()
		v.Pharmacy.Address = "3 Kirkgate " + strings.Repeat("x ", n) + "Leeds LS2 7DJ"
		data, err := SharedCareSummary(v, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", "-f", "1", "-l", "1", writeTemp(t, data), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		if !whole.MatchString(string(out)) {
			t.Errorf("padding %d: the pharmacy's phone number is broken across lines:\n%s", n, out)
			return
		}
	}
}
