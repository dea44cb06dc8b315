-- The ledger as a star: narrow facts, one row per line, and the distinct descriptive combinations of each
-- file ("groups") they point to. Why (measured on the 2-core machine, 1M lines): COPY into the old 32-column
-- spend_line took 3.9 s on PostgreSQL and 9 s on PGlite before any index; its primary key and drill-down
-- index took it to 13.5 s. A published file repeats the same supplier, service area, expense type and
-- description thousands of times, so those columns are stored once per group, and classification is decided
-- (and re-decided) once per group instead of once per line.
--
--   spend_fact      one row per ledger line: date, amounts, transaction reference, group. Partitioned by body,
--                   then by file: each file's lines are one table of their own (spend_fact_f<file_id>), written
--                   by COPY before it is attached, with no index to maintain per line; deleting or replacing a
--                   file drops its table. Lines are never updated: all that classification changes is in groups.
--   spend_payee     per file, each distinct payee as published (name, the body's supplier number, company,
--                   charity and VAT numbers), its kind and the registered body it is, if any.
--   spend_coding    per file, each distinct coding (sheet, directorate, service area, expense type, category,
--                   ProClass, SeRCOP, capital or revenue, card flag, publisher).
--   spend_text      per file, each distinct description.
--   spend_group     per file, each distinct payee x coding x description that has lines, with its classification
--                   and the count and sum of its lines; a line points to one group.
--   spend_top_line  per file, year and theme, the largest lines (src/ingest/produce.ts, TOP_LINES): the drill-down
--                   "largest first" reads these through an index instead of sorting every line.
--   spend_top_cut   per file, year and theme: how many lines there are, how many are listed, and the amount
--                   below which lines may be missing from the list (src/ledger/lines.ts uses it to know when
--                   the list answers a query exactly).
--   spend_line      a view joining facts and groups, with the columns the old table had, for every reader.
--
-- Distribution (Citus): all four tables carry body_code, lead every key with it and join on it.

CREATE FUNCTION financial_year_of(d date) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN extract(month FROM d) >= 4
              THEN extract(year FROM d)::int::text || '-' || lpad(((extract(year FROM d)::int + 1) % 100)::text, 2, '0')
              ELSE (extract(year FROM d)::int - 1)::text || '-' || lpad((extract(year FROM d)::int % 100)::text, 2, '0') END
$$;

CREATE TABLE spend_payee (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  payee_id        int     NOT NULL,
  supplier_name   text,
  supplier_ref    text,                    -- the body's own supplier number
  payee_kind      text    NOT NULL,        -- organisation | individual | redacted | unknown
  company_no      text,
  charity_no      text,
  vat_no          text,
  payee_body_code text,                    -- the registered public body the payee is
  PRIMARY KEY (body_code, file_id, payee_id)
);

CREATE TABLE spend_coding (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  coding_id       int     NOT NULL,
  sheet           text,
  directorate     text,
  service_area    text,
  expense_type    text,
  category        text,
  proclass        text,
  sercop          text,
  capital_revenue text,                    -- capital | revenue
  is_card         boolean,
  publisher_name  text,                    -- the organisation column in the file, if any
  PRIMARY KEY (body_code, file_id, coding_id)
);

CREATE TABLE spend_text (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  text_id         int     NOT NULL,
  description     text,
  PRIMARY KEY (body_code, file_id, text_id)
);

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
);

CREATE TABLE spend_fact (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  line_id         int     NOT NULL,        -- 1, 2, 3 ... in the order the file's lines were read
  line_no         int     NOT NULL,        -- 1-based line (CSV) or row (XLSX) in the source
  payment_date    date    NOT NULL,
  amount_pence    bigint  NOT NULL,        -- net of recoverable VAT
  vat_pence       bigint,
  gross_pence     bigint,
  group_id        int     NOT NULL,
  transaction_ref text
) PARTITION BY LIST (body_code);

CREATE TABLE spend_top_line (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  financial_year  text    NOT NULL,
  theme_code      text    NOT NULL,
  line_id         int     NOT NULL,
  line_no         int     NOT NULL,
  payment_date    date    NOT NULL,
  amount_pence    bigint  NOT NULL,
  vat_pence       bigint,
  gross_pence     bigint,
  group_id        int     NOT NULL,
  transaction_ref text,
  PRIMARY KEY (body_code, file_id, line_id)
);
CREATE INDEX spend_top_line_rank ON spend_top_line (body_code, financial_year, theme_code, (abs(amount_pence)) DESC, file_id, line_id);

