-- +goose Up
-- An alert is resolved when a later record answers it — a review lifts an
-- MD1 block, an injection is given, a prescription on a closed day is
-- cancelled, a withheld record is corrected. The alert stays as raised;
-- the resolution is a new row saying what answered it, and when.
CREATE TABLE alert_resolutions (
    alert_id     uuid PRIMARY KEY REFERENCES alerts (id),
    resolved_at  timestamptz NOT NULL,
    reason       text NOT NULL,
    entity_type  text NOT NULL,
    entity_id    uuid NOT NULL
);
-- +goose StatementBegin
CREATE FUNCTION alert_resolutions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'alert_resolutions is append-only: % is not allowed', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER alert_resolutions_no_change BEFORE UPDATE OR DELETE ON alert_resolutions
    FOR EACH ROW EXECUTE FUNCTION alert_resolutions_append_only();

-- +goose Down
DROP TABLE alert_resolutions;
DROP FUNCTION alert_resolutions_append_only();
