package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/pdf"
	"github.com/dosebook/dosebook/internal/policy"
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
// doseText writes it, or each dose with its days. The combination product
// states both of its strengths (combinationAmount).
func prescribedDose(med dosing.Medicine, d store.Prescription) string {
	if len(d.DosePeriods) <= 1 {
		if med.Naloxone && d.DailyDose > 0 {
			return combinationAmount(d.DailyDose) + " (buprenorphine/naloxone) once daily"
		}
		return doseText(med, d.DailyDose)
	}
	return dosePeriodsText(d.DosePeriods, d.EndDate, func(m dosing.Micrograms) string {
		switch {
		case med.Naloxone:
			return combinationAmount(m) + " (buprenorphine/naloxone) daily"
		case med.Unit == dosing.UnitMillilitres:
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
		return rxAmount(med, d.DailyDose)
	}
	return dosePeriodsText(d.DosePeriods, d.EndDate, func(m dosing.Micrograms) string { return rxAmount(med, m) })
}

// buprenorphinePerNaloxone is the ratio of the buprenorphine and naloxone
// sublingual tablets, 2 mg/0.5 mg and 8 mg/2 mg: 4 to 1.
const buprenorphinePerNaloxone = 4

// combinationAmount writes an amount of the buprenorphine and naloxone
// product as its pack does, buprenorphine first: "12 mg/3 mg". Its doses
// are stored as buprenorphine (dosing.Medicine.Strengths), and are whole
// tablets of 2 or 8 mg, so the naloxone is exact.
func combinationAmount(m dosing.Micrograms) string {
	return m.String() + "/" + (m / buprenorphinePerNaloxone).String()
}

// rxAmount is an amount on a prescription: of the combination product
// with both strengths, so that "12 mg" is not read as 12 mg of tablets of
// either; otherwise as amount writes it.
func rxAmount(med dosing.Medicine, m dosing.Micrograms) string {
	if med.Naloxone {
		return combinationAmount(m)
	}
	return amount(med, m)
}

// totalQuantityText is the total in words and figures (L2), saying for
// the combination product what the milligrams are of: "168 (one hundred
// and sixty-eight) milligrams of buprenorphine (with 42 mg naloxone)".
func totalQuantityText(med dosing.Medicine, total dosing.Micrograms) string {
	t := prescriptions.TotalQuantity(total, med.Unit)
	if med.Naloxone {
		t += fmt.Sprintf(" of buprenorphine (with %s naloxone)", total/buprenorphinePerNaloxone)
	}
	return t
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

// patternText describes the weekly pickup pattern in words.
func patternText(p regimes.WeeklyPattern) string { return patternTextWhen(p, "") }

// patternTextWhen is patternText with the supervised days qualified by
// when, e.g. " when it is open".
func patternTextWhen(p regimes.WeeklyPattern, when string) string {
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
		parts = append(parts, "consumption supervised at the pharmacy "+onDays(sup)+when)
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
	for i, in := range d.Instalments {
		rows[i] = pdf.InstalmentRow{Date: in.Date, DaysCovered: daysCovered(in.Date, in.Covers)}
		if in.Supervised > 0 {
			rows[i].Supervised = rxAmount(med, in.Supervised)
		}
		if in.TakeHome > 0 {
			rows[i].TakeHome = rxAmount(med, in.TakeHome)
		}
	}
	interval := fmt.Sprintf("Daily instalments of %s. %s", instalmentAmounts(med, d.Prescription), supplyText(d))
	return pdf.PrescriptionView{
		// The state is not printed, only a bar on one that can no longer
		// be dispensed from (expired, completed).
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
		TotalQuantity: totalQuantityText(med, d.Total),
		Interval:      interval,
		Start:         d.StartDate, End: d.EndDate, Instalments: rows, Wording: texts, Replaces: replacesText(d.ReplacesSerial),
		PrescriptionDate: d.PrescribedOn, FirstInstalmentBy: d.PrescribedOn.AddDays(s.cfg.Policy.L3ValidDays),
	}
}

// supplyText says how the doses reach the patient, and for each dose
// handed over with an earlier instalment, why: the pickup pattern supplies
// it early (patternText names the days), or the pharmacy is closed that
// day. The document carries the pattern in force on the first day and
// the pharmacy's opening days now; a reissue across a pattern change
// (followsPattern) is described by its schedule, and a dose carried for a
// reason neither explains (the opening days changed since the issue) is
// not given a reason. Nothing says every dose is supervised when one is
// taken home.
func supplyText(d store.PrescriptionDocument) string {
	p := d.Pattern
	if p.IsZero() {
		p = regimes.AllSupervised()
	}
	opening := calendar.DefaultOpening()
	openingKnown := d.Pharmacy.Opening == "" || json.Unmarshal([]byte(d.Pharmacy.Opening), &opening) == nil
	// closed: the closed days within the prescription; carried: the days
	// whose dose comes earlier than usual because of them (a closed day's
	// own dose, or one the pattern would have supplied on a closed day).
	var closed, carried []calendar.Date
	closedSupervisedDay := false
	noteClosed := func(day calendar.Date) {
		if !slices.ContainsFunc(closed, day.Equal) {
			closed = append(closed, day)
			closedSupervisedDay = closedSupervisedDay || p[day.Weekday()] == regimes.PickupSupervised
		}
	}
	unexplained := false
	for _, in := range d.Instalments {
		for _, day := range in.Covers {
			if day.Equal(in.Date) {
				continue
			}
			if p[day.Weekday()] == regimes.PickupEarlier {
				supplier := usualSupplier(p, day)
				switch {
				case supplier.Equal(in.Date):
				case openingKnown && !opening.IsOpen(supplier) && !supplier.Before(d.StartDate):
					noteClosed(supplier)
					carried = append(carried, day)
				default:
					unexplained = true
				}
				continue
			}
			if openingKnown && !opening.IsOpen(day) {
				noteClosed(day)
				carried = append(carried, day)
				continue
			}
			unexplained = true
		}
	}
	slices.SortFunc(closed, func(a, b calendar.Date) int { return a.Compare(b) })
	var parts []string
	switch {
	case !followsPattern(d.Pattern, d.Instalments):
		parts = append(parts, "The pickup pattern changes during this prescription: each instalment is supervised or taken home as scheduled below.")
	case unexplained:
		parts = append(parts, "Each instalment is supervised or taken home as scheduled below.")
	default:
		when := ""
		if closedSupervisedDay {
			when = " when it is open"
		}
		// Closed days are taken home: not every day is supervised.
		parts = append(parts, patternTextWhen(p, when))
	}
	if len(closed) > 0 {
		var doses string
		switch {
		case !slices.EqualFunc(closed, carried, calendar.Date.Equal):
			doses = "the doses for " + listAnd(carried) + " are"
		case len(closed) == 1:
			doses = "that day's dose is"
		default:
			doses = "those days' doses are"
		}
		parts = append(parts, fmt.Sprintf("The pharmacy is closed on %s: %s supplied to take home with the instalment before, as scheduled below.",
			listAnd(closed), doses))
	}
	return strings.Join(parts, " ")
}

// usualSupplier is the date on which the pattern supplies an "earlier" day's
// dose: the nearest day before it that is not itself supplied earlier.
func usualSupplier(p regimes.WeeklyPattern, day calendar.Date) calendar.Date {
	on, _ := p.SuppliedOn(day.Weekday())
	back := (int(day.Weekday()) - int(on) + 7) % 7
	return day.AddDays(-back)
}

// listAnd writes days as "Sun 30 May, Mon 31 May and Sun 6 Jun".
func listAnd(days []calendar.Date) string {
	s := make([]string, len(days))
	for i, d := range days {
		s[i] = dayMonth(d)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
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
	from := regimes.AddMonths(today, -summaryMonths)
	rec, err := s.db.SharedCareSummary(c.Request.Context(), principal(c), id, from, today)
	if err != nil {
		s.fail(c, err)
		return
	}
	more, err := s.db.SummaryContext(c.Request.Context(), principal(c), s.cfg.Policy, rec.Patient.ID, rec.Regime, from, today)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := pdf.SharedCareSummary(s.summaryView(rec, more, today), s.pdfOptions())
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

// summaryRegime is one regime of the letter's period with its product and
// dose history, oldest change first.
type summaryRegime struct {
	regime  store.Regime
	med     dosing.Medicine
	history []store.DoseChange
}

// covers reports whether the regime was in force on day.
func (r summaryRegime) covers(day calendar.Date) bool {
	return !day.Before(r.regime.StartDate) && (r.regime.EndedOn.IsZero() || !day.After(r.regime.EndedOn))
}

// lastDose is the dose the regime ended on (or stands at).
func (r summaryRegime) lastDose() dosing.Micrograms {
	if r.regime.EndedOn.IsZero() {
		return store.LatestDose(r.history)
	}
	return store.DoseOn(r.history, r.regime.EndedOn)
}

// firstDose is the regime's starting dose.
func (r summaryRegime) firstDose() dosing.Micrograms {
	if len(r.history) == 0 {
		return 0
	}
	return r.history[0].To
}

// productName is a medicine as the letter names it in a sentence: "weekly
// Buvidal", "methadone", "sublingual buprenorphine".
func productName(med dosing.Medicine) string {
	switch {
	case med.Class == dosing.ClassBuvidal:
		return med.Interval + " Buvidal"
	case med.Class == dosing.ClassMethadone:
		return "methadone"
	case med.Espranor:
		return "Espranor (buprenorphine oral lyophilisate)"
	case med.Class == dosing.ClassBuprenorphine && med.Naloxone:
		return "sublingual buprenorphine with naloxone"
	case med.Class == dosing.ClassBuprenorphine:
		return "sublingual buprenorphine"
	case med.Name != "":
		return med.Name
	}
	return "another medicine"
}

// summaryChain is the regimes of the letter's period, oldest first, ending
// with the current one.
func summaryChain(rec store.SummaryRecords, more store.SummaryContext) []summaryRegime {
	var out []summaryRegime
	for _, e := range more.Earlier {
		med, _ := dosing.LookupMedicine(e.Regime.Medicine)
		out = append(out, summaryRegime{regime: e.Regime, med: med, history: e.History})
	}
	med, _ := dosing.LookupMedicine(rec.Regime.Medicine)
	return append(out, summaryRegime{regime: rec.Regime, med: med, history: rec.History})
}

// follows reports whether next took over from prev without a break: a
// switch of medicine or product rather than a new start after a pause.
func follows(prev, next summaryRegime) bool {
	return !prev.regime.EndedOn.IsZero() && !prev.regime.EndedOn.Before(next.regime.StartDate.AddDays(-1))
}

// switchText says how next followed prev: "switched from weekly Buvidal
// 24 mg to monthly Buvidal 96 mg on 1 May 2026". dated adds the day of the
// switch, which a table row already has in its date column.
func switchText(prev, next summaryRegime, dated bool) string {
	from := productName(prev.med) + " " + prev.lastDose().String()
	to := productName(next.med) + " " + next.firstDose().String()
	on := ""
	if dated {
		on = " on " + longDate(next.regime.StartDate)
	}
	if follows(prev, next) {
		return fmt.Sprintf("switched from %s to %s%s", from, to, on)
	}
	return fmt.Sprintf("%s ended on %s; %s started%s", from, longDate(prev.regime.EndedOn), to, on)
}

// treatmentStart is the first day of the unbroken run of regimes that
// ends with the current one.
func treatmentStart(chain []summaryRegime) calendar.Date {
	start := chain[len(chain)-1].regime.StartDate
	for i := len(chain) - 1; i > 0 && follows(chain[i-1], chain[i]); i-- {
		start = chain[i-1].regime.StartDate
	}
	return start
}

// stageText is a regime's stage in plain words: "Planned reduction since
// 21 May 2026: the dose is lowered step by step, as the service decides."
func stageText(st regimes.Stage, since calendar.Date) string {
	var name, what string
	switch st {
	case regimes.StageInduction:
		name, what = "Induction", "treatment is starting"
	case regimes.StageTitration:
		name, what = "Titration", "the dose is being adjusted until it holds the patient"
	case regimes.StageMaintenance:
		name, what = "Maintenance", "a stable dose"
	case regimes.StageReduction:
		name, what = "Planned reduction", "the dose is lowered step by step, as the service decides"
	default:
		return ""
	}
	if !since.IsZero() {
		name += " since " + longDate(since)
	}
	return name + ": " + what + "."
}

// overrideText names an overridden rule by its title, which a GP can read,
// with the reason given.
func overrideText(n policy.Numbers, o store.RuleOverride) string {
	name := o.Rule
	if r, ok := policy.RuleByID(n, o.Rule); ok {
		name = r.Title
	}
	return name + ": " + o.Reason
}

// windowText is BV8's dosing window for a product in words.
func windowText(med dosing.Medicine, n policy.Numbers) string {
	days := n.BV8WeeklyWindowDays
	if med.Interval == dosing.IntervalMonthly {
		days = n.BV8MonthlyWindowDays
	}
	return fmt.Sprintf("%d days either side of the due date", days)
}

// nextInjectionText is when the next injection is due after the patient's
// last regular one, by that injection's product (BV8): the first monthly
// dose after a weekly one is due a week later. An injection from before
// the current run of treatment (start) is not followed on from.
func nextInjectionText(more store.SummaryContext, n policy.Numbers, start, today calendar.Date) string {
	last := more.LastRegular
	if last == nil || last.Date.Before(start) {
		return "No injection recorded yet: the service arranges the first."
	}
	med, _ := dosing.LookupMedicine(last.Medicine)
	due, earliest, latest := regimes.NextDue(med, last.Date, n)
	given := fmt.Sprintf("the last injection was %s of %s on %s", last.Dose, productName(med), longDate(last.Date))
	if today.After(latest) {
		return fmt.Sprintf("Overdue: it was due on %s and the window to give it on time closed on %s (%s). The service contacts the patient and decides how to continue.",
			longDate(due), longDate(latest), given)
	}
	return fmt.Sprintf("Due %s; on time from %s to %s (%s).", longDate(due), longDate(earliest), longDate(latest), given)
}

func (s *Server) summaryView(rec store.SummaryRecords, more store.SummaryContext, today calendar.Date) pdf.SharedCareSummaryView {
	n := s.cfg.Policy
	med, _ := dosing.LookupMedicine(rec.Regime.Medicine)
	pt := rec.Patient
	chain := summaryChain(rec, more)
	current := store.DoseOn(rec.History, today)
	if rec.Regime.Status != store.RegimeActive {
		current = store.DoseOn(rec.History, rec.Regime.EndedOn)
	}
	// An injection patient has nothing dispensed, unless a prescription is
	// still running (from before a switch, say).
	instalments := !med.Injectable || !rec.LastPrescriptionEnd.IsZero() && !rec.LastPrescriptionEnd.Before(today)
	v := pdf.SharedCareSummaryView{
		ServiceName: rec.Service.Name, ServiceAddress: rec.Service.Address, ServicePhone: rec.Service.Phone,
		GPPractice: pdf.GPPractice{Name: rec.Practice.Name, Address: rec.Practice.Address},
		Patient: pdf.Patient{Name: pt.Name(), Address: pt.Address, DateOfBirth: pt.DateOfBirth,
			NHSNumber: patients.FormatNHSNumber(pt.NHSNumber), Phone: pt.Phone},
		Date:                today,
		Medicine:            med.Name,
		CurrentDose:         doseText(med, current),
		Stage:               stageText(more.Stage, more.StageSince),
		LastPrescriptionEnd: rec.LastPrescriptionEnd,
		InjectionsOnly:      !instalments,
		Keyworker:           pt.Keyworker,
	}
	if instalments {
		v.Pharmacy = pdf.Pharmacy{Name: rec.Pharmacy.Name, Address: rec.Pharmacy.Address, Phone: rec.Pharmacy.Phone}
	}
	if rec.Regime.Status != store.RegimeActive {
		v.CurrentDose += fmt.Sprintf(" — regime ended on %s", longDate(rec.Regime.EndedOn))
		v.Stage = ""
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
	var switches []string
	for i := 1; i < len(chain); i++ {
		switches = append(switches, switchText(chain[i-1], chain[i], true))
	}
	if len(switches) > 0 {
		v.Earlier = capitalise(strings.Join(switches, "; then ")) + "."
	}
	if med.Injectable {
		v.Supervision = "Each injection is given under the skin (buttock, thigh, abdomen or upper arm) by a nurse or other healthcare professional at the specialist service; it is never handed to the patient to take away."
		if rec.Regime.Status == store.RegimeActive {
			v.NextInjection = nextInjectionText(more, n, treatmentStart(chain), today)
		}
	} else {
		v.Supervision = patternText(rec.Regime.Pattern)
		if rec.Regime.SupervisionRelaxedReason != "" {
			v.Supervision += " Supervision was relaxed by a recorded decision (" + strings.TrimSuffix(rec.Regime.SupervisionRelaxedReason, ".") + ")."
		}
	}
	if b := more.Block; b != nil && !med.Injectable {
		v.DispensingStopped = fmt.Sprintf("Dispensing is currently stopped, since %s: the patient went without the dose on %d consecutive days "+
			"(%s to %s). The pharmacy will not dispense again until a prescriber has reviewed the patient and recorded the review.",
			longDate(more.BlockedFrom), b.Missed, longDate(b.Since), longDate(b.LastMissed))
	}

	// Chart: the dose in force and what happened on each day within the
	// last six months, under whichever regime; for an injectable, each
	// injection, whatever product it was.
	from := regimes.AddMonths(today, -summaryMonths)
	v.Chart = pdf.ChartData{From: from, To: today, Injectable: med.Injectable}
	for i := 1; i < len(chain); i++ {
		if on := chain[i].regime.StartDate; !on.Before(from) && !on.After(today) {
			v.Chart.Switches = append(v.Chart.Switches, pdf.ChartSwitch{Date: on, Label: switchText(chain[i-1], chain[i], true)})
		}
	}
	for _, ad := range more.Injections {
		im, _ := dosing.LookupMedicine(ad.Medicine)
		if med.Injectable {
			v.Chart.Injections = append(v.Chart.Injections, pdf.ChartInjection{Date: ad.Date,
				DoseMg: float64(ad.Dose) / float64(dosing.Milligram), Extra: ad.Extra})
		}
		dose := ad.Dose.String()
		if ad.Extra {
			dose += " (additional dose)"
		}
		v.Injections = append(v.Injections, pdf.InjectionRow{Date: ad.Date, Product: capitalise(im.Interval), Dose: dose, Site: siteText(ad.Site)})
	}
	outcomes := dayOutcome(rec.Days)
	for d := from; !d.After(today) && !med.Injectable; d = d.AddDays(1) {
		// The current regime has the day it started; an earlier one the
		// days before.
		var on *summaryRegime
		for i := len(chain) - 1; i >= 0; i-- {
			if chain[i].covers(d) {
				on = &chain[i]
				break
			}
		}
		if on == nil || on.med.Injectable {
			continue
		}
		dose := store.DoseOn(on.history, d)
		v.Chart.Days = append(v.Chart.Days, pdf.ChartDay{Date: d, DoseMg: float64(dose) / float64(dosing.Milligram),
			Outcome: chartOutcome(outcomes[d])})
	}

	// Dose changes, the earlier regimes' within the period first. The first
	// dose of a regime that followed another is a switch, not the start of
	// treatment.
	for i, r := range chain {
		names, overrides := rec.UserNames, rec.Overrides
		if i < len(chain)-1 {
			names, overrides = more.EarlierNames, more.EarlierOverrides
		}
		for _, c := range r.history {
			if i < len(chain)-1 && c.EffectiveDate.Before(from) {
				continue
			}
			row := pdf.TitrationRow{Date: c.EffectiveDate, To: c.To.String(), Reason: c.Reason, Prescriber: names[c.PrescriberID]}
			if c.From > 0 {
				row.From = c.From.String()
			}
			ovs := overrides[c.ID]
			if c.From == 0 {
				ovs = append(ovs, overrides[r.regime.ID]...)
				if i > 0 {
					row.From = chain[i-1].lastDose().String()
					sw := capitalise(switchText(chain[i-1], r, false))
					if c.Reason == "" || c.Reason == "Starting dose" {
						row.Reason = sw
					} else {
						row.Reason = sw + " — " + c.Reason
					}
				}
			}
			if len(chain) > 1 && !(c.From == 0 && i > 0) {
				row.Reason = capitalise(productName(r.med)) + ": " + row.Reason
			}
			var notes []string
			for _, o := range ovs {
				notes = append(notes, overrideText(n, o))
			}
			row.Override = strings.Join(notes, "; ")
			v.Titrations = append(v.Titrations, row)
		}
	}

	// Adherence over SC3's window, or since the start of treatment when
	// that is shorter.
	wFrom, wTo := sharedcare.Window(n, today)
	last := wTo.AddDays(-1)
	window := fmt.Sprintf("last %d weeks, %s to %s", n.SC3AdherenceWeeks, longDate(wFrom), longDate(last))
	if start := treatmentStart(chain); start.After(wFrom) {
		wFrom = start
		window = fmt.Sprintf("since the start of treatment on %s, up to %s", longDate(start), longDate(last))
		switch {
		case start.Equal(last):
			window = "since the start of treatment on " + longDate(start)
		case start.After(last):
			window = fmt.Sprintf("treatment started on %s: no dose was due before today", longDate(start))
		}
	}
	a := dispensing.ComputeAdherence(rec.Days, wFrom, last)
	v.Adherence = pdf.Adherence{
		Window: window,
		Due:    a.Due, Supervised: a.Supervised, Collected: a.Collected, Missed: a.Missed, Withheld: a.Withheld, Refused: a.Refused,
	}
	if a.TakenPercent != "" {
		v.Adherence.Percent = a.TakenPercent + "%"
	}
	if med.Injectable {
		v.Adherence = pdf.Adherence{} // injections are listed instead
	}

	for _, sc := range rec.Screens {
		v.Screens = append(v.Screens, pdf.ScreenRow{Date: sc.Date, Sample: capitalise(strings.ReplaceAll(sc.SampleType, "_", " ")),
			Witnessed: sc.Witnessed, Results: screenResults(sc)})
	}

	v.RiskFlags = pt.RiskFlags.Flags()
	if len(v.RiskFlags) == 0 {
		v.RiskFlags = []string{"No risk flags recorded (benzodiazepines, alcohol, QTc, overdose, injecting, children, prison release)."}
	}
	if med.Class == dosing.ClassMethadone {
		if current >= n.M4HighDose {
			v.RiskFlags = append(v.RiskFlags, fmt.Sprintf("High-dose methadone (%s or more): needs ECG/QTc monitoring", n.M4HighDose))
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

	// Shared care that was declined, withdrawn or handed back leaves
	// prescribing with the service, and the letter must not tell the
	// practice otherwise.
	ended := v.Status == pdf.StatusDeclined || v.Status == pdf.StatusWithdrawn || v.Status == pdf.StatusHandedBack
	v.Responsibilities = summaryDuties(n, med, ended, instalments)
	v.Reviews = summaryReviews(n, rec, v.Status)

	if !ended {
		when := fmt.Sprintf("intoxication, %d or more consecutive missed days, an overdose, a new risk, or any request to change the dose", n.MD1ConsecutiveMissedDays)
		next := "writes the next prescription, so that treatment continues without a gap"
		if med.Injectable {
			when = "an injection missed or not given by the end of its window, intoxication, an overdose, a new risk, or any request to change the dose"
			next = "takes over prescribing the injections, so that the next one is given on time"
		}
		v.HandBack = fmt.Sprintf("Either party can hand prescribing back at any time. The practice records it in Dosebook with the reason "+
			"(hand back on the shared care arrangement) or telephones %s on %s; the service is alerted and %s. "+
			"Contact the service the same day for %s.", rec.Service.Name, firstNonEmpty(rec.Service.Phone, "its main number"), next, when)
	}

	v.Contacts = []pdf.Contact{{Role: "Specialist service", Name: rec.Service.Name, Phone: rec.Service.Phone}}
	if rec.Proposer.ID != "" {
		v.Contacts = append(v.Contacts, pdf.Contact{Role: "Prescriber (specialist service)", Name: rec.Proposer.Name,
			Phone: firstNonEmpty(rec.Proposer.Phone, rec.Service.Phone)})
	}
	if pt.Keyworker != "" {
		v.Contacts = append(v.Contacts, pdf.Contact{Role: "Keyworker", Name: pt.Keyworker, Phone: rec.Service.Phone})
	}
	if instalments {
		v.Contacts = append(v.Contacts, pdf.Contact{Role: "Pharmacy", Name: rec.Pharmacy.Name, Phone: rec.Pharmacy.Phone})
	}
	v.Contacts = append(v.Contacts, pdf.Contact{Role: "GP practice", Name: rec.Practice.Name, Phone: rec.Practice.Phone})
	return v
}

// summaryDuties is "who does what" in words a GP reads without the rule
// ids: for an injectable, who gives the injections and what happens when
// one is missed; the pharmacy only when something is dispensed.
func summaryDuties(n policy.Numbers, med dosing.Medicine, ended, instalments bool) []pdf.Responsibility {
	pharmacy := pdf.Responsibility{Party: "Pharmacy", Duty: fmt.Sprintf("Dispenses the instalments as prescribed and supervises consumption where stated; "+
		"never supplies missed doses later; after %d consecutive missed days stops dispensing until the prescriber has reviewed the patient; "+
		"does not give the dose to a patient who seems intoxicated, and tells the prescriber.", n.MD1ConsecutiveMissedDays)}
	inject := ""
	if med.Injectable {
		inject = fmt.Sprintf("gives each injection (a nurse or other healthcare professional; never handed to the patient) within its window, %s; "+
			"follows up a missed or overdue injection the same day and decides how to continue; ", windowText(med, n))
	}
	var out []pdf.Responsibility
	if ended {
		what := "the dose and supervision"
		if med.Injectable {
			what = "the dose and the product (weekly or monthly)"
		}
		out = []pdf.Responsibility{
			{Party: "Specialist service", Duty: fmt.Sprintf("Prescribes, and decides %s; %sreviews the treatment at least every %d months; "+
				"keyworking and psychosocial support; drug screening; may propose shared care again once the patient is stable.", what, inject, n.M5ReviewMonths)},
			{Party: "GP practice", Duty: "General medical care; does not prescribe the opioid substitution treatment while the service does; tells the service about intoxication, overdose, new risks (including new sedative or QT-prolonging medicines) or concerns about the treatment."},
		}
	} else if med.Injectable {
		out = []pdf.Responsibility{
			{Party: "Specialist service", Duty: fmt.Sprintf("Decides and changes the dose and the product (weekly or monthly): the GP does not change them; ask the service. %s"+
				"reviews the patient at least every %d months; keyworking and psychosocial support; drug screening; takes prescribing back whenever asked.",
				capitalise(inject), n.SC1SpecialistReviewMonths)},
			{Party: "GP practice", Duty: fmt.Sprintf("Prescribes the injections at the current dose and product; does not give them (the service does); "+
				"reviews prescribing at least every %d months; tells the service the same day about a missed injection, intoxication, new risks "+
				"(including new sedative medicines) or any request to change the dose; hands prescribing back when needed.", n.M5ReviewMonths)},
		}
	} else {
		out = []pdf.Responsibility{
			{Party: "Specialist service", Duty: fmt.Sprintf("Decides and changes the dose and supervision: the GP does not change the dose; ask the service. "+
				"Reviews the patient at least every %d months; keyworking and psychosocial support; drug screening; takes prescribing back whenever asked.", n.SC1SpecialistReviewMonths)},
			{Party: "GP practice", Duty: fmt.Sprintf("Prescribes at the current dose and supervision, on instalment prescriptions of at most %d days each; "+
				"reviews prescribing at least every %d months; tells the service about missed doses, intoxication, new risks or any request to change the dose; "+
				"hands prescribing back when needed.", n.L6MaxDays, n.M5ReviewMonths)},
		}
	}
	if instalments {
		out = append(out, pharmacy)
	}
	return out
}

// summaryReviews are the reviews that apply where shared care stands, each
// with who does it: under shared care the practice's prescribing review
// and the service's yearly one; otherwise the service's review of the
// treatment, and for a proposal the two it would bring.
func summaryReviews(n policy.Numbers, rec store.SummaryRecords, status string) []pdf.ReviewRow {
	gp := pdf.ReviewRow{Who: "GP practice", What: fmt.Sprintf("Prescribing review: at least every %d months while the practice prescribes", n.M5ReviewMonths)}
	spec := pdf.ReviewRow{Who: "Specialist service", What: fmt.Sprintf("Review of the patient and of shared care: at least every %d months", n.SC1SpecialistReviewMonths)}
	var out []pdf.ReviewRow
	if status == pdf.StatusAccepted {
		gp.Due, spec.Due = rec.Arrangement.GPReviewDue, rec.Arrangement.SpecialistReviewDue
		return append(out, gp, spec)
	}
	if rec.Regime.Status == store.RegimeActive {
		from, what := rec.Regime.StartDate, "counted from the start of the current regime on "+longDate(rec.Regime.StartDate)
		if rec.LastReview.After(from) {
			from, what = rec.LastReview, "counted from the last review on "+longDate(rec.LastReview)
		}
		out = append(out, pdf.ReviewRow{Who: "Specialist service", Due: regimes.ReviewDue(from, n),
			What: fmt.Sprintf("Review of the treatment while the service prescribes: at least every %d months, %s", n.M5ReviewMonths, what)})
	}
	if status == pdf.StatusNotProposed || status == pdf.StatusProposed {
		gp.What += " — dated when the practice accepts"
		spec.What += " — dated when the practice accepts"
		out = append(out, gp, spec)
	}
	return out
}

// replacesText tells the pharmacy which prescription a reissue replaces.
func replacesText(serial string) string {
	if serial == "" {
		return ""
	}
	return serial + ", cancelled: its remaining days are dispensed from this prescription only."
}
