-- +goose Up
CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('treatment_service', 'pharmacy', 'gp_practice')),
    name        text NOT NULL UNIQUE,
    address     text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    opening     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);

CREATE TABLE users (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    role             text NOT NULL CHECK (role IN ('admin', 'prescriber', 'pharmacist', 'gp')),
    name             text NOT NULL,
    registration     text NOT NULL DEFAULT '',
    phone            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    hash        text NOT NULL UNIQUE,
    label       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE audit_events (
    seq              bigint PRIMARY KEY,
    id               uuid NOT NULL UNIQUE,
    occurred_at      timestamptz NOT NULL,
    actor_id         text NOT NULL,
    actor_role       text NOT NULL,
    organisation_id  text NOT NULL,
    action           text NOT NULL,
    entity_type      text NOT NULL,
    entity_id        text NOT NULL,
    request_id       text NOT NULL,
    client_ip        text NOT NULL,
    changes          text NOT NULL,
    prev_hash        text NOT NULL,
    hash             text NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_time ON audit_events (occurred_at, seq);

-- The audit trail is append-only even for someone with SQL access.
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE organisations;
