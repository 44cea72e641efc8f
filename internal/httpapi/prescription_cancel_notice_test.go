package httpapi

import (
	"strings"
	"testing"
)

// cancelNotices are the prescription_cancelled alerts who sees.
func (e *env) cancelNotices(who string) []map[string]any {
	e.t.Helper()
	return e.alertsOf(who, "?kind=prescription_cancelled&open=false")
}

// wantNotice checks the one notice a pharmacy has: its rule, the pharmacy
// it is addressed to, and what it says.
func wantNotice(t *testing.T, got []map[string]any, rule, pharmacyID string, says ...string) map[string]any {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("%d prescription_cancelled notices, want 1: %v", len(got), got)
	}
	a := got[0]
	if a["rule"] != rule || a["pharmacy_id"] != pharmacyID {
		t.Errorf("notice rule %v for pharmacy %v, want %s for %s", a["rule"], a["pharmacy_id"], rule, pharmacyID)
	}
	msg := a["message"].(string)
	for _, s := range says {
		if !strings.Contains(msg, s) {
			t.Errorf("notice does not say %q:\n%s", s, msg)
		}
	}
	return a
}

// Cancelling an issued prescription with instalments still to come tells
// the pharmacy dispensing it — which days are gone and why — so that a
// dose measured out in advance is not handed over and the patient who
// comes is not met by a blank day list. Another pharmacy does not see it,
// nor do the service's prescribers (they cancelled it), and the pharmacy
// acknowledges it. A draft was never the pharmacy's: no notice.
func TestCancelTellsThePharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(150, "2026-12-02")
		e.record(rx, "2026-12-02", supervised)
		serial := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["serial"].(string)
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+rx+"/cancel", map[string]any{"reason": "admitted to hospital"}))

		a := wantNotice(t, e.cancelNotices("pharmacist"), "MD5", e.demo.PharmacyID,
			"Prescription "+serial+" was cancelled on 2026-12-02 by Dr Priya Raman (Riverside Community Drug Service): admitted to hospital.",
			"still to come at Castle Street Pharmacy, on 2026-12-03", "No prescription replaces it for 2026-12-03",
			"set aside any dose measured out for them")
		if a["patient_id"] != pid || strings.Contains(a["message"].(string), "2026-12-02 to") {
			t.Errorf("notice about %v names today's dose, already supplied: %s", a["patient_id"], a["message"])
		}
		for _, who := range []string{"pharmacist_2", "prescriber", "gp"} {
			if got := e.cancelNotices(who); len(got) != 0 {
				t.Errorf("%s sees the pharmacy's notice: %v", who, got)
			}
		}
		problemOf(t, e.do("pharmacist_2", "POST", "/v1/alerts/"+a["id"].(string)+"/acknowledge", nil), 404)
		e.must(200, e.do("pharmacist", "POST", "/v1/alerts/"+a["id"].(string)+"/acknowledge", nil))
		if open := e.alertsOf("pharmacist", "?kind=prescription_cancelled"); len(open) != 0 {
			t.Errorf("acknowledged notice still open: %v", open)
		}

		// A draft cancelled: the pharmacy never had it.
		pid2 := e.newPatient(151, nil)
		e.startRegime(pid2, map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 30, "stage": "titration", "start_date": "2026-12-02"})
		draft := e.must(201, e.do("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": pid2, "start_date": "2026-12-02",
			"days": 7, "wording": []int{1, 3}}))["id"].(string)
		e.must(200, e.do("prescriber", "POST", "/v1/prescriptions/"+draft+"/cancel", map[string]any{"reason": "written in error"}))
		if got := e.alertsOf("pharmacist", "?kind=prescription_cancelled&open=false&patient_id="+pid2); len(got) != 0 {
			t.Errorf("a cancelled draft told the pharmacy: %v", got)
		}
	})
}

// Ending the regime tells the pharmacy too, with the end's reason.
func TestRegimeEndTellsThePharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(152, "2026-12-02")
		e.must(200, e.do("prescriber", "POST", "/v1/regimes/"+e.activeRegimeOf(pid)+"/end",
			map[string]any{"ended_on": "2026-12-02", "reason": "taken into custody"}))
		serial := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["serial"].(string)
		wantNotice(t, e.cancelNotices("pharmacist"), "MD5", e.demo.PharmacyID,
			"Prescription "+serial+" was cancelled on 2026-12-02", "Regime ended on 2026-12-02: taken into custody.",
			"on 2026-12-02", "No prescription replaces it")
		if got := e.cancelNotices("pharmacist_2"); len(got) != 0 {
			t.Errorf("another pharmacy sees the notice: %v", got)
		}
	})
}

