-- Payments between public bodies: a ledger line whose payee is a registered body records that body,
-- so a place count can count the money once, at the body that finally spends it.
ALTER TABLE spend_line ADD COLUMN payee_body_code text;
ALTER TABLE spend_rollup ADD COLUMN payee_body_code text NOT NULL DEFAULT '';
ALTER TABLE spend_rollup DROP CONSTRAINT spend_rollup_pkey;
ALTER TABLE spend_rollup ADD PRIMARY KEY (body_code, file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified, payee_body_code);
