//! The storage boundary of Candor.
//!
//! Backends (`candor-store-sqlite`, `candor-store-pg`) implement [`Store`]; the rest of
//! Candor sees only this trait. Every method that touches tenant data takes an
//! [`OrgScope`], and an `OrgScope` can only be made by this crate from an org that
//! exists ([`scope_for`], [`create_org`]): backends read it, nobody else forges it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use candor_domain::audit::{AuditEntry, AuditEvent};
use candor_domain::policy::Role;
use candor_domain::{ContentHash, OrgSlug, Revision, TrustCenter};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, SealedItem, StoredFile,
    StoredReport,
};
use crate::outbox::{
    Delivery, DeliveryResult, NewDelivery, Objection, OutboxStats, SubscribeOutcome,
    SubscribeRequest, Subscriber,
};

#[cfg(feature = "conformance")]
pub mod conformance;
mod ops;

pub mod documents;
pub mod evidence;
pub mod keys;
pub mod log;
pub mod outbox;
pub mod privacy;
pub mod sql;
pub mod tenancy;
pub use ops::{
    AccountDeletion, PublishOutcome, create_org, delete_account, publish_draft, scope_for,
    verify_audit, verify_audit_against,
};

/// Proof that the holder may act on one org's data. Cannot be built outside this crate.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgScope {
    org_id: Uuid,
    slug: OrgSlug,
}

impl OrgScope {
    pub(crate) fn new(org: &Org) -> OrgScope {
        OrgScope {
            org_id: org.id,
            slug: org.slug.clone(),
        }
    }

    pub fn org_id(&self) -> Uuid {
        self.org_id
    }

    pub fn slug(&self) -> &OrgSlug {
        &self.slug
    }
}

impl fmt::Debug for OrgScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgScope({})", self.slug)
    }
}

/// An entry of the org directory. Not tenant content: only what routing needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    pub id: Uuid,
    pub slug: OrgSlug,
    pub name: String,
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub content: TrustCenter,
    pub updated_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionSummary {
    pub number: u64,
    pub content_hash: ContentHash,
    pub published_at: OffsetDateTime,
}

/// A person who can sign in. Global: one person may belong to several orgs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    /// Lowercased. Personal data: never logged, never put in the audit log.
    pub email: String,
    pub created_at: OffsetDateTime,
}

/// A user with the hash their password must match (argon2id PHC string).
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

/// An API token's record; the secret itself is never stored, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiToken {
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// An invitation to join an org with a role, redeemed once, before it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
}

/// What to do with a membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipChange {
    SetRole(Role),
    Remove,
}

/// How a membership change ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipOutcome {
    Done,
    /// The user is not a member of this org; nothing changed.
    NotMember,
    /// The change would leave the org without an owner; nothing changed.
    LastOwner,
}

impl Invite {
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        self.accepted_at.is_none() && self.expires_at > now
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    Conflict(String),
    #[error("stored data failed an integrity check: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Backend(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A unique violation is a conflict (the caller names what already exists);
/// anything else is the database's failure, kept with its cause.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("row").to_owned())
            }
            _ => StoreError::Backend(e.to_string()),
        }
    }
}

