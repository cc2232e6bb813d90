-- Per-org data keys, sealed with the master key (purpose data-key:vN).
CREATE TABLE data_keys (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    version    INTEGER NOT NULL,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, version)
) STRICT;

-- Uploaded document files, encrypted with a data key; the newest per doc_key is served.
CREATE TABLE document_files (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    doc_key      TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    key_version  INTEGER NOT NULL,
    nonce        BLOB NOT NULL,
    ciphertext   BLOB NOT NULL,
    uploaded_at  TEXT NOT NULL,
    seq          INTEGER NOT NULL
) STRICT;
CREATE INDEX document_files_latest ON document_files (org_id, doc_key, seq);

-- Readers' requests: NDA acceptances (granted at once) and approval requests.
CREATE TABLE document_requests (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    doc_key     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('nda', 'approval')),
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    company     TEXT NOT NULL,
    nda_version TEXT,
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'denied')),
    created_at  TEXT NOT NULL,
    decided_at  TEXT
) STRICT;

-- Secret download links (only their SHA-256): one document, until they expire.
CREATE TABLE download_grants (
    token_hash TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    doc_key    TEXT NOT NULL,
    request_id TEXT REFERENCES document_requests(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
) STRICT;

-- Every download.
CREATE TABLE downloads (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    doc_key    TEXT NOT NULL,
    file_id    TEXT NOT NULL,
    request_id TEXT REFERENCES document_requests(id) ON DELETE CASCADE,
    at         TEXT NOT NULL
) STRICT;
