-- +goose Up
-- A Buvidal injection recorded in error is corrected, never edited (the
-- record is append-only): this row says the administration it names no
-- longer stands, why (reason), who (corrected_by) and when (created_at).
-- replacement_id is the administration that replaces it (date, dose, site,
-- batch or expiry corrected); null when it was entered in error (not given
-- to this patient at all). One correction per administration: a replacement
-- is corrected in its turn. Append-only, like regime_setting_withdrawals.
-- The replacement is written after this row in the same transaction, so
-- its reference is checked at commit.
CREATE TABLE administration_corrections (
    administration_id  text PRIMARY KEY REFERENCES administrations (id),
    replacement_id     text UNIQUE REFERENCES administrations (id) DEFERRABLE INITIALLY DEFERRED,
    reason             text NOT NULL,
    corrected_by       text NOT NULL REFERENCES users (id),
    created_at         datetime NOT NULL
);
-- +goose StatementBegin
CREATE TRIGGER administration_corrections_no_update BEFORE UPDATE ON administration_corrections
BEGIN
    SELECT RAISE(ABORT, 'administration_corrections is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER administration_corrections_no_delete BEFORE DELETE ON administration_corrections
BEGIN
    SELECT RAISE(ABORT, 'administration_corrections is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE administration_corrections;
