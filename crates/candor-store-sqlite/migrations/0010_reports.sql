-- Vulnerability reports from the public form. The report itself (title,
-- details, reporter) is encrypted with the org's data key; only the times that
-- drive the acknowledgement deadline are in the clear.
CREATE TABLE vuln_reports (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    received_at     TEXT NOT NULL,
    ack_due_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    key_version     INTEGER NOT NULL,
    nonce           BLOB NOT NULL,
    ciphertext      BLOB NOT NULL
) STRICT;
