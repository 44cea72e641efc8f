-- +goose Up
-- Only the prescriber who signs a prescription prints its original (L1);
-- every other print is a COPY. The first original print is recorded here so
-- that two prints racing cannot both be the original (a conditional update).
ALTER TABLE prescriptions ADD COLUMN original_printed_at timestamptz;
ALTER TABLE prescriptions ADD COLUMN original_printed_by uuid REFERENCES users (id);

-- +goose Down
ALTER TABLE prescriptions DROP COLUMN original_printed_by;
ALTER TABLE prescriptions DROP COLUMN original_printed_at;
