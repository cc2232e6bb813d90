-- When each API token was last used (to the minute), for the admin's token list.
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
