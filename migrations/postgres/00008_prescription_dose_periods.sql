-- +goose Up
-- A prescription states its dose (L2). When a dose change takes effect
-- inside its period (a reissue after a change, or a prescription written
-- across a planned change), one daily dose is not the truth: each period of
-- one daily dose is stored, at creation and never after, as JSON
-- [{"from": "YYYY-MM-DD", "daily_dose_ug": n}] in date order. Prescriptions
-- written before this column had one dose for all their days.
ALTER TABLE prescriptions ADD COLUMN dose_periods text;
UPDATE prescriptions SET dose_periods =
    json_build_array(json_build_object('from', to_char(start_date, 'YYYY-MM-DD'), 'daily_dose_ug', daily_dose_ug))::text;
-- No default: a writer that forgets the periods fails here, loudly.
ALTER TABLE prescriptions ALTER COLUMN dose_periods SET NOT NULL;

-- +goose Down
ALTER TABLE prescriptions DROP COLUMN dose_periods;
