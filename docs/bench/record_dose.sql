-- pgbench script: the raw SQL core of recording one dose, as
-- internal/store/tx.go and RecordDose do it: read the instalment's existing
-- events (the uniqueness check; the partial unique index
-- dose_events_one_outcome backs it), insert the dose event, then append the
-- audit row under the chain's advisory lock (7250001) after reading the
-- chain's last seq and hash. Ids are time-ordered like UUIDv7. Run with
-- -M prepared (the application uses prepared statements too). Needs
-- record_dose_setup.sql first. See docs/performance.md for the command.
SELECT instalment_id, patient_id, pharmacy_id, date AS day, user_id
  FROM bench_targets WHERE n = (SELECT nextval('bench_seq')) \gset
BEGIN;
SELECT id FROM dose_events WHERE instalment_id = :instalment_id::uuid ORDER BY created_at, id;
INSERT INTO dose_events (id, instalment_id, patient_id, pharmacy_id, date, outcome, reason, identity_confirmed,
                         occurred_at, notes, recorded_by, corrects_id, created_at)
VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
         || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid,
        :instalment_id::uuid, :patient_id::uuid, :pharmacy_id::uuid, :day::date, 'supervised', '', true,
        now(), '', :user_id::uuid, NULL, now());
SELECT pg_advisory_xact_lock(7250001);
SELECT seq AS last_seq, hash AS last_hash FROM audit_events ORDER BY seq DESC LIMIT 1 \gset
INSERT INTO audit_events (seq, id, occurred_at, actor_id, actor_role, organisation_id, action, entity_type, entity_id,
                          request_id, client_ip, changes, prev_hash, hash)
VALUES (:last_seq::bigint + 1,
        (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
         || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid,
        now(), :user_id::text, 'pharmacist', :pharmacy_id::text, 'dose_event.record', 'instalment', :instalment_id::text,
        'pgbench', '127.0.0.1',
        json_build_object('outcome', 'supervised', 'identity_confirmed', true, 'instalment_id', :instalment_id::text)::text,
        :last_hash::text,
        encode(sha256(convert_to(:last_hash::text || :instalment_id::text || now()::text, 'UTF8')), 'hex'));
COMMIT;