CREATE TABLE spend_top_cut (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  financial_year  text    NOT NULL,
  theme_code      text    NOT NULL,
  lines           int     NOT NULL,        -- the file's lines in this year and theme
  listed          int     NOT NULL,        -- of which in spend_top_line
  cutoff_abs      bigint,                  -- when some are not listed: no unlisted line is larger than this
  PRIMARY KEY (body_code, file_id, financial_year, theme_code)
);

-- A file's top lines and their cuts, recomputed from its facts and groups (after a reclassification, which
-- can move lines between themes; and for ledgers moved across from the old table). k is the list length
-- (TOP_LINES in src/ingest/produce.ts, which keeps the same lists while a file is parsed).
CREATE FUNCTION spend_top_rebuild(p_body text, p_file bigint, k int) RETURNS void LANGUAGE sql AS $$
  DELETE FROM spend_top_line WHERE body_code = p_body AND file_id = p_file;
  DELETE FROM spend_top_cut WHERE body_code = p_body AND file_id = p_file;
  INSERT INTO spend_top_line (body_code, file_id, financial_year, theme_code, line_id, line_no, payment_date, amount_pence, vat_pence, gross_pence, group_id, transaction_ref)
  SELECT body_code, file_id, fy, theme_code, line_id, line_no, payment_date, amount_pence, vat_pence, gross_pence, group_id, transaction_ref
    FROM (SELECT f.*, financial_year_of(f.payment_date) AS fy, g.theme_code,
                 row_number() OVER (PARTITION BY financial_year_of(f.payment_date), g.theme_code ORDER BY abs(f.amount_pence) DESC, f.line_id) AS rank
            FROM spend_fact f JOIN spend_group g ON g.body_code = f.body_code AND g.file_id = f.file_id AND g.group_id = f.group_id
           WHERE f.body_code = p_body AND f.file_id = p_file) r
   WHERE rank <= k;
  INSERT INTO spend_top_cut (body_code, file_id, financial_year, theme_code, lines, listed, cutoff_abs)
  SELECT c.body_code, c.file_id, c.fy, c.theme_code, c.lines, least(c.lines, k),
         CASE WHEN c.lines > k THEN (SELECT min(abs(t.amount_pence)) FROM spend_top_line t
                                      WHERE t.body_code = c.body_code AND t.file_id = c.file_id AND t.financial_year = c.fy AND t.theme_code = c.theme_code) END
    FROM (SELECT f.body_code, f.file_id, financial_year_of(f.payment_date) AS fy, g.theme_code, count(*)::int AS lines
            FROM spend_fact f JOIN spend_group g ON g.body_code = f.body_code AND g.file_id = f.file_id AND g.group_id = f.group_id
           WHERE f.body_code = p_body AND f.file_id = p_file
           GROUP BY 1, 2, 3, 4) c;
$$;

-- Existing ledgers move across: one fact table per file, groups numbered in first-seen order.
ALTER TABLE spend_line RENAME TO spend_line_v11;
ALTER INDEX spend_line_theme_amount RENAME TO spend_line_v11_theme_amount;

DO $$
DECLARE
  f record;
  leaf text;
