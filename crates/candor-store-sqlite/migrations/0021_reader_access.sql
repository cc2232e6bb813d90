-- Reader access. A granted request is a grant: it lasts until `expires_at` (an
-- admin's choice of 1–365 days, or the org's default) unless `revoked_at` is set.
-- Requests granted before grants expired have no `expires_at`: their links were
-- all that they gave, and they give no reader access. `batch_id` joins the
-- requests one form made for several documents; `decided_by` says who decided:
-- 'admin', 'nda' (accepted at once), 'allow-list' or 'block-list'.
ALTER TABLE document_requests ADD COLUMN expires_at TEXT;
ALTER TABLE document_requests ADD COLUMN revoked_at TEXT;
ALTER TABLE document_requests ADD COLUMN batch_id TEXT;
ALTER TABLE document_requests ADD COLUMN decided_by TEXT;
-- What the admin told the reader with the decision (optional).
ALTER TABLE document_requests ADD COLUMN decision_note TEXT;
CREATE INDEX document_requests_email ON document_requests (org_id, email);

-- The org's rules for readers' requests: email domains approved or denied
-- without an admin (newline-separated; the block-list wins), and how long a
-- grant made without a choice of days lasts.
CREATE TABLE reader_policies (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id),
    allow_domains TEXT NOT NULL,
    block_domains TEXT NOT NULL,
    grant_days    INTEGER NOT NULL CHECK (grant_days BETWEEN 1 AND 365),
    updated_at    TEXT NOT NULL
) STRICT;

-- A reader's single-use sign-in links and their sessions (only SHA-256 hashes).
CREATE TABLE reader_tokens (
    token_hash TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    email      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('link', 'session')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

-- What each reader did and what was decided for them: requests, decisions,
-- revocations, sign-ins, views and downloads. Personal data (erased with the person).
CREATE TABLE reader_events (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    at         TEXT NOT NULL,
    email      TEXT NOT NULL,
    doc_key    TEXT NOT NULL,
    request_id TEXT REFERENCES document_requests(id) ON DELETE CASCADE,
    event      TEXT NOT NULL CHECK (event IN ('requested', 'nda_accepted', 'approved', 'denied',
                   'revoked', 'signed_in', 'viewed', 'downloaded', 'questionnaire')),
    detail     TEXT NOT NULL
) STRICT;
CREATE INDEX reader_events_email ON reader_events (org_id, email, at);
CREATE INDEX reader_events_doc ON reader_events (org_id, doc_key, at);

-- The org's own endpoints for operator events (access requested, NDA accepted,
-- report received, incident declared): Standard Webhooks, signed with a secret
-- sealed with the master key.
CREATE TABLE event_hooks (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs(id),
    url               TEXT NOT NULL,
    secret_nonce      BLOB NOT NULL,
    secret_ciphertext BLOB NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (org_id, url)
) STRICT;
