-- Which version of each shipped reference data set a database holds, so the seed at every open
-- can skip the work (one query) when the shipped data has not changed.
CREATE TABLE reference_version (
  name        text PRIMARY KEY,          -- e.g. 'bodies'
  version     text NOT NULL,             -- hash of the shipped data
  updated_at  timestamptz NOT NULL DEFAULT now()
);
