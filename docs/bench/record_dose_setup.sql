-- Setup for record_dose.sql, run once on a COPY of a generated database
-- (pgbench's writes are not chained like the application's audit rows, so
-- never run it on a database whose audit trail matters):
--
--   psql -h 127.0.0.1 -U postgres -d dosebook_perf_rec_pgbench -v day=2026-11-23 -f docs/bench/record_dose_setup.sql
--
-- Targets are instalments from :day on that have no outcome yet, numbered
-- so that each pgbench transaction takes the next one: each is recorded
-- once, as in the application, and the unique index still decides.
DROP TABLE IF EXISTS bench_targets;
DROP SEQUENCE IF EXISTS bench_seq;
CREATE TABLE bench_targets AS
SELECT row_number() OVER (ORDER BY i.date, i.id) AS n, i.id AS instalment_id, i.patient_id, i.pharmacy_id, i.date,
       (SELECT u.id FROM users u WHERE u.organisation_id = i.pharmacy_id AND u.role = 'pharmacist' LIMIT 1) AS user_id
FROM instalments i
WHERE i.date >= :'day'::date AND NOT EXISTS (SELECT 1 FROM dose_events e WHERE e.instalment_id = i.id);
CREATE UNIQUE INDEX ON bench_targets (n);
CREATE SEQUENCE bench_seq;
ANALYZE bench_targets;
SELECT count(*) AS targets FROM bench_targets;
