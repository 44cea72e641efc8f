-- +goose Up
-- Clinical records. Dose changes, administrations, screens, instalments and
-- dose events are append-only: corrections are new rows that point back.

CREATE TABLE patients (
    id                   text PRIMARY KEY,
    service_id           text NOT NULL REFERENCES organisations (id),
    nhs_number           text NOT NULL,
    given_name           text NOT NULL,
    family_name          text NOT NULL,
    search_name          text NOT NULL DEFAULT '',
    date_of_birth        date NOT NULL,
    sex                  text NOT NULL,
    address              text NOT NULL DEFAULT '',
    phone                text NOT NULL DEFAULT '',
    gp_practice_id       text REFERENCES organisations (id),
    pharmacy_id          text REFERENCES organisations (id),
    keyworker            text NOT NULL DEFAULT '',
    risk_flags           text NOT NULL DEFAULT '{}',
    needs                text NOT NULL DEFAULT '{}',
    naloxone_supplied_on date,
    referral_date        date,
    first_contact_date   date,
    first_dose_date      date,
    created_at           datetime NOT NULL,
    updated_at           datetime NOT NULL,
    UNIQUE (service_id, nhs_number)
);
CREATE INDEX patients_pharmacy ON patients (pharmacy_id);
CREATE INDEX patients_practice ON patients (gp_practice_id);

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
    ended_by        text REFERENCES users (id)
);
-- At most one active regime per patient.
CREATE UNIQUE INDEX regimes_one_active ON regimes (patient_id) WHERE status = 'active';

CREATE TABLE dose_changes (
    id              text PRIMARY KEY,
    regime_id       text NOT NULL REFERENCES regimes (id),
    from_ug         integer NOT NULL,
    to_ug           integer NOT NULL,
    effective_date  date NOT NULL,
    reason          text NOT NULL,
    stage           text NOT NULL,
    prescriber_id   text NOT NULL REFERENCES users (id),
    created_at      datetime NOT NULL,
    warnings        text NOT NULL DEFAULT '[]'
);
CREATE INDEX dose_changes_regime ON dose_changes (regime_id, effective_date, created_at);

CREATE TABLE rule_overrides (
    id           text PRIMARY KEY,
    entity_type  text NOT NULL,
    entity_id    text NOT NULL,
    rule         text NOT NULL,
    reason       text NOT NULL,
    user_id      text NOT NULL REFERENCES users (id),
    created_at   datetime NOT NULL
);
CREATE INDEX rule_overrides_entity ON rule_overrides (entity_type, entity_id);

CREATE TABLE administrations (
    id              text PRIMARY KEY,
    regime_id       text NOT NULL REFERENCES regimes (id),
    date            date NOT NULL,
    dose_ug         integer NOT NULL,
    extra           boolean NOT NULL,
    site            text NOT NULL,
    batch           text NOT NULL,
    batch_expiry    date NOT NULL,
    administered_by text NOT NULL,
    recorded_by     text NOT NULL REFERENCES users (id),
    created_at      datetime NOT NULL,
    warnings        text NOT NULL DEFAULT '[]'
);
CREATE INDEX administrations_regime ON administrations (regime_id, date);

CREATE TABLE drug_screens (
    id           text PRIMARY KEY,
    patient_id   text NOT NULL REFERENCES patients (id),
    date         date NOT NULL,
    sample_type  text NOT NULL,
    witnessed    boolean NOT NULL,
    results      text NOT NULL,
    notes        text NOT NULL DEFAULT '',
    recorded_by  text NOT NULL REFERENCES users (id),
    created_at   datetime NOT NULL
);
CREATE INDEX drug_screens_patient ON drug_screens (patient_id, date);

CREATE TABLE serial_counters (
    service_id  text PRIMARY KEY REFERENCES organisations (id),
    next        integer NOT NULL
);

CREATE TABLE prescriptions (
    id               text PRIMARY KEY,
    service_id       text NOT NULL REFERENCES organisations (id),
    serial           text NOT NULL,
    patient_id       text NOT NULL REFERENCES patients (id),
    regime_id        text NOT NULL REFERENCES regimes (id),
    pharmacy_id      text NOT NULL REFERENCES organisations (id),
    prescriber_id    text NOT NULL REFERENCES users (id),
    medicine         text NOT NULL,
    daily_dose_ug    integer NOT NULL,
    pattern          text NOT NULL,
    prescribed_on    date NOT NULL,
    start_date       date NOT NULL,
    days             integer NOT NULL,
    end_date         date NOT NULL,
    total_ug         integer NOT NULL,
    wording          text NOT NULL,
    status           text NOT NULL,
    replaces_id      text REFERENCES prescriptions (id),
    issued_at        datetime,
    cancelled_at     datetime,
    cancelled_by     text REFERENCES users (id),
    cancel_reason    text NOT NULL DEFAULT '',
    printed_count    integer NOT NULL DEFAULT 0,
    created_at       datetime NOT NULL,
    UNIQUE (service_id, serial)
);
CREATE INDEX prescriptions_patient ON prescriptions (patient_id, start_date);
CREATE INDEX prescriptions_pharmacy ON prescriptions (pharmacy_id, status);

