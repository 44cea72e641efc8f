package prescriptions

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dosebook/dosebook/internal/policy"
)

// Wording is one Home Office approved phrase for instalment prescriptions.
type Wording struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
}

// ErrInvalidWording marks a choice of wording LookupWording refuses.
var ErrInvalidWording = errors.New("invalid approved wording")

// Ids of the approved wordings, as numbered in L7.
const (
	WordingClosedDays       = 1
	WordingMissedCollection = 2
	WordingConsultMissed    = 3
	WordingSupervise        = 4
	WordingSeparate         = 5
)

// ApprovedWording lists the L7 phrases. The texts are printed exactly as
// approved: a pharmacist may only act on the Home Office's own words.
func ApprovedWording() []Wording {
	return []Wording{
		{WordingClosedDays, "Please dispense instalments due on pharmacy closed days on a prior suitable day."},
		{WordingMissedCollection, "If an instalment's collection day has been missed, please still dispense the amount due for any remaining day(s) of that instalment."},
		{WordingConsultMissed, "Consult the prescriber if 3 or more consecutive days of a prescription have been missed."},
		{WordingSupervise, "Supervise consumption on collection days."},
		{WordingSeparate, "Dispense daily doses in separate containers."},
	}
}

// LookupWording returns the chosen wordings in id order, so the printed
// prescription reads the same whatever order they were picked in.
func LookupWording(ids []int) ([]Wording, error) {
	all := ApprovedWording()
	seen := map[int]bool{}
	out := make([]Wording, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			return nil, fmt.Errorf("%w: wording %d is chosen twice", ErrInvalidWording, id)
		}
		seen[id] = true
		i := slices.IndexFunc(all, func(w Wording) bool { return w.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("%w: there is no approved wording %d; choose from 1 to %d", ErrInvalidWording, id, len(all))
		}
		out = append(out, all[i])
	}
	slices.SortFunc(out, func(a, b Wording) int { return a.ID - b.ID })
	return out, nil
}

// SuppliesInAdvance reports whether any collection hands over a later day's
// dose, because the pharmacy is closed that day or the pattern supplies it
// with an earlier collection.
func (s Schedule) SuppliesInAdvance() bool {
	for _, in := range s.Instalments {
		// A collection before its prescription's start supplies only
		// later days (BuildSchedule's EarlierCollection).
		if len(in.Covers) > 1 || len(in.Covers) == 1 && !in.Covers[0].Equal(in.Date) {
			return true
		}
	}
	return false
}

