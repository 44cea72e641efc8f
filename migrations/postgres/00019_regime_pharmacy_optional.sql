-- +goose Up
-- Buvidal is given by a healthcare professional, never dispensed (BV2), so
-- a regime of it needs no dispensing pharmacy: regimes.pharmacy_id may be
-- NULL.
ALTER TABLE regimes ALTER COLUMN pharmacy_id DROP NOT NULL;

-- +goose Down
-- A regime without a pharmacy cannot go back under the NOT NULL.
ALTER TABLE regimes ALTER COLUMN pharmacy_id SET NOT NULL;
