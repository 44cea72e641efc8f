package pdf

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dosebook/dosebook/internal/calendar"
)

// GPPractice is the practice receiving the shared care summary.
type GPPractice struct {
	Name    string
	Address string // lines separated by "\n" (or commas)
}

// TitrationRow is one dose change.
type TitrationRow struct {
	Date calendar.Date
	// Planned marks a change decided but not yet in force on the letter's
	// date.
	Planned  bool
	From, To string // preformatted doses, e.g. "50 mg"
	// Stage is the treatment stage the entry set, e.g. "Maintenance", or
	// "Titration → maintenance" when it changed it: an entry may change
	// the stage alone, its From and To the same dose. The table has a
	// Stage column when a row has one.
	Stage      string
	Reason     string
	Prescriber string
	Override   string // rule id and reason when a policy rule was overridden; "" otherwise
}

// Adherence summarises dose outcomes over a window (SC3).
type Adherence struct {
	Window                                                string // e.g. "last 12 weeks, 8 Dec 2024 to 1 Mar 2025"
	Due, Supervised, Collected, Missed, Withheld, Refused int
	Percent                                               string // preformatted, e.g. "96%"
}

// ScreenRow is one drug screen.
type ScreenRow struct {
	Date      calendar.Date
	Sample    string // e.g. "Urine", "Oral fluid"
	Witnessed bool
	Results   string
}

// InjectionRow is one prolonged-release buprenorphine injection (BV7).
type InjectionRow struct {
	Date calendar.Date
	// Product is the product given, e.g. "Weekly" or "Monthly": a patient
	// may have switched between them within the period.
	Product string
	Dose    string
	Site    string
}

// Responsibility is one party's duty under the shared care agreement.
type Responsibility struct {
	Party string // "Specialist service", "GP", "Pharmacy"
	Duty  string
}

// EligibilityRow is one shared-care criterion (SC3) as judged when the
// service proposed shared care.
type EligibilityRow struct {
	Criterion string
	Met       bool
	Detail    string
	// Override is the service's reason to go ahead although the criterion
	// was not met; "" when it was met.
	Override string
}

// ReviewRow is a review that falls due.
type ReviewRow struct {
	Who  string // who carries it out, e.g. "GP practice"
	What string
	Due  calendar.Date
}

// dueText is the review's due date as the letter dated today prints it: a
// date already past is marked overdue, "16 Oct 2026 — overdue", so that a
// letter printed after it does not read as if the review were still to
// come. A review due on the letter's date is not yet overdue.
func (r ReviewRow) dueText(today calendar.Date) string {
	if !r.Due.IsZero() && !today.IsZero() && r.Due.Before(today) {
		return longDate(r.Due) + " — overdue"
	}
	return longDate(r.Due)
}

// Contact is someone the GP may need to reach.
type Contact struct {
	Role, Name, Phone string
}

// ChartData is the dose history drawn on the summary. DoseMg is a float for
// drawing only; the exact amounts live in the titration and injection
// tables.
type ChartData struct {
	From, To calendar.Date
	Days     []ChartDay
	// Injectable draws Injections instead of a daily dose and pharmacy
	// attendance: a prolonged-release injection (Buvidal) is given weekly
	// or monthly, not taken each day.
	Injectable bool
	Injections []ChartInjection
	// Switches are the days the patient moved from one regime to another
	// (a change of medicine or product), drawn as dashed lines and
	// explained under the chart.
	Switches []ChartSwitch
}

// ChartSwitch is a change of regime on the chart.
type ChartSwitch struct {
	Date  calendar.Date
	Label string // e.g. "1 May 2026: switched from weekly Buvidal 24 mg to monthly Buvidal 96 mg"
}

// ChartInjection is one injection on the chart.
type ChartInjection struct {
	Date   calendar.Date
	DoseMg float64 // display precision only
	Extra  bool    // an additional dose between regular ones (BV6)
}

// ChartDay is one day of the chart.
type ChartDay struct {
	Date    calendar.Date
	DoseMg  float64 // display precision only
	Outcome string  // "supervised", "collected", "missed", "withheld" or "none"
}

// Chart outcomes.
const (
	OutcomeSupervised = "supervised"
	OutcomeCollected  = "collected"
	OutcomeMissed     = "missed"
	OutcomeWithheld   = "withheld"
	OutcomeNone       = "none"
)

