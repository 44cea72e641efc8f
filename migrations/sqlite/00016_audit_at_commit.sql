-- +goose Up
-- PostgreSQL appends a transaction's one audit event as it commits,
-- through this table (its migration 00016 says why). SQLite needs no such
-- thing: its one writer holds the database from the first statement, so
-- the chain is appended in the transaction's body and this table stays
-- empty. It exists so that both dialects keep one schema.
CREATE TABLE audit_outbox (
    id               text PRIMARY KEY,
    body             text NOT NULL,
    occurred_at      datetime NOT NULL,
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

-- +goose Down
DROP TABLE audit_outbox;
