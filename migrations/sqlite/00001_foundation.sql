-- +goose Up
CREATE TABLE organisations (
    id          text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('treatment_service', 'pharmacy', 'gp_practice')),
    name        text NOT NULL UNIQUE,
    address     text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    opening     text NOT NULL DEFAULT '',
    created_at  datetime NOT NULL
);

CREATE TABLE users (
    id               text PRIMARY KEY,
    organisation_id  text NOT NULL REFERENCES organisations (id),
    role             text NOT NULL CHECK (role IN ('admin', 'prescriber', 'pharmacist', 'gp')),
    name             text NOT NULL,
    registration     text NOT NULL DEFAULT '',
    phone            text NOT NULL DEFAULT '',
    created_at       datetime NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE tokens (
    id          text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id),
    hash        text NOT NULL UNIQUE,
    label       text NOT NULL DEFAULT '',
    created_at  datetime NOT NULL,
    expires_at  datetime NOT NULL,
    revoked_at  datetime
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE audit_events (
    seq              integer PRIMARY KEY,
    id               text NOT NULL UNIQUE,
    occurred_at      datetime NOT NULL,
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
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_events;
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE organisations;