// SharedCareSummaryView is the handover letter the GP receives (SC4).
type SharedCareSummaryView struct {
	ServiceName    string
	ServiceAddress string // lines separated by "\n" (or commas)
	ServicePhone   string
	Author         string // optional signatory, e.g. "Dr A Okafor, Consultant in addiction psychiatry"
	GPPractice     GPPractice
	Patient        Patient
	Date           calendar.Date // letter date
	// Status is where shared care stands, one of the Status constants; it
	// chooses the letter's opening and is printed in a box.
	Status string
	// StatusDate is the day shared care came to stand there (proposed,
	// accepted, declined, handed back or withdrawn); zero for a draft.
	StatusDate calendar.Date
	// StatusBy is who handed prescribing back: PartyService or
	// PartyPractice. Only StatusHandedBack uses it.
	StatusBy string
	// StatusReason is the reason given for a decline, hand-back or
	// withdrawal.
	StatusReason string
	// TreatmentEnded is the day the service ended the regime the letter
	// summarises, zero while it runs, and TreatmentEndReason why. Nobody
	// prescribes it or gives its injections after that. EndedSharedCare
	// says the end is what closed shared care (ADR 0008), so the letter
	// gives the end's reason rather than the hand-back's.
	TreatmentEnded     calendar.Date
	TreatmentEndReason string
	EndedSharedCare    bool
	// EndCancelledPrescription says that ending the treatment cancelled a
	// prescription still running then: LastPrescriptionEnd is the end day.
	EndCancelledPrescription bool
	// TakenHomeAfterEnd names the days after the end whose doses the
	// patient took home before it, e.g. "9–13 Dec 2026"; "" when none.
	TakenHomeAfterEnd string

	Medicine    string
	CurrentDose string
	// PlannedChanges are the dose changes decided but not yet in force,
	// e.g. "55 mg (55 ml) once daily from 14 Dec 2026; then 65 mg (65 ml)
	// once daily from 24 Dec 2026"; "" when none.
	PlannedChanges string
	// Stage is the treatment stage in plain words, e.g. "Planned
	// reduction: the dose is being lowered step by step".
	Stage string
	// Earlier says what the patient was on before the current regime
	// within the period, e.g. "Switched from weekly Buvidal 24 mg to
	// monthly Buvidal 96 mg on 1 May 2026."; "" when nothing.
	Earlier    string
	LastChange calendar.Date
	// LastPrescriptionEnd is the last day of the prescription running on
	// the letter's date (for an ended treatment, the last day prescribed).
	// Zero while the treatment runs means none is running: the letter says
	// so, in the opening too, with LastPrescribedDay, the last day of the
	// latest prescription that ended (zero if none did), so that a GP
	// taking over sees that no supply is in place.
	LastPrescriptionEnd calendar.Date
	LastPrescribedDay   calendar.Date
	// NextPrescriptions are the issued prescriptions still to start,
	// oldest first.
	NextPrescriptions []Period
	// InjectionsOnly marks a patient whose treatment is injections given
	// by a clinician and nothing dispensed: the pharmacy and the
	// prescription end do not apply and are left out.
	InjectionsOnly bool
	// PracticeGivesInjections marks an injectable medicine (Buvidal): what
	// passes to the practice under shared care is giving the injections at
	// the current dose, not prescribing (SC1), and the letter says so.
	PracticeGivesInjections bool
	// NextInjection is when the next injection is due and the window in
	// which giving it is on time; "" for daily medicines.
	NextInjection string
	Pharmacy      Pharmacy
	// PlannedPharmacies are the moves to another pharmacy decided for
	// later, oldest first: Pharmacy is the one dispensing today.
	PlannedPharmacies []PlannedPharmacy
	Supervision       string
	// PlannedSupervision is the pickup pattern changes decided for later,
	// e.g. "From 4 Dec 2026: consumption supervised …"; "" when none.
	// Supervision is the pattern in force today.
	PlannedSupervision string
	Keyworker          string
	// DispensingStopped says that the pharmacy may not dispense now (a
	// run of missed days awaiting a prescriber's review), printed in a
	// box at the top of the current treatment; "" when dispensing goes on.
	DispensingStopped string

	Chart      ChartData
	Titrations []TitrationRow
	Adherence  Adherence
	Screens    []ScreenRow
	// NoScreens is said under the drug screens' heading when Screens is
	// empty, e.g. "None recorded in the last 6 months."; SC4 asks for
	// recent screens, so their absence is stated, not left out. "" leaves
	// the section out.
	NoScreens  string
	Injections []InjectionRow

	RiskFlags []string
	Naloxone  string

	// Eligibility is the SC3 judgement made when shared care was
	// proposed on EligibilityDate, so the practice sees which criteria
	// were not met and why the service went ahead.
	Eligibility     []EligibilityRow
	EligibilityDate calendar.Date
	// EligibilityAtAcceptance: the criteria were judged again when the
	// practice accepted, on EligibilityDate.
	EligibilityAtAcceptance bool

	Responsibilities []Responsibility
	Reviews          []ReviewRow
	HandBack         string // how the GP hands prescribing back to the service (SC1)
	Contacts         []Contact
}

// Where shared care stands (SharedCareSummaryView.Status).
const (
	StatusNotProposed = "not yet proposed" // a prescriber's draft
	StatusProposed    = "proposed"
	StatusAccepted    = "accepted"
	StatusDeclined    = "declined"
	StatusHandedBack  = "handed back" // after acceptance, by either party
	StatusWithdrawn   = "withdrawn"   // the service withdrew its proposal
)

// Who handed prescribing back (SharedCareSummaryView.StatusBy).
const (
	PartyService  = "specialist service"
	PartyPractice = "GP practice"
)