CREATE TABLE instalments (
    id               text PRIMARY KEY,
    prescription_id  text NOT NULL REFERENCES prescriptions (id),
    patient_id       text NOT NULL REFERENCES patients (id),
    pharmacy_id      text NOT NULL REFERENCES organisations (id),
    date             date NOT NULL,
    covers           text NOT NULL,
    dose_days        integer NOT NULL,
    supervised_ug    integer NOT NULL,
    take_home_ug     integer NOT NULL
);
CREATE INDEX instalments_day_list ON instalments (pharmacy_id, date);
CREATE INDEX instalments_patient ON instalments (patient_id, date);
CREATE INDEX instalments_prescription ON instalments (prescription_id, date);

-- Dispensing. An outcome row has corrects_id NULL; exactly one per instalment.
CREATE TABLE dose_events (
    id                  text PRIMARY KEY,
    instalment_id       text NOT NULL REFERENCES instalments (id),
    patient_id          text NOT NULL REFERENCES patients (id),
    pharmacy_id         text NOT NULL REFERENCES organisations (id),
    date                date NOT NULL,
    outcome             text NOT NULL,
    reason              text NOT NULL DEFAULT '',
    identity_confirmed  boolean NOT NULL,
    occurred_at         datetime NOT NULL,
    notes               text NOT NULL DEFAULT '',
    recorded_by         text REFERENCES users (id),
    corrects_id         text REFERENCES dose_events (id),
    created_at          datetime NOT NULL
);
CREATE UNIQUE INDEX dose_events_one_outcome ON dose_events (instalment_id) WHERE corrects_id IS NULL;
CREATE INDEX dose_events_instalment ON dose_events (instalment_id, created_at);
CREATE INDEX dose_events_patient ON dose_events (patient_id, date);
CREATE INDEX dose_events_pharmacy ON dose_events (pharmacy_id, date);

CREATE TABLE idempotency_keys (
    user_id      text NOT NULL REFERENCES users (id),
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL,
    body         text NOT NULL,
    created_at   datetime NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE reviews (
    id             text PRIMARY KEY,
    patient_id     text NOT NULL REFERENCES patients (id),
    prescriber_id  text NOT NULL REFERENCES users (id),
    reviewed_at    datetime NOT NULL,
    date           date NOT NULL,
    kind           text NOT NULL,
    notes          text NOT NULL DEFAULT '',
    ecg_date       date
);
CREATE INDEX reviews_patient ON reviews (patient_id, reviewed_at);

CREATE TABLE alerts (
    id               text PRIMARY KEY,
    service_id       text NOT NULL REFERENCES organisations (id),
    patient_id       text NOT NULL REFERENCES patients (id),
    pharmacy_id      text REFERENCES organisations (id),
    kind             text NOT NULL,
    rule             text NOT NULL,
    message          text NOT NULL,
    dedupe_key       text NOT NULL UNIQUE,
    created_at       datetime NOT NULL,
    acknowledged_at  datetime,
    acknowledged_by  text REFERENCES users (id)
);
CREATE INDEX alerts_service ON alerts (service_id, created_at);
CREATE INDEX alerts_pharmacy ON alerts (pharmacy_id, created_at);

CREATE TABLE day_closes (
    pharmacy_id  text NOT NULL REFERENCES organisations (id),
    date         date NOT NULL,
    closed_at    datetime NOT NULL,
    missed       integer NOT NULL,
    PRIMARY KEY (pharmacy_id, date)
);

CREATE TABLE shared_care (
    id                    text PRIMARY KEY,
    patient_id            text NOT NULL REFERENCES patients (id),
    service_id            text NOT NULL REFERENCES organisations (id),
    practice_id           text NOT NULL REFERENCES organisations (id),
    status                text NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'handed_back')),
    criteria              text NOT NULL,
    proposed_by           text NOT NULL REFERENCES users (id),
    proposed_at           datetime NOT NULL,
    specialist_review_due date,
    gp_review_due         date
);
-- One open (proposed or accepted) arrangement per patient.
CREATE UNIQUE INDEX shared_care_one_open ON shared_care (patient_id) WHERE status IN ('proposed', 'accepted');
CREATE INDEX shared_care_practice ON shared_care (practice_id, status);

CREATE TABLE shared_care_events (
    id              text PRIMARY KEY,
    shared_care_id  text NOT NULL REFERENCES shared_care (id),
    kind            text NOT NULL,
    party           text NOT NULL,
    user_id         text NOT NULL REFERENCES users (id),
    reason          text NOT NULL DEFAULT '',
    occurred_at     datetime NOT NULL
);
CREATE INDEX shared_care_events_arrangement ON shared_care_events (shared_care_id, occurred_at);

-- +goose Down
DROP TABLE shared_care_events;
DROP TABLE shared_care;
DROP TABLE day_closes;
DROP TABLE alerts;
DROP TABLE reviews;
DROP TABLE idempotency_keys;
DROP TABLE dose_events;
DROP TABLE instalments;
DROP TABLE prescriptions;
DROP TABLE serial_counters;
DROP TABLE drug_screens;
DROP TABLE administrations;
DROP TABLE rule_overrides;
DROP TABLE dose_changes;
DROP TABLE regimes;
DROP TABLE patients;
