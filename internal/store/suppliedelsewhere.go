package store

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
)

// handedOver are the patients' instalments, at any pharmacy and of any
// prescription (a cancelled one's record stands), whose current record
// handed their doses over and whose days may fall in [from, to], with the
// serial, the pharmacy and the time, so a line whose days they supplied
// already can say where and when (dispensing.SuppliedElsewhere). An
// instalment covers days from its own date, so those dated historyWindow
// days before from are read too, but only those covering more than one
// day or dated before their prescription's start (ADR 0011): any other
// covers its own date alone. The day list reads this for every patient
// with a line not yet recorded, so the narrowing matters.
func handedOver(g *gorm.DB, patientIDs []string, from, to calendar.Date) (map[string][]dispensing.Supply, error) {
	out := map[string][]dispensing.Supply{}
	if len(patientIDs) == 0 || to.Before(from) {
		return out, nil
	}
	var rows []struct {
		Instalment
		Serial       string
		PharmacyName string
	}
	// The prescriptions are narrowed first, by patient and end date (the
	// prescriptions_patient_end index; no instalment is dated after its
	// prescription's end), as in readDayOutcomes: joined to the whole
	// table, each instalment's prescription was looked up by key, which
	// at ten million dose events read three times the pages.
	since := from.AddDays(-historyWindow)
	if err := g.Table("instalments").Select("instalments.*, p.serial, organisations.name AS pharmacy_name").
		Joins(`JOIN (SELECT id, serial, start_date FROM prescriptions WHERE patient_id IN ? AND end_date >= ?) p
			ON p.id = instalments.prescription_id`, patientIDs, since).
		Joins("LEFT JOIN organisations ON organisations.id = instalments.pharmacy_id").
		Where("instalments.patient_id IN ? AND instalments.date >= ? AND instalments.date <= ?", patientIDs, since, to).
		Where("(instalments.date >= ? OR instalments.dose_days > 1 OR instalments.date < p.start_date)", from).
		Where("EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	current, err := currentOutcomes(g, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if ev, ok := current[r.ID]; ok && ev.Outcome.Taken() {
			out[r.PatientID] = append(out[r.PatientID], dispensing.Supply{InstalmentID: r.ID, EventID: ev.ID, Serial: r.Serial,
				Date: r.Date, Covers: r.Covers, Outcome: ev.Outcome, PharmacyID: r.PharmacyID, PharmacyName: r.PharmacyName, OccurredAt: ev.OccurredAt})
		}
	}
	return out, nil
}

// SuppliedBy is an instalment that already handed over the doses of a day
// list's line (state supplied_elsewhere): which prescription, where, when.
type SuppliedBy struct {
	InstalmentID string             `json:"instalment_id"`
	EventID      string             `json:"event_id"`
	Serial       string             `json:"serial"`
	PharmacyID   string             `json:"pharmacy_id"`
	PharmacyName string             `json:"pharmacy_name"`
	Date         calendar.Date      `json:"date"`
	Days         []calendar.Date    `json:"days"`
	Outcome      dispensing.Outcome `json:"outcome"`
	OccurredAt   time.Time          `json:"occurred_at"`
}

// suppliedByOf groups the supplied days by the instalment that supplied
// them, in date order.
func suppliedByOf(supplied []dispensing.SuppliedDay) []SuppliedBy {
	var out []SuppliedBy
	for _, sd := range supplied {
		if n := len(out); n > 0 && out[n-1].InstalmentID == sd.By.InstalmentID {
			out[n-1].Days = append(out[n-1].Days, sd.Day)
			continue
		}
		b := sd.By
		out = append(out, SuppliedBy{InstalmentID: b.InstalmentID, EventID: b.EventID, Serial: b.Serial, PharmacyID: b.PharmacyID,
			PharmacyName: b.PharmacyName, Date: b.Date, Days: []calendar.Date{sd.Day}, Outcome: b.Outcome, OccurredAt: b.OccurredAt})
	}
	return out
}

// suppliedElsewhere picks out, of instalments with nothing recorded on
// them, those every day of which another instalment already handed over
// (dispensing.SuppliedElsewhere), with the days and what supplied them.
// It is the one test of a line with nothing left to supply: the day list
// shows it supplied_elsewhere, the day close does not mark it missed, a
// reissue starts after it, and a closure on its day asks for no new
// prescription.
func suppliedElsewhere(g *gorm.DB, ins []Instalment) (map[string][]dispensing.SuppliedDay, error) {
	out := map[string][]dispensing.SuppliedDay{}
	if len(ins) == 0 {
		return out, nil
	}
	var patientIDs []string
	from, to := ins[0].Date, ins[0].Date
	for _, in := range ins {
		if !slices.Contains(patientIDs, in.PatientID) {
			patientIDs = append(patientIDs, in.PatientID)
		}
		if in.Date.Before(from) {
			from = in.Date
		}
		if l := (dispensing.DoseSupply{Date: in.Date, Covers: in.Covers}).Last(); l.After(to) {
			to = l
		}
	}
	given, err := handedOver(g, patientIDs, from, to)
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		if sd := dispensing.SuppliedElsewhere(given[in.PatientID], in.Date, in.Covers); len(sd) > 0 {
			out[in.ID] = sd
		}
	}
	return out, nil
}
