-- +goose Up
-- PostgreSQL gets audit_append() here, appending one audit event under the
-- chain lock in one round trip. SQLite needs nothing: its immediate
-- transactions already serialise writers. The version keeps both dialects
-- in step.
SELECT 1;

-- +goose Down
SELECT 1;