/// What every backend provides. Methods without an `OrgScope` touch only the org
/// directory (slug, name), never tenant content.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres", for logs and /readyz.
    fn backend(&self) -> &'static str;

    /// Cheap round trip to the database, for readiness checks.
    async fn ping(&self) -> Result<()>;

    /// Adds an org to the directory. Fails with `Conflict` if the slug is taken.
    async fn insert_org(&self, slug: &OrgSlug, name: &str) -> Result<Org>;
    async fn org_by_slug(&self, slug: &OrgSlug) -> Result<Option<Org>>;
    async fn list_orgs(&self) -> Result<Vec<Org>>;
    /// Serves the org on `host` as well (None: on no host of its own). Fails with
    /// `Conflict` if another org has that host.
    async fn set_org_host(&self, slug: &OrgSlug, host: Option<&str>) -> Result<()>;
    /// The org served on `host` (lowercase, no port).
    async fn org_by_host(&self, host: &str) -> Result<Option<Org>>;

    async fn draft(&self, scope: &OrgScope) -> Result<Option<Draft>>;
    async fn save_draft(&self, scope: &OrgScope, content: &TrustCenter) -> Result<()>;

    /// Stores `content` as the org's next revision (1, 2, …) and, in the same
    /// transaction, appends a `revision.publish` entry by `actor` to the audit log.
    /// Revisions are immutable: there is no method to change or delete one.
    async fn insert_revision(
        &self,
        scope: &OrgScope,
        content: &TrustCenter,
        published_at: OffsetDateTime,
        actor: &str,
    ) -> Result<Revision>;
    async fn latest_revision(&self, scope: &OrgScope) -> Result<Option<Revision>>;
    /// The latest revision's number and hash without loading its content.
    async fn latest_revision_summary(&self, scope: &OrgScope) -> Result<Option<RevisionSummary>>;
    async fn revision(&self, scope: &OrgScope, number: u64) -> Result<Option<Revision>>;
    /// Newest first.
    async fn revisions(&self, scope: &OrgScope) -> Result<Vec<RevisionSummary>>;

    /// Appends one entry to the org's audit log (hash-chained to the previous one)
    /// and moves the log's head, atomically.
    async fn append_audit(&self, scope: &OrgScope, event: &AuditEvent) -> Result<AuditEntry>;
    /// The whole audit log in order, with its recorded head.
    async fn audit_log(&self, scope: &OrgScope) -> Result<AuditLog>;

    // People and sessions: global, not tenant data.

    /// Fails with `Conflict` if the (lowercased) email is taken.
    async fn insert_user(&self, email: &str, password_hash: &str) -> Result<User>;
    async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>>;
    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<()>;
    /// The user of an unexpired session.
    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of a user ("log out everywhere"); returns how many.
    async fn delete_user_sessions(&self, user_id: Uuid) -> Result<u64>;
    /// Replaces a user's password hash and ends all their sessions but `keep`
    /// (the hash of the session that made the change, if any), in one transaction.
    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<()>;
    /// Deletes a user and their sessions. Refused with `Conflict` while they are a
    /// member of any org (leave each org first: that is audited there).
    async fn delete_user(&self, user_id: Uuid) -> Result<()>;
    /// The orgs a user belongs to, with the role in each.
    async fn memberships_of(&self, user_id: Uuid) -> Result<Vec<(Org, Role)>>;

    // Access to one org.

    async fn member_role(&self, scope: &OrgScope, user_id: Uuid) -> Result<Option<Role>>;
    async fn members(&self, scope: &OrgScope) -> Result<Vec<Member>>;
    /// Adds a member or changes their role, and records `audit` in the same transaction.
    async fn set_member_role(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        role: Role,
        audit: &AuditEvent,
    ) -> Result<()>;
    /// Changes an existing member's role or removes them, with `audit`, in one
    /// transaction that refuses to leave the org without an owner (concurrent
    /// changes included). Adds nobody: people join by accepting an invitation.
    async fn change_membership(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        change: MembershipChange,
        audit: &AuditEvent,
    ) -> Result<MembershipOutcome>;
    /// Stores a token's hash and records `audit` in the same transaction.
    async fn insert_token(
        &self,
        scope: &OrgScope,
        name: &str,
        role: Role,
        token_hash: &str,
        expires_at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<ApiToken>;
    async fn token_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<ApiToken>>;
    async fn tokens(&self, scope: &OrgScope) -> Result<Vec<ApiToken>>;
    /// Marks a token revoked (false if no such live token) and records `audit`.
    async fn revoke_token(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool>;

    /// Stores an invitation (the hash of its secret) and records `audit`.
    async fn insert_invite(
        &self,
        scope: &OrgScope,
        email: &str,
        role: Role,
        token_hash: &str,
        expires_at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Invite>;
    async fn invite_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<Invite>>;
    /// Invitations not yet accepted and not yet expired, oldest first.
    async fn open_invites(&self, scope: &OrgScope, now: OffsetDateTime) -> Result<Vec<Invite>>;
    /// Ends an open invitation now (its link stops working), with `audit`; false
    /// (and nothing recorded) if it was not open.
    async fn revoke_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Marks the invitation used and grants its role to `user_id`, with `audit`, in
    /// one transaction. False (and nothing changed) if it was already used.
    async fn accept_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        user_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool>;

    /// One entry of the org's transparency log (entry i records revision i + 1).
    async fn log_entry(&self, scope: &OrgScope, index: u64) -> Result<Option<Vec<u8>>>;
    /// The requested complete-subtree hashes of the org's log; absent ones are left out.
    async fn log_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>>;

    /// The requested complete-subtree hashes of the org's audit Merkle tree.
    async fn audit_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>>;

    /// An org's sealed secret for `purpose`, if one was stored.
    async fn org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
    ) -> Result<Option<keys::SealedSecret>>;
    /// Stores a sealed secret unless one exists for that purpose (first writer wins).
    async fn insert_org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
        sealed: &keys::SealedSecret,
    ) -> Result<()>;

    // Subscribers and the outbox.

    /// Stores a pending subscriber (or renews the confirmation of a pending or
    /// unsubscribed one) and queues `confirmation` to it, in one transaction. An
    /// active subscriber is left alone and nothing is queued.
    async fn subscribe(
        &self,
        scope: &OrgScope,
        request: &SubscribeRequest,
        confirmation: &NewDelivery,
    ) -> Result<SubscribeOutcome>;
    /// Confirms the subscriber whose unexpired confirmation secret hashes to `confirm_hash`.
    async fn confirm_subscriber(
        &self,
        scope: &OrgScope,
        confirm_hash: &str,
        at: OffsetDateTime,
    ) -> Result<Option<Subscriber>>;
    async fn subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<Option<Subscriber>>;
    async fn subscriber_by_address(
        &self,
        scope: &OrgScope,
        channel: outbox::Channel,
        address: &str,
    ) -> Result<Option<Subscriber>>;
    /// The subscriber a checked manage link names.
    async fn subscriber_by_manage_link(
        &self,
        scope: &OrgScope,
        lookup: &outbox::ManageLookup,
    ) -> Result<Option<Subscriber>>;
    /// Marks a subscriber unsubscribed; false if it already was.
    async fn unsubscribe(&self, scope: &OrgScope, id: Uuid, at: OffsetDateTime) -> Result<bool>;
    /// Every subscriber, oldest first.
    async fn subscribers(&self, scope: &OrgScope) -> Result<Vec<Subscriber>>;
    async fn insert_objection(
        &self,
        scope: &OrgScope,
        subscriber_id: Uuid,
        subprocessor: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Objection>;
    /// Newest first.
    async fn objections(&self, scope: &OrgScope) -> Result<Vec<Objection>>;

    /// Revisions whose notices have not been queued yet, oldest first.
    async fn unannounced_revisions(&self, scope: &OrgScope) -> Result<Vec<u64>>;
    /// Queues a revision's notices and marks it announced, in one transaction. False
    /// (and nothing queued) if another worker announced it first.
    async fn announce_revision(
        &self,
        scope: &OrgScope,
        revision: u64,
        deliveries: &[NewDelivery],
        at: OffsetDateTime,
    ) -> Result<bool>;
    /// Queues messages outside any announcement (e.g. to the security contact).
    async fn enqueue(&self, scope: &OrgScope, deliveries: &[NewDelivery]) -> Result<()>;
    /// Claims up to `limit` due messages until `lease_until`; a claim that is not
    /// finished by then (the worker died) makes the message due again.
    async fn claim_deliveries(
        &self,
        scope: &OrgScope,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>>;
    async fn finish_delivery(
        &self,
        scope: &OrgScope,
        id: Uuid,
        result: &DeliveryResult,
        at: OffsetDateTime,
    ) -> Result<()>;
    async fn outbox_stats(&self, scope: &OrgScope) -> Result<OutboxStats>;

    // Gated documents.

    /// The org's sealed data keys with their versions.
    async fn data_keys(&self, scope: &OrgScope) -> Result<Vec<(u32, keys::SealedSecret)>>;
    /// Stores a sealed data key unless that version exists (first writer wins).
    async fn insert_data_key(
        &self,
        scope: &OrgScope,
        version: u32,
        sealed: &keys::SealedSecret,
    ) -> Result<()>;
    /// Stores an encrypted upload (it becomes the document's current file) and
    /// records `audit`, in one transaction.
    async fn insert_document_file(
        &self,
        scope: &OrgScope,
        file: &DocumentFile,
        sealed: &keys::SealedSecret,
        audit: &AuditEvent,
    ) -> Result<()>;
    /// The current (latest) file of a document, with its ciphertext.
    async fn document_file(&self, scope: &OrgScope, doc_key: &str) -> Result<Option<StoredFile>>;
    /// The current file of every document that has one.
    async fn document_files(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>>;
    async fn insert_document_request(
        &self,
        scope: &OrgScope,
        request: &DocumentRequest,
    ) -> Result<()>;
    /// Newest first.
    async fn document_requests(&self, scope: &OrgScope) -> Result<Vec<DocumentRequest>>;
    async fn document_request(&self, scope: &OrgScope, id: Uuid)
    -> Result<Option<DocumentRequest>>;
    /// Grants or denies a pending request and records `audit`; None if it was not pending.
    async fn decide_document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
        grant: bool,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Option<DocumentRequest>>;
    async fn insert_download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        grant: &DownloadGrant,
    ) -> Result<()>;
    async fn download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
    ) -> Result<Option<DownloadGrant>>;
    async fn record_download(&self, scope: &OrgScope, record: &DownloadRecord) -> Result<()>;
    /// Newest first.
    async fn downloads(&self, scope: &OrgScope) -> Result<Vec<DownloadRecord>>;

    // Vulnerability reports.

    /// Stores a report and queues `notify` (to the security contact), in one transaction.
    async fn insert_report(
        &self,
        scope: &OrgScope,
        report: &StoredReport,
        notify: Option<&NewDelivery>,
    ) -> Result<()>;
    /// Newest first.
    async fn reports(&self, scope: &OrgScope) -> Result<Vec<StoredReport>>;
    /// Marks a report acknowledged and records `audit`; false if it already was.
    async fn acknowledge_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool>;

    /// Replaces a report's sealed content (to remove the reporter's identity);
    /// false if there is no such report.
    async fn reseal_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        key_version: u32,
        sealed: &keys::SealedSecret,
    ) -> Result<bool>;

    // Data-subject rights and the org's own deletion.

    /// Deletes a subscriber with its objections and queued messages; false if absent.
    async fn erase_subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<bool>;
    /// Deletes the document requests made with `email`, with their links and
    /// download records; returns how many requests.
    async fn erase_document_requests(&self, scope: &OrgScope, email: &str) -> Result<u64>;
    /// Erases one person's data (subscriptions, document requests, the reporter's
    /// identity in reports) and appends its audit entry, in one transaction.
    async fn erase_person(
        &self,
        scope: &OrgScope,
        erasure: &privacy::PersonErasure,
    ) -> Result<privacy::ErasedCounts>;
    /// Deletes the org and everything it holds (revisions, logs and audit log
    /// included), in one transaction. The scope is consumed: nothing is left to act on.
    async fn delete_org(&self, scope: OrgScope) -> Result<()>;

    // Evidence.

    /// Claims a host for the org; a host already claimed keeps its token.
    async fn claim_host(
        &self,
        scope: &OrgScope,
        host: &str,
        token: &str,
        at: OffsetDateTime,
    ) -> Result<evidence::HostClaim>;
    async fn host_claims(&self, scope: &OrgScope) -> Result<Vec<evidence::HostClaim>>;
    /// Records that the org proved control of `host` at `at`, or, with None, that
    /// the proof is gone; false if the host is not claimed.
    async fn mark_host_verified(
        &self,
        scope: &OrgScope,
        host: &str,
        at: Option<OffsetDateTime>,
    ) -> Result<bool>;
    /// Stores a check's latest result (replacing the previous one), keeping the
    /// start of a run of failures; returns the stored record.
    async fn record_evidence(
        &self,
        scope: &OrgScope,
        record: &evidence::EvidenceRecord,
    ) -> Result<evidence::EvidenceRecord>;
    async fn evidence(&self, scope: &OrgScope) -> Result<Vec<evidence::EvidenceRecord>>;

    /// Every sealed value of the org (signing keys, data keys, webhook secrets).
    async fn sealed_items(&self, scope: &OrgScope) -> Result<Vec<SealedItem>>;
    /// Replaces sealed values (as returned by `sealed_items`), all or none.
    async fn replace_sealed_items(&self, scope: &OrgScope, items: &[SealedItem]) -> Result<()>;
}