// A dose change reissues the remaining days: the pharmacy is told which
// prescription now carries them and what changed on it, so a dose
// measured out at the old amount is measured again.
func TestDoseChangeReissueTellsThePharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(153, "2026-12-02")
		e.record(rx, "2026-12-02", supervised)
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+e.activeRegimeOf(pid)+"/dose-changes",
			map[string]any{"to": 40, "effective_date": "2026-12-04", "reason": "still using on top"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 1 {
			t.Fatalf("reissued %d prescriptions, want 1", len(re))
		}
		serial := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["serial"].(string)
		wantNotice(t, e.cancelNotices("pharmacist"), "MD4", e.demo.PharmacyID,
			"Prescription "+serial+" was cancelled on 2026-12-02", "Dose changed to 40 mg from 2026-12-04",
			re[0].(map[string]any)["serial"].(string)+" replaces it here for 2026-12-03 to 2026-12-15: the dose is 40 mg a day from 2026-12-04 (was 30 mg).",
			"Supply the days replaced here from the new prescription only")
		if got := e.cancelNotices("pharmacist_2"); len(got) != 0 {
			t.Errorf("another pharmacy sees the notice: %v", got)
		}
	})
}

// A move part-way through a prescription: the pharmacy the patient leaves
// is told which of its days are now another pharmacy's, and that the days
// before the move it still supplies come from a new prescription, the
// doses and collections unchanged.
func TestPharmacyMoveTellsTheFormerPharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, rx := e.dispensed(154, "2026-12-02")
		e.record(rx, "2026-12-02", supervised)
		rid := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["regime_id"].(string)
		m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/pharmacy", map[string]any{"pharmacy_id": e.demo.Pharmacy2,
			"effective_date": "2026-12-07", "reason": "Moved to Droitwich"}))
		re := m["reissued_prescriptions"].([]any)
		if len(re) != 2 {
			t.Fatalf("reissued %d prescriptions, want 2", len(re))
		}
		here, there := re[0].(map[string]any)["serial"].(string), re[1].(map[string]any)["serial"].(string)
		wantNotice(t, e.cancelNotices("pharmacist"), "MD4", e.demo.PharmacyID,
			"Dispensing moves to Market Square Pharmacy from 2026-12-07",
			here+" replaces it here for 2026-12-03 to 2026-12-06: the same doses on the same collection days.",
			"The doses for 2026-12-07 to 2026-12-15 are prescribed at Market Square Pharmacy ("+there+").",
			"Supply nothing here for the days prescribed at another pharmacy.")
		// The new pharmacy held none of the cancelled prescription's
		// instalments: its day list shows the new one.
		if got := e.cancelNotices("pharmacist_2"); len(got) != 0 {
			t.Errorf("the new pharmacy has a notice: %v", got)
		}
	})
}

// A GP cancelling the practice's prescription under shared care tells the
// pharmacy as the service would, naming the GP and the practice; the
// practice does not list the pharmacy's notice.
func TestGPCancelTellsThePharmacy(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		_, _, _, rx := e.underSharedCare(155, "2026-12-02", true)
		e.must(200, e.do("gp", "POST", "/v1/prescriptions/"+rx["id"].(string)+"/cancel", map[string]any{"reason": "moving out of the area"}))
		wantNotice(t, e.cancelNotices("pharmacist"), "MD5", e.demo.PharmacyID,
			"Prescription "+rx["serial"].(string)+" was cancelled on 2026-12-02 by Dr Owen Price (Abbey Road Surgery): moving out of the area.",
			"on 2026-12-02")
		for _, who := range []string{"gp", "prescriber", "pharmacist_2"} {
			if got := e.cancelNotices(who); len(got) != 0 {
				t.Errorf("%s sees the pharmacy's notice: %v", who, got)
			}
		}
	})
}

