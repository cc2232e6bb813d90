-- People and machines told of an org's changes. Email subscribers confirm by a
-- secret link (only its SHA-256 is kept); webhook subscribers confirm by a signed
-- event. `manage_token` is the capability in every mail's unsubscribe and
-- objection links: it can only unsubscribe or object, so it is kept as it is.
CREATE TABLE subscribers (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES orgs(id),
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    address             TEXT NOT NULL,
    topics              TEXT NOT NULL CHECK (topics IN ('all', 'subprocessors')),
    confirm_hash        TEXT NOT NULL UNIQUE,
    confirm_expires_at  TEXT NOT NULL,
    manage_token        TEXT NOT NULL UNIQUE,
    -- The webhook signing secret, sealed with the master key (webhooks only).
    secret_nonce        BLOB,
    secret_ciphertext   BLOB,
    created_at          TEXT NOT NULL,
    confirmed_at        TEXT,
    unsubscribed_at     TEXT,
    UNIQUE (org_id, channel, address)
) STRICT;

-- Objections to a subprocessor, sent from the link in a notice.
CREATE TABLE objections (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    subprocessor  TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- The outbox: every mail and webhook to send. Written in the transaction that
-- decides to send it; the worker claims rows with a lease, so a worker that dies
-- leaves its claims to expire and another takes them (at least once). Times the
-- worker compares are Unix milliseconds.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    subscriber_id   TEXT REFERENCES subscribers(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    message         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    claimed_until_ms INTEGER,
    delivered_at    TEXT,
    failed_at       TEXT,
    last_error      TEXT
) STRICT;
CREATE INDEX deliveries_due ON deliveries (org_id, next_attempt_ms)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- Revisions whose notices were queued (one row each, written with the deliveries).
CREATE TABLE announcements (
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    revision     INTEGER NOT NULL,
    announced_at TEXT NOT NULL,
    PRIMARY KEY (org_id, revision)
) STRICT;
-- Revisions published before notices existed are not announced again.
INSERT INTO announcements (org_id, revision, announced_at)
    SELECT org_id, number, published_at FROM revisions;
