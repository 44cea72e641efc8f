-- +goose Up
-- Corrections of a dose record form one line, each correcting the one
-- before (S1): a record is corrected at most once. The store refuses a
-- second correction, and queues two sent at once behind the patient's
-- lock; this index is the database's own guarantee, as
-- dose_events_one_outcome is for the first record.
--
-- Before that lock, two corrections of one record sent at the same moment
-- could both be saved on PostgreSQL. Such a fork is a clinical question
-- (which account of the dose is right), not one a migration may answer by
-- changing records, so the upgrade stops and names them:
-- docs/reliability.md, "Upgrading past migration 15", says what to do.
-- +goose StatementBegin
DO $$
DECLARE
    forked text;
BEGIN
    SELECT string_agg(corrects_id::text, ', ' ORDER BY corrects_id) INTO forked
    FROM (SELECT corrects_id FROM dose_events WHERE corrects_id IS NOT NULL
          GROUP BY corrects_id HAVING count(*) > 1) f;
    IF forked IS NOT NULL THEN
        RAISE EXCEPTION 'dose records corrected more than once: %; each needs a clinician''s decision before this upgrade (docs/reliability.md, "Upgrading past migration 15")', forked;
    END IF;
END;
$$;
-- +goose StatementEnd
CREATE UNIQUE INDEX dose_events_one_correction ON dose_events (corrects_id) WHERE corrects_id IS NOT NULL;

-- +goose Down
DROP INDEX dose_events_one_correction;
