-- +goose Up
-- Corrections of a dose record form one line, each correcting the one
-- before (S1): a record is corrected at most once. The store refuses a
-- second correction, and SQLite runs one writer at a time, so no SQLite
-- database holds two corrections of one record; this index is the
-- database's own guarantee, as dose_events_one_outcome is for the first
-- record.
CREATE UNIQUE INDEX dose_events_one_correction ON dose_events (corrects_id) WHERE corrects_id IS NOT NULL;

-- +goose Down
DROP INDEX dose_events_one_correction;
