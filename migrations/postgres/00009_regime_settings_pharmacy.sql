-- +goose Up
-- Moving a patient to another pharmacy is a change of the regime's settings,
-- like a new pickup pattern: an entry with its effective date, who and why.
-- regimes.pharmacy_id stays as the latest entry; earlier entries get the
-- pharmacy the regime had.
ALTER TABLE regime_settings ADD COLUMN pharmacy_id uuid REFERENCES organisations (id);
UPDATE regime_settings SET pharmacy_id = (SELECT r.pharmacy_id FROM regimes r WHERE r.id = regime_settings.regime_id);

-- +goose Down
ALTER TABLE regime_settings DROP COLUMN pharmacy_id;
