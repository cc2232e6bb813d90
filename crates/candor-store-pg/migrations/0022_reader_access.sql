-- See the SQLite migration 0021_reader_access.sql. New tenant tables get
-- row-level security and the app role's grants from the tenant registry at start-up.
ALTER TABLE document_requests ADD COLUMN expires_at timestamptz;
ALTER TABLE document_requests ADD COLUMN revoked_at timestamptz;
ALTER TABLE document_requests ADD COLUMN batch_id uuid;
ALTER TABLE document_requests ADD COLUMN decided_by text;
ALTER TABLE document_requests ADD COLUMN decision_note text;
CREATE INDEX document_requests_email ON document_requests (org_id, email);

CREATE TABLE reader_policies (
    org_id        uuid PRIMARY KEY REFERENCES orgs(id),
    allow_domains text NOT NULL,
    block_domains text NOT NULL,
    grant_days    integer NOT NULL CHECK (grant_days BETWEEN 1 AND 365),
    updated_at    timestamptz NOT NULL
);

CREATE TABLE reader_tokens (
    token_hash text PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    email      text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('link', 'session')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

CREATE TABLE reader_events (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    at         timestamptz NOT NULL,
    email      text NOT NULL,
    doc_key    text NOT NULL,
    request_id uuid REFERENCES document_requests(id) ON DELETE CASCADE,
    event      text NOT NULL CHECK (event IN ('requested', 'nda_accepted', 'approved', 'denied',
                   'revoked', 'signed_in', 'viewed', 'downloaded', 'questionnaire')),
    detail     text NOT NULL
);
CREATE INDEX reader_events_email ON reader_events (org_id, email, at);
CREATE INDEX reader_events_doc ON reader_events (org_id, doc_key, at);

CREATE TABLE event_hooks (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs(id),
    url               text NOT NULL,
    secret_nonce      bytea NOT NULL,
    secret_ciphertext bytea NOT NULL,
    created_at        timestamptz NOT NULL,
    UNIQUE (org_id, url)
);