// A titration planned in one sitting — 40 mg today, then 45, 50 and 55 mg
// on the next three days — reissues the prescription four times within a
// minute. Each earlier notice named as the replacement a prescription
// cancelled seconds later, so each is resolved, pointing at the next: the
// pharmacy's open list holds one notice, naming the prescription now
// current and told against the one it had (doses may be measured out from
// it), with the serials in between accounted for.
func TestTitrationInOneSittingLeavesOneNotice(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, rx := e.dispensed(156, "2026-12-02")
		original := e.must(200, e.do("prescriber", "GET", "/v1/prescriptions/"+rx, nil))["serial"].(string)
		rid := e.activeRegimeOf(pid)
		var serials []string
		for i, step := range []struct {
			to   int
			from string
		}{{40, "2026-12-02"}, {45, "2026-12-03"}, {50, "2026-12-04"}, {55, "2026-12-05"}} {
			m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
				map[string]any{"to": step.to, "effective_date": step.from, "reason": "titration step " + string(rune('1'+i))}))
			re := m["reissued_prescriptions"].([]any)
			if len(re) != 1 {
				t.Fatalf("step %d reissued %d prescriptions, want 1", i+1, len(re))
			}
			serials = append(serials, re[0].(map[string]any)["serial"].(string))
		}
		current := serials[3]
		open := e.alertsOf("pharmacist", "?kind=prescription_cancelled")
		a := wantNotice(t, open, "MD4", e.demo.PharmacyID,
			"Prescription "+original+" was cancelled on 2026-12-02 by Dr Priya Raman (Riverside Community Drug Service): Dose changed to 40 mg from 2026-12-02",
			"It was replaced here by "+serials[0]+", cancelled on 2026-12-02 by Dr Priya Raman (Riverside Community Drug Service): Dose changed to 45 mg",
			"then by "+serials[2]+", cancelled on 2026-12-02", "Nothing was supplied from any of them.",
			current+" replaces it here for 2026-12-02 to ",
			"the dose is 40 mg a day (was 30 mg), the dose is 45 mg a day from 2026-12-03 (was 30 mg)",
			"55 mg a day from 2026-12-05 (was 30 mg)")
		if a["patient_id"] != pid {
			t.Errorf("notice about %v, want %s", a["patient_id"], pid)
		}
		all := e.cancelNotices("pharmacist")
		if len(all) != 4 {
			t.Fatalf("%d notices in all, want 4: %v", len(all), all)
		}
		for _, n := range all {
			if n["id"] == a["id"] {
				continue
			}
			res, _ := n["resolution"].(string)
			if n["resolved_at"] == nil || !strings.Contains(res, "which this notice named as the replacement here, was itself cancelled on 2026-12-02") ||
				!strings.Contains(res, "replaces this one") {
				t.Errorf("earlier notice not resolved as replaced: %v\n%s", n["resolution"], n["message"])
			}
		}
		last := all[1] // newest first: the one the open notice replaced
		if res, _ := last["resolution"].(string); !strings.Contains(res, serials[2]+", which this notice named") || !strings.Contains(res, "A later notice, raised when "+serials[2]+" was cancelled, replaces this one and names "+current+".") {
			t.Errorf("the notice before the open one resolved with %q, want it to name %s and %s", res, serials[2], current)
		}
		if got := e.cancelNotices("pharmacist_2"); len(got) != 0 {
			t.Errorf("another pharmacy sees the notices: %v", got)
		}
	})
}

// Once the pharmacy has acknowledged the notice naming a replacement, or
// supplied from it, it knows that prescription: the next change is told
// against it, and the earlier notice, no longer true, is still resolved.
func TestNoticeAfterTheReplacementIsKnown(t *testing.T) {
	t.Parallel()
	eachEnvAt(t, "2026-12-02T10:00:00Z", func(t *testing.T, e *env, c *clock) {
		pid, _ := e.dispensed(157, "2026-12-02")
		rid := e.activeRegimeOf(pid)
		change := func(to int, from string) (serial, id string) {
			m := e.must(201, e.do("prescriber", "POST", "/v1/regimes/"+rid+"/dose-changes",
				map[string]any{"to": to, "effective_date": from, "reason": "titration"}))
			re := m["reissued_prescriptions"].([]any)[0].(map[string]any)
			return re["serial"].(string), re["id"].(string)
		}
		first, _ := change(40, "2026-12-02")
		n := e.alertsOf("pharmacist", "?kind=prescription_cancelled")
		e.must(200, e.do("pharmacist", "POST", "/v1/alerts/"+n[0]["id"].(string)+"/acknowledge", nil))
		second, _ := change(45, "2026-12-03")
		wantNotice(t, e.alertsOf("pharmacist", "?kind=prescription_cancelled"), "MD4", e.demo.PharmacyID,
			"Prescription "+first+" was cancelled on 2026-12-02", second+" replaces it here for 2026-12-02 to ",
			"the dose is 45 mg a day from 2026-12-03 (was 40 mg)")
		all := e.cancelNotices("pharmacist")
		if len(all) != 2 || all[1]["resolved_at"] == nil {
			t.Fatalf("want the acknowledged notice resolved too: %v", all)
		}

		// Supplied from: known, whether or not its notice was read.
		pid2, _ := e.dispensed(158, "2026-12-02")
		rid = e.activeRegimeOf(pid2)
		first, id := change(40, "2026-12-02")
		e.record(id, "2026-12-02", supervised)
		second, _ = change(45, "2026-12-03")
		wantNotice(t, e.alertsOf("pharmacist", "?kind=prescription_cancelled&patient_id="+pid2), "MD4", e.demo.PharmacyID,
			"Prescription "+first+" was cancelled on 2026-12-02", second+" replaces it here for 2026-12-03 to ",
			"the dose is 45 mg a day (was 40 mg)")
	})
}
