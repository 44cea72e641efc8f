-- +goose Up
-- A transaction with one audit event (recording a dose, the busiest
-- write) appends it to the chain as it commits, not before. The chain's
-- lock is held from the append to the end of COMMIT; taken by
-- audit_append() in the transaction's body, it was held across two
-- round trips to the application as well (the append's answer, then
-- COMMIT), during which no other write could append. The event waits in
-- audit_outbox; a deferred constraint trigger, which PostgreSQL runs
-- inside COMMIT, appends it with audit_append() (the same hash,
-- migrations 00011) and deletes it, so the lock is held only while
-- COMMIT runs. A transaction that rolls back takes its outbox row with it.
-- The lock key is auditLockKey in internal/store/tx.go.
CREATE TABLE audit_outbox (
    id               uuid PRIMARY KEY,
    body             text NOT NULL,
    occurred_at      timestamptz NOT NULL,
    actor_id         text NOT NULL,
    actor_role       text NOT NULL,
    organisation_id  text NOT NULL,
    action           text NOT NULL,
    entity_type      text NOT NULL,
    entity_id        text NOT NULL,
    request_id       text NOT NULL,
    client_ip        text NOT NULL,
    changes          text NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION audit_outbox_append() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM audit_append(TG_ARGV[0]::bigint, NEW.body, NEW.id, NEW.occurred_at, NEW.actor_id, NEW.actor_role,
        NEW.organisation_id, NEW.action, NEW.entity_type, NEW.entity_id, NEW.request_id, NEW.client_ip, NEW.changes);
    DELETE FROM audit_outbox WHERE id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER audit_outbox_append AFTER INSERT ON audit_outbox
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_outbox_append('7250001');

-- +goose Down
DROP TABLE audit_outbox;
DROP FUNCTION audit_outbox_append();
