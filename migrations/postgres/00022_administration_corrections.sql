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
    administration_id  uuid PRIMARY KEY REFERENCES administrations (id),
    replacement_id     uuid UNIQUE REFERENCES administrations (id) DEFERRABLE INITIALLY DEFERRED,
    reason             text NOT NULL,
    corrected_by       uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL
);
-- +goose StatementBegin
CREATE FUNCTION administration_corrections_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'administration_corrections is append-only: % is not allowed', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER administration_corrections_no_change BEFORE UPDATE OR DELETE ON administration_corrections
    FOR EACH ROW EXECUTE FUNCTION administration_corrections_append_only();

-- +goose Down
DROP TABLE administration_corrections;
DROP FUNCTION administration_corrections_append_only();