// opening is the letter's first paragraph. It says where shared care
// stands, so a letter printed after acceptance or after the end of shared
// care is not read as a proposal.
func (v SharedCareSummaryView) opening() (string, error) {
	const rest = " This summary sets out the current treatment, recent history and who does what. The GP does not change the dose; please contact the service with any concern."
	on := func(s string) string {
		if v.StatusDate.IsZero() {
			return s
		}
		return s + " on " + longDate(v.StatusDate)
	}
	reason := ""
	if r := strings.TrimSpace(v.StatusReason); r != "" {
		reason = " (reason given: " + strings.TrimRight(r, ".") + ")"
	}
	// What the practice takes on: prescribing, or for an injectable
	// giving the injections, which has no prescription the practice writes.
	what, continues, passed, stays, service := "prescribing", "continues", "Prescribing passed", "Prescribing stays", "The service prescribes"
	if v.PracticeGivesInjections {
		what, continues, passed, stays, service = "the injections", "continue", "The injections passed", "The injections stay", "The service gives the injections"
	}
	stays = " " + stays + " with the specialist service; this summary records the treatment as it stands."
	if !v.TreatmentEnded.IsZero() {
		return v.endedOpening(on, reason)
	}
	switch v.Status {
	case StatusNotProposed, "":
		return "Draft, not sent: shared care of the patient above has not yet been proposed to the practice." + stays, nil
	case StatusProposed:
		return on("We proposed") + " that " + what + " for the patient above " + continues + " under shared care with your practice." + rest, nil
	case StatusAccepted:
		return on(passed+" to the practice under shared care") + "." + rest, nil
	case StatusDeclined:
		return on("The practice declined shared care") + reason + "." + stays, nil
	case StatusWithdrawn:
		return on("The specialist service withdrew its proposal of shared care") + reason + "." + stays, nil
	case StatusHandedBack:
		who := "the practice handed " + what + " back to the specialist service"
		switch v.StatusBy {
		case PartyPractice:
		case PartyService:
			who = "the specialist service took " + what + " back from the practice"
		default:
			return "", fmt.Errorf("pdf: shared care handed back by %q, want %q or %q", v.StatusBy, PartyService, PartyPractice)
		}
		return on("Shared care ended") + ": " + who + reason + ". " + service + " from now on; this summary records the treatment as it stands.", nil
	}
	return "", fmt.Errorf("pdf: unknown shared care status %q", v.Status)
}

// noPrescriptionRunning reports that the treatment runs, with instalments
// dispensed, but no prescription runs on the letter's date.
func (v SharedCareSummaryView) noPrescriptionRunning() bool {
	return v.TreatmentEnded.IsZero() && !v.InjectionsOnly && v.LastPrescriptionEnd.IsZero()
}

// neededFrom is the first day no prescription covers: the day after the
// last day prescribed, or the letter's date when nothing was prescribed
// before it.
func (v SharedCareSummaryView) neededFrom() calendar.Date {
	if v.LastPrescribedDay.IsZero() || v.LastPrescribedDay.AddDays(1).After(v.Date) {
		return v.Date
	}
	return v.LastPrescribedDay.AddDays(1)
}

// noneRunning is the current prescription's row when none runs today.
func (v SharedCareSummaryView) noneRunning() string {
	s := "None running"
	if !v.LastPrescribedDay.IsZero() {
		s += " — last prescribed day " + longDate(v.LastPrescribedDay)
	} else {
		s += " — no prescription has covered a day before this letter"
	}
	s += "; a new prescription is needed from " + longDate(v.neededFrom())
	if len(v.NextPrescriptions) > 0 {
		s += ", to cover the days before the next prescription starts on " + longDate(v.NextPrescriptions[0].Start)
	}
	return s + "."
}

// noSupplyWarning is said in the opening when no prescription runs today,
// so that a GP taking over does not assume a supply is in place.
func (v SharedCareSummaryView) noSupplyWarning() string {
	s := "No prescription is running on " + longDate(v.Date) + ", so the pharmacy has no supply to dispense"
	if !v.LastPrescribedDay.IsZero() {
		s += " (the last prescribed day was " + longDate(v.LastPrescribedDay) + ")"
	}
	s += ": a new prescription is needed from " + longDate(v.neededFrom())
	if len(v.NextPrescriptions) > 0 {
		s += " until the next one starts on " + longDate(v.NextPrescriptions[0].Start)
	}
	return s + "."
}

// endedOpening is the opening once the service has ended the treatment:
// shared care, whatever became of it, ended with it or before it, and
// nobody prescribes (or gives the injections) now, so no party is said to
// take anything on "from now on".
func (v SharedCareSummaryView) endedOpening(on func(string) string, reason string) (string, error) {
	ended := "the specialist service ended the treatment on " + longDate(v.TreatmentEnded)
	if r := strings.TrimSpace(v.TreatmentEndReason); r != "" {
		ended += " (reason given: " + strings.TrimRight(r, ".") + ")"
	}
	nobody := "Nobody prescribes it now"
	what := "prescribing"
	if v.PracticeGivesInjections {
		nobody, what = "Nobody gives the injections now", "the injections"
	}
	tail := nobody + "; this summary records the treatment as it was when it ended."
	if v.EndedSharedCare {
		switch v.Status {
		case StatusHandedBack:
			return on("Shared care ended") + ": " + ended + ". " + tail, nil
		case StatusWithdrawn:
			return on("The proposal of shared care was withdrawn") + ": " + ended + ". " + tail, nil
		}
	}
	var first string
	switch v.Status {
	case StatusNotProposed, "":
		return "Draft, not sent: shared care of the patient above was not proposed to the practice. " + capitalise(ended) + ". " + tail, nil
	case StatusProposed:
		first = on("We proposed shared care with your practice") + "."
	case StatusAccepted:
		first = on(capitalise(what)+" passed to the practice under shared care") + "."
	case StatusDeclined:
		first = on("The practice declined shared care") + reason + "."
	case StatusWithdrawn:
		first = on("The specialist service withdrew its proposal of shared care") + reason + "."
	case StatusHandedBack:
		who := "the practice handed " + what + " back to the specialist service"
		switch v.StatusBy {
		case PartyPractice:
		case PartyService:
			who = "the specialist service took " + what + " back from the practice"
		default:
			return "", fmt.Errorf("pdf: shared care handed back by %q, want %q or %q", v.StatusBy, PartyService, PartyPractice)
		}
		first = on("Shared care ended") + ": " + who + reason + "."
	default:
		return "", fmt.Errorf("pdf: unknown shared care status %q", v.Status)
	}
	return first + " Then " + ended + ". " + tail, nil
}

