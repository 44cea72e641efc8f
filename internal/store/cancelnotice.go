package store

import (
	"slices"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/prescriptions"
)

// cancelNoticeKey is the dedupe key of the prescription_cancelled alert to
// one pharmacy about one cancelled prescription. (The shared-care notice
// to the signer already uses "prescription_cancelled:" + id.)
func cancelNoticeKey(prescriptionID, pharmacyID string) string {
	return "pharmacy_cancel:" + prescriptionID + ":" + pharmacyID
}

// tellPharmaciesOfCancel alerts each pharmacy holding instalments of the
// issued prescription pr still to come (today or later, nothing recorded
// against them) that pr is cancelled, for reason, by p: its day list just
// stops showing them, while it may have doses measured out and the
// patient on the way. reissued are the prescriptions now carrying pr's
// remaining days (a dose, pattern or pharmacy change), named with what
// changed; none when it was cancelled outright or the regime ended. The
// alert is the pharmacy's alone (visibleAlerts): the service cancelled
// it, and a GP practice is told by its own notices. It is a notice of a
// fact, so nothing resolves it: the pharmacy acknowledges it (ADR 0006).
func (tx *Tx) tellPharmaciesOfCancel(p auth.Principal, pr Prescription, reason string, today calendar.Date, reissued []Prescription) error {
	if pr.IssuedAt == nil {
		return nil
	}
	var due []Instalment
	if err := tx.g.Where("prescription_id = ? AND date >= ?", pr.ID, today).
		Where("NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("date, id").Find(&due).Error; err != nil {
		return translate(err)
	}
	if len(due) == 0 {
		return nil
	}
	names, err := userNames(tx.g, func(add func(string)) { add(p.UserID) })
	if err != nil {
		return err
	}
	orgs := map[string]string{}
	orgName := func(id string) (string, error) {
		if name, ok := orgs[id]; ok {
			return name, nil
		}
		var o Organisation
		if err := tx.g.Select("name").Take(&o, "id = ?", id).Error; err != nil {
			return "", translate(err)
		}
		orgs[id] = o.Name
		return o.Name, nil
	}
	by, err := orgName(p.OrgID)
	if err != nil {
		return err
	}
	by = names[p.UserID] + " (" + by + ")"
	news := make([]prescriptions.Replacement, len(reissued))
	newIns := make([][]prescriptions.NoticeInstalment, len(reissued))
	for i, r := range reissued {
		var ins []Instalment
		if err := tx.g.Where("prescription_id = ?", r.ID).Order("date, id").Find(&ins).Error; err != nil {
			return translate(err)
		}
		at, err := orgName(r.PharmacyID)
		if err != nil {
			return err
		}
		news[i] = prescriptions.Replacement{Serial: r.Serial, Pharmacy: at, From: r.StartDate, To: r.EndDate, Periods: periodsOf(r)}
		newIns[i] = noticeInstalments(ins)
	}
	var pharmacies []string
	for _, in := range due {
		if !slices.Contains(pharmacies, in.PharmacyID) {
			pharmacies = append(pharmacies, in.PharmacyID)
		}
	}
	slices.Sort(pharmacies)
	for _, ph := range pharmacies {
		at, err := orgName(ph)
		if err != nil {
			return err
		}
		var here []Instalment
		for _, in := range due {
			if in.PharmacyID == ph {
				here = append(here, in)
			}
		}
		c := prescriptions.CancelNotice{Serial: pr.Serial, By: by, On: today, Reason: reason, Pharmacy: at,
			Due: noticeInstalments(here), Periods: periodsOf(pr)}
		for i, r := range reissued {
			rep := news[i]
			if r.PharmacyID == ph {
				rep.Here, rep.Instalments = true, newIns[i]
			}
			c.Replacements = append(c.Replacements, rep)
		}
		f := c.Finding()
		pharmacy := ph
		if err := tx.raiseAlert(Alert{ServiceID: pr.ServiceID, PatientID: pr.PatientID, PharmacyID: &pharmacy,
			Kind: AlertPrescriptionCancelled, Rule: f.Rule, Message: f.Message + " " + f.Action,
			DedupeKey: cancelNoticeKey(pr.ID, ph)}); err != nil {
			return err
		}
	}
	return nil
}

// periodsOf is pr's dose periods; a record from before they were kept
// has its one daily dose.
func periodsOf(pr Prescription) []prescriptions.DosePeriod {
	if len(pr.DosePeriods) > 0 {
		return pr.DosePeriods
	}
	return []prescriptions.DosePeriod{{From: pr.StartDate, DailyDose: pr.DailyDose}}
}

func noticeInstalments(ins []Instalment) []prescriptions.NoticeInstalment {
	out := make([]prescriptions.NoticeInstalment, len(ins))
	for i, in := range ins {
		out[i] = prescriptions.NoticeInstalment{Date: in.Date, Covers: in.Covers, Supervised: in.Supervised, TakeHome: in.TakeHome}
	}
	return out
}
