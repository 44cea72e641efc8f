package documents

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/pdf"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/sharedcare"
	"github.com/dosebook/dosebook/internal/store"
)

// SummaryMonths is how far back the summary's dose chart reaches (SC4).
const SummaryMonths = 6

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

// dayList writes days (in date order) as runs for a letter: "9–13 Dec
// 2026", "30 Nov – 2 Dec 2026", "9 Dec 2026 and 11–12 Dec 2026"; "" when
// none.
func dayList(days []calendar.Date) string { return andList(dayRuns(days)) }

// andList joins items as a sentence does: "a", "a and b", "a, b and c".
func andList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// dayRuns writes days (in date order) as runs, each as dayList does.
func dayRuns(days []calendar.Date) []string {
	var runs []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j].DaysUntil(days[j+1]) == 1 {
			j++
		}
		first, last := days[i], days[j]
		switch {
		case i == j:
			runs = append(runs, longDate(first))
		case first.Year() == last.Year() && first.Month() == last.Month():
			runs = append(runs, fmt.Sprintf("%d–%s", first.Day(), longDate(last)))
		case first.Year() == last.Year():
			runs = append(runs, first.Format("2 Jan")+" – "+longDate(last))
		default:
			runs = append(runs, longDate(first)+" – "+longDate(last))
		}
		i = j + 1
	}
	return runs
}

func uncapitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
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

