package httpapi

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/demo"
)

// setClock moves the clock and issues the demo users fresh tokens, which
// last a month.
func (e *env) setClock(c *clock, at time.Time) {
	e.t.Helper()
	c.Set(at)
	res, err := demo.SeedPeople(context.Background(), e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	e.demo = res
}

// summaryText fetches a patient's shared care summary as who and returns
// its text.
func (e *env) summaryText(who, patientID string) string {
	e.t.Helper()
	r := e.do(who, "GET", "/v1/patients/"+patientID+"/shared-care-summary.pdf", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		e.t.Fatalf("summary: %d %s", r.Status, r.Body)
	}
	return pdfToText(e.t, r.Body)
}

// assertNoText fails for each unwanted string the text holds.
func assertNoText(t *testing.T, text string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(text, u) {
			t.Errorf("PDF text has %q\ntext: %s", u, text)
		}
	}
}

// ruleIDs are the clinical rules' internal ids, which mean nothing to a GP
// reading the letter.
var ruleIDs = regexp.MustCompile(`\b(SC[1-4]|L[1-9]|M[1-6]|MD[1-4]|S[1-7]|BV[1-9]|B[1-4])\b`)

// The letters of the demo patients, as the reviewer read them: a patient
// who moved from weekly to monthly Buvidal, a reducing one, one stopped
// from dispensing after missed days, one a day into treatment.
func TestSummaryLettersOfDemoPatients(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-06-10T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		ids := e.seedDemo()
		letters := map[string]string{}
		for _, name := range []string{"Zoë", "Fatima", "Aled", "Sean", "Kerry", "Ruth"} {
			letters[name] = e.summaryText("prescriber", ids[name])
		}

		// Every injection in the period, under either regime, with its
		// product; the switch said as such; the next injection's window;
		// nothing about pharmacies or instalments.
		bv := letters["Fatima"]
		assertText(t, bv,
			"Earlier treatment Switched from weekly Buvidal 24 mg to monthly Buvidal 96 mg on 1 May 2026.",
			"Next injection Due 26 Jun 2026; on time from 19 Jun 2026 to 3 Jul 2026 (the last injection was 96 mg of monthly Buvidal on 29 May 2026).",
			"How it is given Each injection is given under the skin",
			"Dashed line — switched from weekly Buvidal 24 mg to monthly Buvidal 96 mg on 1 May 2026",
			"20 Mar 2026 Weekly 24 mg", "24 Apr 2026 Weekly 24 mg", "1 May 2026 Monthly 96 mg", "29 May 2026 Monthly 96 mg",
			"20 Mar", "24 Apr", // the weekly injections' dates on the chart
			"Weekly Buvidal: Starting dose", "Switched from weekly Buvidal 24 mg to monthly Buvidal 96 mg Dr Priya Raman",
			"Gives each injection at the current dose and product (a nurse or other healthcare professional; never handed to the patient) within its window, 7 days either side of the due date, and records it in Dosebook",
			"Follows up a missed or overdue injection",
			"at the specialist service, and at the GP practice once it accepts shared care",
			"Contact the service the same day for an injection missed or not given by the end of its window")
		assertNoText(t, bv, "Current prescription ends", "Pharmacy Castle Street", "Castle Street Pharmacy", "instalment",
			"consecutive missed days", "96 mg Starting dose")
		assertText(t, letters["Aled"], "Next injection Due", "How it is given")
		assertNoText(t, letters["Aled"], "Current prescription ends", "instalment")

		// The stage, in words, beside the dose.
		assertText(t, letters["Sean"], "Current dose 30 mg (30 ml) once daily Treatment stage Planned reduction since 21 May 2026: "+
			"the dose is lowered step by step, as the service decides.")
		assertText(t, letters["Zoë"], "Treatment stage Maintenance since 5 Feb 2026: a stable dose.")

		// A current MD1 block, said plainly and first.
		assertText(t, letters["Kerry"], "Current treatment Dispensing is currently stopped, since 9 Jun 2026: the patient went without "+
			"the dose on 3 consecutive days (7 Jun 2026 to 9 Jun 2026). The pharmacy will not dispense again until a prescriber has "+
			"reviewed the patient and recorded the review. Medicine")
		for _, name := range []string{"Zoë", "Sean", "Fatima"} {
			assertNoText(t, letters[name], "Dispensing is currently stopped")
		}

		// Adherence over the treatment when it is shorter than 12 weeks;
		// one style of range and of percentage throughout.
		assertText(t, letters["Zoë"], "Adherence — last 12 weeks, 18 Mar 2026 to 9 Jun 2026", "97.6%")
		assertText(t, letters["Kerry"], "Adherence — since the start of treatment on 26 Apr 2026, up to 9 Jun 2026")
		assertText(t, letters["Ruth"], "Adherence — since the start of treatment on 9 Jun 2026 Doses")
		assertText(t, letters["Zoë"], "Dose and pharmacy attendance, 10 Dec 2025 to 10 Jun 2026", "Dec 2025 Jan 2026 Feb", "Days Supervised 145")

		for name, text := range letters {
			if m := ruleIDs.FindAllString(text, -1); m != nil {
				t.Errorf("%s's letter names rules %v", name, m)
			}
			if m := regexp.MustCompile(`\d %|\d{4} – \d`).FindAllString(text, -1); m != nil {
				t.Errorf("%s's letter has %q", name, m)
			}
		}
		// Reviews: who does each, and only those that apply now.
		assertText(t, letters["Zoë"],
			"Specialist service Review of the treatment while the service prescribes: at least every 3 months, counted from the last review on 21 May 2026 21 Aug 2026",
			"GP practice Prescribing review: at least every 3 months while the practice prescribes — dated when the practice accepts")

		// Once the practice accepts, its prescribing review and the
		// service's yearly one, dated; the service's own review of the
		// treatment is no longer the practice's concern.
		sc := e.must(201, e.do("prescriber", "POST", "/v1/patients/"+ids["Zoë"]+"/shared-care", nil))
		e.must(200, e.do("gp", "POST", "/v1/shared-care/"+sc["id"].(string)+"/accept", nil))
		accepted := e.summaryText("gp", ids["Zoë"])
		assertText(t, accepted, "Who Review Due",
			"GP practice Prescribing review: at least every 3 months while the practice prescribes 10 Sep 2026",
			"Specialist service Review of the patient and of shared care: at least every 12 months 10 Jun 2027")
		assertNoText(t, accepted, "Review of the treatment while the service prescribes", "dated when the practice accepts")
	})
}

