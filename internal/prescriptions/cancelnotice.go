package prescriptions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// CancelNotice is what a pharmacy is told when an issued prescription with
// instalments still to come there is cancelled — asked for, by the end of
// the regime, or by a change of dose, pattern or pharmacy that reissues its
// remaining days. The day list simply stops showing those instalments, but
// the pharmacy may have doses measured out (methadone often is) and a
// patient on the way: it must know which days are gone and why, and, when
// the days were reissued, which prescription to supply them from and what
// changed on it.
type CancelNotice struct {
	Serial string
	// By names who cancelled it and their organisation; On is the day.
	By     string
	On     calendar.Date
	Reason string
	// Pharmacy is the pharmacy told; Due its instalments of the cancelled
	// prescription still to come (today or later, nothing recorded), in
	// date order.
	Pharmacy string
	Due      []NoticeInstalment
	// Periods are the cancelled prescription's dose periods (L2).
	Periods []DosePeriod
	// Replacements are the prescriptions now carrying its remaining days,
	// at this pharmacy or another (after a move).
	Replacements []Replacement
	// Since are the prescriptions that replaced it here in turn, oldest
	// first, each cancelled in its turn before anything was supplied from
	// it and while the pharmacy had not yet acknowledged the notice naming
	// it (changes made one after another, a titration planned in one
	// sitting). The pharmacy never acted on them: the notice compares the
	// replacements with this prescription, the one it may have doses
	// measured out from, and names them so the serials on its earlier
	// notices are accounted for.
	Since []Cancelled
}

// Cancelled is a prescription cancelled in its turn: who cancelled it,
// when and why.
type Cancelled struct {
	Serial string
	By     string
	On     calendar.Date
	Reason string
}

// NoticeInstalment is one collection: its day, the dose days it covers,
// and how much is supervised and taken home.
type NoticeInstalment struct {
	Date                 calendar.Date
	Covers               []calendar.Date
	Supervised, TakeHome dosing.Micrograms
}

// Replacement is a prescription carrying some of a cancelled one's days.
type Replacement struct {
	Serial   string
	Pharmacy string
	// Here says it is dispensed by the pharmacy told.
	Here     bool
	From, To calendar.Date
	Periods  []DosePeriod
	// Instalments are its instalments, for comparing collections (Here).
	Instalments []NoticeInstalment
}

// Finding is the notice as the pharmacy reads it. Its rule is MD5 when
// days at the pharmacy are left without any prescription (the patient is
// not to be given a dose for them), and otherwise MD4: every remaining day
// is supplied once, from the replacement, and nothing more from the
// cancelled prescription.
func (c CancelNotice) Finding() policy.Finding {
	var dates []calendar.Date
	var days []calendar.Date
	for _, in := range c.Due {
		dates = append(dates, in.Date)
		days = append(days, in.Covers...)
	}
	slices.SortFunc(days, calendar.Date.Compare)
	days = slices.CompactFunc(days, calendar.Date.Equal)

	reason := strings.TrimRight(strings.TrimSpace(c.Reason), ".")
	due := "Its instalment still to come at %s, on %s, is not to be supplied from it."
	if len(dates) > 1 {
		due = "Its instalments still to come at %s, on %s, are not to be supplied from it."
	}
	msg := []string{fmt.Sprintf("Prescription %s was cancelled on %s by %s: %s.", c.Serial, c.On, c.By, reason),
		fmt.Sprintf(due, c.Pharmacy, rangeList(dates))}
	if len(c.Since) > 0 {
		var turns []string
		for i, s := range c.Since {
			then := "then by"
			if i == 0 {
				then = "It was replaced here by"
			}
			turns = append(turns, fmt.Sprintf("%s %s, cancelled on %s by %s: %s", then, s.Serial, s.On, s.By,
				strings.TrimRight(strings.TrimSpace(s.Reason), ".")))
		}
		nothing := "Nothing was supplied from it."
		if len(c.Since) > 1 {
			nothing = "Nothing was supplied from any of them."
		}
		msg = append(msg, strings.Join(turns, "; ")+". "+nothing)
	}

	// Each dose day goes to the replacement covering it, here or at
	// another pharmacy, or to none.
	var none []calendar.Date
	here := map[int][]calendar.Date{}
	away := map[int][]calendar.Date{}
	for _, d := range days {
		i := slices.IndexFunc(c.Replacements, func(r Replacement) bool { return !d.Before(r.From) && !d.After(r.To) })
		switch {
		case i < 0:
			none = append(none, d)
		case c.Replacements[i].Here:
			here[i] = append(here[i], d)
		default:
			away[i] = append(away[i], d)
		}
	}
	var actions []string
	for i, r := range c.Replacements {
		if ds, ok := here[i]; ok {
			msg = append(msg, fmt.Sprintf("%s replaces it here for %s: %s.", r.Serial, rangeList(ds), c.changes(r, ds)))
		}
	}
	if len(here) > 0 {
		actions = append(actions, "Supply the days replaced here from the new prescription only, as it states; check any dose measured out in advance against it.")
	}
	for i, r := range c.Replacements {
		if ds, ok := away[i]; ok {
			msg = append(msg, fmt.Sprintf("The doses for %s are prescribed at %s (%s).", rangeList(ds), r.Pharmacy, r.Serial))
		}
	}
	if len(away) > 0 {
		actions = append(actions, "Supply nothing here for the days prescribed at another pharmacy.")
	}
	rule := "MD4"
	if len(none) > 0 {
		rule = "MD5"
		msg = append(msg, fmt.Sprintf("No prescription replaces it for %s.", rangeList(none)))
		actions = append(actions, "Supply nothing for those days and set aside any dose measured out for them; if the patient comes for one, contact the prescriber.")
	}
	return policy.Finding{Rule: rule, Severity: policy.Warn, Message: strings.Join(msg, " "), Action: strings.Join(actions, " ")}
}

