-- +goose Up
-- An alert is resolved when a later record answers it — a review lifts an
-- MD1 block, an injection is given, a prescription on a closed day is
-- cancelled, a withheld record is corrected. The alert stays as raised;
-- the resolution is a new row saying what answered it, and when.
CREATE TABLE alert_resolutions (
    alert_id     text PRIMARY KEY REFERENCES alerts (id),
    resolved_at  datetime NOT NULL,
    reason       text NOT NULL,
    entity_type  text NOT NULL,
    entity_id    text NOT NULL
);
-- +goose StatementBegin
CREATE TRIGGER alert_resolutions_no_update BEFORE UPDATE ON alert_resolutions
BEGIN
    SELECT RAISE(ABORT, 'alert_resolutions is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alert_resolutions_no_delete BEFORE DELETE ON alert_resolutions
BEGIN
    SELECT RAISE(ABORT, 'alert_resolutions is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE alert_resolutions;
