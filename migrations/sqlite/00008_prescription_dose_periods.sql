-- +goose Up
-- A prescription states its dose (L2). When a dose change takes effect
-- inside its period (a reissue after a change, or a prescription written
-- across a planned change), one daily dose is not the truth: each period of
-- one daily dose is stored, at creation and never after, as JSON
-- [{"from": "YYYY-MM-DD", "daily_dose_ug": n}] in date order. Prescriptions
-- written before this column had one dose for all their days.
-- SQLite adds a NOT NULL column only with a default; every writer sets it.
ALTER TABLE prescriptions ADD COLUMN dose_periods text NOT NULL DEFAULT '[]';
UPDATE prescriptions SET dose_periods =
    json_array(json_object('from', substr(start_date, 1, 10), 'daily_dose_ug', daily_dose_ug));

-- +goose Down
ALTER TABLE prescriptions DROP COLUMN dose_periods;
