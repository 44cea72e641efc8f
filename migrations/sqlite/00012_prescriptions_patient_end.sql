-- +goose Up
-- The missed-dose history behind every day list reads each patient's
-- prescriptions that end on or after the window's first day; by end date
-- that is two or three a patient, where by start date it was every one
-- they ever had.
CREATE INDEX prescriptions_patient_end ON prescriptions (patient_id, end_date);

-- +goose Down
DROP INDEX prescriptions_patient_end;