// RequireWording completes the chosen wording with what the schedule
// legally needs and reports the rules that shaped it. L8: without approved
// wording 1 nothing may be supplied in advance, so a schedule that supplies
// any day ahead gets wording 1 added (a prescription the pharmacy could not
// lawfully follow would leave the patient without those doses), and the
// finding says so. L7: wording 3, which lets the pharmacy stop after three
// missed days (MD1), is advised. The ids come back in L7 order.
func RequireWording(s Schedule, ids []int) ([]int, []policy.Finding) {
	out := slices.Clone(ids)
	var fs []policy.Finding
	if s.SuppliesInAdvance() && !slices.Contains(out, WordingClosedDays) {
		out = append(out, WordingClosedDays)
		why := "Some instalments supply later days' doses with an earlier collection"
		if s.CarriesClosedDays {
			why = "Some instalments fall due on days the pharmacy is closed and are supplied in advance"
		}
		fs = append(fs, policy.Finding{
			Rule:     "L8",
			Severity: policy.Info,
			Message:  why + "; without approved wording 1 nothing may be supplied in advance, so Dosebook added wording 1 to this prescription.",
			Action:   "No action needed; change the pattern or the dates if nothing should be supplied in advance.",
		})
	}
	slices.Sort(out)
	// MD1: wording 3 is what lets the pharmacy stop dispensing after three
	// missed days, so it belongs on nearly every instalment prescription.
	if !slices.Contains(out, WordingConsultMissed) {
		fs = append(fs, policy.Finding{
			Rule:     "L7",
			Severity: policy.Info,
			Message:  "Approved wording 3 is not on this prescription; it tells the pharmacy to consult the prescriber after 3 or more consecutive missed days (MD1).",
			Action:   "Add approved wording 3: \"Consult the prescriber if 3 or more consecutive days of a prescription have been missed.\"",
		})
	}
	// Wording 4 tells the pharmacy to supervise every collection; where the
	// pattern makes a collection take-home only, the two disagree and the
	// pharmacist cannot follow both.
	if slices.Contains(out, WordingSupervise) {
		var takeHome []string
		for _, in := range s.Instalments {
			if in.Supervised == 0 && in.TakeHome > 0 {
				takeHome = append(takeHome, in.Date.Format("Mon 2 Jan"))
			}
		}
		if len(takeHome) > 0 {
			fs = append(fs, policy.Finding{
				Rule:     "L7",
				Severity: policy.Warn,
				Message: fmt.Sprintf("Approved wording 4 (\"Supervise consumption on collection days.\") is on this prescription, but %s take-home only: the pharmacist is told to supervise doses prescribed to take away.",
					collectionsAre(takeHome)),
				Action: "Remove wording 4, or change the pickup pattern so that every collection is supervised.",
			})
		}
	}
	// Wording 2 lets the pharmacy hand over the remaining days of an
	// instalment whose collection day was missed. Dosebook records one
	// outcome per instalment and refuses any supply after its day (MD4), so
	// the pharmacy could not record such a part supply: say so rather than
	// print an instruction the record cannot follow.
	if slices.Contains(out, WordingMissedCollection) && s.SuppliesInAdvance() {
		fs = append(fs, policy.Finding{
			Rule:     "L7",
			Severity: policy.Warn,
			Message:  "Approved wording 2 is on this prescription, but Dosebook cannot yet record a part supply of an instalment after its collection day: the pharmacy will be refused the remaining days (MD4) and must record the instalment as missed.",
			Action:   "Leave wording 2 off; if a patient misses a collection, prescribe the remaining days again.",
		})
	}
	return out, fs
}

// ReissueWording is the wording a prescription reissued with schedule s
// (after a dose, pattern or pharmacy change) keeps of ids, the wording of
// the prescription it replaces, serial. The prescriber chose that wording
// for the old collections: wording 4 ("Supervise consumption on collection
// days.") is left off when no collection of the reissue supervises any
// dose, since a pattern changed to take-home only would otherwise tell the
// pharmacist to supervise doses prescribed to take away, and the finding
// says so. Where some collections are still supervised wording 4 stays,
// and RequireWording warns of the take-home only ones as for any
// prescription. The other wordings are kept as they were.
func ReissueWording(s Schedule, ids []int, serial string) ([]int, []policy.Finding) {
	if !slices.Contains(ids, WordingSupervise) {
		return ids, nil
	}
	for _, in := range s.Instalments {
		if in.Supervised > 0 {
			return ids, nil
		}
	}
	out := slices.DeleteFunc(slices.Clone(ids), func(id int) bool { return id == WordingSupervise })
	return out, []policy.Finding{{
		Rule:     "L7",
		Severity: policy.Info,
		Message: fmt.Sprintf("Approved wording 4 (\"Supervise consumption on collection days.\") was on %s, but every collection of this reissue is take-home only, so Dosebook left it off: the pharmacist would be told to supervise doses prescribed to take away.",
			serial),
		Action: "No action needed; change the pickup pattern to supervise collections if consumption should still be supervised.",
	}}
}

func collectionsAre(days []string) string {
	if len(days) == 1 {
		return "the collection on " + days[0] + " is"
	}
	if len(days) > 4 {
		return fmt.Sprintf("%d collections (%s, … %s) are", len(days), strings.Join(days[:3], ", "), days[len(days)-1])
	}
	return fmt.Sprintf("the collections on %s and %s are", strings.Join(days[:len(days)-1], ", "), days[len(days)-1])
}
