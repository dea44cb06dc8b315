-- spend_group partitioned by body, as spend_fact is (spend_group_b_<md5 of the code>). A body's first load
-- copies its groups into a table of its own with no key and builds the key once, sorting, when it attaches
-- the table (src/ledger/repository.ts, createFileTables): on PGlite a key kept up row by row costs 5-25 us a
-- row (5M lines' 2.1M groups: 8.3 s that way, 4.0-4.5 s this way). Not one table per file, as spend_fact has:
-- measured with 240 small files, a drill-down then planned over 240 group tables and took 32 ms instead of
-- 5, and a supplier search 507 ms instead of 42.
--
-- The views over spend_group are made again: a view keeps to the table it was made on.

DROP VIEW spend_line;
DROP VIEW spend_group_detail;
ALTER TABLE spend_group RENAME TO spend_group_v12;
ALTER INDEX spend_group_pkey RENAME TO spend_group_v12_pkey;

CREATE TABLE spend_group (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  group_id        int     NOT NULL,
  payee_id        int     NOT NULL,
  coding_id       int     NOT NULL,
  text_id         int     NOT NULL,
  theme_code      text    NOT NULL,
  cofog_code      text,
  prevention_code text,
  rule_id         int,                     -- the classification rule that decided; null = unclassified
  lines           int     NOT NULL,
  amount_pence    bigint  NOT NULL,
  PRIMARY KEY (body_code, file_id, group_id)
) PARTITION BY LIST (body_code);

-- Existing groups move across, one table per body (named as spend_fact's body partitions are).
DO $$
DECLARE
  b record;
BEGIN
  FOR b IN SELECT DISTINCT body_code FROM spend_group_v12 ORDER BY 1 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF spend_group FOR VALUES IN (%L)', 'spend_group_b_' || left(md5(b.body_code), 16), b.body_code);
    EXECUTE format('INSERT INTO %I SELECT * FROM spend_group_v12 WHERE body_code = %L ORDER BY file_id, group_id',
                   'spend_group_b_' || left(md5(b.body_code), 16), b.body_code);
  END LOOP;
END $$;

DROP TABLE spend_group_v12;

-- As in 012_star_ledger.sql.
CREATE VIEW spend_group_detail AS
SELECT g.body_code, g.file_id, g.group_id, c.sheet, p.supplier_name, p.supplier_ref, p.payee_kind, p.company_no, p.charity_no, p.vat_no,
       c.directorate, c.service_area, c.expense_type, c.category, t.description, c.proclass, c.sercop, c.capital_revenue, c.is_card,
       c.publisher_name, p.payee_body_code, g.theme_code, g.cofog_code, g.prevention_code, g.rule_id, g.lines, g.amount_pence
  FROM spend_group g
  LEFT JOIN spend_payee p ON p.body_code = g.body_code AND p.file_id = g.file_id AND p.payee_id = g.payee_id
  LEFT JOIN spend_coding c ON c.body_code = g.body_code AND c.file_id = g.file_id AND c.coding_id = g.coding_id
  LEFT JOIN spend_text t ON t.body_code = g.body_code AND t.file_id = g.file_id AND t.text_id = g.text_id;

CREATE VIEW spend_line AS
SELECT f.body_code, f.file_id, f.line_id, g.sheet, f.line_no, f.payment_date, financial_year_of(f.payment_date) AS financial_year,
       f.amount_pence, f.vat_pence, f.gross_pence, g.supplier_name, g.supplier_ref, g.payee_kind, g.company_no, g.charity_no, g.vat_no,
       f.transaction_ref, g.directorate, g.service_area, g.expense_type, g.category, g.description, g.proclass, g.sercop,
       g.capital_revenue, g.is_card, g.publisher_name, g.theme_code, g.cofog_code, g.prevention_code, g.rule_id, g.payee_body_code,
       f.group_id
  FROM spend_fact f JOIN spend_group_detail g ON g.body_code = f.body_code AND g.file_id = f.file_id AND g.group_id = f.group_id;