// SharedCareSummary renders the shared care handover letter for the GP.
func SharedCareSummary(v SharedCareSummaryView, o Options) ([]byte, error) {
	if strings.TrimSpace(v.Patient.Name) == "" {
		return nil, errors.New("pdf: shared care summary has no patient name")
	}
	opening, err := v.opening()
	if err != nil {
		return nil, err
	}
	if v.noPrescriptionRunning() {
		opening += " " + v.noSupplyWarning()
	}
	if err := v.Chart.validate(); err != nil {
		return nil, err
	}
	d, err := newDoc(o, "Shared care summary — "+v.Patient.Name)
	if err != nil {
		return nil, err
	}
	s := summary{doc: d, v: v, opening: opening}
	d.f.SetHeaderFunc(s.pageHeader)
	d.f.SetFooterFunc(s.pageFooter)
	d.f.AddPage()
	s.letterhead()
	s.treatment()
	s.history()
	s.safety()
	s.arrangements()
	if err := d.f.Error(); err != nil {
		return nil, fmt.Errorf("render shared care summary: %w", err)
	}
	return d.output()
}

type summary struct {
	*doc
	v       SharedCareSummaryView
	opening string
}

func (s *summary) pageHeader() {
	if s.f.PageNo() == 1 {
		s.f.SetY(marginT)
		return
	}
	// Later pages repeat who the letter is about, in case pages are separated.
	const label = "Shared care summary (continued)"
	s.font("", 8)
	s.grey(greyText)
	labelW := s.f.GetStringWidth(label) + 4
	s.text(marginL, marginT-2, labelW, []string{label}, 4, "L")
	s.font("B", 8)
	s.black()
	s.text(marginL+labelW, marginT-2, contentW-labelW, []string{s.identity(s.v.Patient, "NHS number", contentW-labelW)}, 4, "R")
	s.f.SetDrawColor(greyLine, greyLine, greyLine)
	s.f.Line(marginL, marginT+2.6, marginL+contentW, marginT+2.6)
	s.f.SetDrawColor(0, 0, 0)
	s.f.SetY(contTop)
}

// contTop is where the content starts on the pages after the first, under
// the repeated patient line.
const contTop = marginT + 6

func (s *summary) pageFooter() {
	y := pageH - 14
	s.f.SetDrawColor(greyLine, greyLine, greyLine)
	s.f.Line(marginL, y, marginL+contentW, y)
	s.f.SetDrawColor(0, 0, 0)
	// The page label keeps its room, however long the name.
	s.font("", 8)
	pageW := s.f.GetStringWidth("page 999 of 999") + 4
	s.text(marginL, y+1.5, contentW, []string{fmt.Sprintf("page %d of %s", s.f.PageNo(), nbPagesTag)}, 4, "R")
	s.font("", 7.5)
	s.grey(greyText)
	s.text(marginL, y+1.5, contentW-pageW, []string{s.identity(s.v.Patient, "NHS number", contentW-pageW)}, 4, "L")
	s.black()
}

func (s *summary) letterhead() {
	v := s.v
	f := s.f
	y := f.GetY()
	// Service, top left.
	s.font("B", 14)
	yy := y + 1 + s.text(marginL, y, contentW-60, s.wrap(orDash(v.ServiceName), contentW-60), 6.5, "L")
	s.font("", 8.5)
	// Wrapped, so that a long line stays clear of the date and status.
	for _, l := range blockLines(v.ServiceAddress) {
		yy += s.text(marginL, yy, contentW-60, s.wrap(l, contentW-60), 4, "L")
	}
	if v.ServicePhone != "" {
		yy += s.text(marginL, yy, contentW-60, s.wrap("Tel "+v.ServicePhone, contentW-60), 4, "L")
	}
	// Date and status, top right.
	s.font("", 8.5)
	s.grey(greyText)
	s.text(marginL+contentW-55, y+1, 55, []string{"Date"}, 4, "R")
	s.black()
	s.font("B", 10)
	s.text(marginL+contentW-55, y+5, 55, []string{longDate(v.Date)}, 5, "R")
	if v.Status != "" {
		s.font("B", 9)
		st := "Status: " + capitalise(v.Status)
		w := f.GetStringWidth(st) + 4
		f.SetLineWidth(0.4)
		f.Rect(marginL+contentW-w, y+11.5, w, 6, "D")
		f.SetLineWidth(0.2)
		s.text(marginL+contentW-w, y+11.5, w, []string{clean(st)}, 6, "C")
	}
	yy = max(yy, y+19) + 5

	// Addressee and patient.
	const colW = (contentW - 6) / 2
	s.font("B", 7)
	s.grey(greyText)
	s.text(marginL, yy, colW, []string{"TO"}, 3.6, "L")
	s.text(marginL+colW+6, yy, colW, []string{"PATIENT"}, 3.6, "L")
	s.black()
	top := yy + 4
	ly := top
	s.font("B", 9.5)
	ly += s.text(marginL, ly, colW, s.wrap(v.GPPractice.Name, colW), 4.4, "L")
	s.font("", 9)
	for _, l := range blockLines(v.GPPractice.Address) {
		ly += s.text(marginL, ly, colW, s.wrap(l, colW), 4.2, "L")
	}
	x := marginL + colW + 6
	ry := top
	s.font("B", 9.5)
	ry += s.text(x, ry, colW, s.wrap(v.Patient.Name, colW), 4.4, "L")
	s.font("", 9)
	for _, l := range blockLines(v.Patient.Address) {
		ry += s.text(x, ry, colW, s.wrap(l, colW), 4.2, "L")
	}
	ry += s.text(x, ry, colW, []string{"Date of birth: " + longDate(v.Patient.DateOfBirth)}, 4.2, "L")
	s.font("B", 9)
	ry += s.text(x, ry, colW, []string{clean("NHS number: " + orDash(v.Patient.NHSNumber))}, 4.2, "L")
	s.font("", 9)
	if v.Patient.Phone != "" {
		ry += s.text(x, ry, colW, []string{clean("Tel " + v.Patient.Phone)}, 4.2, "L")
	}
	f.SetY(max(ly, ry) + 6)

	// Title bar.
	y = f.GetY()
	f.SetFillColor(greyFill, greyFill, greyFill)
	f.Rect(marginL, y, contentW, 9, "F")
	s.font("B", 12)
	s.text(marginL+2.5, y+1.5, contentW-5, []string{"Shared care handover summary — opioid substitution treatment"}, 6, "L")
	f.SetY(y + 11)
	s.paragraph(s.opening, "", 9)
	s.gap(4)
}

