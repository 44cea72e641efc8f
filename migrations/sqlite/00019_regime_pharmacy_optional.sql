-- +goose Up
-- Buvidal is given by a healthcare professional, never dispensed (BV2), so
-- a regime of it needs no dispensing pharmacy: regimes.pharmacy_id may be
-- NULL. SQLite cannot drop a NOT NULL constraint, so the table is rebuilt
-- under its own name. The tables that reference regimes (id) name the
-- table, not the old copy of it, so they follow; with foreign keys on, the
-- drop counts their rows as orphaned, and deferring the checks to the
-- commit lets the rows copied back answer them.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE regimes_before_00019 AS SELECT * FROM regimes;
DROP TABLE regimes;
CREATE TABLE regimes (
    id              text PRIMARY KEY,
    patient_id      text NOT NULL REFERENCES patients (id),
    service_id      text NOT NULL REFERENCES organisations (id),
    medicine        text NOT NULL,
    stage           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('active', 'ended')),
    pattern         text NOT NULL,
    supervision_relaxed_reason text NOT NULL DEFAULT '',
    pharmacy_id     text REFERENCES organisations (id),
    start_date      date NOT NULL,
    ecg_date        date,
    created_by      text NOT NULL REFERENCES users (id),
    created_at      datetime NOT NULL,
    ended_on        date,
    end_reason      text NOT NULL DEFAULT '',
    ended_by        text REFERENCES users (id),
    buprenorphine_naive boolean NOT NULL DEFAULT false
);
INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, supervision_relaxed_reason, pharmacy_id,
    start_date, ecg_date, created_by, created_at, ended_on, end_reason, ended_by, buprenorphine_naive)
SELECT id, patient_id, service_id, medicine, stage, status, pattern, supervision_relaxed_reason, pharmacy_id,
    start_date, ecg_date, created_by, created_at, ended_on, end_reason, ended_by, buprenorphine_naive
FROM regimes_before_00019;
DROP TABLE regimes_before_00019;
-- At most one active regime per patient.
CREATE UNIQUE INDEX regimes_one_active ON regimes (patient_id) WHERE status = 'active';

-- +goose Down
-- A regime without a pharmacy cannot go back under the NOT NULL.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE regimes_before_00019 AS SELECT * FROM regimes;
DROP TABLE regimes;
CREATE TABLE regimes (
    id              text PRIMARY KEY,
    patient_id      text NOT NULL REFERENCES patients (id),
    service_id      text NOT NULL REFERENCES organisations (id),
    medicine        text NOT NULL,
    stage           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('active', 'ended')),
    pattern         text NOT NULL,
    supervision_relaxed_reason text NOT NULL DEFAULT '',
    pharmacy_id     text NOT NULL REFERENCES organisations (id),
    start_date      date NOT NULL,
    ecg_date        date,
    created_by      text NOT NULL REFERENCES users (id),
    created_at      datetime NOT NULL,
    ended_on        date,
    end_reason      text NOT NULL DEFAULT '',
    ended_by        text REFERENCES users (id),
    buprenorphine_naive boolean NOT NULL DEFAULT false
);
INSERT INTO regimes (id, patient_id, service_id, medicine, stage, status, pattern, supervision_relaxed_reason, pharmacy_id,
    start_date, ecg_date, created_by, created_at, ended_on, end_reason, ended_by, buprenorphine_naive)
SELECT id, patient_id, service_id, medicine, stage, status, pattern, supervision_relaxed_reason, pharmacy_id,
    start_date, ecg_date, created_by, created_at, ended_on, end_reason, ended_by, buprenorphine_naive
FROM regimes_before_00019;
DROP TABLE regimes_before_00019;
CREATE UNIQUE INDEX regimes_one_active ON regimes (patient_id) WHERE status = 'active';
