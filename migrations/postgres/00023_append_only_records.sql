-- +goose Up
-- Clinical records are append-only (a correction or withdrawal is a new
-- row with who, when and why), and the database says so as well as the
-- store: until now only audit_events and the correction, withdrawal,
-- acknowledgement and resolution tables refused UPDATE and DELETE, and
-- only audit_events refused TRUNCATE. These are the tables the code only
-- ever inserts into. Left out, because the code updates them: patients,
-- regimes (the latest settings, status), prescriptions (status, printing),
-- shared_care (status), organisations (opening), tokens (revocation),
-- serial_counters; and the tables that are not the clinical record:
-- users, idempotency_keys, day_closes (which day each pharmacy closed,
-- deleted by hand to rerun a close: docs/performance.md) and audit_outbox
-- (emptied by its own trigger as each transaction commits).
-- +goose StatementBegin
CREATE FUNCTION append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER instalments_no_change BEFORE UPDATE OR DELETE ON instalments
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER dose_events_no_change BEFORE UPDATE OR DELETE ON dose_events
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER administrations_no_change BEFORE UPDATE OR DELETE ON administrations
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER dose_changes_no_change BEFORE UPDATE OR DELETE ON dose_changes
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER regime_settings_no_change BEFORE UPDATE OR DELETE ON regime_settings
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER rule_overrides_no_change BEFORE UPDATE OR DELETE ON rule_overrides
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER drug_screens_no_change BEFORE UPDATE OR DELETE ON drug_screens
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER reviews_no_change BEFORE UPDATE OR DELETE ON reviews
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER alerts_no_change BEFORE UPDATE OR DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER shared_care_events_no_change BEFORE UPDATE OR DELETE ON shared_care_events
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- A row trigger does not see TRUNCATE, which empties a table at once.
CREATE TRIGGER instalments_no_truncate BEFORE TRUNCATE ON instalments
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER dose_events_no_truncate BEFORE TRUNCATE ON dose_events
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER administrations_no_truncate BEFORE TRUNCATE ON administrations
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER dose_changes_no_truncate BEFORE TRUNCATE ON dose_changes
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER regime_settings_no_truncate BEFORE TRUNCATE ON regime_settings
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER rule_overrides_no_truncate BEFORE TRUNCATE ON rule_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER drug_screens_no_truncate BEFORE TRUNCATE ON drug_screens
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER reviews_no_truncate BEFORE TRUNCATE ON reviews
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER alerts_no_truncate BEFORE TRUNCATE ON alerts
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER shared_care_events_no_truncate BEFORE TRUNCATE ON shared_care_events
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER alert_acknowledgements_no_truncate BEFORE TRUNCATE ON alert_acknowledgements
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER alert_resolutions_no_truncate BEFORE TRUNCATE ON alert_resolutions
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER dose_change_withdrawals_no_truncate BEFORE TRUNCATE ON dose_change_withdrawals
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER regime_setting_withdrawals_no_truncate BEFORE TRUNCATE ON regime_setting_withdrawals
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER administration_corrections_no_truncate BEFORE TRUNCATE ON administration_corrections
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- +goose Down
DROP TRIGGER administration_corrections_no_truncate ON administration_corrections;
DROP TRIGGER regime_setting_withdrawals_no_truncate ON regime_setting_withdrawals;
DROP TRIGGER dose_change_withdrawals_no_truncate ON dose_change_withdrawals;
DROP TRIGGER alert_resolutions_no_truncate ON alert_resolutions;
DROP TRIGGER alert_acknowledgements_no_truncate ON alert_acknowledgements;
DROP TRIGGER shared_care_events_no_truncate ON shared_care_events;
DROP TRIGGER alerts_no_truncate ON alerts;
DROP TRIGGER reviews_no_truncate ON reviews;
DROP TRIGGER drug_screens_no_truncate ON drug_screens;
DROP TRIGGER rule_overrides_no_truncate ON rule_overrides;
DROP TRIGGER regime_settings_no_truncate ON regime_settings;
DROP TRIGGER dose_changes_no_truncate ON dose_changes;
DROP TRIGGER administrations_no_truncate ON administrations;
DROP TRIGGER dose_events_no_truncate ON dose_events;
DROP TRIGGER instalments_no_truncate ON instalments;
DROP TRIGGER shared_care_events_no_change ON shared_care_events;
DROP TRIGGER alerts_no_change ON alerts;
DROP TRIGGER reviews_no_change ON reviews;
DROP TRIGGER drug_screens_no_change ON drug_screens;
DROP TRIGGER rule_overrides_no_change ON rule_overrides;
DROP TRIGGER regime_settings_no_change ON regime_settings;
DROP TRIGGER dose_changes_no_change ON dose_changes;
DROP TRIGGER administrations_no_change ON administrations;
DROP TRIGGER dose_events_no_change ON dose_events;
DROP TRIGGER instalments_no_change ON instalments;
DROP FUNCTION append_only();
