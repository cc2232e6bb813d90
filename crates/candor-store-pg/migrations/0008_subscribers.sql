-- People and machines told of an org's changes. Email subscribers confirm by a
-- secret link (only its SHA-256 is kept); webhook subscribers confirm by a signed
-- event. `manage_token` is the capability in every mail's unsubscribe and
-- objection links: it can only unsubscribe or object, so it is kept as it is.
CREATE TABLE subscribers (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES orgs(id),
    channel             text NOT NULL CHECK (channel IN ('email', 'webhook')),
    address             text NOT NULL,
    topics              text NOT NULL CHECK (topics IN ('all', 'subprocessors')),
    confirm_hash        text NOT NULL UNIQUE,
    confirm_expires_at  timestamptz NOT NULL,
    manage_token        text NOT NULL UNIQUE,
    secret_nonce        bytea,
    secret_ciphertext   bytea,
    created_at          timestamptz NOT NULL,
    confirmed_at        timestamptz,
    unsubscribed_at     timestamptz,
    UNIQUE (org_id, channel, address)
);

CREATE TABLE objections (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs(id),
    subscriber_id uuid NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    subprocessor  text NOT NULL,
    reason        text NOT NULL,
    created_at    timestamptz NOT NULL
);

-- The outbox; see the SQLite migration for the claiming protocol.
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs(id),
    subscriber_id   uuid REFERENCES subscribers(id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('email', 'webhook')),
    message         text NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    claimed_until   timestamptz,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    last_error      text
);
CREATE INDEX deliveries_due ON deliveries (org_id, next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE announcements (
    org_id       uuid NOT NULL REFERENCES orgs(id),
    revision     bigint NOT NULL,
    announced_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, revision)
);
INSERT INTO announcements (org_id, revision, announced_at)
    SELECT org_id, number, published_at FROM revisions;

ALTER TABLE subscribers ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscribers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subscribers
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE objections ENABLE ROW LEVEL SECURITY;
ALTER TABLE objections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON objections
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON deliveries
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE announcements ENABLE ROW LEVEL SECURITY;
ALTER TABLE announcements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON announcements
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
