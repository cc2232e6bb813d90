-- Manage links (unsubscribe, object, download or erase one's data) are no longer
-- kept in the clear. A subscriber has a random salt; its link carries the salt
-- and an HMAC of it under the org's manage-link key, which is sealed with the
-- master key, so a copy of this file alone cannot unsubscribe anyone.
-- Tokens from before are replaced: their SHA-256 stays in legacy_token_hash so
-- that links in mails already sent keep working, and each row gets a fresh salt.
-- (SQLite has no SHA-256: the store fills legacy_token_hash, in this migration's
-- transaction, for every row whose manage_salt still holds an old token.)
ALTER TABLE subscribers RENAME COLUMN manage_token TO manage_salt;
ALTER TABLE subscribers ADD COLUMN legacy_token_hash TEXT;
CREATE UNIQUE INDEX subscribers_legacy_token_hash ON subscribers (legacy_token_hash);
