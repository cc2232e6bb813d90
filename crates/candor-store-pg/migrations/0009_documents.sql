-- See the SQLite migration of the same number for what each table holds.
CREATE TABLE data_keys (
    org_id     uuid NOT NULL REFERENCES orgs(id),
    version    integer NOT NULL,
    nonce      bytea NOT NULL,
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, version)
);
CREATE TABLE document_files (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs(id),
    doc_key      text NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,
    key_version  integer NOT NULL,
    nonce        bytea NOT NULL,
    ciphertext   bytea NOT NULL,
    uploaded_at  timestamptz NOT NULL,
    seq          bigint NOT NULL
);
CREATE INDEX document_files_latest ON document_files (org_id, doc_key, seq);
CREATE TABLE document_requests (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs(id),
    doc_key     text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('nda', 'approval')),
    name        text NOT NULL,
    email       text NOT NULL,
    company     text NOT NULL,
    nda_version text,
    reason      text NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'granted', 'denied')),
    created_at  timestamptz NOT NULL,
    decided_at  timestamptz
);
CREATE TABLE download_grants (
    token_hash text PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    doc_key    text NOT NULL,
    request_id uuid REFERENCES document_requests(id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
CREATE TABLE downloads (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    doc_key    text NOT NULL,
    file_id    uuid NOT NULL,
    request_id uuid REFERENCES document_requests(id) ON DELETE CASCADE,
    at         timestamptz NOT NULL
);
ALTER TABLE data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON data_keys
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE document_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_files
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE document_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_requests
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE download_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE download_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON download_grants
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE downloads ENABLE ROW LEVEL SECURITY;
ALTER TABLE downloads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON downloads
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
