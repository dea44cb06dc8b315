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
  -- The group has another row in this year and theme (at another body, or under another payee body here).
  -- Never false when that is so; it may stay true after the other row goes, which counts stay exact with.
  shared          boolean NOT NULL DEFAULT false,
  PRIMARY KEY (body_code, financial_year, theme_code, supplier_group, payee_body_code)
);
-- Finding a group's rows at every body (to mark them shared).
CREATE INDEX spend_supplier_total_group ON spend_supplier_total (financial_year, theme_code, supplier_group);

-- How many suppliers of a body, year and theme are its alone: rows with no payee body that are not shared.
-- A place's distinct suppliers are the sum of these over its bodies plus the distinct groups among the
-- other rows (shared, or paid as a registered body), which are few: no scan of every supplier.
CREATE TABLE spend_supplier_count (
  body_code       text NOT NULL,
  financial_year  text NOT NULL,
  theme_code      text NOT NULL,
  plain_suppliers int  NOT NULL,
  PRIMARY KEY (body_code, financial_year, theme_code)
);

INSERT INTO spend_supplier_total (body_code, financial_year, theme_code, supplier_group, payee_body_code, payee_kind, supplier_name, lines, amount_pence)
SELECT body_code, financial_year, theme_code, payee_kind || ':' || lower(supplier_key), payee_body_code, payee_kind,
       min(supplier_name), sum(lines), sum(amount_pence)
  FROM spend_rollup_supplier
 GROUP BY body_code, financial_year, theme_code, payee_kind || ':' || lower(supplier_key), payee_body_code, payee_kind
 ORDER BY body_code, financial_year, theme_code;

UPDATE spend_supplier_total t SET shared = true
  FROM (SELECT financial_year, theme_code, supplier_group FROM spend_supplier_total GROUP BY 1, 2, 3 HAVING count(*) > 1) d
 WHERE t.financial_year = d.financial_year AND t.theme_code = d.theme_code AND t.supplier_group = d.supplier_group;

INSERT INTO spend_supplier_count (body_code, financial_year, theme_code, plain_suppliers)
SELECT body_code, financial_year, theme_code, count(*) FILTER (WHERE payee_body_code = '' AND NOT shared)
  FROM spend_supplier_total GROUP BY 1, 2, 3;

-- The deep dive's threshold algorithm (src/place/top-suppliers.ts): each body's suppliers largest first;
-- and the few rows that are shared or paid as a registered public body, without reading the rest.
CREATE INDEX spend_supplier_total_rank ON spend_supplier_total (body_code, financial_year, theme_code, amount_pence DESC) WHERE payee_body_code = '';
CREATE INDEX spend_supplier_total_special ON spend_supplier_total (body_code, financial_year, theme_code) WHERE shared OR payee_body_code <> '';