// Period is the days a prescription runs, both included.
type Period struct{ Start, End calendar.Date }

// PlannedPharmacy is a move to another pharmacy from a later day.
type PlannedPharmacy struct {
	From     calendar.Date
	Pharmacy Pharmacy
}

// pharmacyText is a pharmacy on one line: name, address and phone.
func pharmacyText(p Pharmacy) string {
	ph := joinNonEmpty(", ", p.Name, oneLine(p.Address))
	if p.Phone != "" {
		ph += " — Tel " + p.Phone
	}
	return ph
}

func (s *summary) treatment() {
	v := s.v
	ph := pharmacyText(v.Pharmacy)
	var moves []string
	for _, m := range v.PlannedPharmacies {
		moves = append(moves, "From "+longDate(m.From)+": "+pharmacyText(m.Pharmacy))
	}
	pharmacyRows := []kv{{"Pharmacy", ph, false}}
	if len(moves) > 0 {
		pharmacyRows = append(pharmacyRows, kv{"Planned pharmacy move", strings.Join(moves, "; then "), true})
	}
	rows := []kv{
		{"Medicine", v.Medicine, true},
		{"Current dose", v.CurrentDose, true},
	}
	if v.PlannedChanges != "" {
		rows = append(rows, kv{"Planned dose changes", v.PlannedChanges, true})
	}
	if v.Stage != "" {
		rows = append(rows, kv{"Treatment stage", v.Stage, false})
	}
	if v.Earlier != "" {
		rows = append(rows, kv{"Earlier treatment", v.Earlier, false})
	}
	rows = append(rows, kv{"Date of last dose change", longDate(v.LastChange), false})
	if v.NextInjection != "" {
		rows = append(rows, kv{"Next injection", v.NextInjection, true})
	}
	// An injection is given by a clinician: no pharmacy dispenses it and
	// no instalment prescription ends.
	switch {
	case v.InjectionsOnly:
	case !v.TreatmentEnded.IsZero():
		// No prescription runs now: what the practice needs is the last day
		// the patient was prescribed a dose.
		last := longDate(v.LastPrescriptionEnd)
		if v.EndCancelledPrescription {
			last += ", the day the treatment ended: the prescription running then was cancelled"
		}
		rows = append(rows, kv{"Last day prescribed", last, false})
		// The patient still holds these doses: giving or prescribing those
		// days' doses again would double them.
		if v.TakenHomeAfterEnd != "" {
			rows = append(rows, kv{"Doses taken home", v.TakenHomeAfterEnd + " (already with the patient): collected before the treatment ended. " +
				"Do not give these days' doses again; the patient is asked to return any unused to the pharmacy.", true})
		}
		rows = append(rows, kv{"Pharmacy", ph, false})
	default:
		if v.LastPrescriptionEnd.IsZero() {
			rows = append(rows, kv{"Current prescription", v.noneRunning(), true})
		} else {
			rows = append(rows, kv{"Current prescription ends", longDate(v.LastPrescriptionEnd), false})
		}
		if len(v.NextPrescriptions) > 0 {
			label := "Next prescription"
			if len(v.NextPrescriptions) > 1 {
				label = "Next prescriptions"
			}
			periods := make([]string, len(v.NextPrescriptions))
			for i, p := range v.NextPrescriptions {
				periods[i] = longDate(p.Start) + " to " + longDate(p.End)
			}
			rows = append(rows, kv{label, strings.Join(periods, "; "), false})
		}
		rows = append(rows, pharmacyRows...)
	}
	label := "Supervision"
	if v.InjectionsOnly {
		label = "How it is given"
	}
	rows = append(rows, kv{label, v.Supervision, false})
	if v.PlannedSupervision != "" {
		rows = append(rows, kv{"Planned supervision change", v.PlannedSupervision, true})
	}
	rows = append(rows, kv{"Keyworker", v.Keyworker, false})
	// The title is kept with the notice and the first rows.
	keep := s.kvHeight(rows[:min(minTableRows, len(rows))], 50, 9)
	if v.DispensingStopped != "" {
		keep += s.noticeHeight(v.DispensingStopped) + 2
	}
	s.sectionTitle("Current treatment", keep)
	if v.DispensingStopped != "" {
		s.notice(v.DispensingStopped)
		s.gap(2)
	}
	s.kvGrid(rows, 50, 9)
	s.gap(4)
}

