-- Customers' questionnaires under review. The customer's file and the review
-- (questions, drafted answers, decisions) are sealed with the org's data key;
-- only times and the version that guards concurrent reviewers are in the clear.
CREATE TABLE questionnaires (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES orgs(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL,
    file_key_version  INTEGER NOT NULL,
    file_nonce        BLOB NOT NULL,
    file_ciphertext   BLOB NOT NULL,
    state_key_version INTEGER NOT NULL,
    state_nonce       BLOB NOT NULL,
    state_ciphertext  BLOB NOT NULL
) STRICT;
CREATE INDEX questionnaires_org ON questionnaires (org_id, created_at);
