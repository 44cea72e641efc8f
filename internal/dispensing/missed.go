package dispensing

import (
	"fmt"
	"slices"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/policy"
)

// DayOutcome is what happened to one dose day. Outcome is "" when not yet
// known: the day is not closed, or not due yet.
type DayOutcome struct {
	Date    calendar.Date `json:"date"`
	Outcome Outcome       `json:"outcome,omitempty"`
	// Known is when the outcome was recorded (the day close for a missed
	// dose); zero when not known, taken as the end of the day. MD1 asks
	// whether a review came after the last missed day was known.
	Known time.Time `json:"-"`
	// On is the collection day of the instalment the day's dose belongs
	// to, when earlier than Date: Saturday's for the Sunday a Saturday
	// instalment covers. The day's outcome is known from then, so MD1
	// takes a review dated that day as being about it. Zero: Date.
	On calendar.Date `json:"-"`
	// PharmacyClosed: the pharmacy recorded the collection day of the
	// instalment the day belongs to as closed (calendar.Opening
	// RecordedClosed), often afterwards, when it shut unexpectedly. The
	// record is not changed (append-only); the mark is read from the
	// opening. See ClosedMissed.
	PharmacyClosed bool `json:"pharmacy_closed,omitempty"`
}

// ClosedMissed reports whether the day's dose was missed because the
// pharmacy was closed (ADR 0016). The patient still went without the
// dose, so MD1 and MD2 count the day; adherence and intermittent
// attendance (S4) do not hold it against the patient.
func (d DayOutcome) ClosedMissed() bool {
	return d.Outcome == Missed && d.PharmacyClosed
}

// Known sets when each day's outcome was recorded.
func Known(days []DayOutcome, at time.Time) []DayOutcome {
	for i := range days {
		days[i].Known = at
	}
	return days
}

// KnownOn is KnownSince for the instalment dated date whose events these
// are, with a dose the day close marked missed known from the end of its
// day at the latest, however late the close ran: MD1 counts a day gone by
// without a record as missed from then (UnclosedAsMissed), so a review
// prompted by that block is made knowing of the day, and a close that
// runs after it (a failed scheduled close retried, a catch-up after the
// server was down) must not bring the block and its alert back. A record
// that takes the dose away later, a correction from a dose taken to
// missed, is still news from its own time (KnownSince). Only the day close
// records missed first (RecordableByPharmacist). The day ends at midnight
// in zone, the service's time zone (nil: UTC), not in UTC: in summer in
// London a review at 00:30 is made knowing of the day before.
func KnownOn(date calendar.Date, events []Event, zone *time.Location) time.Time {
	at := KnownSince(events)
	root := original(events)
	if root < 0 || events[root].Outcome != Missed || !at.Equal(events[root].CreatedAt) {
		return at
	}
	if end := EndOfDay(date, zone); at.After(end) {
		return end
	}
	return at
}

// EndOfDay is when day ends in zone (nil: UTC): midnight at the start of
// the next day there.
func EndOfDay(day calendar.Date, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	return day.AddDays(1).Start(zone)
}

// ExpandInstalment turns one instalment, collected on date and covering the
// dose days covers, into one DayOutcome per covered day: a collected
// take-home instalment for Saturday and Sunday means both days were taken,
// and a missed one means both were missed, since a missed dose is never
// supplied later (MD4). Only the collection day's dose can be consumed in
// front of the pharmacist: the other days of a supervised instalment went
// home with the patient, so they count as collected, as a GP judging
// take-home doses needs them to. An empty covers means the instalment
// covers date alone. The result is sorted by date.
func ExpandInstalment(date calendar.Date, covers []calendar.Date, outcome Outcome) []DayOutcome {
	if len(covers) == 0 {
		covers = []calendar.Date{date}
	}
	out := make([]DayOutcome, len(covers))
	for i, d := range covers {
		o := outcome
		if o == Supervised && !d.Equal(date) {
			o = Collected
		}
		out[i] = DayOutcome{Date: d, Outcome: o}
		if date.Before(d) {
			out[i].On = date
		}
	}
	slices.SortStableFunc(out, func(a, b DayOutcome) int { return a.Date.Compare(b.Date) })
	return out
}

// rank orders outcomes for merging two records of the same dose day: a
// dose taken that day counts, then any known outcome, then unknown.
func rank(o Outcome) int {
	switch {
	case o.Taken():
		return 2
	case o.notTaken():
		return 1
	}
	return 0
}

// byDay sorts days and keeps one entry per date, so callers may pass days
// gathered from several instalments and prescriptions in any order.
func byDay(days []DayOutcome) []DayOutcome {
	out := slices.Clone(days)
	slices.SortStableFunc(out, func(a, b DayOutcome) int { return a.Date.Compare(b.Date) })
	return slices.CompactFunc(mergeSameDate(out), func(a, b DayOutcome) bool { return a.Date.Equal(b.Date) })
}

