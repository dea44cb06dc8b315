-- Secondary exact rollups for the theme deep dive, maintained at load time from the file's own lines
-- (tallied while the file is parsed, src/ingest/produce.ts) and rebuilt with spend_rollup on reclassification. Like
-- spend_rollup they are per file, so replacing or deleting a file replaces or deletes its rows, and a
-- test compares every figure with a full scan of spend_line. payee_body_code is kept so deep dives net
-- payments between a place's bodies exactly as the count does. Distributed under Citus: body_code first;
-- then year and theme, so a deep dive reads one index range per body.
CREATE TABLE spend_rollup_service (
  body_code       text   NOT NULL,
  file_id         bigint NOT NULL,
  financial_year  text   NOT NULL,
  theme_code      text   NOT NULL,
  service_area    text   NOT NULL,         -- '' when not given
  payee_body_code text   NOT NULL,         -- '' unless the payee is a registered body
  lines           int    NOT NULL,
  amount_pence    bigint NOT NULL,
  PRIMARY KEY (body_code, financial_year, theme_code, file_id, service_area, payee_body_code)
);

-- One row per supplier name as published (and payee kind); individuals and redacted payees are one row
-- each (per file, year, theme, payee body) under a fixed label, never their names. supplier_key is the
-- name as published ('' for individuals, redacted payees and missing names); deep dives merge spellings
-- case-insensitively at query time (names are already trimmed and whitespace-collapsed on ingest).
CREATE TABLE spend_rollup_supplier (
  body_code       text   NOT NULL,
  file_id         bigint NOT NULL,
  financial_year  text   NOT NULL,
  theme_code      text   NOT NULL,
  payee_kind      text   NOT NULL,
  supplier_key    text   NOT NULL,
  payee_body_code text   NOT NULL,
  supplier_name   text   NOT NULL,         -- supplier_key, or 'Individuals (names withheld)' / 'Redacted by the publisher'
  lines           int    NOT NULL,
  amount_pence    bigint NOT NULL,
  PRIMARY KEY (body_code, financial_year, theme_code, file_id, payee_kind, supplier_key, payee_body_code)
);

-- Drill-down to the largest transactions of a body's theme and year (the deep dive's top transactions,
-- a figure's "lines behind it"): a top-N index scan per body instead of a sort of every matching line.
CREATE INDEX spend_line_theme_amount ON spend_line (body_code, theme_code, financial_year, (abs(amount_pence)) DESC);
