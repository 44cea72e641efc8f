package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/pdf"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/sharedcare"
	"github.com/dosebook/dosebook/internal/store"
)

// summaryMonths is how far back the summary's dose chart reaches (SC4).
const summaryMonths = 6

func (s *Server) pdfOptions() pdf.Options { return pdf.Options{CreatedAt: s.db.Now(), Compress: true} }

// writePDF sends a document inline. Documents carry patient data, so no
// cache may keep them.
func writePDF(c *gin.Context, filename string, body []byte) {
	filename = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, filename)
	c.Header("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", body)
}

// prescriptionPDF prints a prescription. The print is counted and audited
// in the same transaction that renders it, so a failed render is not
// counted. Only the signing prescriber's first print is the original;
// every other print says COPY (see store.PrintPrescription).
func (s *Server) prescriptionPDF(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var out []byte
	var serial string
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		d, err := tx.PrintPrescription(principal(c), id)
		if err != nil {
			return err
		}
		serial = d.Serial
		out, err = pdf.Prescription(s.prescriptionDocView(d), s.pdfOptions())
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writePDF(c, serial+".pdf", out)
}

// unitShort is the abbreviation of the unit a quantity is written in.
func unitShort(med dosing.Medicine) string {
	if med.Unit == dosing.UnitMillilitres {
		return "ml"
	}
	return "mg"
}

// amount writes a dose as the quantity of product: "60 ml" of methadone
// 1 mg/ml, "12 mg" of buprenorphine.
func amount(med dosing.Medicine, m dosing.Micrograms) string {
	return med.QuantityOf(m).MilligramsString() + " " + unitShort(med)
}

// doseText is the dose as a prescriber writes it: "60 mg (60 ml) once daily".
func doseText(med dosing.Medicine, m dosing.Micrograms) string {
	if m == 0 {
		return ""
	}
	switch med.Interval {
	case dosing.IntervalWeekly:
		return m.String() + " once weekly by subcutaneous injection"
	case dosing.IntervalMonthly:
		return m.String() + " once monthly by subcutaneous injection"
	}
	if med.Unit == dosing.UnitMillilitres {
		return fmt.Sprintf("%s (%s) once daily", m, amount(med, m))
	}
	return m.String() + " once daily"
}

// dosePeriodsText states each daily dose of a prescription with its days,
// for a prescription across a dose change (L2): "70 mg (70 ml) daily on
// 21 Dec 2026, then 75 mg (75 ml) daily from 22 Dec 2026". The last period
// runs to the end of the prescription. each writes one dose.
func dosePeriodsText(periods []prescriptions.DosePeriod, end calendar.Date, each func(dosing.Micrograms) string) string {
	parts := make([]string, len(periods))
	for i, p := range periods {
		last := prescriptions.PeriodEnd(periods, i, end)
		var when string
		switch {
		case p.From.Equal(last):
			when = "on " + longDate(p.From)
		case i == len(periods)-1:
			when = "from " + longDate(p.From)
		default:
			when = "from " + longDate(p.From) + " to " + longDate(last)
		}
		parts[i] = each(p.DailyDose) + " " + when
	}
	return strings.Join(parts, ", then ")
}

// prescribedDose is the dose line of a prescription: one dose as
// doseText writes it, or each dose with its days.
func prescribedDose(med dosing.Medicine, d store.Prescription) string {
	if len(d.DosePeriods) <= 1 {
		return doseText(med, d.DailyDose)
	}
	return dosePeriodsText(d.DosePeriods, d.EndDate, func(m dosing.Micrograms) string {
		if med.Unit == dosing.UnitMillilitres {
			return fmt.Sprintf("%s (%s) daily", m, amount(med, m))
		}
		return m.String() + " daily"
	})
}

