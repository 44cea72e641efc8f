// Package documents composes what Dosebook puts on paper — the FP10MDA-style
// instalment prescription and the shared-care summary letter to the GP —
// from stored records, as the plain view-models internal/pdf draws. Every
// sentence a pharmacist or GP reads is worded here, apart from HTTP.
package documents

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/pdf"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

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

// dailyDoseText is a dose as the prescription's dose line states it: as
// doseText writes it, and for the combination product with both of its
// strengths, "12 mg/3 mg (buprenorphine/naloxone) once daily", so that the
// letter and the prescription give the GP one dose in one form.
func dailyDoseText(med dosing.Medicine, m dosing.Micrograms) string {
	if med.Naloxone && m > 0 {
		return combinationAmount(m) + " (buprenorphine/naloxone) once daily"
	}
	return doseText(med, m)
}

// doseAmount is a dose in a table or a sentence: "60 mg", and for the
// combination product both strengths, "12 mg/3 mg".
func doseAmount(med dosing.Medicine, m dosing.Micrograms) string {
	if med.Naloxone {
		return combinationAmount(m)
	}
	return m.String()
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
		return dailyDoseText(med, d.DailyDose)
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
		// A collection before the first day carries later days only
		// (a closed first day's dose): nothing of its own day to supervise.
		if len(in.Covers) > 0 && !in.Covers[0].Equal(in.Date) {
			continue
		}
		if (p[in.Date.Weekday()] == regimes.PickupSupervised) != (in.Supervised > 0) {
			return false
		}
	}
	return true
}

// patternText describes the weekly pickup pattern in words.
func patternText(p regimes.WeeklyPattern) string { return patternTextWhen(p, "") }

// patternTextWhen is patternText with the supervised days qualified by
// when, e.g. ", except as scheduled below".
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
		// In the order they follow the collection: "Sun and Mon doses
		// supplied on Sat".
		ds := earlier[on]
		slices.SortFunc(ds, func(a, b time.Weekday) int { return daysAfter(on, a) - daysAfter(on, b) })
		names := make([]string, len(ds))
		for i, d := range ds {
			names[i] = shortDay(d)
		}
		what := names[0] + " dose"
		if len(names) > 1 {
			what = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " doses"
		}
		parts = append(parts, fmt.Sprintf("%s supplied on %s to take home", what, shortDay(on)))
	}
	return capitalise(strings.Join(parts, "; ")) + "."
}

// daysAfter is how many days d falls after on, 0 to 6.
func daysAfter(on, d time.Weekday) int { return (int(d) - int(on) + 7) % 7 }

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

// Prescription is the view of an instalment prescription as printed on
// today, under the service's policy n (the L3 validity it states).
func Prescription(d store.PrescriptionDocument, n policy.Numbers, today calendar.Date) pdf.PrescriptionView {
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
	interval := instalmentDirection(med, d.Prescription, d.Instalments) + " " + supplyText(d)
	return pdf.PrescriptionView{
		// The state is not printed, only a bar on one that can no longer
		// be dispensed from (expired, completed).
		Serial: d.Serial, Status: string(d.EffectiveStatus(today, n)), Copy: d.Copy(),
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
		Start:         d.StartDate, End: d.EndDate, Instalments: rows, Wording: texts, Replaces: replacesText(d.ReplacesSerial, d.StartDate, d.EndDate),
		PrescriptionDate: d.PrescribedOn, FirstInstalmentBy: d.PrescribedOn.AddDays(n.L3ValidDays),
	}
}

