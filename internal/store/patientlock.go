package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dosebook/dosebook/internal/calendar"
)

// A clinical write reads the patient's record, checks it against the
// rules, then inserts: an overlapping prescription, a day already
// supplied, a record already corrected are all found by reading other
// rows of the patient. Under PostgreSQL's READ COMMITTED two such writes
// running at once each read the record without the other's insert and
// both pass. So every patient-scoped clinical write first takes the
// patient's write lock, and holds it to COMMIT: writes for one patient
// queue, and each reads what the one before it committed (every
// statement after the lock takes a fresh snapshot). Writes for different
// patients do not wait for each other.
//
// The lock is the patient's row, taken FOR NO KEY UPDATE: it conflicts
// with itself and with UPDATE of the row, but not with the FOR KEY SHARE
// locks PostgreSQL's foreign-key checks take, so inserting a dose event or
// an alert that refers to the patient never waits for it.
//
// On SQLite there is nothing to do: every write transaction begins
// IMMEDIATE (SQLiteDSN's _txlock=immediate), taking the database's single
// write lock before its first statement, so writers already run one at a
// time and no check can interleave with another write.
//
// Deadlocks: a write takes its patient's lock before any other lock, and
// a transaction that takes several patients' locks takes them in id order
// (the day close, lockPatientsAt; ApplyPharmacyMoves updates patients in
// that order too). No transaction holding a patient's lock waits for a
// lock held by one that then waits for a patient's lock it holds, so the
// waits cannot close a cycle. A caller that puts writes for several
// patients in one transaction in another order (demo seeding, benchmark
// fixtures) runs alone, and Write retries a deadlock all the same
// (SQLSTATE 40P01).

// patientRecord names a table whose rows belong to one patient, for
// lockPatientOf. Its patient_id never changes.
type patientRecord string

const (
	ofRegime       patientRecord = "regimes"
	ofPrescription patientRecord = "prescriptions"
	ofSharedCare   patientRecord = "shared_care"
)

// lockPatient takes the patient's write lock for the rest of the
// transaction (PostgreSQL; see above). An id that names no patient locks
// nothing: the read that follows answers NotFound.
func (tx *Tx) lockPatient(id string) error {
	if tx.db.dialect != Postgres || !ValidID(id) {
		return nil
	}
	return translate(tx.g.Exec("SELECT id FROM patients WHERE id = ? FOR NO KEY UPDATE", id).Error)
}

// lockPatientOf takes the write lock of the patient a regime, prescription
// or shared care arrangement belongs to, before the write reads the record
// itself, so that it reads it as the write before it left it.
func (tx *Tx) lockPatientOf(table patientRecord, id string) error {
	if tx.db.dialect != Postgres || !ValidID(id) {
		return nil
	}
	return translate(tx.g.Exec("SELECT id FROM patients WHERE id = (SELECT patient_id FROM "+string(table)+" WHERE id = ?) FOR NO KEY UPDATE", id).Error)
}

// lockingPatient makes a SELECT that joins patients take the patient's
// write lock as it reads (PostgreSQL), saving the round trip of a
// statement of its own. Only the patients row is locked: what the
// statement read from other tables is as it stood when the statement
// began, which may be before a write it then waited for committed; the
// caller reads anything such a write could have changed again, after the
// lock.
func (tx *Tx) lockingPatient(q *gorm.DB) *gorm.DB {
	if tx.db.dialect != Postgres {
		return q
	}
	return q.Clauses(clause.Locking{Strength: "NO KEY UPDATE", Table: clause.Table{Name: "patients"}})
}

// lockPatientsAt takes, in id order, the write locks of every patient with
// an instalment at the pharmacy dated from..to: the day close's patients.
// One order for every transaction that takes more than one patient's lock
// keeps two of them from waiting for each other.
func (tx *Tx) lockPatientsAt(pharmacyID string, from, to calendar.Date) error {
	if tx.db.dialect != Postgres || !ValidID(pharmacyID) {
		return nil
	}
	return translate(tx.g.Exec(`SELECT id FROM patients WHERE id IN
		(SELECT patient_id FROM instalments WHERE pharmacy_id = ? AND date >= ? AND date <= ?)
		ORDER BY id FOR NO KEY UPDATE`, pharmacyID, from, to).Error)
}

// refreshTarget rereads the prescription's status and cancellation when
// the window, read after the patient's lock, shows its status changed
// since recordTargetFor's statement began: that statement may have waited
// for the lock while a cancellation, or a dose change reissuing the
// remaining days, committed. The dose is then judged against the
// prescription as that write left it, as if the two had run one after
// the other. Cancelled is final, so an unchanged status needs no reread.
func (tx *Tx) refreshTarget(t *recordTarget, w recordWindow) error {
	if w.status == "" || w.status == t.PrescriptionStatus {
		return nil
	}
	var pr Prescription
	if err := tx.g.Select("status", "cancelled_at").Take(&pr, "id = ?", t.PrescriptionID).Error; err != nil {
		return translate(err)
	}
	t.PrescriptionStatus, t.CancelledAt = pr.Status, pr.CancelledAt
	return nil
}
