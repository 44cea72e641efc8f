package store

import (
	"gorm.io/gorm"

	"github.com/dosebook/dosebook/internal/auth"
)

// nameDoseEvents fills in who recorded each event and the pharmacy it was
// recorded at (S1 asks for the pharmacist on each record). A pharmacist
// may not list users, and a locum answering a patient back for a second
// dose, or a prescriber reading the history, needs a name, not an id.
// The names are read in two statements for the whole batch, whatever its
// size; they are the names as they are now, as the alerts' "Corrected by"
// reads them.
func nameDoseEvents(g *gorm.DB, events []*DoseEvent) error {
	userSet, orgSet := map[string]bool{}, map[string]bool{}
	var userIDs, orgIDs []string
	for _, e := range events {
		if e.RecordedBy != nil && !userSet[*e.RecordedBy] {
			userSet[*e.RecordedBy] = true
			userIDs = append(userIDs, *e.RecordedBy)
		}
		if e.PharmacyID != "" && !orgSet[e.PharmacyID] {
			orgSet[e.PharmacyID] = true
			orgIDs = append(orgIDs, e.PharmacyID)
		}
	}
	users, err := namesOf(g, "users", userIDs)
	if err != nil {
		return err
	}
	orgs, err := namesOf(g, "organisations", orgIDs)
	if err != nil {
		return err
	}
	for _, e := range events {
		e.RecordedByName = nil
		if e.RecordedBy != nil {
			name := users[*e.RecordedBy]
			e.RecordedByName = &name
		}
		e.PharmacyName = orgs[e.PharmacyID]
	}
	return nil
}

// nameDoseEventList is nameDoseEvents for a slice of events.
func nameDoseEventList(g *gorm.DB, events []DoseEvent) error {
	ptrs := make([]*DoseEvent, len(events))
	for i := range events {
		ptrs[i] = &events[i]
	}
	return nameDoseEvents(g, ptrs)
}

// namesOf maps the ids to the name column of table (users or
// organisations), in pages that keep within the databases' limits on
// bound parameters.
func namesOf(g *gorm.DB, table string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += 500 {
		var rows []struct{ ID, Name string }
		if err := g.Table(table).Select("id, name").Where("id IN ?", ids[start:min(start+500, len(ids))]).
			Scan(&rows).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
	}
	return out, nil
}

// nameRecorded names a record p has just made. Recording is the busiest
// write and its round trips are counted (docs/performance.md): the
// principal already carries the user's and the pharmacy's names, read
// with the token, so the database is asked only when p is not of the
// record's pharmacy or came without names.
func (tx *Tx) nameRecorded(p auth.Principal, e *DoseEvent) error {
	if p.Name != "" && p.OrgName != "" && p.OrgID == e.PharmacyID && e.RecordedBy != nil && *e.RecordedBy == p.UserID {
		name := p.Name
		e.RecordedByName, e.PharmacyName = &name, p.OrgName
		return nil
	}
	return nameDoseEvents(tx.g, []*DoseEvent{e})
}