// summaryStatus says where shared care stands for the letter: the status,
// the day of the step that set it, and for a hand-back or decline who took
// it and why. A proposal the service handed back before the practice
// accepted it was withdrawn, not handed back.
func summaryStatus(rec store.SummaryRecords, tz *time.Location) (status string, on calendar.Date, by, reason string) {
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
		on, reason = calendar.DateOf(ev.OccurredAt, tz), ev.Reason
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

// eligibilityRows are the arrangement's SC3 criteria and the day they were
// judged: at the proposal, or, once the practice accepted, as judged again
// then (SC3 advises the practice, which decides on what holds when it
// accepts), each naming how it stood at the proposal when that differed.
func eligibilityRows(rec store.SummaryRecords, tz *time.Location) (rows []pdf.EligibilityRow, on calendar.Date, atAcceptance bool) {
	proposed := calendar.DateOf(rec.Arrangement.ProposedAt, tz)
	on = proposed
	for _, c := range rec.Arrangement.Criteria {
		atAcceptance = atAcceptance || c.AtProposal != nil
	}
	if atAcceptance {
		for _, ev := range rec.Timeline {
			if ev.Kind == store.SharedAccepted {
				on = calendar.DateOf(ev.OccurredAt, tz)
			}
		}
	}
	for _, c := range rec.Arrangement.Criteria {
		row := pdf.EligibilityRow{Criterion: c.Description, Met: c.Met, Detail: sharedcare.PrintedDetail(c.Detail), Override: c.OverrideReason}
		if then := c.AtProposal; then != nil && then.Met != c.Met {
			judged := "not met"
			if then.Met {
				judged = "met"
			} else if then.Overridden {
				judged = "not met, overridden"
			}
			row.Detail += fmt.Sprintf(" When proposed on %s: %s (%s).", longDate(proposed), judged, strings.TrimSuffix(sharedcare.PrintedDetail(then.Detail), "."))
			if then.Met && !c.Met {
				row.Detail += " The practice accepted after it no longer held."
			}
		}
		rows = append(rows, row)
	}
	return rows, on, atAcceptance
}

// supervisionText is the pickup pattern at the pharmacy whose opening is
// openingJSON (empty: the default) today: a dose due on a day the pharmacy
// is closed is supplied to take home with the instalment before (L7
// wording 1, S8), so the letter does not say every dose is supervised
// while its chart counts take-home collections. The pharmacy's closed
// weekdays and bank holidays (each with the days among them it opens on)
// and its closed dates from today on are named; a closed day whose dose
// the pattern supplies earlier anyway changes nothing and is left out.
func supervisionText(p regimes.WeeklyPattern, openingJSON string, today calendar.Date) string {
	if p.IsZero() {
		p = regimes.AllSupervised()
	}
	opening := calendar.DefaultOpening()
	if openingJSON != "" && json.Unmarshal([]byte(openingJSON), &opening) != nil {
		return patternText(p) // an opening that cannot be read is not described
	}
	suppliedThatDay := func(wd time.Weekday) bool { return p[wd] != regimes.PickupEarlier }
	// A day it opens on though usually closed (open_dates, from today on)
	// is named with the closed days it is an exception to, the weekday
	// first, so that the letter does not send that day's dose home.
	reopened := slices.SortedFunc(slices.Values(opening.OpenDates), calendar.Date.Compare)
	reopened = slices.DeleteFunc(reopened, func(d calendar.Date) bool { return d.Before(today) })
	except := func(days string, on func(calendar.Date) bool) string {
		var open []calendar.Date
		for _, d := range reopened {
			if on(d) {
				open = append(open, d)
			}
		}
		reopened = slices.DeleteFunc(reopened, on)
		if len(open) == 0 {
			return days
		}
		return days + " (open on " + andList(dayRuns(open)) + ")"
	}
	supervisedClosed := false
	var closed []string
	for _, wd := range weekOrder {
		if slices.Contains(opening.ClosedWeekdays, wd) && suppliedThatDay(wd) {
			closed = append(closed, except(wd.String()+"s", func(d calendar.Date) bool { return d.Weekday() == wd }))
			supervisedClosed = supervisedClosed || p[wd] == regimes.PickupSupervised
		}
	}
	if opening.BankHolidaysClosed {
		closed = append(closed, except("bank holidays", func(d calendar.Date) bool {
			_, holiday := calendar.BankHoliday(d)
			return holiday && suppliedThatDay(d.Weekday())
		}))
		supervisedClosed = supervisedClosed || p.Supervises()
	}
	var dates []calendar.Date
	for _, d := range slices.SortedFunc(slices.Values(opening.ClosedDates), calendar.Date.Compare) {
		if !d.Before(today) && suppliedThatDay(d.Weekday()) && !slices.ContainsFunc(opening.OpenDates, d.Equal) {
			dates = append(dates, d)
			supervisedClosed = supervisedClosed || p[d.Weekday()] == regimes.PickupSupervised
		}
	}
	closed = append(closed, dayRuns(dates)...)
	if len(closed) == 0 {
		return patternText(p)
	}
	when := ""
	if supervisedClosed {
		when = " when it is open"
	}
	return patternTextWhen(p, when) + " The pharmacy is closed on " + andList(closed) +
		": those days' doses are supplied to take home with the instalment before."
}

// plannedSupervisionText is the pickup pattern changes decided for later,
// each from its day at the pharmacy dispensing then, e.g. "From 4 Dec 2026:
// consumption supervised at the pharmacy on Mon–Fri; …"; "" when none. The
// letter's Supervision is the pattern in force today (SC4).
func plannedSupervisionText(rec store.SummaryRecords, today calendar.Date) string {
	var parts []string
	for _, pl := range rec.Planned {
		if !pl.PatternChanged {
			continue
		}
		opening := rec.Pharmacy.Opening
		if pl.Pharmacy.ID != "" {
			opening = pl.Pharmacy.Opening
		}
		text := fmt.Sprintf("From %s: %s", longDate(pl.Setting.EffectiveDate), uncapitalise(supervisionText(pl.Setting.Pattern, opening, today)))
		if r := pl.Setting.SupervisionRelaxedReason; r != "" {
			text += " Supervision relaxed by a recorded decision (" + strings.TrimSuffix(r, ".") + ")."
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, " ")
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
	from := productName(prev.med) + " " + doseAmount(prev.med, prev.lastDose())
	to := productName(next.med) + " " + doseAmount(next.med, next.firstDose())
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

// lastAdjusted is the day of the latest change of dose in force on today:
// not the starting dose, a hold (T1) or an entry replaced the same day.
func lastAdjusted(history []store.DoseChange, today calendar.Date) calendar.Date {
	var last calendar.Date
	for _, h := range history {
		if h.From == 0 || h.To == h.From || h.SupersededBy != nil || h.EffectiveDate.After(today) {
			continue
		}
		last = h.EffectiveDate
	}
	return last
}

// stageText is a regime's stage in plain words: "Planned reduction since
// 21 May 2026: the dose is lowered step by step, as the service decides."
// A maintenance dose adjusted since the stage began, or on the letter's
// date (adjusted, the date the dose last changed, today), is not called
// stable: the letter says when it was last adjusted. Nor is one with a
// change planned (planned, the first planned change's day; zero when
// none): the letter says when the dose is to change.
func stageText(st regimes.Stage, since, adjusted, planned, today calendar.Date) string {
	var name, what string
	switch st {
	case regimes.StageInduction:
		name, what = "Induction", "treatment is starting"
	case regimes.StageTitration:
		name, what = "Titration", "the dose is being adjusted until it holds the patient"
	case regimes.StageMaintenance:
		name, what = "Maintenance", "a stable dose"
		var parts []string
		if !adjusted.IsZero() && (adjusted.After(since) || adjusted.Equal(today)) {
			parts = append(parts, "the dose was last adjusted on "+longDate(adjusted))
		}
		if !planned.IsZero() {
			parts = append(parts, "a change of dose is planned from "+longDate(planned))
		}
		if len(parts) > 0 {
			what = strings.Join(parts, "; ")
		}
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

// entryStage is the stage a dose history entry sets, for the letter's
// table: "Maintenance", or "Titration → maintenance" when the entry before
// it (prev; "" for a regime's first) was at another stage. "" when the
// entry names none.
func entryStage(prev, st regimes.Stage) string {
	switch {
	case st == "":
		return ""
	case prev != "" && prev != st:
		return capitalise(string(prev)) + " → " + string(st)
	}
	return capitalise(string(st))
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

// nextInjectionText is when the current regime's next injection is due
// (BV8, regimes.NextInjection, as the regime view and the overdue alert
// give it): after the last regular injection, by that injection's product
// (the first monthly dose after a weekly one is due a week later), or, for
// a regime's first dose with none to follow on from, on its start date.
func nextInjectionText(more store.SummaryContext, today calendar.Date) string {
	next := more.NextInjection
	if next == nil {
		return ""
	}
	if next.After == nil {
		if today.After(next.Latest) {
			return fmt.Sprintf("Overdue: the first injection was due on %s and the window to give it on time closed on %s. The service contacts the patient and decides how to continue.",
				longDate(next.Due), longDate(next.Latest))
		}
		return fmt.Sprintf("First injection due %s; on time until %s. No injection is recorded yet: the service arranges the first.",
			longDate(next.Due), longDate(next.Latest))
	}
	last := next.After
	med, _ := dosing.LookupMedicine(last.Medicine)
	given := fmt.Sprintf("the last injection was %s of %s on %s", last.Dose, productName(med), longDate(last.Date))
	if today.After(next.Latest) {
		return fmt.Sprintf("Overdue: it was due on %s and the window to give it on time closed on %s (%s). The service contacts the patient and decides how to continue.",
			longDate(next.Due), longDate(next.Latest), given)
	}
	return fmt.Sprintf("Due %s; on time from %s to %s (%s).", longDate(next.Due), longDate(next.Earliest), longDate(next.Latest), given)
}

// SharedCareSummary is the view of the handover letter to the GP (SC4) as
// of today, in the service's time zone tz and under its policy n.
func SharedCareSummary(rec store.SummaryRecords, more store.SummaryContext, n policy.Numbers, tz *time.Location, today calendar.Date) pdf.SharedCareSummaryView {
	med, _ := dosing.LookupMedicine(rec.Regime.Medicine)
	pt := rec.Patient
	chain := summaryChain(rec, more)
	// An ended regime stands at the dose of its last day, and nothing
	// planned after the end happens.
	regimeEnded := rec.Regime.Status != store.RegimeActive
	asOf := today
	if regimeEnded {
		asOf = rec.Regime.EndedOn
	}
	current := store.DoseOn(rec.History, asOf)
	// An injection patient has nothing dispensed, unless a prescription is
	// still running (from before a switch, say); after the end none is.
	instalments := !med.Injectable || !regimeEnded && (!rec.LastPrescriptionEnd.IsZero() && !rec.LastPrescriptionEnd.Before(today) || len(rec.NextPrescriptions) > 0)
	v := pdf.SharedCareSummaryView{
		ServiceName: rec.Service.Name, ServiceAddress: rec.Service.Address, ServicePhone: rec.Service.Phone,
		GPPractice: pdf.GPPractice{Name: rec.Practice.Name, Address: rec.Practice.Address},
		Patient: pdf.Patient{Name: pt.Name(), Address: pt.Address, DateOfBirth: pt.DateOfBirth,
			NHSNumber: patients.FormatNHSNumber(pt.NHSNumber), Phone: pt.Phone},
		Date:                    today,
		Medicine:                med.Name,
		CurrentDose:             dailyDoseText(med, current),
		LastPrescriptionEnd:     rec.LastPrescriptionEnd,
		LastPrescribedDay:       rec.LastPrescribedDay,
		InjectionsOnly:          !instalments,
		PracticeGivesInjections: med.Injectable,
		Keyworker:               pt.Keyworker,
	}
	if !regimeEnded {
		for _, next := range rec.NextPrescriptions {
			v.NextPrescriptions = append(v.NextPrescriptions, pdf.Period{Start: next.StartDate, End: next.EndDate})
		}
	}
	if instalments {
		v.Pharmacy = pdf.Pharmacy{Name: rec.Pharmacy.Name, Address: rec.Pharmacy.Address, Phone: rec.Pharmacy.Phone}
		for _, pl := range rec.Planned {
			if pl.PharmacyChanged && pl.Pharmacy.ID != "" {
				v.PlannedPharmacies = append(v.PlannedPharmacies, pdf.PlannedPharmacy{From: pl.Setting.EffectiveDate,
					Pharmacy: pdf.Pharmacy{Name: pl.Pharmacy.Name, Address: pl.Pharmacy.Address, Phone: pl.Pharmacy.Phone}})
			}
		}
	}
	v.Status, v.StatusDate, v.StatusBy, v.StatusReason = summaryStatus(rec, tz)
	if regimeEnded {
		v.CurrentDose += fmt.Sprintf(" — regime ended on %s", longDate(rec.Regime.EndedOn))
		v.Stage = ""
		v.TreatmentEnded, v.TreatmentEndReason = rec.Regime.EndedOn, rec.Regime.EndReason
		v.EndCancelledPrescription = rec.EndCancelledPrescription
		v.TakenHomeAfterEnd = dayList(rec.TakenHomeAfterEnd)
		// Ending the regime closes open shared care with the end's reason
		// (ADR 0008).
		v.EndedSharedCare = rec.Arrangement != nil && rec.Arrangement.Status == store.SharedHandedBack &&
			v.StatusReason == store.RegimeEndReason(rec.Regime.EndedOn, rec.Regime.EndReason)
	}
	if rec.Arrangement != nil {
		v.Eligibility, v.EligibilityDate, v.EligibilityAtAcceptance = eligibilityRows(rec, tz)
	}
	if rec.Proposer.ID != "" {
		v.Author = rec.Proposer.Name
		if rec.Proposer.Registration != "" {
			v.Author += " (" + rec.Proposer.Registration + ")"
		}
	}
	// The last change in force today; those planned for later are listed
	// once, apart from the current dose, so the letter neither dates a dose
	// not yet given nor calls the dose stable while a change is decided.
	var planned []string
	var firstPlanned calendar.Date
	for _, h := range rec.History {
		if h.From != 0 && h.To == h.From || h.SupersededBy != nil {
			continue // a titration held (T1), or replaced the same day: the dose does not change
		}
		if regimeEnded && h.EffectiveDate.After(asOf) {
			continue // planned, but the regime ended first
		}
		if h.EffectiveDate.After(today) {
			planned = append(planned, fmt.Sprintf("%s from %s", dailyDoseText(med, h.To), longDate(h.EffectiveDate)))
			if firstPlanned.IsZero() {
				firstPlanned = h.EffectiveDate
			}
			continue
		}
		v.LastChange = h.EffectiveDate
	}
	v.PlannedChanges = strings.Join(planned, "; then ")
	if !regimeEnded {
		v.Stage = stageText(more.Stage, more.StageSince, lastAdjusted(rec.History, today), firstPlanned, today)
	}
	var switches []string
	for i := 1; i < len(chain); i++ {
		switches = append(switches, switchText(chain[i-1], chain[i], true))
	}
	if len(switches) > 0 {
		v.Earlier = capitalise(strings.Join(switches, "; then ")) + "."
	}
	if med.Injectable {
		// Under shared care the practice gives the injections (SC1); until
		// it accepts, and after it ends, the service does.
		where := "at the specialist service"
		switch v.Status {
		case pdf.StatusAccepted:
			where = "at the GP practice, at the dose the specialist service set"
		case pdf.StatusProposed, pdf.StatusNotProposed:
			where = "at the specialist service, and at the GP practice once it accepts shared care"
		}
		v.Supervision = "Each injection is given under the skin (buttock, thigh, abdomen or upper arm) by a nurse or other healthcare professional " +
			where + "; it is never handed to the patient to take away."
		if regimeEnded {
			v.Supervision = "Each injection was given under the skin (buttock, thigh, abdomen or upper arm) by a nurse or other healthcare professional; " +
				"none was handed to the patient to take away."
		}
		if rec.Regime.Status == store.RegimeActive {
			v.NextInjection = nextInjectionText(more, today)
		}
	} else if regimeEnded {
		// The pattern no longer applies: nothing is dispensed after the end.
		v.Supervision = fmt.Sprintf("None now: the treatment ended on %s and nothing is dispensed after it. The pattern until then was: %s",
			longDate(rec.Regime.EndedOn), uncapitalise(supervisionText(rec.Setting.Pattern, rec.Pharmacy.Opening, asOf)))
	} else {
		v.Supervision = supervisionText(rec.Setting.Pattern, rec.Pharmacy.Opening, today)
		if rec.Setting.SupervisionRelaxedReason != "" {
			v.Supervision += " Supervision was relaxed by a recorded decision (" + strings.TrimSuffix(rec.Setting.SupervisionRelaxedReason, ".") + ")."
		}
		v.PlannedSupervision = plannedSupervisionText(rec, today)
	}
	if b := more.Block; b != nil && !med.Injectable {
		v.DispensingStopped = fmt.Sprintf("Dispensing is currently stopped, since %s: the patient went without the dose on %d consecutive days "+
			"(%s to %s). The pharmacy will not dispense again until a prescriber has reviewed the patient and recorded the review.",
			longDate(more.BlockedFrom), b.Missed, longDate(b.Since), longDate(b.LastMissed))
	}

	// Chart: the dose in force and what happened on each day within the
	// last six months, under whichever regime; for an injectable, each
	// injection, whatever product it was.
	from := regimes.AddMonths(today, -SummaryMonths)
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
		v.Injections = append(v.Injections, pdf.InjectionRow{Date: ad.Date, Product: capitalise(im.Interval), Dose: dose, Site: capitalise(ad.Site.Label())})
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
		// The stage of the entry before, so a row that changed it says from
		// what: a stage changed alone keeps the dose, and its row would
		// otherwise read as no change at all.
		var prevStage regimes.Stage
		for _, c := range r.history {
			if !r.regime.EndedOn.IsZero() && c.EffectiveDate.After(r.regime.EndedOn) {
				continue // planned, but the regime ended first: never given
			}
			if c.SupersededBy != nil {
				continue // replaced by a later change for the same day, whose row says what was decided
			}
			stage := entryStage(prevStage, c.Stage)
			if c.Stage != "" {
				prevStage = c.Stage
			}
			if i < len(chain)-1 && c.EffectiveDate.Before(from) {
				continue
			}
			// Planned: decided, not yet in force (the letter's date is today).
			row := pdf.TitrationRow{Date: c.EffectiveDate, Planned: c.EffectiveDate.After(today), To: doseAmount(r.med, c.To),
				Stage: stage, Reason: c.Reason, Prescriber: names[c.PrescriberID]}
			if c.From > 0 {
				row.From = doseAmount(r.med, c.From)
			}
			ovs := overrides[c.ID]
			if c.From == 0 {
				ovs = append(ovs, overrides[r.regime.ID]...)
				if i > 0 {
					row.From = doseAmount(chain[i-1].med, chain[i-1].lastDose())
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
	// The screens read are those since the chart's start (SummaryMonths).
	v.NoScreens = fmt.Sprintf("None recorded in the last %d months.", SummaryMonths)

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
	if regimeEnded {
		v.Responsibilities = endedDuties(med, rec.Regime.EndedOn)
	}
	v.Reviews = summaryReviews(n, rec, v.Status)

	if !ended && !regimeEnded {
		when := fmt.Sprintf("intoxication, %d or more consecutive missed days, an overdose, a new risk, or any request to change the dose", n.MD1ConsecutiveMissedDays)
		next := "writes the next prescription, so that treatment continues without a gap"
		what := "prescribing"
		if med.Injectable {
			when = "an injection missed or not given by the end of its window, intoxication, an overdose, a new risk, or any request to change the dose"
			next = "takes over giving the injections, so that the next one is given on time"
			what = "the injections"
		}
		v.HandBack = fmt.Sprintf("Either party can hand %s back at any time. The practice records it in Dosebook with the reason "+
			"(hand back on the shared care arrangement) or telephones %s on %s; the service is alerted and %s. "+
			"Contact the service the same day for %s.", what, rec.Service.Name, firstNonEmpty(rec.Service.Phone, "its main number"), next, when)
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
			{Party: "Specialist service", Duty: fmt.Sprintf("Prescribes, and decides %s; %sreviews the treatment at least %s; "+
				"keyworking and psychosocial support; drug screening; may propose shared care again once the patient is stable.", what, inject, everyMonths(n.M5ReviewMonths))},
			{Party: "GP practice", Duty: "General medical care; does not prescribe the opioid substitution treatment while the service does; tells the service about intoxication, overdose, new risks (including new sedative or QT-prolonging medicines) or concerns about the treatment."},
		}
	} else if med.Injectable {
		// Buvidal has no instalment prescription the practice could write
		// (BV2): the service's regime is the direction, and the practice
		// gives the regular injection at its current dose and records it
		// in Dosebook, which refuses any other dose, an extra one or one
		// before its window opens, and alerts the service to one given
		// after the window closed (SC1, ADR 0009).
		out = []pdf.Responsibility{
			{Party: "Specialist service", Duty: fmt.Sprintf("Prescribes: decides and changes the dose and the product (weekly or monthly), and decides any extra dose; "+
				"the practice does not change them; ask the service. Follows up a missed or overdue injection the same day and decides how to continue; "+
				"reviews the patient at least %s; keyworking and psychosocial support; drug screening; takes the injections back whenever asked.",
				everyMonths(n.SC1SpecialistReviewMonths))},
			{Party: "GP practice", Duty: fmt.Sprintf("Gives each injection at the current dose and product (a nurse or other healthcare professional; never handed to the patient) "+
				"within its window, %s, and records it in Dosebook the same day with the site and batch; gives no extra dose, no other dose and none before its window opens; "+
				"one given after its window closed is still recorded, and Dosebook alerts the service, which decides how to continue; "+
				"reviews the treatment at least %s; tells the service the same day about a missed injection, intoxication, new risks "+
				"(including new sedative medicines) or any request to change the dose; hands the injections back when needed.", windowText(med, n), everyMonths(n.M5ReviewMonths))},
		}
	} else {
		out = []pdf.Responsibility{
			{Party: "Specialist service", Duty: fmt.Sprintf("Decides and changes the dose and supervision: the GP does not change the dose; ask the service. "+
				"Reviews the patient at least %s; keyworking and psychosocial support; drug screening; takes prescribing back whenever asked.", everyMonths(n.SC1SpecialistReviewMonths))},
			{Party: "GP practice", Duty: fmt.Sprintf("Prescribes at the current dose and supervision, on instalment prescriptions of at most %d days each; "+
				"reviews prescribing at least %s; tells the service about missed doses, intoxication, new risks or any request to change the dose; "+
				"hands prescribing back when needed.", n.L6MaxDays, everyMonths(n.M5ReviewMonths))},
		}
	}
	if instalments {
		out = append(out, pharmacy)
	}
	return out
}

// everyMonths says how often a review falls due: "every month", "every 3
// months" (a service may tune the interval to one month).
func everyMonths(n int) string {
	if n == 1 {
		return "every month"
	}
	return fmt.Sprintf("every %d months", n)
}

// endedDuties is "who does what" once the service has ended the treatment:
// nobody prescribes it or gives its injections, and nothing is dispensed,
// so neither party is given a duty of the treatment that no longer runs.
func endedDuties(med dosing.Medicine, on calendar.Date) []pdf.Responsibility {
	nobody := "nobody prescribes it now and nothing is dispensed"
	if med.Injectable {
		nobody = "nobody gives the injections now"
	}
	return []pdf.Responsibility{
		{Party: "Specialist service", Duty: fmt.Sprintf("Ended the treatment on %s: %s. Assesses the patient afresh if they return or are referred back: "+
			"a new treatment starts with a new regime, and shared care can be proposed again once it is stable.", longDate(on), nobody)},
		{Party: "GP practice", Duty: "General medical care; does not prescribe opioid substitution treatment; refers the patient to the specialist service " +
			"if they ask to restart treatment; tells the service about overdose, new risks or concerns."},
	}
}

// summaryReviews are the reviews that apply where shared care stands, each
// with who does it: under shared care the practice's prescribing review
// and the service's yearly one; otherwise the service's review of the
// treatment, and for a proposal the two it would bring.
func summaryReviews(n policy.Numbers, rec store.SummaryRecords, status string) []pdf.ReviewRow {
	gp := pdf.ReviewRow{Who: "GP practice", What: fmt.Sprintf("Prescribing review: at least %s while the practice prescribes", everyMonths(n.M5ReviewMonths))}
	if med, _ := dosing.LookupMedicine(rec.Regime.Medicine); med.Injectable {
		gp.What = fmt.Sprintf("Review of the treatment: at least %s while the practice gives the injections", everyMonths(n.M5ReviewMonths))
	}
	spec := pdf.ReviewRow{Who: "Specialist service", What: fmt.Sprintf("Review of the patient and of shared care: at least %s", everyMonths(n.SC1SpecialistReviewMonths))}
	var out []pdf.ReviewRow
	if rec.Regime.Status != store.RegimeActive {
		return out // the treatment ended: nothing falls due
	}
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
			What: fmt.Sprintf("Review of the treatment while the service prescribes: at least %s, %s", everyMonths(n.M5ReviewMonths), what)})
	}
	if status == pdf.StatusNotProposed || status == pdf.StatusProposed {
		gp.What += " — dated when the practice accepts"
		spec.What += " — dated when the practice accepts"
		out = append(out, gp, spec)
	}
	return out
}

// replacesText tells the pharmacy which prescription a reissue replaces
// and which of its days this one takes over: from and to, its own period.
// A pharmacy move splits the remaining days between two reissues, so
// neither may claim all of them.
func replacesText(serial string, from, to calendar.Date) string {
	if serial == "" {
		return ""
	}
	const layout = "Mon 2 Jan 2006"
	if from.Equal(to) {
		return fmt.Sprintf("%s, cancelled: its day %s is dispensed from this prescription only.", serial, from.Format(layout))
	}
	return fmt.Sprintf("%s, cancelled: its days from %s to %s are dispensed from this prescription only.", serial, from.Format(layout), to.Format(layout))
}
