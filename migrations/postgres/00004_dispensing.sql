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
    alert_id         uuid NOT NULL REFERENCES alerts (id),
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    user_id          uuid NOT NULL REFERENCES users (id),
    acknowledged_at  timestamptz NOT NULL,
    PRIMARY KEY (alert_id, organisation_id)
);
-- +goose StatementBegin
CREATE FUNCTION alert_acknowledgements_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'alert_acknowledgements is append-only: % is not allowed', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER alert_acknowledgements_no_change BEFORE UPDATE OR DELETE ON alert_acknowledgements
    FOR EACH ROW EXECUTE FUNCTION alert_acknowledgements_append_only();
-- The one acknowledgement an alert could have so far belongs to the
-- acknowledging user's organisation.
INSERT INTO alert_acknowledgements (alert_id, organisation_id, user_id, acknowledged_at)
    SELECT a.id, u.organisation_id, a.acknowledged_by, a.acknowledged_at
    FROM alerts a JOIN users u ON u.id = a.acknowledged_by
    WHERE a.acknowledged_at IS NOT NULL;
ALTER TABLE alerts DROP COLUMN acknowledged_at;
ALTER TABLE alerts DROP COLUMN acknowledged_by;

-- +goose Down
ALTER TABLE alerts ADD COLUMN acknowledged_at timestamptz;
ALTER TABLE alerts ADD COLUMN acknowledged_by uuid REFERENCES users (id);
DROP TABLE alert_acknowledgements;
DROP FUNCTION alert_acknowledgements_append_only();
ALTER TABLE dose_events DROP COLUMN correction_reason;