// speaksFor reports whether b, a record of the same dose day as a, decides
// the day instead of a. A dose taken counts whichever record holds it: a
// day's dose is handed over once. Otherwise the instalment collected later
// decides: a take-home withheld on Monday takes Tuesday's dose with it,
// but once its prescription is cancelled and Tuesday prescribed again,
// Tuesday is the new instalment's to supply, and is not known until that
// instalment is recorded or its day closes. Two records collected the
// same day (two prescriptions over one day) go by rank.
func speaksFor(b, a DayOutcome) bool {
	ra, rb := rank(a.Outcome), rank(b.Outcome)
	if ra < 2 && rb < 2 && !a.onOrDate().Equal(b.onOrDate()) {
		return b.onOrDate().After(a.onOrDate())
	}
	return rb > ra
}

// mergeSameDate makes the first entry of each date carry the outcome of
// the record that decides that date (speaksFor); CompactFunc then keeps
// that first entry.
func mergeSameDate(sorted []DayOutcome) []DayOutcome {
	start := 0
	for i := 1; i <= len(sorted); i++ {
		if i < len(sorted) && sorted[i].Date.Equal(sorted[start].Date) {
			switch {
			case speaksFor(sorted[i], sorted[start]):
				sorted[start].Outcome, sorted[start].Known, sorted[start].On = sorted[i].Outcome, sorted[i].Known, sorted[i].On
				sorted[start].PharmacyClosed = sorted[i].PharmacyClosed
			case !speaksFor(sorted[start], sorted[i]):
				// Known from the later record and the later collection
				// day: a review must come after both.
				if sorted[i].Known.After(sorted[start].Known) {
					sorted[start].Known = sorted[i].Known
				}
				sorted[start].On = laterOn(sorted[start], sorted[i])
				// Excused only when every record of the day was at a
				// pharmacy closed that day.
				sorted[start].PharmacyClosed = sorted[start].PharmacyClosed && sorted[i].PharmacyClosed
			}
			continue
		}
		start = i
	}
	return sorted
}

// DaysAsOf is a patient's dose days as they stand on asOf, one per date
// in date order (speaksFor decides a date two records hold). Every
// missed-dose rule counts from it — MD1's block, MD2's alerts, MD3's
// suggestion, the day list's prompts — so they agree on what a day was.
//
// A day after asOf is kept only when an instalment collected by asOf has
// already decided it: a take-home withheld on Monday leaves Tuesday and
// Wednesday without the dose from Monday on, so MD1 counts them at once
// (the prescriber's review on Monday is about all three days). A day still
// to be collected is not known yet, so never missed.
func DaysAsOf(days []DayOutcome, asOf calendar.Date) []DayOutcome {
	return slices.DeleteFunc(byDay(days), func(d DayOutcome) bool {
		return d.Date.After(asOf) && (d.Outcome == "" || d.onOrDate().After(asOf))
	})
}

// DecidedAhead is the last day after to that days hold without the dose
// (a take-home withheld carries its later days with it); zero when none.
// Such a day may have been prescribed again, on an instalment dated after
// to that now decides it (speaksFor): a caller that read the instalments
// dated up to to reads on to that day.
func DecidedAhead(days []DayOutcome, to calendar.Date) calendar.Date {
	var last calendar.Date
	for _, d := range days {
		if d.Date.After(to) && d.Date.After(last) && d.Outcome.notTaken() {
			last = d.Date
		}
	}
	return last
}

// laterOn is the later collection day of two entries for one date (zero,
// the date itself, when either has none).
func laterOn(a, b DayOutcome) calendar.Date {
	if a.On.IsZero() || b.On.IsZero() {
		return calendar.Date{}
	}
	if b.On.After(a.On) {
		return b.On
	}
	return a.On
}

// onOrDate is the collection day a day's outcome belongs to.
func (d DayOutcome) onOrDate() calendar.Date {
	if d.On.IsZero() {
		return d.Date
	}
	return d.On
}

// run is a stretch of consecutive dose days without the dose.
type run struct {
	count       int
	first, last calendar.Date
	lastKnown   time.Time     // when the last day's outcome was recorded
	lastOn      calendar.Date // the collection day the last day belongs to
}

// UnclosedAsMissed is days with every day of an instalment collected
// before asOf and still without an outcome taken as missed, as the day
// close of its collection day would have marked it (with the days it
// covers): a patient with no dose Monday to Wednesday went without it
// whether or not a close ran for those days — the scheduled close failed,
// or the server was down — so MD1 must not wait for one to stop supply on
// Thursday. The instalment of asOf itself is left unknown: its patient may
// still come. Such a day is known, as a closed one with no record time, at
// the end of the day in the service's time zone (missedRun). days is not changed.
func UnclosedAsMissed(days []DayOutcome, asOf calendar.Date) []DayOutcome {
	out := slices.Clone(days)
	for i, d := range out {
		if d.Outcome == "" && d.onOrDate().Before(asOf) {
			out[i].Outcome = Missed
		}
	}
	return out
}

