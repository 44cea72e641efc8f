package regimes

import (
	"strings"
	"time"
)

// PatternWords is a weekly pickup pattern in a few words, for a notice
// that has to say what the pattern now is: "supervised Mon–Fri; Sat
// take-home; Sun collected Sat". The supervised days come first, then the
// take-home days, then the days collected on an earlier day, grouped by the
// day that collects them ("Sat and Sun collected Fri"); days are read
// Monday first and three or more in a row are a range. A zero pattern is
// every day supervised, as M6's default.
func PatternWords(p WeeklyPattern) string {
	if p.IsZero() {
		p = AllSupervised()
	}
	var sup, home []time.Weekday
	earlier := map[time.Weekday][]time.Weekday{}
	var collectors []time.Weekday
	for _, d := range weekdayKeys {
		switch p[d] {
		case PickupSupervised:
			sup = append(sup, d)
		case PickupTakeHome:
			home = append(home, d)
		case PickupEarlier:
			on, _ := p.SuppliedOn(d)
			if _, seen := earlier[on]; !seen {
				collectors = append(collectors, on)
			}
			earlier[on] = append(earlier[on], d)
		}
	}
	var parts []string
	switch len(sup) {
	case 0:
	case 7:
		parts = append(parts, "supervised every day")
	default:
		parts = append(parts, "supervised "+patternDayList(sup))
	}
	switch len(home) {
	case 0:
	case 7:
		parts = append(parts, "take-home every day")
	default:
		parts = append(parts, patternDayList(home)+" take-home")
	}
	for _, on := range collectors {
		// The days follow their collection day in a row, across the
		// week's end (Sun after Sat), so they are listed from it, three or
		// more as a range.
		ds := earlier[on]
		patternSortFrom(on, ds)
		days := patternJoinAnd(patternDayNames(ds))
		if len(ds) >= 3 {
			days = patternShortDay(ds[0]) + "–" + patternShortDay(ds[len(ds)-1])
		}
		parts = append(parts, days+" collected "+patternShortDay(on))
	}
	return strings.Join(parts, "; ")
}

// patternDayList names days in week order, three or more in a row as a range:
// "Mon–Wed and Fri".
func patternDayList(ds []time.Weekday) string {
	var names []string
	for i := 0; i < len(ds); {
		j := i
		for j+1 < len(ds) && patternWeekIndex(ds[j+1]) == patternWeekIndex(ds[j])+1 {
			j++
		}
		if j-i >= 2 {
			names = append(names, patternShortDay(ds[i])+"–"+patternShortDay(ds[j]))
		} else {
			names = append(names, patternDayNames(ds[i:j+1])...)
		}
		i = j + 1
	}
	return patternJoinAnd(names)
}

// patternWeekIndex is d's place in a week read Monday first.
func patternWeekIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

// patternSortFrom orders days by how long after on they fall (insertion sort: at
// most six days).
func patternSortFrom(on time.Weekday, ds []time.Weekday) {
	after := func(d time.Weekday) int { return (int(d) - int(on) + 7) % 7 }
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && after(ds[j]) < after(ds[j-1]); j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

func patternDayNames(ds []time.Weekday) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = patternShortDay(d)
	}
	return out
}

func patternShortDay(d time.Weekday) string { return d.String()[:3] }

func patternJoinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
