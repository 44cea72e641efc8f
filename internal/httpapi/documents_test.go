package httpapi

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// pdfToText extracts a PDF's text with poppler's pdftotext, with runs of
// white space folded so wrapped lines still match. Without the tool the
// test is skipped, except in CI, which installs it.
func pdfToText(t *testing.T, data []byte) string {
	t.Helper()
	if len(data) < 5 || string(data[:5]) != "%PDF-" {
		t.Fatalf("not a PDF: %.200s", data)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (poppler-utils)")
		}
		t.Skip("pdftotext is not installed (poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	keepPDF(t, data)
	return strings.Join(strings.Fields(string(out)), " ")
}

// keepPDF writes the document to DOSEBOOK_TEST_PDF_DIR, when set, so a
// person can look at what the API produced.
func keepPDF(t *testing.T, data []byte) {
	dir := os.Getenv("DOSEBOOK_TEST_PDF_DIR")
	if dir == "" {
		return
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")
	for i := 1; ; i++ {
		p := filepath.Join(dir, name+"-"+string(rune('0'+i))+".pdf")
		if _, err := os.Stat(p); os.IsNotExist(err) || i > 8 {
			os.WriteFile(p, data, 0o644)
			return
		}
	}
}

func assertText(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %q\ntext: %s", w, text)
		}
	}
}

// must200PDF prints a prescription as who and returns the PDF.
func (e *env) must200PDF(who, id string) []byte {
	e.t.Helper()
	r := e.do(who, "GET", "/v1/prescriptions/"+id+"/pdf", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		e.t.Fatalf("print as %s: %d %s", who, r.Status, r.Body)
	}
	return r.Body
}

func TestPrescriptionPDF(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2027-05-20T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(30, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2027-05-20"})
		// 14 days from Monday 24 May 2027: closed Sundays and the spring
		// bank holiday (31 May) are carried by the day before.
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2027-05-24", "days": 14, "wording": []int{3, 1}, "issue": true}))
		id, serial := rx["id"].(string), rx["serial"].(string)

		// The pharmacy printing first gets a COPY: only the prescriber who
		// signs it prints the original (L1).
		early := e.do("pharmacist", "GET", "/v1/prescriptions/"+id+"/pdf", nil)
		if early.Status != 200 {
			t.Fatalf("pharmacist print: %d %s", early.Status, early.Body)
		}
		assertText(t, pdfToText(t, early.Body), "COPY — not for dispensing", serial)
		// So does another prescriber of the service: the form names the
		// prescriber who wrote it, and only they can sign it.
		colleague := e.must(201, e.do("admin", "POST", "/v1/users", map[string]any{"organisation_id": e.demo.ServiceID,
			"role": "prescriber", "name": "Dr Lena Ashworth", "registration": "GMC 7055511", "issue_token": true}))["token"].(string)
		assertText(t, pdfToText(t, e.must200PDF(colleague, id)), "COPY — not for dispensing", "Dr Priya Raman")

		first := e.do("prescriber", "GET", "/v1/prescriptions/"+id+"/pdf", nil)
		if first.Status != 200 || first.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("print: %d %s %s", first.Status, first.Header.Get("Content-Type"), first.Body)
		}
		if cd := first.Header.Get("Content-Disposition"); cd != `inline; filename="`+serial+`.pdf"` {
			t.Fatalf("Content-Disposition = %q", cd)
		}
		text := pdfToText(t, first.Body)
		assertText(t, text, serial,
			"420 (four hundred and twenty) millilitres", // L2: words and figures
			"Please dispense instalments due on pharmacy closed days on a prior suitable day.",
			"Consult the prescriber if 3 or more consecutive days of a prescription have been missed.",
			"30 mg (30 ml) once daily", "Methadone hydrochloride 1 mg/ml oral solution",
			"Zoë Łukasz-Nguyễn 30", "1 Canal Row — Worcester", "Castle Street Pharmacy",
			"Dr Priya Raman", "GMC 7012345", "12 Quay Street Worcester WR1 2JJ",
			"Sat 29 May – Mon 31 May", "60 ml", "20 May 2027", // prescribed on
			"First instalment to be dispensed by 17 Jun 2027") // L3
		for _, in := range rx["instalments"].([]any) {
			d := calendar.MustParse(in.(map[string]any)["date"].(string))
			assertText(t, text, d.Format("Mon 2 Jan 2006"))
		}
		pt := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))
		assertText(t, text, pt["nhs_number_display"].(string))
		if strings.Contains(text, "COPY") {
			t.Fatal("the signing prescriber's first print is stamped COPY")
		}
		if strings.Contains(text, "If an instalment's collection day has been missed") {
			t.Fatal("unchosen wording printed")
		}

		// There is one original: the prescriber's next print is a copy too.
		assertText(t, pdfToText(t, e.must200PDF("prescriber", id)), "COPY — not for dispensing", serial)
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+id, nil))["printed_count"].(float64); got != 4 {
			t.Fatalf("printed_count = %v", got)
		}
		// The audit trail records each print, who made it and whether it
		// was the original.
		var prints []string
		for _, ev := range e.must(200, e.do("admin", "GET", "/v1/audit?limit=500&entity_id="+id, nil))["items"].([]any) {
			ev := ev.(map[string]any)
			if ev["action"] != "prescription.print" {
				continue
			}
			var ch struct {
				Original     bool `json:"original"`
				Copy         bool `json:"copy"`
				PrintedCount int  `json:"printed_count"`
			}
			if err := json.Unmarshal([]byte(ev["changes"].(string)), &ch); err != nil || ch.Original == ch.Copy {
				t.Fatalf("print audit changes %v: %v", ev["changes"], err)
			}
			prints = append(prints, fmt.Sprintf("%s:%d:%v", ev["actor_role"], ch.PrintedCount, ch.Original))
		}
		slices.Sort(prints)
		if want := []string{"pharmacist:1:false", "prescriber:2:false", "prescriber:3:true", "prescriber:4:false"}; !slices.Equal(prints, want) {
			t.Fatalf("print audit = %v, want %v", prints, want)
		}

		// Nobody else may print it.
		problemOf(t, e.do("pharmacist_2", "GET", "/v1/prescriptions/"+id+"/pdf", nil), 404)
		problemOf(t, e.do("gp", "GET", "/v1/prescriptions/"+id+"/pdf", nil), 404)
		problemOf(t, e.do("admin", "GET", "/v1/prescriptions/"+id+"/pdf", nil), 403)
		problemOf(t, e.do("prescriber", "GET", "/v1/prescriptions/not-an-id/pdf", nil), 404)

		// A draft or a cancelled prescription is never printed as valid.
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid,
			"start_date": "2027-06-07", "days": 7, "wording": []int{1, 3}}))
		p := problemOf(t, e.do("prescriber", "GET", "/v1/prescriptions/"+draft["id"].(string)+"/pdf", nil), 409)
		if !strings.Contains(p["detail"].(string), "cannot be printed as a valid prescription") {
			t.Fatalf("draft refusal = %v", p["detail"])
		}
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+id+"/cancel", map[string]any{"reason": "wrong pharmacy"}))
		p = problemOf(t, e.do("prescriber", "GET", "/v1/prescriptions/"+id+"/pdf", nil), 409)
		if !strings.Contains(p["detail"].(string), "cannot be printed as a valid prescription") {
			t.Fatalf("cancelled refusal = %v", p["detail"])
		}
		if got := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+id, nil))["printed_count"].(float64); got != 4 {
			t.Fatalf("a refused print was counted: %v", got)
		}
	})
}

