-- Manage links (unsubscribe, object, download or erase one's data) are no longer
-- kept in the clear. A subscriber has a random salt; its link carries the salt
-- and an HMAC of it under the org's manage-link key, which is sealed with the
-- master key, so a copy of the database alone cannot unsubscribe anyone.
-- Tokens from before are replaced: their SHA-256 stays in legacy_token_hash so
-- that links in mails already sent keep working, and each row gets a fresh salt.
ALTER TABLE subscribers RENAME COLUMN manage_token TO manage_salt;
ALTER TABLE subscribers ADD COLUMN legacy_token_hash text UNIQUE;
UPDATE subscribers
   SET legacy_token_hash = encode(sha256(convert_to(manage_salt, 'UTF8')), 'hex'),
       manage_salt = replace(gen_random_uuid()::text, '-', '');
