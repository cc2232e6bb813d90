-- See the SQLite migration 0023_token_last_used.sql.
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;
