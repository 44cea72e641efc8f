-- +goose Up
-- A correction's reason is its own field, no longer written into the notes
-- as "Correction: <reason>. <notes>".
ALTER TABLE dose_events ADD COLUMN correction_reason text NOT NULL DEFAULT '';
-- Corrections made before this column kept their reason at the head of the
-- notes; the notes are copied, not parsed, so the reason is never empty on
-- a correction and the notes themselves stay as recorded.
UPDATE dose_events SET correction_reason = notes WHERE corrects_id IS NOT NULL;

-- An alert is acknowledged per organisation: the pharmacy seeing it does
-- not take it off the prescribers' or the GP practice's list. Append-only:
-- one row per organisation, never changed.
CREATE TABLE alert_acknowledgements (
    alert_id         text NOT NULL REFERENCES alerts (id),
    organisation_id  text NOT NULL REFERENCES organisations (id),
    user_id          text NOT NULL REFERENCES users (id),
    acknowledged_at  datetime NOT NULL,
    PRIMARY KEY (alert_id, organisation_id)
);
-- +goose StatementBegin
CREATE TRIGGER alert_acknowledgements_no_update BEFORE UPDATE ON alert_acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'alert_acknowledgements is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alert_acknowledgements_no_delete BEFORE DELETE ON alert_acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'alert_acknowledgements is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- The one acknowledgement an alert could have so far belongs to the
-- acknowledging user's organisation.
INSERT INTO alert_acknowledgements (alert_id, organisation_id, user_id, acknowledged_at)
    SELECT a.id, u.organisation_id, a.acknowledged_by, a.acknowledged_at
    FROM alerts a JOIN users u ON u.id = a.acknowledged_by
    WHERE a.acknowledged_at IS NOT NULL;
ALTER TABLE alerts DROP COLUMN acknowledged_at;
ALTER TABLE alerts DROP COLUMN acknowledged_by;

-- +goose Down
ALTER TABLE alerts ADD COLUMN acknowledged_at datetime;
ALTER TABLE alerts ADD COLUMN acknowledged_by text REFERENCES users (id);
DROP TABLE alert_acknowledgements;
ALTER TABLE dose_events DROP COLUMN correction_reason;
