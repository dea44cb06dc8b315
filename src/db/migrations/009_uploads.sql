-- The upload wizard's state beyond 008's columns: what the preview found (format, header row, first
-- rows, guessed mapping), lines parsed so far by the running check or load (shown on the progress
-- page), and whether the confirmed mapping was also saved as the body's mapping.
ALTER TABLE upload ADD COLUMN preview jsonb;
ALTER TABLE upload ADD COLUMN progress_lines bigint NOT NULL DEFAULT 0;
ALTER TABLE upload ADD COLUMN mapping_saved boolean NOT NULL DEFAULT false;
CREATE INDEX upload_user ON upload (user_id, id DESC);
CREATE INDEX upload_status ON upload (status, updated_at);
