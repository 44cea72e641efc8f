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
// it, and a GP practice is told by its own notices. The pharmacy
// acknowledges it; the one thing that resolves it is the cancellation of
// the prescription it named as the replacement here, whose own notice
// then replaces it (ADR 0015). When the pharmacy had not read the notice
// naming pr and nothing came from pr, the new notice is told against the
// prescription the pharmacy last knew of (lastKnown).
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
		// The pharmacy may not yet have read the notice naming pr: it is
		// told against the prescription it last knew of.
		known, since, earlier, err := tx.lastKnown(pr, ph, today)
		if err != nil {
			return err
		}
		if known.ID != pr.ID {
			kby, err := tx.cancelledBy(known)
			if err != nil {
				return err
			}
			c.Serial, c.By, c.Reason, c.Periods = known.Serial, kby, known.CancelReason, periodsOf(known)
			c.On = calendar.DateOf(*known.CancelledAt, zoneOf(tx.g))
			c.Due, err = tx.dueAt(known.ID, ph, today)
			if err != nil {
				return err
			}
			for _, s := range since {
				if s.ID == pr.ID {
					c.Since = append(c.Since, prescriptions.Cancelled{Serial: pr.Serial, By: by, On: today, Reason: reason})
					continue
				}
				sby, err := tx.cancelledBy(s)
				if err != nil {
					return err
				}
				c.Since = append(c.Since, prescriptions.Cancelled{Serial: s.Serial, By: sby,
					On: calendar.DateOf(*s.CancelledAt, zoneOf(tx.g)), Reason: s.CancelReason})
			}
		}
		for i, r := range reissued {
			rep := news[i]
			if r.PharmacyID == ph {
				rep.Here, rep.Instalments = true, newIns[i]
			}
			c.Replacements = append(c.Replacements, rep)
		}
		f := c.Finding()
		pharmacy := ph
		a := Alert{ServiceID: pr.ServiceID, PatientID: pr.PatientID, PharmacyID: &pharmacy,
			Kind: AlertPrescriptionCancelled, Rule: f.Rule, Message: f.Message + " " + f.Action,
			DedupeKey: cancelNoticeKey(pr.ID, ph)}
		if err := tx.raiseAlert(a); err != nil {
			return err
		}
		// The earlier notice naming pr as the replacement here is no longer
		// true: resolved, not edited (ADR 0006), pointing at this one, so
		// the open list holds the latest notice of the chain alone.
		if pr.ReplacesID != nil && !slices.Contains(earlier, cancelNoticeKey(*pr.ReplacesID, ph)) {
			earlier = append(earlier, cancelNoticeKey(*pr.ReplacesID, ph))
		}
		var id string
		if err := tx.g.Model(&Alert{}).Where("dedupe_key = ?", a.DedupeKey).Pluck("id", &id).Error; err != nil {
			return translate(err)
		}
		var now []string
		for _, r := range reissued {
			if r.PharmacyID == ph {
				now = append(now, r.Serial)
			}
		}
		replaced := resolution{Reason: prescriptions.NoticeReplaced(pr.Serial, today, reason, now), EntityType: "alert", EntityID: id}
		for _, key := range earlier {
			if err := tx.resolveAlerts(pr.PatientID, AlertPrescriptionCancelled, key, replaced); err != nil {
				return err
			}
		}
	}
	return nil
}

// lastKnown walks back from pr, cancelled, along the prescriptions it
// replaced, to the one pharmacy ph last knew of: a step back is taken
// while nothing was recorded against the prescription (nothing supplied
// from it, so no dose was measured out from it either) and ph has not
// acknowledged the notice that named it as the replacement. The one
// reached must still have instalments to come at ph; otherwise pr is. since
// are the prescriptions stepped over, oldest first, pr last; earlier the
// dedupe keys of the notices about them at ph, to resolve.
func (tx *Tx) lastKnown(pr Prescription, ph string, today calendar.Date) (known Prescription, since []Prescription, earlier []string, err error) {
	cur := pr
	seen := map[string]bool{pr.ID: true}
	var walked []Prescription
	for cur.ReplacesID != nil && !seen[*cur.ReplacesID] {
		var recorded int64
		if err := tx.g.Model(&DoseEvent{}).Where("instalment_id IN (SELECT id FROM instalments WHERE prescription_id = ?)", cur.ID).
			Count(&recorded).Error; err != nil {
			return pr, nil, nil, translate(err)
		}
		if recorded > 0 {
			break
		}
		key := cancelNoticeKey(*cur.ReplacesID, ph)
		var notices []Alert
		if err := tx.g.Where("patient_id = ? AND kind = ? AND dedupe_key = ?", pr.PatientID, AlertPrescriptionCancelled, key).
			Where("NOT EXISTS (SELECT 1 FROM alert_acknowledgements k WHERE k.alert_id = alerts.id AND k.organisation_id = ?)", ph).
			Find(&notices).Error; err != nil {
			return pr, nil, nil, translate(err)
		}
		if len(notices) == 0 {
			break
		}
		var prev Prescription
		if err := tx.g.Take(&prev, "id = ?", *cur.ReplacesID).Error; err != nil {
			return pr, nil, nil, translate(err)
		}
		if prev.CancelledAt == nil {
			break
		}
		seen[prev.ID] = true
		walked = append(walked, cur)
		earlier = append(earlier, key)
		cur = prev
	}
	if cur.ID == pr.ID {
		return pr, nil, nil, nil
	}
	due, err := tx.dueAt(cur.ID, ph, today)
	if err != nil || len(due) == 0 {
		return pr, nil, nil, err
	}
	slices.Reverse(walked)
	return cur, walked, earlier, nil
}

// dueAt is prescription id's instalments at pharmacy ph still to come:
// today or later, nothing recorded against them.
func (tx *Tx) dueAt(id, ph string, today calendar.Date) ([]prescriptions.NoticeInstalment, error) {
	var due []Instalment
	if err := tx.g.Where("prescription_id = ? AND pharmacy_id = ? AND date >= ?", id, ph, today).
		Where("NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = instalments.id)").
		Order("date, id").Find(&due).Error; err != nil {
		return nil, translate(err)
	}
	return noticeInstalments(due), nil
}

// cancelledBy names who cancelled pr and their organisation.
func (tx *Tx) cancelledBy(pr Prescription) (string, error) {
	if pr.CancelledBy == nil {
		return "", nil
	}
	var u User
	if err := tx.g.Take(&u, "id = ?", *pr.CancelledBy).Error; err != nil {
		return "", translate(err)
	}
	var o Organisation
	if err := tx.g.Select("name").Take(&o, "id = ?", u.OrganisationID).Error; err != nil {
		return "", translate(err)
	}
	return u.Name + " (" + o.Name + ")", nil
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
