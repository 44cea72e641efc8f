-- +goose Up
-- A regime's pickup pattern and stage are clinical decisions: each change is
-- a new entry with who, when and why, never an edit. regimes.pattern, stage
-- and supervision_relaxed_reason stay as the latest entry, kept in the same
-- transaction, so the pharmacy day list reads them without a subquery.
CREATE TABLE regime_settings (
    id                          text PRIMARY KEY,
    regime_id                   text NOT NULL REFERENCES regimes (id),
    effective_date              date NOT NULL,
    stage                       text NOT NULL,
    pattern                     text NOT NULL,
    supervision_relaxed_reason  text NOT NULL DEFAULT '',
    reason                      text NOT NULL,
    changed_by                  text NOT NULL REFERENCES users (id),
    created_at                  datetime NOT NULL
);
CREATE INDEX regime_settings_regime ON regime_settings (regime_id, effective_date, created_at);

-- Regimes written before this table existed get their current settings as
-- the first entry (the regime id is free to reuse as the entry id).
INSERT INTO regime_settings (id, regime_id, effective_date, stage, pattern, supervision_relaxed_reason, reason, changed_by, created_at)
SELECT id, id, start_date, stage, pattern, supervision_relaxed_reason, 'Settings in force when the history began', created_by, created_at
FROM regimes;

-- BV3: whether the patient was new to buprenorphine is a fact of the
-- regime's start, not something each injection request may restate.
ALTER TABLE regimes ADD COLUMN buprenorphine_naive boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE regimes DROP COLUMN buprenorphine_naive;
DROP TABLE regime_settings;
