package regimes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
)

// Stage is where a regime is in treatment.
type Stage string

const (
	StageInduction   Stage = "induction"
	StageTitration   Stage = "titration"
	StageMaintenance Stage = "maintenance"
	StageReduction   Stage = "reduction"
)

// Titrating reports whether the dose is still being found (induction or
// titration), when consumption is supervised throughout (S6) and a first
// missed dose is alerted (MD2).
func (s Stage) Titrating() bool { return s == StageInduction || s == StageTitration }

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	switch s {
	case StageInduction, StageTitration, StageMaintenance, StageReduction:
		return true
	}
	return false
}

// Pickup says how one weekday's dose reaches the patient.
type Pickup string

const (
	PickupSupervised Pickup = "supervised"
	PickupTakeHome   Pickup = "take_home"
	// PickupEarlier is supplied on an earlier day, typically because the
	// pharmacy is closed (L7 wording 1).
	PickupEarlier Pickup = "earlier"
)

// Valid reports whether p is a known pickup.
func (p Pickup) Valid() bool {
	switch p {
	case PickupSupervised, PickupTakeHome, PickupEarlier:
		return true
	}
	return false
}

// Unsupervised is true when the dose is taken away from the pharmacy, which
// M6 restricts in the first months.
func (p Pickup) Unsupervised() bool { return p == PickupTakeHome || p == PickupEarlier }

// WeeklyPattern is the pickup for each weekday, indexed by time.Weekday.
type WeeklyPattern [7]Pickup

// weekdayKeys are JSON keys in the order a UK week is read, Monday first.
var weekdayKeys = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func weekdayKey(d time.Weekday) string { return strings.ToLower(d.String()) }

// AllSupervised is the M6 default pattern.
func AllSupervised() WeeklyPattern {
	var p WeeklyPattern
	for i := range p {
		p[i] = PickupSupervised
	}
	return p
}

// IsZero is true for a pattern nobody filled in.
func (p WeeklyPattern) IsZero() bool { return p == WeeklyPattern{} }

// Supervises reports whether any day's dose is consumed under supervision
// (a zero pattern supervises every day).
func (p WeeklyPattern) Supervises() bool {
	if p.IsZero() {
		return true
	}
	for _, k := range p {
		if k == PickupSupervised {
			return true
		}
	}
	return false
}

// UnsupervisedDays counts the days whose dose is taken away.
func (p WeeklyPattern) UnsupervisedDays() int {
	n := 0
	for _, v := range p {
		if v.Unsupervised() {
			n++
		}
	}
	return n
}

// Validate checks every day is set and that "earlier" days can be supplied.
// The pattern repeats week after week, so an "earlier" day is supplied on
// the nearest preceding non-earlier day even across the week boundary (a
// Sunday supplied on Saturday); that works whenever one non-earlier day exists.
func (p WeeklyPattern) Validate() error {
	var errs []error
	for _, d := range weekdayKeys {
		if !p[d].Valid() {
			errs = append(errs, fmt.Errorf("%s: %q is not supervised, take_home or earlier", weekdayKey(d), p[d]))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if _, ok := p.SuppliedOn(time.Sunday); !ok {
		return errors.New("every day is \"earlier\": at least one day must have a collection")
	}
	return nil
}

// SuppliedOn is the weekday on which day's dose is handed over.
func (p WeeklyPattern) SuppliedOn(day time.Weekday) (time.Weekday, bool) {
	for back := 0; back < 7; back++ {
		d := time.Weekday((int(day) - back + 7) % 7)
		if p[d] != PickupEarlier {
			return d, true
		}
	}
	return day, false
}

// MarshalJSON writes an object keyed by lower-case weekday, Monday first.
func (p WeeklyPattern) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, d := range weekdayKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", weekdayKey(d), string(p[d]))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON requires all seven days: a missing day would otherwise
// default silently to something the prescriber never chose. Every problem
// is returned (errors.Join), each weekday's on its own, Monday first, so
// that one answer names them all. A weekday key in another case
// ("Monday") is named as such, not as a day missing.
func (p *WeeklyPattern) UnmarshalJSON(b []byte) error {
	var raw map[string]Pickup
	if err := json.Unmarshal(b, &raw); err != nil {
		return errors.New("pattern must be an object of weekday to supervised, take_home or earlier")
	}
	var out WeeklyPattern
	var errs []error
	for _, d := range weekdayKeys {
		key := weekdayKey(d)
		v, ok := raw[key]
		delete(raw, key)
		switch {
		case !ok && hasKeyFolded(raw, key):
			// Named below, with the key sent.
		case !ok:
			errs = append(errs, fmt.Errorf("pattern: %s is missing", key))
		case !v.Valid():
			errs = append(errs, fmt.Errorf("pattern: %s: %q is not supervised, take_home or earlier", key, v))
		default:
			out[d] = v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if lower := strings.ToLower(k); slices.ContainsFunc(weekdayKeys[:], func(d time.Weekday) bool { return weekdayKey(d) == lower }) {
			errs = append(errs, fmt.Errorf("pattern: %q is not a weekday key: keys are lower case; use %q", k, lower))
			continue
		}
		errs = append(errs, fmt.Errorf("pattern: %q is not a weekday", k))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	*p = out
	return nil
}

// hasKeyFolded reports whether raw has key in another case.
func hasKeyFolded(raw map[string]Pickup, key string) bool {
	for k := range raw {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// PatternWhileTitrating is S6 for a pickup pattern taking effect on
// effective while the stage in force then is induction or titration:
// consumption is supervised throughout titration, so take-home days warn
// when the pattern is set, not only when a prescription is written from it
// (TakeHomeWhileTitrating). M6 judges the first months as well; S6 still
// warns when M6 is overridden or past.
func PatternWhileTitrating(n policy.Numbers, med dosing.Medicine, stage Stage, effective calendar.Date, p WeeklyPattern) []policy.Finding {
	if med.Injectable || !stage.Titrating() || p.UnsupervisedDays() == 0 {
		return nil
	}
	var days []string
	for _, d := range weekdayKeys {
		if p[d].Unsupervised() {
			days = append(days, d.String())
		}
	}
	return []policy.Finding{n.FindingAt("S6", policy.Warn,
		fmt.Sprintf("Consumption is supervised throughout titration, but from %s, at stage %s, this pattern sends the dose home on %s.",
			effective.Format("Mon 2 Jan 2006"), stage, strings.Join(days, ", ")),
		"Keep every day supervised until the stage moves on from titration; if take-home doses are safe for this patient, go ahead and record why in a review of the patient.")}
}
