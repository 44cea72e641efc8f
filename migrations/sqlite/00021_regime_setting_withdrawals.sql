-- +goose Up
-- A dose change that changed the stage too wrote a settings entry
-- ("Stage changed with the dose change: ..."). When a later change
-- withdraws that planned dose change (T1, docs/adr/0010), the stage it set
-- is withdrawn with it: the whole decision is withdrawn. The entry stays as
-- recorded; this row names the dose change that withdrew it, whose
-- prescriber, created_at and reason say who, when and why. Append-only,
-- like dose_change_withdrawals.
CREATE TABLE regime_setting_withdrawals (
    setting_id    text PRIMARY KEY REFERENCES regime_settings (id),
    withdrawn_by  text NOT NULL REFERENCES dose_changes (id),
    created_at    datetime NOT NULL
);
CREATE INDEX regime_setting_withdrawals_by ON regime_setting_withdrawals (withdrawn_by);
-- +goose StatementBegin
CREATE TRIGGER regime_setting_withdrawals_no_update BEFORE UPDATE ON regime_setting_withdrawals
BEGIN
    SELECT RAISE(ABORT, 'regime_setting_withdrawals is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER regime_setting_withdrawals_no_delete BEFORE DELETE ON regime_setting_withdrawals
BEGIN
    SELECT RAISE(ABORT, 'regime_setting_withdrawals is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- Dose changes withdrawn before this table existed withdraw the stage entry
-- they wrote: the first entry recorded after the change, by its prescriber,
-- on its day, with its stage and reason, and before the withdrawal.
INSERT INTO regime_setting_withdrawals (setting_id, withdrawn_by, created_at)
SELECT rs.id, w.withdrawn_by, w.created_at
FROM dose_change_withdrawals w
JOIN dose_changes dc ON dc.id = w.dose_change_id
JOIN regime_settings rs ON rs.regime_id = dc.regime_id AND rs.effective_date = dc.effective_date
    AND rs.stage = dc.stage AND rs.changed_by = dc.prescriber_id
    AND rs.reason = 'Stage changed with the dose change: ' || dc.reason
    AND rs.created_at >= dc.created_at AND rs.created_at <= w.created_at
WHERE NOT EXISTS (SELECT 1 FROM regime_settings e WHERE e.regime_id = rs.regime_id AND e.effective_date = rs.effective_date
    AND e.stage = rs.stage AND e.reason = rs.reason AND e.created_at >= dc.created_at
    AND (e.created_at < rs.created_at OR (e.created_at = rs.created_at AND e.id < rs.id)));

-- regimes.stage, pattern, supervision_relaxed_reason and pharmacy_id are the
-- latest standing entry.
UPDATE regimes SET
    stage = (SELECT rs.stage FROM regime_settings rs WHERE rs.regime_id = regimes.id
        AND NOT EXISTS (SELECT 1 FROM regime_setting_withdrawals x WHERE x.setting_id = rs.id)
        ORDER BY rs.effective_date DESC, rs.created_at DESC, rs.id DESC LIMIT 1),
    pattern = (SELECT rs.pattern FROM regime_settings rs WHERE rs.regime_id = regimes.id
        AND NOT EXISTS (SELECT 1 FROM regime_setting_withdrawals x WHERE x.setting_id = rs.id)
        ORDER BY rs.effective_date DESC, rs.created_at DESC, rs.id DESC LIMIT 1),
    supervision_relaxed_reason = (SELECT rs.supervision_relaxed_reason FROM regime_settings rs WHERE rs.regime_id = regimes.id
        AND NOT EXISTS (SELECT 1 FROM regime_setting_withdrawals x WHERE x.setting_id = rs.id)
        ORDER BY rs.effective_date DESC, rs.created_at DESC, rs.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM regime_settings rs JOIN regime_setting_withdrawals x ON x.setting_id = rs.id WHERE rs.regime_id = regimes.id);

-- +goose Down
DROP TABLE regime_setting_withdrawals;