// noticeHeight is the height notice takes.
func (s *summary) noticeHeight(text string) float64 {
	s.font("B", 9.5)
	return float64(len(s.wrap(text, contentW-6)))*lineH(9.5) + 4
}

// kvHeight is the height kvGrid takes for rows on one page.
func (s *summary) kvHeight(rows []kv, labelW, size float64) float64 {
	h := 0.0
	for _, r := range rows {
		style := ""
		if r.bold {
			style = "B"
		}
		s.font("", size-0.5)
		labels := len(s.wrap(r.label, labelW-2))
		s.font(style, size)
		lines := len(s.wrap(orDash(r.value), contentW-labelW))
		h += float64(max(lines, labels))*lineH(size) + 0.8
	}
	return h
}

// notice prints text in bold inside a box across the content width, for
// what the reader must not miss.
func (s *summary) notice(text string) {
	const size = 9.5
	lh := lineH(size)
	s.font("B", size)
	lines := s.wrap(text, contentW-6)
	h := float64(len(lines))*lh + 4
	s.ensure(h)
	y := s.f.GetY()
	s.f.SetDrawColor(0, 0, 0)
	s.f.SetLineWidth(0.6)
	s.f.Rect(marginL, y, contentW, h, "D")
	s.f.SetLineWidth(0.2)
	s.black()
	s.text(marginL+3, y+2, contentW-6, lines, lh, "L")
	s.f.SetY(y + h)
}

func (s *summary) history() {
	v := s.v
	switch {
	case v.Chart.Injectable && len(v.Chart.Injections) > 0:
		title := "Injections"
		if from, to := v.Chart.span(); !from.IsZero() {
			title += fmt.Sprintf(", %s to %s", longDate(from), longDate(to))
		}
		s.sectionTitle(title, injectionChartHeight+s.captionsHeight(v.Chart))
		s.injectionChart(v.Chart, s.f.GetY())
		s.switchCaptions(v.Chart)
		s.gap(3)
	case !v.Chart.Injectable && len(v.Chart.Days) > 0:
		title := "Dose and pharmacy attendance"
		if from, to := v.Chart.span(); !from.IsZero() {
			title += fmt.Sprintf(", %s to %s", longDate(from), longDate(to))
		}
		s.sectionTitle(title, chartHeight+s.captionsHeight(v.Chart))
		s.chart(v.Chart, s.f.GetY())
		s.switchCaptions(v.Chart)
		s.gap(3)
	}

	a := v.Adherence
	if a.Due > 0 || a.Window != "" {
		s.tableSection("Adherence"+suffix(" — ", a.Window), []column{
			{"Doses due", 26, "R"}, {"Supervised", 27, "R"}, {"Collected (take-home)", 29, "R"},
			{"Missed", 26, "R"}, {"Withheld", 26, "R"}, {"Refused", 26, "R"}, {"Taken", 26, "R"},
		}, [][]string{{
			fmt.Sprint(a.Due), fmt.Sprint(a.Supervised), fmt.Sprint(a.Collected),
			fmt.Sprint(a.Missed), fmt.Sprint(a.Withheld), fmt.Sprint(a.Refused), orDash(a.Percent),
		}}, 9, 1.2, 0)
		s.gap(4)
	}

	if len(v.Titrations) > 0 {
		rows := make([][]string, len(v.Titrations))
		// A dose column widens, at the reason's expense, to keep a dose on
		// one line: "12 mg/3 mg" of the combination product.
		doseW := 17.0
		s.font("", 8.5)
		// The stage column only when the view names stages.
		stages := false
		for _, t := range v.Titrations {
			stages = stages || t.Stage != ""
		}
		for i, t := range v.Titrations {
			date := longDate(t.Date)
			if t.Planned {
				date += " (planned)"
			}
			rows[i] = []string{date, orDash(t.From), orDash(t.To), orDash(t.Reason), orDash(t.Prescriber), orDash(t.Override)}
			for _, dose := range rows[i][1:3] {
				doseW = max(doseW, math.Ceil(s.f.GetStringWidth(dose)+2*tableHPad+0.5))
			}
			if stages {
				rows[i] = slices.Insert(rows[i], 3, orDash(t.Stage))
			}
		}
		cols := []column{
			{"Date", 22, "L"}, {"From", doseW, "R"}, {"To", doseW, "R"}, {"Reason", 66 - 2*(doseW-17), "L"},
			{"Prescriber", 34, "L"}, {"Override", 30, "L"},
		}
		if stages {
			cols = slices.Insert(cols, 3, column{"Stage", stageColW, "L"})
			cols[4].width -= stageColW - 8
			cols[5].width -= 4
			cols[6].width -= 4
		}
		s.tableSection("Dose changes", cols, rows, 8.5, 1.2, 0)
		s.gap(4)
	}

	if len(v.Screens) == 0 && v.NoScreens != "" {
		s.font("", 9)
		s.sectionTitle("Drug screens", float64(len(s.wrap(v.NoScreens, contentW)))*lineH(9))
		s.paragraph(v.NoScreens, "", 9)
		s.gap(4)
	}
	if len(v.Screens) > 0 {
		rows := make([][]string, len(v.Screens))
		for i, sc := range v.Screens {
			w := "No"
			if sc.Witnessed {
				w = "Yes"
			}
			rows[i] = []string{longDate(sc.Date), orDash(sc.Sample), w, orDash(sc.Results)}
		}
		s.tableSection("Drug screens", []column{
			{"Date", 24, "L"}, {"Sample", 28, "L"}, {"Witnessed", 20, "L"}, {"Results", 114, "L"},
		}, rows, 8.5, 1.2, 0)
		s.gap(4)
	}

	if len(v.Injections) > 0 {
		// The product column only when the view names products.
		products := false
		for _, in := range v.Injections {
			products = products || in.Product != ""
		}
		rows := make([][]string, len(v.Injections))
		for i, in := range v.Injections {
			rows[i] = []string{longDate(in.Date), orDash(in.Dose), orDash(in.Site)}
			if products {
				rows[i] = []string{longDate(in.Date), orDash(in.Product), orDash(in.Dose), orDash(in.Site)}
			}
		}
		cols := []column{{"Date", 30, "L"}, {"Dose", 40, "L"}, {"Site", 116, "L"}}
		if products {
			cols = []column{{"Date", 30, "L"}, {"Product", 30, "L"}, {"Dose", 40, "L"}, {"Site", 86, "L"}}
		}
		s.tableSection("Injections (prolonged-release buprenorphine)", cols, rows, 8.5, 1.2, 0)
		s.gap(4)
	}
}