// NoticeReplaced is the resolution of a pharmacy's notice that named
// serial as the replacement here, once serial is itself cancelled and a
// later notice, of serial's cancellation, tells the pharmacy what now
// carries the days (ADR 0015). The earlier notice stays as raised (ADR
// 0006); only the latest of a chain is left open, as only it is true.
func NoticeReplaced(serial string, on calendar.Date, reason string, now []string) string {
	out := fmt.Sprintf("%s, which this notice named as the replacement here, was itself cancelled on %s: %s. "+
		"A later notice, raised when %s was cancelled, replaces this one", serial, on, strings.TrimRight(strings.TrimSpace(reason), "."), serial)
	if len(now) == 0 {
		return out + "; no prescription replaces it."
	}
	return out + fmt.Sprintf(" and names %s.", joinAnd(now))
}

// changes says what differs for the pharmacy on the days ds that the
// replacement r now carries: the daily dose, and the collection days or
// supervision (the pickup pattern), or that nothing does.
func (c CancelNotice) changes(r Replacement, ds []calendar.Date) string {
	var parts []string
	// Runs of one old and one new dose, in date order.
	type run struct {
		from     calendar.Date
		was, now dosing.Micrograms
	}
	var runs []run
	for _, d := range ds {
		was, now := doseOn(c.Periods, d), doseOn(r.Periods, d)
		if len(runs) > 0 && runs[len(runs)-1].was == was && runs[len(runs)-1].now == now {
			continue
		}
		runs = append(runs, run{from: d, was: was, now: now})
	}
	for i, rn := range runs {
		if rn.was == rn.now {
			continue
		}
		from := fmt.Sprintf(" from %s", rn.from)
		if i == 0 {
			from = ""
		}
		parts = append(parts, fmt.Sprintf("the dose is %s a day%s (was %s)", rn.now, from, rn.was))
	}
	for _, d := range ds {
		if !sameCollection(instalmentFor(c.Due, d), instalmentFor(r.Instalments, d)) {
			parts = append(parts, fmt.Sprintf("the collection days or supervision change from %s", d))
			break
		}
	}
	if len(parts) == 0 {
		return "the same doses on the same collection days"
	}
	return joinAnd(parts)
}

// doseOn is the daily dose periods give day (zero before the first).
func doseOn(periods []DosePeriod, day calendar.Date) dosing.Micrograms {
	var dose dosing.Micrograms
	for _, p := range periods {
		if p.From.After(day) {
			break
		}
		dose = p.DailyDose
	}
	return dose
}

// instalmentFor is the instalment covering day, if any.
func instalmentFor(ins []NoticeInstalment, day calendar.Date) *NoticeInstalment {
	for i := range ins {
		if slices.ContainsFunc(ins[i].Covers, day.Equal) {
			return &ins[i]
		}
	}
	return nil
}

// sameCollection says two instalments are collected alike: on one day,
// for the same dose days, supervised and taken home alike (the amounts may
// differ with the dose, told on its own).
func sameCollection(a, b *NoticeInstalment) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Date.Equal(b.Date) && slices.EqualFunc(a.Covers, b.Covers, calendar.Date.Equal) &&
		(a.Supervised > 0) == (b.Supervised > 0) && (a.TakeHome > 0) == (b.TakeHome > 0)
}

// rangeList reads dates as runs of consecutive days: "2026-12-04 to
// 2026-12-06 and 2026-12-09".
func rangeList(dates []calendar.Date) string {
	var parts []string
	for i := 0; i < len(dates); {
		j := i
		for j+1 < len(dates) && dates[j+1].Equal(dates[j].AddDays(1)) {
			j++
		}
		if j == i {
			parts = append(parts, dates[i].String())
		} else {
			parts = append(parts, fmt.Sprintf("%s to %s", dates[i], dates[j]))
		}
		i = j + 1
	}
	return joinAnd(parts)
}

// joinAnd reads "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
