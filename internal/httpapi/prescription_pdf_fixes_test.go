package httpapi

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// poppler finds a poppler tool and writes data to a file for it. Without
// the tool the test is skipped, except in CI, as pdfToText does.
func poppler(t *testing.T, tool string, data []byte) (bin, file string) {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (poppler-utils)", tool)
		}
		t.Skipf("%s is not installed (poppler-utils)", tool)
	}
	file = filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return bin, file
}

// pdfPageCount is pdfinfo's page count.
func pdfPageCount(t *testing.T, data []byte) int {
	t.Helper()
	bin, in := poppler(t, "pdfinfo", data)
	out, err := exec.Command(bin, in).CombinedOutput()
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

// pdfPageText is the text of one page (pdftotext -f n -l n), white space
// folded.
func pdfPageText(t *testing.T, data []byte, page int) string {
	t.Helper()
	bin, in := poppler(t, "pdftotext", data)
	n := strconv.Itoa(page)
	out, err := exec.Command(bin, "-f", n, "-l", n, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// assertPDFLacks fails when text holds any of unwanted.
func assertPDFLacks(t *testing.T, text string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(text, u) {
			t.Errorf("PDF text has %q\ntext: %s", u, text)
		}
	}
}

// A prescription reissued twice across dose changes — its dose line runs
// to three lines, it names the prescription it replaces, it has 14 daily
// instalments and every approved wording, for a patient with the longest
// name the API takes and a long address — is one page, signed and dated
// on the sheet that states the medicine, dose and total (L1, L2). It
// prints no rule ids or states (L3 is said in words).
func TestReissuedPrescriptionPDFFitsOnePage(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-21T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		// Open every day, so that each of the 14 days is an instalment.
		e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
			map[string]any{"closed_weekdays": []string{}, "bank_holidays_closed": false}))
		given := strings.Repeat("Alexandra ", 9) + "Zoë Łuka"
		family := strings.Repeat("Montgomery ", 8) + "Ó Súilleab"
		address := "Flat 14 — Côte House, Bishopsgate Mews (rear entrance, ring twice), 127 Brûlée Street — Hunslet Lane Estate, " +
			"Holbeck Urban Village, Leeds, West Yorkshire LS11 5QA"
		pid := e.newPatient(150, map[string]any{"given_name": given, "family_name": family, "address": address})
		r := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 60, "stage": "maintenance",
			"start_date": "2026-12-21", "overrides": []map[string]any{{"rule": "M1", "reason": "transferred on 60 mg"}}})
		rid := r["id"].(string)
		first := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-24",
			"days": 14, "wording": []int{1, 2, 3, 4, 5}, "issue": true}))
		c.Set(mustTime("2026-12-22T10:00:00Z"))
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 50, "effective_date": "2026-12-28", "reason": "sedated in the mornings"}))
		second := m["reissued_prescriptions"].([]any)[0].(map[string]any)
		m = e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
			map[string]any{"to": 55, "effective_date": "2027-01-02", "reason": "cravings in the evening"}))
		rx := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+m["reissued_prescriptions"].([]any)[0].(map[string]any)["id"].(string), nil))
		if rx["replaces_id"] != second["id"] || second["replaces_id"] != first["id"] {
			t.Fatalf("reissues: %v replaces %v, %v replaces %v", rx["id"], rx["replaces_id"], second["id"], second["replaces_id"])
		}
		if n := len(rx["instalments"].([]any)); n != 14 {
			t.Fatalf("%d instalments, want 14", n)
		}

		data := e.must200PDF("prescriber", rx["id"].(string))
		text := pdfToText(t, data)
		dose := "60 mg (60 ml) daily from 24 Dec 2026 to 27 Dec 2026, then 50 mg (50 ml) daily from 28 Dec 2026 to 1 Jan 2027, " +
			"then 55 mg (55 ml) daily from 2 Jan 2027"
		assertText(t, text, dose, "Replaces", second["serial"].(string)+", cancelled: its days from Thu 24 Dec 2026 to Wed 6 Jan 2027", "Dispense daily doses in separate containers.",
			"Consumption supervised at the pharmacy every day.")
		if n := pdfPageCount(t, data); n != 1 {
			t.Fatalf("the reissued prescription takes %d pages: %s", n, text)
		}
		prescribed := calendar.MustParse(rx["prescribed_on"].(string)).Format("2 Jan 2006")
		page1 := pdfPageText(t, data, 1)
		assertText(t, page1, "PRESCRIBER'S SIGNATURE", "Prescription date", prescribed, "Total quantity",
			"First instalment to be dispensed by", "within 28 days of the prescription date", "Later instalments on their scheduled dates",
			"Wed 6 Jan 2027", "page 1 of 1")
		assertPDFLacks(t, text, "status:", "issued", "L3", "L7", "Doses for days the pharmacy is closed")
	})
}