BEGIN
  FOR f IN SELECT DISTINCT body_code, file_id FROM spend_line_v11 ORDER BY 1, 2 LOOP
    leaf := 'spend_fact_f' || f.file_id;
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF spend_fact FOR VALUES IN (%L) PARTITION BY LIST (file_id)',
                   'spend_fact_b_' || left(md5(f.body_code), 16), f.body_code);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%s)', leaf, 'spend_fact_b_' || left(md5(f.body_code), 16), f.file_id);
    CREATE TEMP TABLE migrate_line ON COMMIT DROP AS
      SELECT s.*,
             dense_rank() OVER (ORDER BY supplier_name, supplier_ref, payee_kind, company_no, charity_no, vat_no, payee_body_code)::int AS pid,
             dense_rank() OVER (ORDER BY sheet, directorate, service_area, expense_type, category, proclass, sercop, capital_revenue, is_card, publisher_name)::int AS cid,
             dense_rank() OVER (ORDER BY description)::int AS tid
        FROM spend_line_v11 s WHERE s.body_code = f.body_code AND s.file_id = f.file_id;
    ALTER TABLE migrate_line ADD COLUMN gid int;
    UPDATE migrate_line m SET gid = r.gid
      FROM (SELECT line_id, dense_rank() OVER (ORDER BY pid, cid, tid, theme_code, cofog_code, prevention_code, rule_id)::int AS gid FROM migrate_line) r
     WHERE r.line_id = m.line_id;
    INSERT INTO spend_payee SELECT DISTINCT ON (pid) f.body_code, f.file_id, pid, supplier_name, supplier_ref, payee_kind, company_no, charity_no, vat_no, payee_body_code FROM migrate_line ORDER BY pid;
    INSERT INTO spend_coding SELECT DISTINCT ON (cid) f.body_code, f.file_id, cid, sheet, directorate, service_area, expense_type, category, proclass, sercop, capital_revenue, is_card, publisher_name FROM migrate_line ORDER BY cid;
    INSERT INTO spend_text SELECT DISTINCT ON (tid) f.body_code, f.file_id, tid, description FROM migrate_line ORDER BY tid;
    INSERT INTO spend_group SELECT f.body_code, f.file_id, gid, min(pid), min(cid), min(tid), min(theme_code), min(cofog_code), min(prevention_code), min(rule_id), count(*), sum(amount_pence)
      FROM migrate_line GROUP BY gid;
    EXECUTE format('INSERT INTO %I (body_code, file_id, line_id, line_no, payment_date, amount_pence, vat_pence, gross_pence, group_id, transaction_ref)
      SELECT body_code, file_id, line_id, line_no, payment_date, amount_pence, vat_pence, gross_pence, gid, transaction_ref FROM migrate_line ORDER BY line_id', leaf);
    DROP TABLE migrate_line;
    PERFORM spend_top_rebuild(f.body_code, f.file_id, 500);
  END LOOP;
END $$;

DROP TABLE spend_line_v11;

-- A group with its payee, coding and description: what classification and the coverage report read. The
-- dimensions are joined LEFT (every group has all three) so the planner joins each through its key from
-- the group, never dimensions to one another by file alone.
CREATE VIEW spend_group_detail AS
SELECT g.body_code, g.file_id, g.group_id, c.sheet, p.supplier_name, p.supplier_ref, p.payee_kind, p.company_no, p.charity_no, p.vat_no,
       c.directorate, c.service_area, c.expense_type, c.category, t.description, c.proclass, c.sercop, c.capital_revenue, c.is_card,
       c.publisher_name, p.payee_body_code, g.theme_code, g.cofog_code, g.prevention_code, g.rule_id, g.lines, g.amount_pence
  FROM spend_group g
  LEFT JOIN spend_payee p ON p.body_code = g.body_code AND p.file_id = g.file_id AND p.payee_id = g.payee_id
  LEFT JOIN spend_coding c ON c.body_code = g.body_code AND c.file_id = g.file_id AND c.coding_id = g.coding_id
  LEFT JOIN spend_text t ON t.body_code = g.body_code AND t.file_id = g.file_id AND t.text_id = g.text_id;

-- Every line with everything known about it, as the old spend_line table had it.
CREATE VIEW spend_line AS
SELECT f.body_code, f.file_id, f.line_id, g.sheet, f.line_no, f.payment_date, financial_year_of(f.payment_date) AS financial_year,
       f.amount_pence, f.vat_pence, f.gross_pence, g.supplier_name, g.supplier_ref, g.payee_kind, g.company_no, g.charity_no, g.vat_no,
       f.transaction_ref, g.directorate, g.service_area, g.expense_type, g.category, g.description, g.proclass, g.sercop,
       g.capital_revenue, g.is_card, g.publisher_name, g.theme_code, g.cofog_code, g.prevention_code, g.rule_id, g.payee_body_code,
       f.group_id
  FROM spend_fact f JOIN spend_group_detail g ON g.body_code = f.body_code AND g.file_id = f.file_id AND g.group_id = f.group_id;