// A patient who moved from methadone to buprenorphine within the period:
// the letter says so and dates treatment from the first regime.
func TestSummaryAfterSwitchOfMedicine(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-04-01T12:00:00+01:00", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(71, nil)
		reg := e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30})
		e.setClock(c, mustTime("2026-05-01T12:00:00+01:00"))
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+reg["id"].(string)+"/end", map[string]any{"reason": "Moving to buprenorphine"}))
		e.startRegime(pid, map[string]any{"medicine": "buprenorphine_sublingual_tablets", "dose": 4})
		e.setClock(c, mustTime("2026-06-10T12:00:00+01:00"))
		text := e.summaryText("prescriber", pid)
		assertText(t, text,
			"Treatment stage Induction since 1 May 2026: treatment is starting.",
			"Earlier treatment Switched from methadone 30 mg to sublingual buprenorphine 4 mg on 1 May 2026.",
			"Dashed line — switched from methadone 30 mg to sublingual buprenorphine 4 mg on 1 May 2026",
			"Methadone: Starting dose", "Adherence — since the start of treatment on 1 Apr 2026, up to 9 Jun 2026")
		// Said as the current treatment and as the row of the dose change
		// (whose cell wraps, and pdftotext reads the prescriber beside its
		// first line before its second).
		if n := strings.Count(text, "Switched from methadone 30"); n != 2 {
			t.Errorf("the switch is said %d times: %s", n, text)
		}
		assertNoText(t, text, "4 mg Starting dose")
	})
}

// The letter shows the SC3 judgement made when shared care was proposed:
// the practice sees each criterion, which were not met and the service's
// reason to go ahead regardless.
func TestSummaryShowsEligibilityJudgedAtProposal(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-03-02T09:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid := e.newPatient(352, nil)
		e.startRegime(pid, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "maintenance"})
		e.must(201, e.do("prescriber", "POST", "/v1/patients/"+pid+"/shared-care",
			map[string]any{"overrides": []map[string]any{{"rule": "SC3", "reason": "Moving away from the clinic; GP agreed — stable on 30 mg for a year elsewhere"}}}))
		text := e.summaryText("gp", pid)
		assertText(t, text, "Eligibility for shared care (SC3), as the service judged it on 2 Mar 2026",
			"Not met — overridden", "Service's reason to go ahead: Moving away from the clinic; GP agreed — stable on 30 mg for a year elsewhere",
			"Met")
	})
}