// missedRun finds the run of consecutive not-taken dose days ending at the
// last dose day known as of asOf (DaysAsOf): days after asOf that an
// instalment collected by then took with it count, so a take-home withheld
// counts every day it covered from its collection day on.
//
// Withheld and refused days count with missed ones: MD1 says "consecutive
// days ... missed", and what matters clinically is that the patient went
// without the dose, whatever the reason (see Outcome.notTaken).
//
// A day of an instalment collected before asOf with no outcome yet counts
// as missed (UnclosedAsMissed): its day close has not run, but the day has
// gone by. Unknown days of asOf's own instalment are skipped (today, before
// day close). Calendar days that are not dose days at all (a gap between
// prescriptions) do not break the run: a day without a prescription is
// also a day without a dose. A day with no record time is known at its
// end in zone (nil: UTC).
func missedRun(days []DayOutcome, asOf calendar.Date, zone *time.Location) run {
	sorted := DaysAsOf(UnclosedAsMissed(days, asOf), asOf)
	i := len(sorted) - 1
	for i >= 0 && sorted[i].Outcome == "" {
		i--
	}
	var r run
	for ; i >= 0 && sorted[i].Outcome.notTaken(); i-- {
		if r.count == 0 {
			r.last, r.lastKnown, r.lastOn = sorted[i].Date, sorted[i].Known, sorted[i].onOrDate()
			if r.lastKnown.IsZero() {
				r.lastKnown = EndOfDay(r.last, zone)
			}
		}
		r.count++
		r.first = sorted[i].Date
	}
	return r
}

// ConsecutiveMissed counts the consecutive dose days without the dose
// (missed, withheld or refused) ending at the last dose day known as of
// asOf (missedRun). days may span instalments and prescriptions, in any
// order; two entries for one date count once (speaksFor).
func ConsecutiveMissed(days []DayOutcome, asOf calendar.Date) int {
	return missedRun(days, asOf, nil).count
}

// MissedRunKnown is the run ConsecutiveMissed counts and when its last day's
// outcome became known (zero with no run): MD3's suggestion for the run
// stands until the prescriber records a dose change after that. A day
// with no record time is known at its end in zone (nil: UTC).
func MissedRunKnown(days []DayOutcome, asOf calendar.Date, zone *time.Location) (count int, lastKnown time.Time) {
	r := missedRun(days, asOf, zone)
	return r.count, r.lastKnown
}

// MissedRun is the run ConsecutiveMissed counts: its length and its first
// day (zero when the length is 0). MD2 alerts once per run, keyed on since.
func MissedRun(days []DayOutcome, asOf calendar.Date) (count int, since calendar.Date) {
	r := missedRun(days, asOf, nil)
	return r.count, r.first
}

// Block is an MD1 stop on supply, as the pharmacist reads it: on the day
// list, in the prompt and in the refusal of a supply. A pharmacist cannot
// record reviews, so Action says whom to contact; AlertMessage is the text
// for the alert that asks a prescriber to act.
type Block struct {
	Rule string `json:"rule"`
	// Missed is the length of the run of consecutive days without a dose.
	Missed int `json:"missed"`
	// Since is the first and LastMissed the last day of the run.
	Since      calendar.Date `json:"since"`
	LastMissed calendar.Date `json:"last_missed"`
	// Threshold is the MD1 figure in force (3 by default).
	Threshold int    `json:"threshold"`
	Message   string `json:"message"`
	Action    string `json:"action"`
	// ReviewFrom is the first day a review lifting the block may be dated:
	// the collection day the run's last missed day belongs to (LastMissed,
	// or earlier for a day a take-home instalment covered).
	ReviewFrom calendar.Date `json:"-"`
}

// NotLiftedBy says why a review dated on (kind ecg when ecg) left the block
// standing, for the reviewer who believed it lifted: without it a review
// dated a day too early looks like one that let dispensing resume.
func (b Block) NotLiftedBy(on calendar.Date, ecg bool) string {
	switch {
	case ecg:
		return fmt.Sprintf("The MD1 block still stands (%d consecutive days missed since %s, the last on %s): an ECG review records a heart trace and lifts no block. "+
			"Record a clinical or missed_doses review, dated on or after %s, to let dispensing resume.", b.Missed, b.Since, b.LastMissed, b.ReviewFrom)
	case on.Before(b.ReviewFrom):
		last := fmt.Sprintf("the last missed day, %s", b.LastMissed)
		if !b.ReviewFrom.Equal(b.LastMissed) {
			last = fmt.Sprintf("%s, the collection day of the last missed day (%s)", b.ReviewFrom, b.LastMissed)
		}
		return fmt.Sprintf("The MD1 block still stands (%d consecutive days missed since %s): the review is dated %s, before %s, "+
			"so it was about fewer missed days and does not lift the block. Record a review dated on or after %s to let dispensing resume.",
			b.Missed, b.Since, on, last, b.ReviewFrom)
	}
	return fmt.Sprintf("The MD1 block still stands (%d consecutive days missed since %s, the last on %s): the review was recorded before that day's outcome was. "+
		"Record a review now, dated on or after %s, to let dispensing resume.", b.Missed, b.Since, b.LastMissed, b.ReviewFrom)
}

