-- +goose Up
-- Appending one audit event in one round trip: take the chain lock, read
-- the head, hash and insert. The lock is held until COMMIT, so the fewer
-- round trips under it, the more writes a second the chain admits.
-- The hash is the one audit.ComputeHash makes: the sequence number and the
-- previous hash, length-prefixed, around the body the caller serialised
-- (audit.Body), SHA-256 in hex. `dosebook audit verify` recomputes it in Go.
-- +goose StatementBegin
CREATE FUNCTION audit_append(lock_key bigint, body text, e_id uuid, e_occurred_at timestamptz, e_actor_id text,
    e_actor_role text, e_organisation_id text, e_action text, e_entity_type text, e_entity_id text,
    e_request_id text, e_client_ip text, e_changes text)
RETURNS TABLE (seq bigint, prev_hash text, hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head_seq bigint;
    head_hash text;
    next_seq text;
    next_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    -- VOLATILE: this query's snapshot is taken after the lock, so it sees
    -- the head the previous holder committed.
    SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
    IF head_seq IS NULL THEN
        head_seq := 0;
        head_hash := repeat('0', 64);
    END IF;
    next_seq := (head_seq + 1)::text;
    next_hash := encode(sha256(convert_to(
        octet_length(next_seq) || ':' || next_seq || '|' || body || octet_length(head_hash) || ':' || head_hash || '|',
        'UTF8')), 'hex');
    INSERT INTO audit_events (seq, id, occurred_at, actor_id, actor_role, organisation_id, action, entity_type,
        entity_id, request_id, client_ip, changes, prev_hash, hash)
    VALUES (head_seq + 1, e_id, e_occurred_at, e_actor_id, e_actor_role, e_organisation_id, e_action, e_entity_type,
        e_entity_id, e_request_id, e_client_ip, e_changes, head_hash, next_hash);
    RETURN QUERY SELECT head_seq + 1, head_hash, next_hash;
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION audit_append(bigint, text, uuid, timestamptz, text, text, text, text, text, text, text, text, text);