func TestSharedCareSummaryPDF(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		ids := e.seedDemo()
		zoe := ids["Zoë"]
		// The prescriber reads the letter before proposing.
		r := e.do("prescriber", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("summary: %d %s", r.Status, r.Body)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `inline; filename="shared-care-summary-`) {
			t.Fatalf("Content-Disposition = %q", cd)
		}
		text := pdfToText(t, r.Body)
		pt := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+zoe, nil))
		assertText(t, text, "Zoë Łukasz-Nguyễn", pt["nhs_number_display"].(string), "14 Feb 1986",
			"Abbey Road Surgery", "Riverside Community Drug Service", "Status: Not yet proposed",
			"Draft, not sent: shared care of the patient above has not yet been proposed to the practice.",
			"Methadone hydrochloride 1 mg/ml oral solution", "60 mg (60 ml) once daily",
			"Castle Street Pharmacy", "Jo Pritchard", "Consumption supervised at the pharmacy every day",
			"Dose and pharmacy attendance", "Adherence", "last 12 weeks", "Dose changes", "50 mg", "Drug screens",
			"Negative: opiates", "Naloxone", "Take-home naloxone supplied on", "Who does what", "Specialist service", "GP practice",
			"the GP does not change the dose; ask the service", "Handing prescribing back", "Contacts", "01905 555 010", "Dr Priya Raman (GMC 7012345)")

		// Buvidal: injections instead of dispensing.
		r = e.do("prescriber", "GET", "/v1/patients/"+ids["Aled"]+"/shared-care-summary.pdf", nil)
		if r.Status != 200 {
			t.Fatalf("Buvidal summary: %d %s", r.Status, r.Body)
		}
		bv := pdfToText(t, r.Body)
		assertText(t, bv, "Injections", "24 mg once weekly by subcutaneous injection", "Abdomen (left)")
		// Its chart shows the injections, not a daily dose and dispensing.
		assertText(t, bv, "Injections, 10 Dec 2025 to 10 Jun 2026", "Injection (label: dose in mg)", "6 May", "3 Jun")
		for _, absent := range []string{"Daily dose (mg)", "Dose and pharmacy attendance", "Collected (take-home)"} {
			if strings.Contains(bv, absent) {
				t.Errorf("the Buvidal summary has %q", absent)
			}
		}

		// Risks are printed (Sean: benzodiazepines, QTc).
		r = e.do("prescriber", "GET", "/v1/patients/"+ids["Sean"]+"/shared-care-summary.pdf", nil)
		assertText(t, pdfToText(t, r.Body), "Benzodiazepine co-use", "QTc / cardiac risk", "Last ECG/QTc check")

		// Titration overrides are noted beside the dose change.
		pid := e.newPatient(60, nil)
		reg := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		next := calendar.MustParse(reg["start_date"].(string)).AddDays(1).String()
		e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+reg["id"].(string)+"/dose-changes", map[string]any{"to": 45,
			"effective_date": next, "reason": "withdrawal", "overrides": []map[string]any{{"rule": "M2", "reason": "Tolerant: 50 mg at previous service"}}}))
		r = e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care-summary.pdf", nil)
		assertText(t, pdfToText(t, r.Body), "Methadone titration: Tolerant: 50 mg at previous service",
			"Current dose 30 mg (30 ml) once daily Planned dose changes 45 mg (45 ml) once daily from 11 Jun 2026",
			"Date of last dose change 10 Jun 2026", "11 Jun 2026 (planned)")

		// Who may not read it.
		problemOf(t, e.do("pharmacist", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil), 403)
		problemOf(t, e.do("gp", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil), 404)
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+zoe+"/shared-care", nil))
		r = e.do("gp", "GET", "/v1/patients/"+zoe+"/shared-care-summary.pdf", nil)
		if r.Status != 200 {
			t.Fatalf("GP summary: %d %s", r.Status, r.Body)
		}
		got := pdfToText(t, r.Body)
		assertText(t, got, "Status: Proposed", "dated when the practice accepts",
			"We proposed on 10 Jun 2026 that prescribing for the patient above continues under shared care with your practice.")
		if slices.Contains(strings.Fields(got), "COPY") {
			t.Fatal("summary stamped COPY")
		}
	})
}