// Finding is the block as a policy finding, for a rule_blocked problem.
func (b Block) Finding(n policy.Numbers) policy.Finding {
	return n.Finding("MD1", b.Message, b.Action)
}

// ReviewMark is a prescriber's review as MD1 reads it: the day it is for
// and when it was recorded.
type ReviewMark struct {
	On calendar.Date
	At time.Time
}

// MD1Block reports whether MD1 stops supply on asOf: the run of consecutive
// days without a dose, up to the last day known as of asOf (missedRun, the
// run MD2 and MD3 count too), has reached n.MD1ConsecutiveMissedDays and
// no prescriber review lifts it. A
// review lifts the run when it is for the run's last missed day or later
// and was recorded after that day's outcome was (at the day close, or when
// a dose was withheld or refused): a review recorded while the patient had
// missed fewer days — say on the morning of a day they then miss — was
// made without knowing of the block, and one dated before the last missed
// day was about fewer days. A day a take-home instalment covers is known
// on its collection day: Sunday's dose withheld with Saturday's instalment
// is gone on Saturday, so a review dated Saturday and recorded after the
// withholding is about it (a review cannot be dated ahead).
//
// The whole run counts, not only the days since the review: if the patient
// misses another day after a review, the block returns at once, because the
// reviewed plan was made for fewer missed days and tolerance keeps falling
// (MD3 changes its advice with every extra day).
//
// A missed day with no record time (its close has not run) is known at
// the end of the day in zone, the service's time zone (nil: UTC).
func MD1Block(n policy.Numbers, days []DayOutcome, asOf calendar.Date, reviews []ReviewMark, zone *time.Location) (Block, bool) {
	r := missedRun(days, asOf, zone)
	if r.count < n.MD1ConsecutiveMissedDays {
		return Block{}, false
	}
	for _, rev := range reviews {
		if !rev.On.Before(r.lastOn) && rev.At.After(r.lastKnown) {
			return Block{}, false
		}
	}
	return Block{
		Rule:       "MD1",
		Missed:     r.count,
		Since:      r.first,
		LastMissed: r.last,
		Threshold:  n.MD1ConsecutiveMissedDays,
		Message: fmt.Sprintf("Do not dispense: %d or more consecutive days missed — contact the prescriber.",
			n.MD1ConsecutiveMissedDays),
		Action:     "Do not hand over any dose. Contact the prescriber: dispensing resumes only once a prescriber has reviewed the patient and recorded the review. A patient turned away may be recorded as withheld.",
		ReviewFrom: r.lastOn,
	}, true
}

// AlertMessage is the block as the md1_block alert says it. The alert is
// the prescriber's cue to act; the pharmacy and a GP practice holding
// shared care read it too, so it speaks to people, not to the API (the
// alert's patient_id leads to the patient's reviews).
func (b Block) AlertMessage() string {
	return fmt.Sprintf("Do not dispense: %d consecutive days missed since %s (the last on %s), %d or more stop supply (MD1). "+
		"The pharmacy may dispense again once a prescriber has reviewed the patient and recorded the review in Dosebook.",
		b.Missed, b.Since, b.LastMissed, b.Threshold)
}

// MD1Runs counts the runs of consecutive days without a dose long enough to
// trigger MD1 whose blocked stretch, from the day the run reached the
// threshold to its last day, overlaps [from, to] (both inclusive). It is the
// "no missed-dose block in that period" figure of SC3.
func MD1Runs(n policy.Numbers, days []DayOutcome, from, to calendar.Date) int {
	count, length := 0, 0
	var reached calendar.Date
	end := func(last calendar.Date) {
		if length >= n.MD1ConsecutiveMissedDays && !reached.After(to) && !last.Before(from) {
			count++
		}
		length = 0
	}
	sorted := byDay(days)
	for i, d := range sorted {
		if !d.Outcome.notTaken() {
			if length > 0 {
				end(sorted[i-1].Date)
			}
			continue
		}
		length++
		if length == n.MD1ConsecutiveMissedDays {
			reached = d.Date
		}
	}
	if length > 0 {
		end(sorted[len(sorted)-1].Date)
	}
	return count
}
