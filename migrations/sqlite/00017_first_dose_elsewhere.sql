-- +goose Up
-- A first dose date a prescriber enters records a dose given elsewhere (in
-- prison, in hospital, at another service): Dosebook's own dose records
-- must never move it. first_dose_date stays the earlier of this date and
-- the first dose taken here, so it is kept here apart from the derived one.
ALTER TABLE patients ADD COLUMN first_dose_elsewhere_date date;

-- A date with no dose record or injection on its day was entered by hand.
-- An instalment collected the day before may carry the first day (a closed
-- first day, ADR 0011), so a dose taken the day before counts as a record.
UPDATE patients SET first_dose_elsewhere_date = first_dose_date
WHERE first_dose_date IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM administrations a JOIN regimes r ON r.id = a.regime_id
                  WHERE r.patient_id = patients.id AND a.date = patients.first_dose_date)
  AND NOT EXISTS (SELECT 1 FROM instalments i JOIN dose_events e ON e.instalment_id = i.id
                  WHERE i.patient_id = patients.id AND e.outcome IN ('supervised', 'collected')
                    AND i.date IN (patients.first_dose_date, date(patients.first_dose_date, '-1 day')));

-- +goose Down
ALTER TABLE patients DROP COLUMN first_dose_elsewhere_date;