// instalmentDirection is the direction's first sentence, the amount of
// each instalment and the interval (L2, L6), read from the schedule. When
// the patient collects on most days (dailyCollections: "Daily instalments
// of 40 ml."), the few doses supplied with an earlier collection (a
// closed day, a weekend) are named by supplyText after it, as the approved
// wording has them. When the pattern has most doses collected with
// another day's — weekly or twice-weekly collections — the instalments
// are not daily: the
// sentence gives the daily dose, the interval when it is regular ("Weekly
// instalments", "Instalments every 2 days"), and each kind of instalment
// with its days and amount, so that a schedule of Monday collections of
// 280 ml is not directed as daily instalments of 40 ml.
func instalmentDirection(med dosing.Medicine, d store.Prescription, ins []store.Instalment) string {
	if len(ins) == 0 || dailyCollections(d.Pattern, ins) {
		return fmt.Sprintf("Daily instalments of %s.", instalmentAmounts(med, d))
	}
	lead := "Instalments"
	if k, ok := regularInterval(ins); ok {
		switch k {
		case 7:
			lead = "Weekly instalments"
		default:
			lead = fmt.Sprintf("Instalments every %d days", k)
		}
	}
	if len(ins) == 1 {
		lead = "One instalment"
	}
	// Each kind of instalment — its weekday, its days and its amount — in
	// the order the schedule first has it.
	type kind struct {
		weekday time.Weekday
		days    int
		amount  dosing.Micrograms
	}
	var kinds []kind
	dates := map[kind][]calendar.Date{}
	for _, in := range ins {
		k := kind{in.Date.Weekday(), coveredDays(in), in.Supervised + in.TakeHome}
		if _, seen := dates[k]; !seen {
			kinds = append(kinds, k)
		}
		dates[k] = append(dates[k], in.Date)
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		what := fmt.Sprintf("%d days' doses", k.days)
		if k.days == 1 {
			what = "1 day's dose"
		}
		when := "on " + dayMonth(dates[k][0])
		if n := len(dates[k]); n > 1 {
			when = fmt.Sprintf("on %s (%d instalments)", listAnd(dates[k]), n)
		}
		parts[i] = fmt.Sprintf("%s, %s, collected %s", rxAmount(med, k.amount), what, when)
	}
	return fmt.Sprintf("%s of the daily dose, %s, for each day the instalment covers: %s.", lead, instalmentAmounts(med, d), strings.Join(parts, "; "))
}

// dailyCollections reports whether the instalments are daily, give or
// take the doses supplied early: the pattern has the patient collect on
// at least 5 days a week (a dose or two supplied with another day's, such
// as Sunday's on Saturday, as the approved wording has it), and a day the
// pharmacy was closed when the schedule was laid out does not change
// that. When the pattern changes during the prescription (followsPattern),
// the schedule decides: more collections than half the days.
func dailyCollections(p regimes.WeeklyPattern, ins []store.Instalment) bool {
	if !followsPattern(p, ins) {
		days := 0
		for _, in := range ins {
			days += coveredDays(in)
		}
		return 2*len(ins) > days
	}
	if p.IsZero() {
		p = regimes.AllSupervised()
	}
	collected := 0
	for _, d := range weekOrder {
		if p[d] == regimes.PickupSupervised || p[d] == regimes.PickupTakeHome {
			collected++
		}
	}
	return collected >= 5
}

// coveredDays is how many days' doses an instalment supplies.
func coveredDays(in store.Instalment) int {
	if len(in.Covers) == 0 {
		return 1
	}
	return len(in.Covers)
}

// regularInterval reports the interval in days between collections when
// it is regular: every instalment but the first and the last covers the
// same number of days, k, and those two no more than k.
func regularInterval(ins []store.Instalment) (int, bool) {
	k := 0
	for _, in := range ins {
		k = max(k, coveredDays(in))
	}
	if len(ins) < 2 || k < 2 {
		return 0, false
	}
	for i, in := range ins {
		if i > 0 && i < len(ins)-1 && coveredDays(in) != k {
			return 0, false
		}
		if i > 0 && ins[i-1].Date.DaysUntil(in.Date) != coveredDays(ins[i-1]) {
			return 0, false
		}
	}
	return k, true
}

