-- People and their access. Users and sessions are global (a person may belong to
-- several orgs); memberships and API tokens belong to one org.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL
);

-- Server-side sessions, keyed by the SHA-256 of the cookie's secret.
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE memberships (
    org_id     uuid NOT NULL REFERENCES orgs(id),
    user_id    uuid NOT NULL REFERENCES users(id),
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- A membership is visible in its org's scope, and to its own user (to list
-- "my orgs" before any org is chosen); it can only be written in its org's scope.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON memberships FOR SELECT
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid
        OR user_id = nullif(current_setting('app.user_id', true), '')::uuid);
CREATE POLICY tenant_insert ON memberships FOR INSERT
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY tenant_update ON memberships FOR UPDATE
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY tenant_delete ON memberships FOR DELETE
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- API tokens, keyed by the SHA-256 of the secret; the secret is shown once.
CREATE TABLE api_tokens (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES orgs(id),
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
