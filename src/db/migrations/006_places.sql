-- Places, their bodies and attribution rules, and the reference figures a count needs (populations,
-- GDP deflators). All small: reference tables under Citus (replicated), never distributed.

-- Population of each GSS area by year. 'ons' rows are shipped reference data (upserted at every open);
-- 'user' rows are overrides: they win over 'ons' for the same area and year, and a release never touches them.
CREATE TABLE area_population (
  area_code   text   NOT NULL,
  year        int    NOT NULL,                 -- mid-year estimate year, e.g. 2023 for mid-2023
  source      text   NOT NULL CHECK (source IN ('ons', 'user')),
  population  bigint NOT NULL CHECK (population >= 0),
  name        text   NOT NULL DEFAULT '',
  note        text   NOT NULL DEFAULT '',
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (area_code, year, source)
);

-- GDP deflator index by financial year ('2023-24'). 'shipped' rows come from src/reference/data/gdp_deflator.json;
-- 'user' rows override them (same base as the shipped series) and are kept across releases.
CREATE TABLE gdp_deflator (
  financial_year text    NOT NULL,
  source         text    NOT NULL CHECK (source IN ('shipped', 'user')),
  index_value    numeric NOT NULL CHECK (index_value > 0),
  note           text    NOT NULL DEFAULT '',
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (financial_year, source)
);

-- A place: a named area made of one or more GSS areas. Every change increments version and stores the
-- whole definition (the same JSON a definition file holds) in place_version, so a count can name the
-- exact definition it used and be re-run.
CREATE TABLE place (
  code                text   PRIMARY KEY,
  name                text   NOT NULL,
  areas               text[] NOT NULL DEFAULT '{}',
  population_override bigint CHECK (population_override IS NULL OR population_override > 0),
  version             int    NOT NULL DEFAULT 1,
  definition          jsonb  NOT NULL DEFAULT '{}',
  updated_at          timestamptz NOT NULL DEFAULT now(),
  updated_by          text   NOT NULL DEFAULT ''
);

-- How a body's spend is attributed to a place.
CREATE TABLE place_body (
  place_code  text  NOT NULL REFERENCES place (code) ON DELETE CASCADE,
  body_code   text  NOT NULL REFERENCES body (code),
  rule        text  NOT NULL CHECK (rule IN ('direct', 'population_share', 'driver_share', 'excluded')),
  driver      jsonb,          -- driver_share only: {"name": "caseload", "place_value": "123", "body_total": "456"}
  note        text  NOT NULL DEFAULT '',
  PRIMARY KEY (place_code, body_code),
  CHECK ((rule = 'driver_share') = (driver IS NOT NULL))
);

CREATE TABLE place_version (
  place_code  text  NOT NULL REFERENCES place (code) ON DELETE CASCADE,
  version     int   NOT NULL,
  definition  jsonb NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text  NOT NULL DEFAULT '',
  PRIMARY KEY (place_code, version)
);