// supplyText says how the doses reach the patient: the pickup pattern
// (patternText names the days a dose is supplied early), and each dose the
// schedule hands over with an earlier collection for any other reason (a
// closed day when it was laid out), named with that collection. It is
// read from the schedule alone, never from the pharmacy's opening now: a
// signed prescription does not change when the opening does (L1), and a
// reprint says what the first print said. A reissue across a pattern
// change (followsPattern) is described by its schedule. Nothing says every
// dose is supervised when one is taken home.
func supplyText(d store.PrescriptionDocument) string {
	p := d.Pattern
	if p.IsZero() {
		p = regimes.AllSupervised()
	}
	p = foldClosedWeekdays(p, d.Instalments)
	// carried: for each collection, the days whose dose it supplies that the
	// pattern would not have supplied with it.
	var groups []string
	supervisedDayEarly := false
	for _, in := range d.Instalments {
		var carried []calendar.Date
		for _, day := range in.Covers {
			if !early(p, day, in.Date) {
				continue
			}
			carried = append(carried, day)
			supervisedDayEarly = supervisedDayEarly || p[day.Weekday()] == regimes.PickupSupervised
		}
		switch len(carried) {
		case 0:
		case 1:
			groups = append(groups, fmt.Sprintf("the dose for %s with the collection on %s", listAnd(carried), dayMonth(in.Date)))
		default:
			groups = append(groups, fmt.Sprintf("the doses for %s with the collection on %s", listAnd(carried), dayMonth(in.Date)))
		}
	}
	var parts []string
	switch {
	case !followsPattern(d.Pattern, d.Instalments):
		parts = append(parts, "The pickup pattern changes during this prescription: each instalment is supervised or taken home as scheduled below.")
	case supervisedDayEarly:
		// Some supervised days' doses are taken home: not every day is
		// supervised.
		parts = append(parts, patternTextWhen(p, ", except as scheduled below"))
	default:
		parts = append(parts, patternText(p))
	}
	if len(groups) > 0 {
		parts = append(parts, "Supplied to take home with an earlier collection: "+strings.Join(groups, "; ")+".")
	}
	return strings.Join(parts, " ")
}

// foldClosedWeekdays is the pattern as the schedule keeps it, for the
// sentence that describes it: a weekday whose dose the schedule supplies
// with an earlier collection every time it falls in the prescription (the
// pharmacy was closed on it when the schedule was laid out) is "earlier"
// when the pattern would name a collection on it — its take-home dose
// collected that day, or another day's dose supplied on it — which never
// happens. So a pharmacy closed on Sundays turns "take-home dose collected
// on Wed, Sun; Mon dose supplied on Sun" into what the schedule does:
// "take-home dose collected on Wed; Sun and Mon doses supplied on Sat". It
// is read from the schedule, never the opening now (L1). A supervised day
// that supplies nothing is left to "except as scheduled below" and the
// dates listed after it; so is a weekday moved in some weeks only, such as
// one closed for a bank holiday.
func foldClosedWeekdays(p regimes.WeeklyPattern, ins []store.Instalment) regimes.WeeklyPattern {
	supplier := map[calendar.Date]calendar.Date{}
	for _, in := range ins {
		for _, day := range in.Covers {
			supplier[day] = in.Date
		}
	}
	// moved: each weekday's days, and whether every one of them is supplied
	// earlier than the pattern supplies it, by the same number of days.
	type weekday struct {
		seen, moved bool
		back        int
	}
	var week [7]weekday
	for day, on := range supplier {
		w := &week[day.Weekday()]
		back, moved := on.DaysUntil(day), early(p, day, on)
		switch {
		case !w.seen:
			w.seen, w.moved, w.back = true, moved, back
		case !moved || back != w.back:
			w.moved = false
		}
	}
	supplies := func(q regimes.WeeklyPattern, on time.Weekday) bool {
		for d := range q {
			if s, _ := q.SuppliedOn(time.Weekday(d)); q[d] == regimes.PickupEarlier && s == on {
				return true
			}
		}
		return false
	}
	folded := p
	for d, w := range week {
		if w.moved && (p[d] == regimes.PickupTakeHome || supplies(p, time.Weekday(d))) {
			folded[d] = regimes.PickupEarlier
		}
	}
	if folded == p {
		return p
	}
	// The folded pattern must say what the schedule does: no day it
	// supplies as the pattern did is then supplied otherwise, and each
	// folded day is supplied where the schedule supplies it.
	if _, ok := folded.SuppliedOn(time.Monday); !ok {
		return p
	}
	for day, on := range supplier {
		if early(folded, day, on) && (!early(p, day, on) || folded[day.Weekday()] != p[day.Weekday()]) {
			return p
		}
	}
	return folded
}

// early: the dose of day, supplied with the collection on on, comes earlier
// than pattern p supplies it.
func early(p regimes.WeeklyPattern, day, on calendar.Date) bool {
	return !on.Equal(day) && !(p[day.Weekday()] == regimes.PickupEarlier && usualSupplier(p, day).Equal(on))
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
