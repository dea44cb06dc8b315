-- Supplier totals for the theme deep dive: spend_rollup_supplier merged over a body's files, one row per
-- body x year x theme x supplier x payee body, with spellings that differ only in case already grouped.
-- A deep dive ranks a place's suppliers from these rows instead of grouping every file's rows by
-- lower(name) at query time. Kept exact (src/ledger/rollup.ts): a load adds its file's tallies; a
-- replaced or deleted file and a reclassification recompute the groups they touch from
-- spend_rollup_supplier; test/rollup-exact.test.ts compares every figure with a full scan of spend_line.
-- Distributed under Citus with body_code first, like the rollups it is made from.
CREATE TABLE spend_supplier_total (
  body_code       text   NOT NULL,
  financial_year  text   NOT NULL,
  theme_code      text   NOT NULL,
  supplier_group  text   NOT NULL,         -- payee_kind || ':' || lower(supplier_key) ('individual:', 'redacted:' for withheld names)
  payee_body_code text   NOT NULL,         -- '' unless the payee is a registered body
  payee_kind      text   NOT NULL,
  supplier_name   text   NOT NULL,         -- the first spelling in sort order, or the fixed label for withheld names
  lines           bigint NOT NULL,
  amount_pence    bigint NOT NULL,
  PRIMARY KEY (body_code, financial_year, theme_code, supplier_group, payee_body_code)
);

INSERT INTO spend_supplier_total (body_code, financial_year, theme_code, supplier_group, payee_body_code, payee_kind, supplier_name, lines, amount_pence)
SELECT body_code, financial_year, theme_code, payee_kind || ':' || lower(supplier_key), payee_body_code, payee_kind,
       min(supplier_name), sum(lines), sum(amount_pence)
  FROM spend_rollup_supplier
 GROUP BY body_code, financial_year, theme_code, payee_kind || ':' || lower(supplier_key), payee_body_code, payee_kind
 ORDER BY body_code, financial_year, theme_code;