pub fn parse_role(text: &str) -> Result<Role> {
    text.parse().map_err(StoreError::Corrupt)
}

/// An org's audit log as stored: entries oldest first, and the head recorded
/// beside them (sequence number and hash of the last entry written).
#[derive(Clone, Debug, PartialEq)]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
    pub head: Option<(u64, [u8; 32])>,
}

/// The audit event a publish records.
pub fn publish_event(actor: &str, number: i64, at: OffsetDateTime) -> AuditEvent {
    AuditEvent::new(
        actor,
        candor_domain::audit::AuditAction::RevisionPublish,
        format!("revision:{number}"),
        at,
    )
}

/// A stored hex hash back to bytes.
pub fn parse_hash(text: &str) -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out)
        .map_err(|_| StoreError::Corrupt(format!("hash {text:?}")))?;
    Ok(out)
}

/// Rebuilds a stored audit entry; verification is the caller's job.
#[allow(clippy::too_many_arguments)]
pub fn audit_entry_from_row(
    seq: i64,
    actor: String,
    action: String,
    target: String,
    at: OffsetDateTime,
    prev_hash: &str,
    hash: &str,
) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("audit entry {seq}")))?,
        event: AuditEvent {
            actor,
            action,
            target,
            at,
        },
        prev_hash: parse_hash(prev_hash)?,
        hash: parse_hash(hash)?,
    })
}

