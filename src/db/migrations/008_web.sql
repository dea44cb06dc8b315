-- The web application: accounts, sessions, uploads made through the wizard, and analytics page views
-- (only recorded for visitors who accepted analytics cookies). Small tables: Citus reference/local tables.

-- A user belongs to one body (NULL only for a place administrator who serves no single body).
-- role: viewer (reads, and sees their own body's payments to individuals), editor (changes their own
-- body's data: uploads and column mappings), admin (place administrator: every body, rules, places, users).
CREATE TABLE app_user (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL UNIQUE,          -- stored lower-case
  name          text NOT NULL,
  body_code     text REFERENCES body (code),
  role          text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
  password_hash text NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (role = 'admin' OR body_code IS NOT NULL)
);

-- The session cookie holds a random token; only its SHA-256 is stored, so a copy of this table cannot
-- be replayed as a cookie.
CREATE TABLE user_session (
  token_hash  text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

-- A spend file going through the upload wizard. The file sits in the uploads folder until it is loaded
-- (then it is deleted) or the upload is abandoned.
CREATE TABLE upload (
  id            bigserial PRIMARY KEY,
  body_code     text NOT NULL REFERENCES body (code),
  user_id       bigint NOT NULL REFERENCES app_user (id),
  original_name text NOT NULL,
  stored_path   text NOT NULL,
  size_bytes    bigint NOT NULL,
  status        text NOT NULL CHECK (status IN ('uploaded', 'checking', 'checked', 'loading', 'loaded', 'failed', 'cancelled')),
  mapping       jsonb NOT NULL DEFAULT '{}',   -- the column mapping the user confirmed (header -> field)
  report        jsonb,                         -- the validation report (dry run)
  result        jsonb,                         -- the ingest result once loaded
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE page_view (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  visitor     text NOT NULL,                   -- the random id in the analytics cookie
  path        text NOT NULL
);

CREATE INDEX audit_event_at ON audit_event (at);

-- Secrets the server generates for itself on first start (the CSRF signing key), so restarts keep
-- forms working; TOTALPLACE_SECRET overrides.
CREATE TABLE app_secret (
  name   text PRIMARY KEY,
  value  text NOT NULL
);