func (s *summary) safety() {
	v := s.v
	// The title is kept with the whole section when it is short, else with
	// its first flags.
	naloxone := []kv{{"Naloxone", v.Naloxone, false}}
	whole := 1 + s.kvHeight(naloxone, 50, 9)
	var first float64
	if len(v.RiskFlags) == 0 {
		whole += lineH(9)
	}
	for i, h := range s.bulletHeights(v.RiskFlags) {
		whole += h + 0.5
		if i < minTableRows {
			first += h + 0.5
		}
	}
	keep := whole
	if whole > 80 {
		keep = first
	}
	s.sectionTitle("Risks and naloxone", keep)
	if len(v.RiskFlags) == 0 {
		s.paragraph("No risk flags recorded.", "", 9)
	}
	s.bullets(v.RiskFlags)
	s.gap(1)
	s.kvGrid(naloxone, 50, 9)
	s.gap(4)
}

func (s *summary) arrangements() {
	v := s.v
	if len(v.Eligibility) > 0 {
		rows := make([][]string, len(v.Eligibility))
		for i, e := range v.Eligibility {
			judged, detail := "Met", e.Detail
			if !e.Met {
				judged = "Not met"
				if e.Override != "" {
					judged = "Not met — overridden"
					detail += suffix(" ", "Service's reason to go ahead: "+e.Override)
				}
			}
			rows[i] = []string{orDash(e.Criterion), judged, orDash(detail)}
		}
		heading := "Eligibility for shared care (SC3), as the service judged it on " + longDate(v.EligibilityDate)
		if v.EligibilityAtAcceptance {
			heading = "Eligibility for shared care (SC3), as judged when the practice accepted it on " + longDate(v.EligibilityDate)
		}
		s.tableSection(heading,
			[]column{{"Criterion", 56, "L"}, {"Judged", 30, "L"}, {"Detail", 100, "L"}}, rows, 8.5, 1.2, 0)
		s.gap(4)
	}
	if len(v.Responsibilities) > 0 {
		rows := make([][]string, len(v.Responsibilities))
		for i, r := range v.Responsibilities {
			rows[i] = []string{orDash(r.Party), orDash(r.Duty)}
		}
		s.tableSection("Who does what", []column{{"Party", 40, "L"}, {"Responsibilities", 146, "L"}}, rows, 8.5, 1.2, 0)
		s.gap(4)
	}
	if len(v.Reviews) > 0 {
		// The "who" column only when the view says who.
		who := false
		for _, r := range v.Reviews {
			who = who || r.Who != ""
		}
		rows := make([][]string, len(v.Reviews))
		for i, r := range v.Reviews {
			due := r.dueText(v.Date)
			rows[i] = []string{orDash(r.What), due}
			if who {
				rows[i] = []string{orDash(r.Who), orDash(r.What), due}
			}
		}
		cols := []column{{"Review", 146, "L"}, {"Due", 40, "L"}}
		if who {
			cols = []column{{"Who", 40, "L"}, {"Review", 106, "L"}, {"Due", 40, "L"}}
		}
		s.tableSection("Reviews", cols, rows, 8.5, 1.2, 0)
		s.gap(4)
	}
	if v.HandBack != "" {
		// The paragraph is kept whole with its title, so that no last
		// line is left alone on the next page.
		s.font("", 9)
		keep := min(float64(len(s.wrap(v.HandBack, contentW)))*lineH(9), 60)
		title := "Handing prescribing back to the specialist service"
		if v.PracticeGivesInjections {
			title = "Handing the injections back to the specialist service"
		}
		s.sectionTitle(title, keep)
		s.paragraph(v.HandBack, "", 9)
		s.gap(4)
	}
	// The signature closes the letter, so it is kept with the contacts
	// before it: with the last rows of the table.
	after := 0.0
	if v.Author != "" {
		after = 4 + s.signatureHeight()
	}
	if len(v.Contacts) > 0 {
		cols := []column{{"Role", 62, "L"}, {"Name", 72, "L"}, {"Phone", 52, "L"}}
		rows := make([][]string, len(v.Contacts))
		for i, c := range v.Contacts {
			rows[i] = []string{orDash(c.Role), orDash(c.Name), orDash(c.Phone)}
		}
		s.tableSection("Contacts", cols, rows, 8.5, 1.2, after)
		s.gap(4)
	}
	if v.Author != "" {
		s.ensure(s.signatureHeight())
		s.gap(2)
		s.paragraph("On behalf of the specialist service:", "", 9)
		s.paragraph(v.Author, "B", 9)
	}
}

