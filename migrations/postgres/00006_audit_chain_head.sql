-- +goose Up
-- Appending to the audit chain takes the chain's advisory lock and then
-- reads the head. One function does both in one round trip: as it is
-- VOLATILE, its query runs on a fresh snapshot taken after the lock, so it
-- sees the head committed by the previous holder (a single statement with
-- the lock inside would read a snapshot taken before it).
-- +goose StatementBegin
CREATE FUNCTION audit_chain_head(lock_key bigint) RETURNS TABLE (seq bigint, hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT a.seq, a.hash FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION audit_chain_head(bigint);
