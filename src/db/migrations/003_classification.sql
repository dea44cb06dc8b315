-- Classification, first version: shipped rules are recognised by a stable key, so a new release can
-- update them without touching rules a user has edited; themes record whether they were shipped.
-- All reference tables (small, replicated under Citus). Which shipped version a database holds is kept in
-- reference_version (002) under the name 'classification'.

ALTER TABLE classification_rule ADD COLUMN rule_key text;            -- stable key: shipped 'service-waste', user 'user-17'
ALTER TABLE classification_rule ADD COLUMN user_edited boolean NOT NULL DEFAULT false; -- a shipped rule the user changed: releases leave it alone
ALTER TABLE classification_rule ADD COLUMN notes text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX classification_rule_key ON classification_rule (rule_key);

ALTER TABLE theme ADD COLUMN shipped boolean NOT NULL DEFAULT false;
ALTER TABLE theme ADD COLUMN user_edited boolean NOT NULL DEFAULT false;

-- Shipped rules the user removed: a later release must not bring them back.
CREATE TABLE classification_rule_retired (
  rule_key    text PRIMARY KEY,
  retired_at  timestamptz NOT NULL DEFAULT now()
);