// switchCaptions explains the chart's dashed lines, one line per change
// of regime.
func (s *summary) switchCaptions(c ChartData) {
	for _, sw := range c.Switches {
		if sw.Label == "" {
			continue
		}
		s.grey(greyText)
		s.paragraph("Dashed line — "+sw.Label, "", 8)
		s.black()
	}
}

// captionsHeight is the height switchCaptions takes.
func (s *summary) captionsHeight(c ChartData) float64 {
	s.font("", 8)
	h := 0.0
	for _, sw := range c.Switches {
		if sw.Label != "" {
			h += float64(len(s.wrap("Dashed line — "+sw.Label, contentW))) * lineH(8)
		}
	}
	return h
}

// signatureHeight is the height of the closing "On behalf of" and the
// author's name.
func (s *summary) signatureHeight() float64 {
	s.font("B", 9)
	return 2 + lineH(9)*float64(1+len(s.wrap(s.v.Author, contentW)))
}

// bulletHeights is the height of each item bullets prints, without the
// space after it.
func (s *summary) bulletHeights(items []string) []float64 {
	s.font("", 9)
	hs := make([]float64, len(items))
	for i, it := range items {
		hs[i] = float64(len(s.wrap(it, contentW-5))) * lineH(9)
	}
	return hs
}

// bullets prints a bulleted list.
func (s *summary) bullets(items []string) {
	const size = 9.0
	lh := lineH(size)
	for _, it := range items {
		s.font("", size)
		lines := s.wrap(it, contentW-5)
		h := float64(len(lines)) * lh
		s.ensure(h)
		y := s.f.GetY()
		s.text(marginL+1, y, 4, []string{"•"}, lh, "L")
		s.text(marginL+5, y, contentW-5, lines, lh, "L")
		s.f.SetY(y + h + 0.5)
	}
}

func suffix(sep, s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return sep + s
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// stageColW is the width of the dose changes' Stage column, which holds
// "Maintenance" on one line and "Titration → maintenance" on two.
const stageColW = 23.0

// minTableRows is the fewest rows of a table printed on a page: a table is
// not split to leave its header with one or two rows at the foot of a page,
// nor one or two rows alone at the top of the next.
const minTableRows = 3

// sectionTitleHeight is the height sectionTitle takes.
func sectionTitleHeight() float64 { return lineH(10.5) + 2 }

// tableSection prints a titled table. The title, the header and the first
// rows stay together: when fewer than minTableRows rows (or the whole of a
// shorter table) fit under them, the section starts on the next page. A
// table that goes on to later pages repeats its header there and leaves at
// least minTableRows rows on each page. keepAfter mm are kept on the page
// of the last row, for what must not be parted from it (the signature).
func (s *summary) tableSection(title string, cols []column, rows [][]string, size, vpad, keepAfter float64) {
	titles, headerH := s.tableHeader(cols, size, vpad)
	cells := make([][][]string, len(rows))
	heights := make([]float64, len(rows))
	for i, row := range rows {
		cells[i], heights[i] = s.tableRow(cols, row, size, vpad)
	}
	fresh := func() bool { return s.f.PageNo() > 1 && s.f.GetY() <= contTop+0.01 }
	breaks, ok := planTable(s.f.GetY()+sectionTitleHeight(), contTop, contentBottom, headerH, heights, keepAfter, !fresh())
	if !ok {
		s.f.AddPage()
		breaks, _ = planTable(s.f.GetY()+sectionTitleHeight(), contTop, contentBottom, headerH, heights, keepAfter, false)
	}
	s.sectionTitle(title, 0)

	lh := lineH(size)
	header := func() { s.drawHeaderRow(cols, titles, headerH, size, vpad) }
	s.f.SetDrawColor(0, 0, 0)
	header()
	for i := range rows {
		if len(breaks) > 0 && breaks[0] == i {
			breaks = breaks[1:]
			s.f.AddPage()
			header()
		}
		s.font("", size)
		y := s.f.GetY()
		x := marginL
		for j, c := range cols {
			s.f.Rect(x, y, c.width, heights[i], "D")
			s.text(x+tableHPad, y+vpad, c.width-2*tableHPad, cells[i][j], lh, c.align)
			x += c.width
		}
		s.f.SetY(y + heights[i])
	}
}

// planTable decides where a table whose header starts at y is split across
// pages, each page after the first starting at top and every page ending
// at bottom: it gives the indices of the rows that begin a new page, under
// a repeated header. Each page holds at least minTableRows rows (a table
// of fewer is never split), and keepAfter mm stay on the page of the last
// row. With strict set, ok is false when that cannot be done from y, and
// the table must start on a new page; without it, a page that cannot hold
// enough rows (rows taller than a page) takes as many as fit, at least one.
func planTable(y, top, bottom, headerH float64, heights []float64, keepAfter float64, strict bool) (breaks []int, ok bool) {
	n := len(heights)
	for start := 0; ; {
		avail := bottom - y - headerH
		k, used := 0, 0.0
		for start+k < n {
			h := heights[start+k]
			if start+k == n-1 {
				h += keepAfter
			}
			if used+h > avail {
				break
			}
			used += heights[start+k]
			k++
		}
		if start+k == n {
			return breaks, true
		}
		fit := k
		// Leave enough rows for the next page.
		k = min(k, n-start-minTableRows)
		if k < min(minTableRows, n-start) {
			if strict && start == 0 {
				return nil, false
			}
			k = max(fit, 1)
		}
		start += k
		breaks = append(breaks, start)
		y = top
	}
}
