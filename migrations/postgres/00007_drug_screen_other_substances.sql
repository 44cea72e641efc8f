-- +goose Up
-- A screen names each substance it tested beyond the standard panel
-- (fentanyl, nitazenes, pregabalin ...) with its result, as JSON
-- [{"name", "result"}]; older screens kept one unnamed "other" result in
-- results, which is read as a named other substance.
ALTER TABLE drug_screens ADD COLUMN other_substances text NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE drug_screens DROP COLUMN other_substances;
