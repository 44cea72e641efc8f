-- +goose Up
-- A dose change taking effect before changes planned but not yet in force
-- withdraws them (docs/adr/0010). A withdrawn entry stays as recorded; this
-- row says which later entry withdrew it, and that entry's prescriber,
-- created_at and reason say who, when and why. A withdrawal is never
-- undone: a new change restates what is wanted.
CREATE TABLE dose_change_withdrawals (
    dose_change_id  uuid PRIMARY KEY REFERENCES dose_changes (id),
    withdrawn_by    uuid NOT NULL REFERENCES dose_changes (id),
    created_at      timestamptz NOT NULL
);
CREATE INDEX dose_change_withdrawals_by ON dose_change_withdrawals (withdrawn_by);
-- +goose StatementBegin
CREATE FUNCTION dose_change_withdrawals_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'dose_change_withdrawals is append-only: % is not allowed', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER dose_change_withdrawals_no_change BEFORE UPDATE OR DELETE ON dose_change_withdrawals
    FOR EACH ROW EXECUTE FUNCTION dose_change_withdrawals_append_only();

-- +goose Down
DROP TABLE dose_change_withdrawals;
DROP FUNCTION dose_change_withdrawals_append_only();
