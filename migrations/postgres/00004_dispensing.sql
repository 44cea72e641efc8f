-- +goose Up
-- A correction's reason is its own field, no longer written into the notes
-- as "Correction: <reason>. <notes>".
ALTER TABLE dose_events ADD COLUMN correction_reason text NOT NULL DEFAULT '';
-- Corrections made before this column kept their reason at the head of the
-- notes; the notes are copied, not parsed, so the reason is never empty on
-- a correction and the notes themselves stay as recorded.
UPDATE dose_events SET correction_reason = notes WHERE corrects_id IS NOT NULL;

-- +goose Down
ALTER TABLE dose_events DROP COLUMN correction_reason;