pub type SharedStore = Arc<dyn Store>;

/// Rebuilds a stored revision and checks that its content still hashes to the
/// recorded hash, so that a row edited behind Candor's back is refused, not served.
pub fn revision_from_row(
    number: i64,
    content_hash: &str,
    content_json: &str,
    published_at: OffsetDateTime,
) -> Result<Revision> {
    let number = u64::try_from(number)
        .map_err(|_| StoreError::Corrupt(format!("revision number {number}")))?;
    let recorded: ContentHash = content_hash
        .parse()
        .map_err(|e: String| StoreError::Corrupt(format!("revision {number}: {e}")))?;
    let actual = ContentHash::of(content_json.as_bytes());
    if actual != recorded {
        return Err(StoreError::Corrupt(format!(
            "revision {number} hashes to {actual}, but {recorded} was recorded"
        )));
    }
    let content: TrustCenter = serde_json::from_str(content_json)
        .map_err(|e| StoreError::Corrupt(format!("revision {number}: {e}")))?;
    Ok(Revision {
        number,
        content_hash: recorded,
        published_at,
        content,
    })
}

/// Parses a stored draft. Drafts were validated when saved.
pub fn draft_from_row(content_json: &str, updated_at: OffsetDateTime) -> Result<Draft> {
    let content: TrustCenter = serde_json::from_str(content_json)
        .map_err(|e| StoreError::Corrupt(format!("draft: {e}")))?;
    Ok(Draft {
        content,
        updated_at,
    })
}

/// The text a revision is stored as: its canonical JSON, the bytes the hash covers.
pub fn canonical_text(content: &TrustCenter) -> String {
    // Canonical JSON is produced from Rust strings, so it is valid UTF-8.
    String::from_utf8_lossy(&content.canonical_bytes()).into_owned()
}

pub fn parse_slug(slug: &str) -> Result<OrgSlug> {
    slug.parse()
        .map_err(|e: String| StoreError::Corrupt(format!("org slug: {e}")))
}
