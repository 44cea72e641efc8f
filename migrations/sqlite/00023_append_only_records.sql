-- +goose Up
-- Clinical records are append-only (a correction or withdrawal is a new
-- row with who, when and why), and the database says so as well as the
-- store: until now only audit_events and the correction, withdrawal,
-- acknowledgement and resolution tables refused UPDATE and DELETE. These
-- are the tables the code only ever inserts into; the PostgreSQL
-- migration of the same number says which are left out and why. SQLite
-- has no TRUNCATE (DELETE without WHERE fires these triggers). A later
-- migration that rebuilds one of these tables must create its triggers
-- again.
-- +goose StatementBegin
CREATE TRIGGER instalments_no_update BEFORE UPDATE ON instalments
BEGIN
    SELECT RAISE(ABORT, 'instalments is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER instalments_no_delete BEFORE DELETE ON instalments
BEGIN
    SELECT RAISE(ABORT, 'instalments is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dose_events_no_update BEFORE UPDATE ON dose_events
BEGIN
    SELECT RAISE(ABORT, 'dose_events is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dose_events_no_delete BEFORE DELETE ON dose_events
BEGIN
    SELECT RAISE(ABORT, 'dose_events is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER administrations_no_update BEFORE UPDATE ON administrations
BEGIN
    SELECT RAISE(ABORT, 'administrations is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER administrations_no_delete BEFORE DELETE ON administrations
BEGIN
    SELECT RAISE(ABORT, 'administrations is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dose_changes_no_update BEFORE UPDATE ON dose_changes
BEGIN
    SELECT RAISE(ABORT, 'dose_changes is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dose_changes_no_delete BEFORE DELETE ON dose_changes
BEGIN
    SELECT RAISE(ABORT, 'dose_changes is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER regime_settings_no_update BEFORE UPDATE ON regime_settings
BEGIN
    SELECT RAISE(ABORT, 'regime_settings is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER regime_settings_no_delete BEFORE DELETE ON regime_settings
BEGIN
    SELECT RAISE(ABORT, 'regime_settings is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER rule_overrides_no_update BEFORE UPDATE ON rule_overrides
BEGIN
    SELECT RAISE(ABORT, 'rule_overrides is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER rule_overrides_no_delete BEFORE DELETE ON rule_overrides
BEGIN
    SELECT RAISE(ABORT, 'rule_overrides is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER drug_screens_no_update BEFORE UPDATE ON drug_screens
BEGIN
    SELECT RAISE(ABORT, 'drug_screens is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER drug_screens_no_delete BEFORE DELETE ON drug_screens
BEGIN
    SELECT RAISE(ABORT, 'drug_screens is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN
    SELECT RAISE(ABORT, 'reviews is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN
    SELECT RAISE(ABORT, 'reviews is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alerts_no_update BEFORE UPDATE ON alerts
BEGIN
    SELECT RAISE(ABORT, 'alerts is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts
BEGIN
    SELECT RAISE(ABORT, 'alerts is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER shared_care_events_no_update BEFORE UPDATE ON shared_care_events
BEGIN
    SELECT RAISE(ABORT, 'shared_care_events is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER shared_care_events_no_delete BEFORE DELETE ON shared_care_events
BEGIN
    SELECT RAISE(ABORT, 'shared_care_events is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER shared_care_events_no_delete;
DROP TRIGGER shared_care_events_no_update;
DROP TRIGGER alerts_no_delete;
DROP TRIGGER alerts_no_update;
DROP TRIGGER reviews_no_delete;
DROP TRIGGER reviews_no_update;
DROP TRIGGER drug_screens_no_delete;
DROP TRIGGER drug_screens_no_update;
DROP TRIGGER rule_overrides_no_delete;
DROP TRIGGER rule_overrides_no_update;
DROP TRIGGER regime_settings_no_delete;
DROP TRIGGER regime_settings_no_update;
DROP TRIGGER dose_changes_no_delete;
DROP TRIGGER dose_changes_no_update;
DROP TRIGGER administrations_no_delete;
DROP TRIGGER administrations_no_update;
DROP TRIGGER dose_events_no_delete;
DROP TRIGGER dose_events_no_update;
DROP TRIGGER instalments_no_delete;
DROP TRIGGER instalments_no_update;
