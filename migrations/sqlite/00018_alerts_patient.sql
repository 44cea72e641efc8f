-- +goose Up
-- Marking a day missed, recording a dose withheld and resolving a
-- patient's alerts all look for that patient's alerts of one kind. Without
-- this index each of them read the whole alerts table: a five-day
-- catch-up of 20,000 patients took 80.6 s of PostgreSQL's CPU with it
-- missing and 28.2 s with it (docs/performance.md, "Day close at scale").
CREATE INDEX alerts_patient ON alerts (patient_id, kind);

-- +goose Down
DROP INDEX alerts_patient;
