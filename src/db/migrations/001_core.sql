-- Core schema. Distribution (Citus): tables holding spend facts carry the publishing body's code
-- (body_code) first in every primary key and join, so they can be distributed by body_code;
-- small taxonomies and registers are reference tables. test/db/distribution.test.ts checks this.

-- Reference tables ---------------------------------------------------------------------------

CREATE TABLE body_type (
  code        text PRIMARY KEY,
  label       text NOT NULL,
  sort_order  int  NOT NULL DEFAULT 0
);

CREATE TABLE body (
  code        text PRIMARY KEY,            -- GSS (councils, police force areas), ODS (NHS), org-id style otherwise
  name        text NOT NULL,
  body_type   text NOT NULL REFERENCES body_type (code),
  areas       text[] NOT NULL DEFAULT '{}', -- GSS codes of the areas it serves
  parent_code text,                         -- e.g. the county a district sits in
  region      text,
  aliases     text[] NOT NULL DEFAULT '{}', -- other names it is published under
  source      text NOT NULL DEFAULT 'user', -- 'reference' (shipped) or 'user'
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE theme (
  code             text PRIMARY KEY,
  label            text NOT NULL,
  description      text NOT NULL DEFAULT '',
  default_cofog    text,
  default_prevention text,
  sort_order       int NOT NULL DEFAULT 0
);

CREATE TABLE cofog_division (
  code   text PRIMARY KEY,  -- '01'..'10'
  label  text NOT NULL
);

CREATE TABLE prevention_level (
  code        text PRIMARY KEY,
  label       text NOT NULL,
  description text NOT NULL DEFAULT '',
  sort_order  int NOT NULL DEFAULT 0
);

-- Ordered, editable classification rules. The first enabled rule (lowest position) whose every
-- condition matches decides a line; the line records the rule's id.
CREATE TABLE classification_rule (
  id           serial PRIMARY KEY,
  position     int  NOT NULL,
  name         text NOT NULL,
  conditions   jsonb NOT NULL,           -- [{"field": "...", "op": "...", "value": "..."}], all must match
  theme_code   text NOT NULL REFERENCES theme (code),
  cofog_code   text REFERENCES cofog_division (code),
  prevention_code text REFERENCES prevention_level (code),
  enabled      boolean NOT NULL DEFAULT true,
  shipped      boolean NOT NULL DEFAULT false,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX classification_rule_position ON classification_rule (position, id);

-- A saved column mapping per body: header text (normalised) -> canonical field.
CREATE TABLE column_mapping (
  body_code   text PRIMARY KEY,
  mapping     jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT ''
);

CREATE TABLE audit_event (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  action  text NOT NULL,
  target  text NOT NULL DEFAULT '',
  detail  jsonb NOT NULL DEFAULT '{}'
);

-- Distributed tables (by body_code) -------------------------------------------------------

CREATE SEQUENCE source_file_id_seq;

CREATE TABLE source_file (
  body_code     text   NOT NULL,
  file_id       bigint NOT NULL DEFAULT nextval('source_file_id_seq'),
  file_name     text   NOT NULL,
  file_path     text   NOT NULL,
  checksum      text   NOT NULL,           -- sha256 of the file's bytes: the same file is recognised by it
  size_bytes    bigint NOT NULL,
  format        text   NOT NULL,           -- csv | xlsx | zip:csv ...
  encoding      text,
  mapping       jsonb  NOT NULL,           -- per sheet: header row, columns and the field each maps to
  rows_loaded   int    NOT NULL,
  rows_rejected int    NOT NULL,
  total_pence   bigint NOT NULL,
  loaded_at     timestamptz NOT NULL DEFAULT now(),
  loaded_by     text   NOT NULL DEFAULT '',
  PRIMARY KEY (body_code, file_id),
  UNIQUE (body_code, checksum)
);

CREATE TABLE spend_line (
  body_code       text    NOT NULL,
  file_id         bigint  NOT NULL,
  line_id         int     NOT NULL,        -- sequence of the line within its file
  sheet           text,
  line_no         int     NOT NULL,        -- 1-based line (CSV) or row (XLSX) in the source
  payment_date    date    NOT NULL,
  financial_year  text    NOT NULL,        -- '2023-24'
  amount_pence    bigint  NOT NULL,        -- net of recoverable VAT
  vat_pence       bigint,
  gross_pence     bigint,
  supplier_name   text,
  supplier_ref    text,                    -- the body's own supplier number
  payee_kind      text    NOT NULL,        -- organisation | individual | redacted | unknown
  company_no      text,
  charity_no      text,
  vat_no          text,
  transaction_ref text,
  directorate     text,
  service_area    text,
  expense_type    text,
  category        text,
  description     text,
  proclass        text,
  sercop          text,
  capital_revenue text,                    -- capital | revenue
  is_card         boolean,
  publisher_name  text,                    -- the organisation column in the file, if any
  theme_code      text    NOT NULL,
  cofog_code      text,
  prevention_code text,
  rule_id         int,                     -- the classification rule that decided; null = unclassified
  PRIMARY KEY (body_code, file_id, line_id)
);

CREATE TABLE rejected_row (
  body_code   text   NOT NULL,
  file_id     bigint NOT NULL,
  seq         int    NOT NULL,
  sheet       text,
  line_no     int    NOT NULL,
  column_name text,
  reason      text   NOT NULL,
  raw         text   NOT NULL,
  PRIMARY KEY (body_code, file_id, seq)
);

-- Exact rollup maintained at load time (and on reclassification): dashboards read this, never
-- spend_line. One row per file x year x month x classification, so replacing a file replaces its rows.
CREATE TABLE spend_rollup (
  body_code       text   NOT NULL,
  file_id         bigint NOT NULL,
  financial_year  text   NOT NULL,
  month           text   NOT NULL,         -- 'YYYY-MM'
  theme_code      text   NOT NULL,
  cofog_code      text   NOT NULL,         -- '' when not known
  prevention_code text   NOT NULL,         -- '' when not known
  classified      boolean NOT NULL,
  lines           int    NOT NULL,
  amount_pence    bigint NOT NULL,
  PRIMARY KEY (body_code, file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified)
);