// The buprenorphine and naloxone tablets state both strengths in the dose
// and the instalments, and say what the total's milligrams are of; plain
// buprenorphine stays as it was.
func TestNaloxoneCombinationPDF(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
		tests := []struct {
			medicine string
			want     []string
			unwanted []string
		}{
			{"buprenorphine_naloxone_sublingual_tablets",
				[]string{"Buprenorphine and naloxone sublingual tablets", "2 mg/0.5 mg, 8 mg/2 mg",
					"12 mg/3 mg (buprenorphine/naloxone) once daily",
					"168 (one hundred and sixty-eight) milligrams of buprenorphine (with 42 mg naloxone)",
					"Daily instalments of 12 mg/3 mg.", "12 mg/3 mg"},
				[]string{"12 mg once daily", "milligrams Instalments"}},
			{"buprenorphine_sublingual_tablets",
				[]string{"12 mg once daily", "168 (one hundred and sixty-eight) milligrams", "Daily instalments of 12 mg."},
				[]string{"naloxone", "of buprenorphine"}},
		}
		for i, tt := range tests {
			pid := e.newPatient(160+i, nil)
			e.startRegime(pid, map[string]any{"medicine": tt.medicine, "dose": 12, "stage": "maintenance",
				"start_date": "2026-12-02", "overrides": []map[string]any{{"rule": "B2", "reason": "transferred on 12 mg"}}})
			rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-07",
				"days": 14, "wording": []int{1, 3}, "issue": true}))
			text := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
			assertText(t, text, tt.want...)
			assertPDFLacks(t, text, tt.unwanted...)
		}
	})
}

// The schedule's explanation says how a day's dose comes with an earlier
// instalment — the pickup pattern supplies it early, or the schedule
// names the collection that supplies it (a closed day when laid out; the
// opening now is not the prescription's, L1) — and never says every dose
// is supervised when some are taken home.
func TestPrescriptionPDFSaysWhyADayIsCarried(t *testing.T) {
	t.Parallel()
	sundayEarlier := weekendCollectedSaturday
	tests := []struct {
		name          string
		closedSundays bool
		closedDates   []string
		pattern       map[string]any
		want          []string
		unwanted      []string
	}{
		{"open every day, every dose supervised", false, nil, nil,
			[]string{"Daily instalments of 30 ml. Consumption supervised at the pharmacy every day."},
			[]string{"closed", "take home", "earlier"}},
		{"closed on Sundays, every dose supervised when open", true, nil, nil,
			[]string{"Consumption supervised at the pharmacy every day, except as scheduled below.",
				"Supplied to take home with an earlier collection: the dose for Sun 13 Dec with the collection on Sat 12 Dec; the dose for Sun 20 Dec with the collection on Sat 19 Dec."},
			[]string{"supervised at the pharmacy every day.", "closed"}},
		{"open every day, Sunday supplied on Saturday by the pattern", false, nil, sundayEarlier,
			[]string{"Consumption supervised at the pharmacy on Mon–Fri; take-home dose collected on Sat; Sun dose supplied on Sat to take home."},
			[]string{"closed", "every day"}},
		{"closed on Sundays, Sunday supplied on Saturday by the pattern", true, nil, sundayEarlier,
			[]string{"Sun dose supplied on Sat to take home."},
			[]string{"closed", "every day"}},
		// Friday's instalment then carries Saturday's dose and the Sunday
		// dose the pattern supplies on Saturday; the supervised days are not
		// qualified, as none of them is closed.
		{"closed on one Saturday, Sunday supplied on Saturday by the pattern", true, []string{"2026-12-12"}, sundayEarlier,
			[]string{"Consumption supervised at the pharmacy on Mon–Fri; take-home dose collected on Sat; Sun dose supplied on Sat to take home.",
				"Supplied to take home with an earlier collection: the doses for Sat 12 Dec and Sun 13 Dec with the collection on Fri 11 Dec.",
				"Fri 11 Dec – Sun 13 Dec"},
			[]string{"except as scheduled", "closed", "Each instalment is supervised or taken home"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eachEnvAt(t, "2026-12-02T12:00:00Z", func(t *testing.T, e *env, c *clock) {
				closed := []string{}
				if tt.closedSundays {
					closed = []string{"sunday"}
				}
				dates := append([]string{}, tt.closedDates...)
				e.must(200, e.do("pharmacist", "PUT", "/v1/pharmacies/"+e.demo.PharmacyID+"/opening",
					map[string]any{"closed_weekdays": closed, "closed_dates": dates, "bank_holidays_closed": false}))
				pid := e.newPatient(170+i, nil)
				body := map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance", "start_date": "2026-12-02",
					"overrides": []map[string]any{{"rule": "M3", "reason": "n/a"}}}
				if tt.pattern != nil {
					body["pattern"], body["supervision_relaxed_reason"] = tt.pattern, "Compliance assured: 3 years stable"
				}
				e.startRegime(pid, body)
				// Mon 7 to Sun 20 Dec 2026.
				rx := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid, "start_date": "2026-12-07",
					"days": 14, "wording": []int{1, 3}, "issue": true}))
				text := pdfToText(t, e.must200PDF("prescriber", rx["id"].(string)))
				assertText(t, text, tt.want...)
				// The wording chosen says "closed days": only the explanation is checked.
				text = strings.ReplaceAll(text, "Please dispense instalments due on pharmacy closed days on a prior suitable day.", "")
				assertPDFLacks(t, text, tt.unwanted...)
			})
		})
	}
}
