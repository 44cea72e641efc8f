-- +goose Up
-- A dose change taking effect before changes planned but not yet in force
-- withdraws them (docs/adr/0010). A withdrawn entry stays as recorded; this
-- row says which later entry withdrew it, and that entry's prescriber,
-- created_at and reason say who, when and why. A withdrawal is never
-- undone: a new change restates what is wanted.
CREATE TABLE dose_change_withdrawals (
    dose_change_id  text PRIMARY KEY REFERENCES dose_changes (id),
    withdrawn_by    text NOT NULL REFERENCES dose_changes (id),
    created_at      datetime NOT NULL
);
CREATE INDEX dose_change_withdrawals_by ON dose_change_withdrawals (withdrawn_by);
-- +goose StatementBegin
CREATE TRIGGER dose_change_withdrawals_no_update BEFORE UPDATE ON dose_change_withdrawals
BEGIN
    SELECT RAISE(ABORT, 'dose_change_withdrawals is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dose_change_withdrawals_no_delete BEFORE DELETE ON dose_change_withdrawals
BEGIN
    SELECT RAISE(ABORT, 'dose_change_withdrawals is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE dose_change_withdrawals;
