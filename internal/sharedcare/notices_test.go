package sharedcare

import (
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

func TestClosedMessage(t *testing.T) {
	day := func(s string) calendar.Date {
		d, err := calendar.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	rx := PrescriptionRef{Serial: "RCDS-000007", Start: day("2026-06-10"), End: day("2026-06-23"), Prescriber: "Dr Owen Price"}
	const ref = "RCDS-000007 (2026-06-10 to 2026-06-23, signed by Dr Owen Price)"
	tests := []struct {
		name                 string
		m                    ClosedMessage
		practice, service    []string // substrings wanted; nil service: no notice
		notPractice, notServ []string
	}{
		{name: "service withdraws a proposal", m: ClosedMessage{ByService: true, Reason: "MDT: not yet"},
			practice: []string{"withdrew its proposal", "MDT: not yet", "need do nothing"}, notPractice: []string{"took prescribing back"}},
		{name: "service takes an accepted arrangement back, nothing live", m: ClosedMessage{ByService: true, WasAccepted: true, Reason: "Pregnancy"},
			practice: []string{"took prescribing back", "Pregnancy", "no longer prescribes"}, notPractice: []string{"Still valid", "Cancelled"}},
		{name: "service takes back with the practice's prescription live",
			m:        ClosedMessage{ByService: true, WasAccepted: true, Reason: "Pregnancy", Live: []PrescriptionRef{rx}},
			practice: []string{"Still valid at the pharmacy: " + ref, "The service decides"},
			service:  []string{"Prescribing is back with the service", ref, "cancelled and replaced"}},
		{name: "regime ended, the practice's prescription cancelled",
			m: ClosedMessage{ByService: true, WasAccepted: true, Reason: "transferred to prison", RegimeEnded: day("2026-06-12"),
				Cancelled: []PrescriptionRef{rx}},
			practice: []string{"ended the patient's treatment regime on 2026-06-12 (reason given: transferred to prison), which ends shared care",
				"Cancelled by the service: " + ref},
			notPractice: []string{"Still valid", "writes the next prescription"}},
		{name: "regime ended under a proposal", m: ClosedMessage{ByService: true, Reason: "moved away", RegimeEnded: day("2026-06-12")},
			practice: []string{"ended the patient's treatment regime on 2026-06-12 (reason given: moved away), so its proposal of shared care is withdrawn"}},
		{name: "practice hands back", m: ClosedMessage{WasAccepted: true, Reason: "Relapse", Live: []PrescriptionRef{rx}},
			service: []string{"The GP practice handed prescribing back to the service (Relapse)", "still valid at the pharmacy: " + ref}},
		{name: "practice hands back, nothing live", m: ClosedMessage{WasAccepted: true, Reason: "Relapse"},
			service: []string{"The GP practice handed prescribing back"}, notServ: []string{"still valid"}},
		// Buvidal: the practice gave the injections and wrote no
		// prescription (ADR 0009), so nobody is told of prescriptions.
		{name: "practice hands Buvidal back", m: ClosedMessage{WasAccepted: true, Reason: "Relapse", Injections: true, NextInjection: day("2026-06-17")},
			service: []string{"The GP practice handed the injections back to the service (Relapse). The service gives the next injection, due on 2026-06-17."},
			notServ: []string{"prescri"}},
		{name: "service takes Buvidal back", m: ClosedMessage{ByService: true, WasAccepted: true, Reason: "Pregnancy", Injections: true, NextInjection: day("2026-06-17")},
			practice:    []string{"took the injections back from the practice (reason given: Pregnancy)", "The practice stops giving the injections; the service gives the next one, due on 2026-06-17."},
			notPractice: []string{"prescri"}},
		{name: "service takes Buvidal back before any injection", m: ClosedMessage{ByService: true, WasAccepted: true, Reason: "Pregnancy", Injections: true},
			practice: []string{"the service gives the next one."}, notPractice: []string{"due on"}},
		{name: "service withdraws a Buvidal proposal", m: ClosedMessage{ByService: true, Reason: "MDT: not yet", Injections: true},
			practice: []string{"The injections stay with the service"}, notPractice: []string{"Prescribing"}},
		{name: "Buvidal regime ended", m: ClosedMessage{ByService: true, WasAccepted: true, Reason: "moved away", RegimeEnded: day("2026-06-12"), Injections: true},
			practice: []string{"which ends shared care: the practice no longer gives the injections."}, notPractice: []string{"prescri"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.m.ByService {
				got := tt.m.ToPractice()
				for _, w := range tt.practice {
					if !strings.Contains(got, w) {
						t.Errorf("ToPractice() = %q, lacks %q", got, w)
					}
				}
				for _, w := range tt.notPractice {
					if strings.Contains(got, w) {
						t.Errorf("ToPractice() = %q, has %q", got, w)
					}
				}
			}
			got := tt.m.ToService()
			if tt.service == nil && got != "" {
				t.Errorf("ToService() = %q, want none", got)
			}
			for _, w := range tt.service {
				if !strings.Contains(got, w) {
					t.Errorf("ToService() = %q, lacks %q", got, w)
				}
			}
			for _, w := range tt.notServ {
				if strings.Contains(got, w) {
					t.Errorf("ToService() = %q, has %q", got, w)
				}
			}
		})
	}
}

func TestRegimeChange(t *testing.T) {
	day := calendar.MustParse
	old := PrescriptionRef{Serial: "RCDS-000001", Start: day("2026-06-10"), End: day("2026-06-23"), Prescriber: "Dr Owen Price"}
	rest := PrescriptionRef{Serial: "RCDS-000002", Start: day("2026-06-12"), End: day("2026-06-23"), Prescriber: "Dr Priya Raman"}
	tests := []struct {
		name           string
		c              RegimeChange
		timeline, says string
	}{
		{"a dose change replacing the practice's prescription",
			RegimeChange{What: "changed the dose to 40 mg from 2026-06-12", Reason: "Cravings",
				Replaced: []Replacement{{Old: old, New: []PrescriptionRef{rest}}}},
			"Changed the dose to 40 mg from 2026-06-12: Cravings",
			"The specialist service changed the dose to 40 mg from 2026-06-12 (reason given: Cravings). Prescribe what is now in force from then on. " +
				"RCDS-000001 (2026-06-10 to 2026-06-23, signed by Dr Owen Price) was cancelled; its remaining days are on " +
				"RCDS-000002 (2026-06-12 to 2026-06-23, signed by Dr Priya Raman)."},
		{"a pattern change with nothing live and no reason",
			RegimeChange{What: "changed the pickup pattern from 2026-06-15"},
			"Changed the pickup pattern from 2026-06-15",
			"The specialist service changed the pickup pattern from 2026-06-15. Prescribe what is now in force from then on."},
		{"a Buvidal dose change",
			RegimeChange{What: "changed the dose to 32 mg from 2026-06-17", Reason: "Cravings", Injections: true, NextInjection: day("2026-06-17")},
			"Changed the dose to 32 mg from 2026-06-17: Cravings",
			"The specialist service changed the dose to 32 mg from 2026-06-17 (reason given: Cravings). " +
				"Give each injection at the dose in force on the day it is given; the next is due on 2026-06-17."},
		{"a Buvidal dose change before any injection",
			RegimeChange{What: "changed the dose to 32 mg from 2026-06-17", Injections: true},
			"Changed the dose to 32 mg from 2026-06-17",
			"The specialist service changed the dose to 32 mg from 2026-06-17. Give each injection at the dose in force on the day it is given."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Timeline(); got != tt.timeline {
				t.Errorf("Timeline() = %q, want %q", got, tt.timeline)
			}
			if got := tt.c.ToPractice(); got != tt.says {
				t.Errorf("ToPractice() = %q, want %q", got, tt.says)
			}
		})
	}
}

// The service is told what stays with it after a decline: prescribing, or
// for Buvidal the injections, with the next one's due date.
func TestDeclinedMessage(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse
	tests := []struct {
		name string
		m    DeclinedMessage
		want string
	}{
		{"daily medicine", DeclinedMessage{Reason: "No capacity"},
			"The GP practice declined shared care (No capacity). Prescribing stays with the service."},
		{"Buvidal", DeclinedMessage{Reason: "No nurse to inject", Injections: true, NextInjection: day("2026-04-13")},
			"The GP practice declined shared care (No nurse to inject). The injections stay with the service, which gives the next one, due on 2026-04-13."},
		{"Buvidal, none due", DeclinedMessage{Reason: "No nurse to inject", Injections: true},
			"The GP practice declined shared care (No nurse to inject). The injections stay with the service, which gives the next one."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.m.ToService(); got != tt.want {
				t.Errorf("ToService() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProposedAndAcceptedNotices(t *testing.T) {
	on := calendar.MustParse("2026-11-16")
	p := ProposedMessage{SharedCareID: "sc1", By: "Dr Lee", ByOrganisation: "Worcester Recovery Service", On: on,
		Overridden: []string{"stable_dose (reason given: MDT agreed)"}}
	for _, want := range []string{"Dr Lee of Worcester Recovery Service proposed shared care of this patient to the practice on 2026-11-16",
		"take over prescribing", "stable_dose (reason given: MDT agreed)", "GET /v1/shared-care/sc1", "POST /v1/shared-care/sc1/accept"} {
		if got := p.ToPractice(); !strings.Contains(got, want) {
			t.Errorf("proposal lacks %q: %s", want, got)
		}
	}
	p.Injections, p.Overridden = true, nil
	if got := p.ToPractice(); !strings.Contains(got, "give the injections") || strings.Contains(got, "prescribing") || strings.Contains(got, "SC3") {
		t.Errorf("Buvidal proposal: %s", got)
	}
	a := AcceptedMessage{Practice: "Abbey Road Surgery", By: "Dr Rao", On: on}
	if got := a.ToService(); !strings.Contains(got, "Abbey Road Surgery accepted shared care on 2026-11-16 (accepted by Dr Rao): the practice prescribes") {
		t.Errorf("acceptance: %s", got)
	}
	a.Injections = true
	if got := a.ToService(); !strings.Contains(got, "gives the injections") {
		t.Errorf("Buvidal acceptance: %s", got)
	}
}

func TestCancelledByOtherNamesTheReissue(t *testing.T) {
	m := CancelledByOther{By: "Dr Lee", ByOrganisation: "Worcester Recovery Service", Reason: "Dose changed",
		Prescription: PrescriptionRef{Serial: "GP-1", Start: calendar.MustParse("2026-06-10"), End: calendar.MustParse("2026-06-23"), Prescriber: "Dr Rao"},
		On:           calendar.MustParse("2026-06-12"),
		ReissuedAs:   []PrescriptionRef{{Serial: "SVC-2", Start: calendar.MustParse("2026-06-12"), End: calendar.MustParse("2026-06-23"), Prescriber: "Dr Lee"}}}
	got := m.ToSigner()
	if !strings.Contains(got, "Its remaining days are reissued as SVC-2 (2026-06-12 to 2026-06-23, signed by Dr Lee)") || strings.Contains(got, "no day to come") {
		t.Errorf("reissue: %s", got)
	}
}