// Prints racing each other still make one original: the signing
// prescriber's prints arrive at once and exactly one is not a COPY.
func TestPrescriptionOriginalPrintedOnce(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2027-05-20T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		_, id := e.dispensed(31, "2027-05-24")
		const n = 6
		got := make([]response, n)
		var wg sync.WaitGroup
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = e.do("prescriber", "GET", "/v1/prescriptions/"+id+"/pdf", nil)
			}()
		}
		wg.Wait()
		originals := 0
		for _, r := range got {
			if r.Status != 200 {
				t.Fatalf("print: %d %s", r.Status, r.Body)
			}
			if !strings.Contains(pdfToText(t, r.Body), "COPY") {
				originals++
			}
		}
		if originals != 1 {
			t.Fatalf("%d originals among %d concurrent prints", originals, n)
		}
	})
}

// L3 binds the first instalment to 28 days from the prescription date; the
// later ones follow the schedule, which may run past that day. The PDF must
// not forbid what its own schedule lists.
func TestPrescriptionPDFFirstInstalmentDate(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(40, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "start_date": "2026-12-02"})
		rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-21",
			"days": 14, "wording": []int{1, 3}, "issue": true}))
		if rx["valid_until"] != "2026-12-30" {
			t.Fatalf("valid_until = %v", rx["valid_until"])
		}
		text := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
		assertText(t, text, "First instalment to be dispensed by 30 Dec 2026", "within 28 days of the prescription date",
			"Later instalments on their scheduled dates", "Thu 31 Dec 2026", "Sat 2 Jan 2027")
		for _, wrong := range []string{"Valid until", "No supply after"} {
			if strings.Contains(text, wrong) {
				t.Errorf("the PDF says %q though instalments follow 30 Dec", wrong)
			}
		}
	})
}

// A name as long as the API allows still leaves every page's footer its
// page label, date of birth and NHS number (the layout itself is checked
// in internal/pdf).
func TestSummaryPDFWithTheLongestName(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		// As long as the API takes: 100 each (it counts bytes).
		given := strings.Repeat("Alexandra ", 9) + "Zoë Łuka"
		family := strings.Repeat("Montgomery ", 8) + "Ó Súilleab"
		if len(given) != 100 || len(family) != 100 {
			t.Fatalf("names of %d and %d bytes", len(given), len(family))
		}
		pid := e.newPatient(41, map[string]any{"given_name": given, "family_name": family})
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		r := e.do("prescriber", "GET", "/v1/patients/"+pid+"/shared-care-summary.pdf", nil)
		if r.Status != 200 {
			t.Fatalf("summary: %d %s", r.Status, r.Body)
		}
		text := pdfToText(t, r.Body)
		pt := e.must(200, e.do("prescriber", "GET", "/v1/patients/"+pid, nil))
		identity := "— DOB 12 Apr 1985 — NHS number " + pt["nhs_number_display"].(string)
		n := strings.Count(text, "page ")
		if n < 2 || strings.Count(text, identity) < n {
			t.Fatalf("%d page labels, %d identities: %s", n, strings.Count(text, identity), text)
		}
		for i := 1; i <= n; i++ {
			assertText(t, text, fmt.Sprintf("page %d of %d", i, n))
		}
		assertText(t, text, given+" "+family) // whole in the letter itself
	})
}
