-- Duplication (issue 5): payees resolved into supplier entities, the decisions people make about them,
-- what a place assumes collaborative buying would save, and the register of data returns and inspections.
-- Resolution (src/insight/service.ts) rewrites the derived tables in one transaction; pages read them.
--
-- Citus: supplier_match, insight_supplier_spread and insight_category_rollup are derived from the ledger and
-- carry body_code first in their keys, to be distributed (and co-located) with spend_rollup_supplier; the
-- other tables are small registers (reference tables).

-- One supplier: a cluster of published names. entity_key stays the same across runs while the membership
-- does ("org-grant-thornton", "body-E07000117" for a registered public body).
CREATE TABLE supplier_entity (
  entity_key  text PRIMARY KEY,
  name        text NOT NULL,          -- the most-paid spelling, or the registered body's name
  body_code   text,                   -- the public body it is (the body register), or null
  names       int  NOT NULL,          -- distinct (body, published name) pairs in it
  bodies      int  NOT NULL,          -- bodies that paid it
  confidence  real NOT NULL           -- its weakest match (1 for a single name or a person's decision)
);

-- How each name, as each body published it, was resolved, and why.
CREATE TABLE supplier_match (
  body_code    text NOT NULL,
  supplier_key text NOT NULL,         -- the name as published (spend_rollup_supplier.supplier_key)
  entity_key   text NOT NULL,
  rule         text NOT NULL,         -- user-merge | public-body | company-number | charity-number | vat-number |
                                      -- same-name | normalised-name | trading-name | fuzzy | single
  score        real NOT NULL,         -- the similarity behind the rule (1 for exact evidence)
  confidence   real NOT NULL,
  matched_to   text,                  -- the other name it was matched to
  PRIMARY KEY (body_code, supplier_key)
);
CREATE INDEX supplier_match_entity ON supplier_match (entity_key);

-- People's decisions about names (compared lower-case): 'same' joins them, 'different' keeps them apart.
-- They win over automatic matching at every resolution. One decision per pair (name_a < name_b).
CREATE TABLE supplier_decision (
  name_a  text NOT NULL,
  name_b  text NOT NULL,
  kind    text NOT NULL CHECK (kind IN ('same', 'different')),
  actor   text NOT NULL,
  at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name_a, name_b),
  CHECK (name_a < name_b)
);

-- Each resolution run: when, by whom, and its counts.
CREATE TABLE supplier_resolution (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text NOT NULL,
  names     int  NOT NULL,
  entities  int  NOT NULL,
  stats     jsonb NOT NULL
);

-- What each body pays a supplier paid by two or more bodies, by year and theme: the transactions' spread
-- (payments above zero; credits are in lines and amount only). financial_year '' holds all years together.
CREATE TABLE insight_supplier_spread (
  body_code       text   NOT NULL,
  entity_key      text   NOT NULL,
  financial_year  text   NOT NULL,
  theme_code      text   NOT NULL,
  lines           int    NOT NULL,
  amount_pence    bigint NOT NULL,
  payments        int    NOT NULL,    -- lines above zero
  min_pence       bigint,
  median_pence    bigint,
  max_pence       bigint,
  PRIMARY KEY (body_code, entity_key, financial_year, theme_code)
);

-- What each body buys by expense type and by ProClass (organisations that are not public bodies), with the
-- category compared across bodies by a normalised key ("Repairs & Maintenance" = "repairs and maintenance").
CREATE TABLE insight_category_rollup (
  body_code       text   NOT NULL,
  financial_year  text   NOT NULL,
  kind            text   NOT NULL CHECK (kind IN ('expense_type', 'proclass')),
  category_key    text   NOT NULL,
  label           text   NOT NULL,
  lines           int    NOT NULL,
  amount_pence    bigint NOT NULL,
  PRIMARY KEY (body_code, financial_year, kind, category_key)
);

-- The saving a place assumes from buying together, in basis points (500 = 5%), shown beside every estimate.
CREATE TABLE place_saving_assumption (
  place_code    text PRIMARY KEY REFERENCES place (code) ON DELETE CASCADE,
  basis_points  int  NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL
);

-- The statutory returns each body makes and the inspections it receives.
CREATE TABLE data_return (
  id           bigserial PRIMARY KEY,
  body_code    text NOT NULL REFERENCES body (code),
  kind         text NOT NULL CHECK (kind IN ('return', 'inspection')),
  name         text NOT NULL,
  counterpart  text NOT NULL,         -- the inspectorate, or who receives the return
  theme        text NOT NULL,
  theme_key    text NOT NULL,         -- the theme normalised, to find the same theme across bodies
  start_date   date NOT NULL,
  end_date     date,
  staff_days   numeric(10, 2) NOT NULL CHECK (staff_days >= 0),
  source       text NOT NULL DEFAULT '',
  imported_at  timestamptz NOT NULL DEFAULT now(),
  imported_by  text NOT NULL,
  CHECK (end_date IS NULL OR end_date >= start_date)
);
-- Importing the same entry again updates it rather than doubling it.
CREATE UNIQUE INDEX data_return_entry ON data_return (body_code, kind, lower(name), start_date);
CREATE INDEX data_return_theme ON data_return (theme_key);
