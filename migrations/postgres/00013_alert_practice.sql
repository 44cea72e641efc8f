-- +goose Up
-- An alert addressed to a GP practice rather than to the treatment service:
-- the service handed shared care back, withdrew a proposal, ended the
-- regime, or changed what the practice prescribes. The practice's GPs see
-- it whether or not the practice still holds the patient; the service,
-- which made the change, does not get it back as an alert.
ALTER TABLE alerts ADD COLUMN practice_id uuid REFERENCES organisations (id);
CREATE INDEX alerts_practice ON alerts (practice_id, created_at);

-- +goose Down
DROP INDEX alerts_practice;
ALTER TABLE alerts DROP COLUMN practice_id;