// instalmentAmounts is the amount of a day's instalment, for each dose the
// prescription covers: "70 ml", or "70 ml on 21 Dec 2026, then 75 ml from
// 22 Dec 2026".
func instalmentAmounts(med dosing.Medicine, d store.Prescription) string {
	if len(d.DosePeriods) <= 1 {
		return amount(med, d.DailyDose)
	}
	return dosePeriodsText(d.DosePeriods, d.EndDate, func(m dosing.Micrograms) string { return amount(med, m) })
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// dayMonth is "Sat 29 May".
func dayMonth(d calendar.Date) string { return d.Format("Mon 2 Jan") }

// daysCovered describes the dose days one instalment supplies:
// "Sat 29 May – Mon 31 May" for a run, the day alone for one.
func daysCovered(date calendar.Date, covers []calendar.Date) string {
	switch {
	case len(covers) == 0:
		return dayMonth(date)
	case len(covers) == 1:
		return dayMonth(covers[0])
	}
	first, last := covers[0], covers[len(covers)-1]
	if first.DaysUntil(last) == len(covers)-1 {
		return dayMonth(first) + " – " + dayMonth(last)
	}
	parts := make([]string, len(covers))
	for i, d := range covers {
		parts[i] = dayMonth(d)
	}
	return strings.Join(parts, ", ")
}

// weekOrder is a UK week, Monday first.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func shortDay(d time.Weekday) string { return d.String()[:3] }

// weekdaysText compresses weekdays (in week order) into runs: "Mon–Fri",
// "Mon, Wed, Fri", "every day".
func weekdaysText(days []time.Weekday) string {
	if len(days) == 7 {
		return "every day"
	}
	idx := func(d time.Weekday) int { return (int(d) + 6) % 7 }
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && idx(days[j+1]) == idx(days[j])+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, shortDay(days[i])+"–"+shortDay(days[j]))
		case j > i:
			parts = append(parts, shortDay(days[i]), shortDay(days[j]))
		default:
			parts = append(parts, shortDay(days[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// patternText describes the weekly pickup pattern in words.
// followsPattern reports whether every instalment is supervised exactly on
// the pattern's supervised days.
func followsPattern(p regimes.WeeklyPattern, ins []store.Instalment) bool {
	if p.IsZero() {
		p = regimes.AllSupervised()
	}
	for _, in := range ins {
		if (p[in.Date.Weekday()] == regimes.PickupSupervised) != (in.Supervised > 0) {
			return false
		}
	}
	return true
}

func patternText(p regimes.WeeklyPattern) string {
	if p.IsZero() {
		p = regimes.AllSupervised()
	}
	var sup, home []time.Weekday
	earlier := map[time.Weekday][]time.Weekday{}
	var suppliers []time.Weekday
	for _, d := range weekOrder {
		switch p[d] {
		case regimes.PickupSupervised:
			sup = append(sup, d)
		case regimes.PickupTakeHome:
			home = append(home, d)
		case regimes.PickupEarlier:
			on, _ := p.SuppliedOn(d)
			if _, seen := earlier[on]; !seen {
				suppliers = append(suppliers, on)
			}
			earlier[on] = append(earlier[on], d)
		}
	}
	var parts []string
	if len(sup) > 0 {
		parts = append(parts, "consumption supervised at the pharmacy "+onDays(sup))
	}
	if len(home) > 0 {
		parts = append(parts, "take-home dose collected "+onDays(home))
	}
	for _, on := range suppliers {
		parts = append(parts, fmt.Sprintf("%s dose supplied on %s to take home", weekdaysText(earlier[on]), shortDay(on)))
	}
	return capitalise(strings.Join(parts, "; ")) + "."
}

func onDays(ds []time.Weekday) string {
	t := weekdaysText(ds)
	if t == "every day" {
		return t
	}
	return "on " + t
}

// prescriberRole is how the signatory is described on the form.
func prescriberRole(u store.User) string {
	switch {
	case u.Role == auth.GP:
		return "GP (shared care)"
	case strings.HasPrefix(strings.ToUpper(u.Registration), "GMC"):
		return "Specialist doctor"
	}
	return "Non-medical prescriber"
}

func (s *Server) prescriptionDocView(d store.PrescriptionDocument) pdf.PrescriptionView {
	med, _ := dosing.LookupMedicine(d.Medicine)
	words, _ := prescriptions.LookupWording(d.Wording)
	texts := make([]string, len(words))
	for i, w := range words {
		texts[i] = w.Text
	}
	rows := make([]pdf.InstalmentRow, len(d.Instalments))
	carries := false
	for i, in := range d.Instalments {
		rows[i] = pdf.InstalmentRow{Date: in.Date, DaysCovered: daysCovered(in.Date, in.Covers)}
		if in.Supervised > 0 {
			rows[i].Supervised = amount(med, in.Supervised)
		}
		if in.TakeHome > 0 {
			rows[i].TakeHome = amount(med, in.TakeHome)
		}
		carries = carries || len(in.Covers) > 1
	}
	interval := fmt.Sprintf("Daily instalments of %s. %s", instalmentAmounts(med, d.Prescription), patternText(d.Pattern))
	if !followsPattern(d.Pattern, d.Instalments) {
		// A reissue can span a pattern change: the schedule is the truth.
		interval = fmt.Sprintf("Daily instalments of %s. The pickup pattern changes during this prescription: "+
			"each instalment is supervised or taken home as scheduled below.", instalmentAmounts(med, d.Prescription))
	}
	if carries {
		interval += " Doses for days the pharmacy is closed are supplied with the instalment before, as scheduled below."
	}
	return pdf.PrescriptionView{
		Serial: d.Serial, Status: string(d.EffectiveStatus(s.today(), s.cfg.Policy)), Copy: d.Copy(),
		Service: pdf.Service{Name: d.Service.Name, Address: d.Service.Address, Phone: d.Service.Phone},
		// Where the prescriber works, not the service the prescription
		// belongs to: under shared care a GP's practice (L1).
		Prescriber: pdf.Prescriber{Name: d.Prescriber.Name, Role: prescriberRole(d.Prescriber), Registration: d.Prescriber.Registration,
			Organisation: d.PrescriberOrg.Name, Address: d.PrescriberOrg.Address, Phone: d.PrescriberOrg.Phone, DirectLine: d.Prescriber.Phone},
		Patient: pdf.Patient{Name: d.Patient.Name(), Address: d.Patient.Address, DateOfBirth: d.Patient.DateOfBirth,
			NHSNumber: patients.FormatNHSNumber(d.Patient.NHSNumber)},
		Pharmacy: pdf.Pharmacy{Name: d.Pharmacy.Name, Address: d.Pharmacy.Address, Phone: d.Pharmacy.Phone},
		Medicine: med.Name, Form: capitalise(med.Form), Strength: strings.Join(med.StrengthLabels, ", "),
		Dose:          prescribedDose(med, d.Prescription),
		TotalQuantity: prescriptions.TotalQuantity(d.Total, med.Unit),
		Interval:      interval,
		Start:         d.StartDate, End: d.EndDate, Instalments: rows, Wording: texts, Replaces: replacesText(d.ReplacesSerial),
		PrescriptionDate: d.PrescribedOn, FirstInstalmentBy: d.PrescribedOn.AddDays(s.cfg.Policy.L3ValidDays),
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// sharedCareSummaryPDF is the handover letter to the GP (SC4).
func (s *Server) sharedCareSummaryPDF(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	today := s.today()
	rec, err := s.db.SharedCareSummary(c.Request.Context(), principal(c), id, regimes.AddMonths(today, -summaryMonths), today)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := pdf.SharedCareSummary(s.summaryView(rec, today), s.pdfOptions())
	if err != nil {
		s.fail(c, err)
		return
	}
	writePDF(c, "shared-care-summary-"+rec.Patient.ID+".pdf", out)
}

// chartOutcome maps a dose day's outcome to the chart's lanes; refused
// doses are drawn with withheld ones (neither was taken).
func chartOutcome(o dispensing.Outcome) string {
	switch o {
	case dispensing.Supervised:
		return pdf.OutcomeSupervised
	case dispensing.Collected:
		return pdf.OutcomeCollected
	case dispensing.Missed:
		return pdf.OutcomeMissed
	case dispensing.Withheld, dispensing.Refused:
		return pdf.OutcomeWithheld
	}
	return pdf.OutcomeNone
}

// dayOutcome merges the records of one date: a dose taken counts over one
// not taken, which counts over an unknown one.
func dayOutcome(days []dispensing.DayOutcome) map[calendar.Date]dispensing.Outcome {
	rank := func(o dispensing.Outcome) int {
		switch {
		case o.Taken():
			return 2
		case o != "":
			return 1
		}
		return 0
	}
	out := map[calendar.Date]dispensing.Outcome{}
	for _, d := range days {
		if cur, ok := out[d.Date]; !ok || rank(d.Outcome) > rank(cur) {
			out[d.Date] = d.Outcome
		}
	}
	return out
}

func longDate(d calendar.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.Format("2 Jan 2006")
}

func screenResults(sc store.DrugScreen) string {
	var pos, neg []string
	for _, sub := range store.Screenable {
		switch sc.Results[sub] {
		case store.ResultPositive:
			pos = append(pos, sub)
		case store.ResultNegative:
			neg = append(neg, sub)
		}
	}
	for _, o := range sc.OtherSubstances {
		if o.Result == store.ResultPositive {
			pos = append(pos, o.Name)
		} else {
			neg = append(neg, o.Name)
		}
	}
	var parts []string
	if len(pos) > 0 {
		parts = append(parts, "Positive: "+strings.Join(pos, ", "))
	}
	if len(neg) > 0 {
		parts = append(parts, "Negative: "+strings.Join(neg, ", "))
	}
	if sc.Notes != "" {
		parts = append(parts, sc.Notes)
	}
	return strings.Join(parts, ". ")
}

func siteText(s regimes.Site) string {
	str := string(s)
	for _, side := range []string{"left", "right"} {
		if rest, ok := strings.CutSuffix(str, "_"+side); ok {
			return capitalise(strings.ReplaceAll(rest, "_", " ")) + " (" + side + ")"
		}
	}
	return capitalise(strings.ReplaceAll(str, "_", " "))
}

// summaryStatus says where shared care stands for the letter: the status,
// the day of the step that set it, and for a hand-back or decline who took
// it and why. A proposal the service handed back before the practice
// accepted it was withdrawn, not handed back.
func (s *Server) summaryStatus(rec store.SummaryRecords) (status string, on calendar.Date, by, reason string) {
	if rec.Arrangement == nil {
		return pdf.StatusNotProposed, calendar.Date{}, "", ""
	}
	kind := map[string]string{store.SharedProposed: pdf.StatusProposed, store.SharedAccepted: pdf.StatusAccepted,
		store.SharedDeclined: pdf.StatusDeclined, store.SharedHandedBack: pdf.StatusHandedBack}
	status = kind[rec.Arrangement.Status]
	accepted := false
	for _, ev := range rec.Timeline {
		accepted = accepted || ev.Kind == store.SharedAccepted
		if ev.Kind != rec.Arrangement.Status {
			continue
		}
		on, reason = calendar.DateOf(ev.OccurredAt, s.cfg.Timezone), ev.Reason
		by = pdf.PartyService
		if ev.Party == store.PartyPractice {
			by = pdf.PartyPractice
		}
	}
	if status == pdf.StatusHandedBack && !accepted {
		status = pdf.StatusWithdrawn
	}
	return status, on, by, reason
}

func (s *Server) summaryView(rec store.SummaryRecords, today calendar.Date) pdf.SharedCareSummaryView {
	n := s.cfg.Policy
	med, _ := dosing.LookupMedicine(rec.Regime.Medicine)
	pt := rec.Patient
	current := store.DoseOn(rec.History, today)
	if rec.Regime.Status != store.RegimeActive {
		current = store.DoseOn(rec.History, rec.Regime.EndedOn)
	}
	v := pdf.SharedCareSummaryView{
		ServiceName: rec.Service.Name, ServiceAddress: rec.Service.Address, ServicePhone: rec.Service.Phone,
		GPPractice: pdf.GPPractice{Name: rec.Practice.Name, Address: rec.Practice.Address},
		Patient: pdf.Patient{Name: pt.Name(), Address: pt.Address, DateOfBirth: pt.DateOfBirth,
			NHSNumber: patients.FormatNHSNumber(pt.NHSNumber), Phone: pt.Phone},
		Date:                today,
		Medicine:            med.Name,
		CurrentDose:         doseText(med, current),
		LastPrescriptionEnd: rec.LastPrescriptionEnd,
		Pharmacy:            pdf.Pharmacy{Name: rec.Pharmacy.Name, Address: rec.Pharmacy.Address, Phone: rec.Pharmacy.Phone},
		Keyworker:           pt.Keyworker,
	}
	if rec.Regime.Status != store.RegimeActive {
		v.CurrentDose += fmt.Sprintf(" — regime ended on %s", longDate(rec.Regime.EndedOn))
	}
	v.Status, v.StatusDate, v.StatusBy, v.StatusReason = s.summaryStatus(rec)
	if rec.Proposer.ID != "" {
		v.Author = rec.Proposer.Name
		if rec.Proposer.Registration != "" {
			v.Author += " (" + rec.Proposer.Registration + ")"
		}
	}
	// The last change in force today; one planned for later is said beside
	// the current dose, so the letter does not date a dose not yet given.
	for _, h := range rec.History {
		if h.EffectiveDate.After(today) {
			v.CurrentDose += fmt.Sprintf(" (changing to %s from %s)", doseText(med, h.To), longDate(h.EffectiveDate))
			continue
		}
		v.LastChange = h.EffectiveDate
	}
	if med.Injectable {
		v.Supervision = "Injections are given by a healthcare professional at the service (BV2); nothing is dispensed to take home."
	} else {
		v.Supervision = patternText(rec.Regime.Pattern)
		if rec.Regime.SupervisionRelaxedReason != "" {
			v.Supervision += " Supervision relaxed: " + rec.Regime.SupervisionRelaxedReason
		}
	}

	// Chart: the dose in force and what happened on each day of the regime
	// within the last six months; for an injectable, each injection.
	from := regimes.AddMonths(today, -summaryMonths)
	v.Chart = pdf.ChartData{From: from, To: today, Injectable: med.Injectable}
	for _, ad := range rec.Administrations {
		if med.Injectable && !ad.Date.Before(from) && !ad.Date.After(today) {
			v.Chart.Injections = append(v.Chart.Injections, pdf.ChartInjection{Date: ad.Date,
				DoseMg: float64(ad.Dose) / float64(dosing.Milligram), Extra: ad.Extra})
		}
	}
	outcomes := dayOutcome(rec.Days)
	for d := from; !d.After(today) && !med.Injectable; d = d.AddDays(1) {
		if d.Before(rec.Regime.StartDate) || !rec.Regime.EndedOn.IsZero() && d.After(rec.Regime.EndedOn) {
			continue
		}
		dose := store.DoseOn(rec.History, d)
		v.Chart.Days = append(v.Chart.Days, pdf.ChartDay{Date: d, DoseMg: float64(dose) / float64(dosing.Milligram),
			Outcome: chartOutcome(outcomes[d])})
	}

	for _, c := range rec.History {
		row := pdf.TitrationRow{Date: c.EffectiveDate, To: c.To.String(), Reason: c.Reason, Prescriber: rec.UserNames[c.PrescriberID]}
		if c.From > 0 {
			row.From = c.From.String()
		}
		ovs := rec.Overrides[c.ID]
		if c.From == 0 {
			ovs = append(ovs, rec.Overrides[rec.Regime.ID]...)
		}
		var notes []string
		for _, o := range ovs {
			notes = append(notes, o.Rule+": "+o.Reason)
		}
		row.Override = strings.Join(notes, "; ")
		v.Titrations = append(v.Titrations, row)
	}

	wFrom, wTo := sharedcare.Window(n, today)
	a := dispensing.ComputeAdherence(rec.Days, wFrom, wTo.AddDays(-1))
	v.Adherence = pdf.Adherence{
		Window: fmt.Sprintf("last %d weeks (%s – %s)", n.SC3AdherenceWeeks, longDate(wFrom), longDate(wTo.AddDays(-1))),
		Due:    a.Due, Supervised: a.Supervised, Collected: a.Collected, Missed: a.Missed, Withheld: a.Withheld + a.Refused,
	}
	if a.TakenPercent != "" {
		v.Adherence.Percent = a.TakenPercent + " %"
	}
	if med.Injectable {
		v.Adherence = pdf.Adherence{} // injections are listed instead
	}

	for _, sc := range rec.Screens {
		v.Screens = append(v.Screens, pdf.ScreenRow{Date: sc.Date, Sample: capitalise(strings.ReplaceAll(sc.SampleType, "_", " ")),
			Witnessed: sc.Witnessed, Results: screenResults(sc)})
	}
	for _, ad := range rec.Administrations {
		dose := ad.Dose.String()
		if ad.Extra {
			dose += " (additional dose)"
		}
		v.Injections = append(v.Injections, pdf.InjectionRow{Date: ad.Date, Dose: dose, Site: siteText(ad.Site)})
	}

	v.RiskFlags = pt.RiskFlags.Flags()
	if len(v.RiskFlags) == 0 {
		v.RiskFlags = []string{"No risk flags recorded (benzodiazepines, alcohol, QTc, overdose, injecting, children, prison release)."}
	}
	if med.Class == dosing.ClassMethadone {
		if current >= n.M4HighDose {
			v.RiskFlags = append(v.RiskFlags, fmt.Sprintf("High-dose methadone (%s or more): ECG/QTc monitoring (M4)", n.M4HighDose))
		}
		if !rec.Regime.ECGDate.IsZero() {
			v.RiskFlags = append(v.RiskFlags, "Last ECG/QTc check: "+longDate(rec.Regime.ECGDate))
		}
	}
	if pt.NaloxoneSuppliedOn.IsZero() {
		v.Naloxone = "No take-home naloxone supply recorded: please offer it."
	} else {
		v.Naloxone = "Take-home naloxone supplied on " + longDate(pt.NaloxoneSuppliedOn) + "."
	}

	pharmacyDuty := pdf.Responsibility{Party: "Pharmacy", Duty: fmt.Sprintf("Dispenses the instalments as prescribed and supervises consumption where stated; never supplies missed doses later; stops and consults the prescriber after %d consecutive missed days (MD1); withholds the dose from an intoxicated patient and tells the prescriber (S3).", n.MD1ConsecutiveMissedDays)}
	// Shared care that was declined, withdrawn or handed back leaves
	// prescribing with the service, and the letter must not tell the
	// practice otherwise.
	ended := v.Status == pdf.StatusDeclined || v.Status == pdf.StatusWithdrawn || v.Status == pdf.StatusHandedBack
	if ended {
		v.Responsibilities = []pdf.Responsibility{
			{Party: "Specialist service", Duty: fmt.Sprintf("Prescribes, and decides the dose and supervision; reviews the regime at least every %d months (M5); keyworking and psychosocial support; drug screening; may propose shared care again once the patient is stable (SC1, SC3).", n.M5ReviewMonths)},
			{Party: "GP practice", Duty: "General medical care; does not prescribe the opioid substitution treatment while the service does; tells the service about intoxication, overdose, new risks (including new sedative or QT-prolonging medicines) or concerns about the treatment."},
			pharmacyDuty,
		}
	} else {
		v.Responsibilities = []pdf.Responsibility{
			{Party: "Specialist service", Duty: fmt.Sprintf("Decides and changes the dose and supervision (the GP does not titrate, SC1); reviews the patient at least every %d months; keyworking and psychosocial support; drug screening; takes prescribing back whenever asked.", n.SC1SpecialistReviewMonths)},
			{Party: "GP practice", Duty: fmt.Sprintf("Prescribes at the current dose and supervision, on instalment prescriptions of at most %d days (L6); reviews prescribing at least every %d months (M5); tells the service about missed doses, intoxication, new risks or any request to change the dose; hands prescribing back when needed.", n.L6MaxDays, n.M5ReviewMonths)},
			pharmacyDuty,
		}
	}

	specWhat := fmt.Sprintf("Specialist review (SC1: at least every %d months)", n.SC1SpecialistReviewMonths)
	gpWhat := fmt.Sprintf("GP prescribing review (M5: at least every %d months)", n.M5ReviewMonths)
	switch v.Status {
	case pdf.StatusAccepted:
		v.Reviews = append(v.Reviews, pdf.ReviewRow{What: specWhat, Due: rec.Arrangement.SpecialistReviewDue},
			pdf.ReviewRow{What: gpWhat, Due: rec.Arrangement.GPReviewDue})
	case pdf.StatusNotProposed, pdf.StatusProposed:
		v.Reviews = append(v.Reviews, pdf.ReviewRow{What: specWhat + " — dated when the practice accepts"},
			pdf.ReviewRow{What: gpWhat + " — dated when the practice accepts"})
	}
	// Once shared care has ended or was refused, only the service's own
	// regime review is due.
	if rec.Regime.Status == store.RegimeActive {
		from := rec.Regime.StartDate
		if rec.LastReview.After(from) {
			from = rec.LastReview
		}
		v.Reviews = append(v.Reviews, pdf.ReviewRow{What: "Next regime review (M5), from the last review on " + longDate(rec.LastReview),
			Due: regimes.ReviewDue(from, n)})
		if rec.LastReview.IsZero() {
			v.Reviews[len(v.Reviews)-1].What = "Next regime review (M5), from the start of treatment"
		}
	}

	if !ended {
		v.HandBack = fmt.Sprintf("Either party can hand prescribing back at any time (SC1). The practice records it in Dosebook with the reason "+
			"(hand back on the shared care arrangement) or telephones %s on %s; the service is alerted and writes the next prescription, "+
			"so that treatment continues without a gap. Contact the service the same day for intoxication, %d or more consecutive missed days, "+
			"an overdose, a new risk, or any request to change the dose.", rec.Service.Name, firstNonEmpty(rec.Service.Phone, "its main number"),
			n.MD1ConsecutiveMissedDays)
	}

	v.Contacts = []pdf.Contact{{Role: "Specialist service", Name: rec.Service.Name, Phone: rec.Service.Phone}}
	if rec.Proposer.ID != "" {
		v.Contacts = append(v.Contacts, pdf.Contact{Role: "Prescriber (specialist service)", Name: rec.Proposer.Name,
			Phone: firstNonEmpty(rec.Proposer.Phone, rec.Service.Phone)})
	}
	if pt.Keyworker != "" {
		v.Contacts = append(v.Contacts, pdf.Contact{Role: "Keyworker", Name: pt.Keyworker, Phone: rec.Service.Phone})
	}
	v.Contacts = append(v.Contacts, pdf.Contact{Role: "Pharmacy", Name: rec.Pharmacy.Name, Phone: rec.Pharmacy.Phone},
		pdf.Contact{Role: "GP practice", Name: rec.Practice.Name, Phone: rec.Practice.Phone})
	return v
}

// replacesText tells the pharmacy which prescription a reissue replaces.
func replacesText(serial string) string {
	if serial == "" {
		return ""
	}
	return serial + ", cancelled: its remaining days are dispensed from this prescription only."
}
