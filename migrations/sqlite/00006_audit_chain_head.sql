-- +goose Up
-- PostgreSQL gets audit_chain_head() here, reading the audit chain's head
-- under its lock in one round trip. SQLite needs nothing: its immediate
-- transactions already serialise writers. The version keeps both dialects
-- in step.
SELECT 1;

-- +goose Down
SELECT 1;
