//! What every backend provides, one trait per area. [`Store`] is all of them:
//! code that holds a `dyn Store` (or an `S: Store`) calls any method without
//! importing the area traits; code that holds a concrete backend imports
//! [`crate::prelude`]. Each area is implemented once, for every
//! [`SqlBackend`](crate::sql::SqlBackend), in the `sql/` file of the same name
//! (`Directory` in `sql/directory.rs`, …).
//!
//! Methods without an `OrgScope` touch only the org directory (slug, name) or
//! people and sessions, never tenant content.

use std::collections::HashMap;

use async_trait::async_trait;
use candor_domain::audit::{AuditEntry, AuditEvent};
use candor_domain::policy::Role;
use candor_domain::{OrgSlug, Revision, TrustCenter};
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
use crate::page::{KnownPage, PageSnapshot};
use crate::questionnaires::{NewQuestionnaire, ReviewChange, SealedRecord, StoredQuestionnaire};
use crate::readers::{EventHook, ReaderEvent, ReaderFilter, ReaderPolicy, ReaderTokenKind};
use crate::{
    ApiToken, AuditLog, Credentials, Draft, Invite, Member, MembershipChange, MembershipOutcome,
    NewGrant, Org, OrgScope, Result, RevisionSummary, User, acme, evidence, keys, outbox, privacy,
};

/// Every area at once: what the rest of Candor holds (`SharedStore`, `&dyn Store`).
pub trait Store:
    Directory
    + Content
    + Audit
    + Log
    + Accounts
    + Outbox
    + Documents
    + Reports
    + Evidence
    + Secrets
    + Privacy
    + Questionnaires
    + Analytics
    + Readers
    + Certificates
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: Directory
        + Content
        + Audit
        + Log
        + Accounts
        + Outbox
        + Documents
        + Reports
        + Evidence
        + Secrets
        + Privacy
        + Questionnaires
        + Analytics
        + Readers
        + Certificates
        + Send
        + Sync
        + 'static
{
}

/// How many database connections the process holds, and how many of those are idle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// The org directory: which orgs exist, under which slug and on which host.
/// Not tenant content: only what routing needs.
#[async_trait]
pub trait Directory: Send + Sync {
    /// "sqlite" or "postgres", for logs and /readyz.
    fn backend(&self) -> &'static str;

    /// Cheap round trip to the database, for readiness checks.
    async fn ping(&self) -> Result<()>;

    /// The connection pool's occupancy, for metrics (no round trip).
    fn pool_stats(&self) -> PoolStats;

    /// Adds an org to the directory. Fails with `Conflict` if the slug is taken.
    async fn insert_org(&self, slug: &OrgSlug, name: &str) -> Result<Org>;
    async fn org_by_slug(&self, slug: &OrgSlug) -> Result<Option<Org>>;
    async fn list_orgs(&self) -> Result<Vec<Org>>;
    /// Serves the org on `host` as well (None: on no host of its own). Fails with
    /// `Conflict` if another org has that host.
    async fn set_org_host(&self, slug: &OrgSlug, host: Option<&str>) -> Result<()>;
    /// The org served on `host` (lowercase, no port).
    async fn org_by_host(&self, host: &str) -> Result<Option<Org>>;
    /// Orgs that stored a revision at or after `since` (by the storing
    /// process's clock): what page caches re-check at once.
    async fn orgs_published_since(
        &self,
        since: OffsetDateTime,
    ) -> Result<Vec<(OrgSlug, OffsetDateTime)>>;
}

/// The org's trust center: its draft and its published revisions.
#[async_trait]
pub trait Content: Send + Sync {
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
    /// What the public page shows, read in one snapshot so that its parts agree:
    /// nothing new when the latest revision is still `known` (only its evidence,
    /// when asked), else the latest revision with the log's root at it, its
    /// evidence (when a control names checks) and the log key's generation.
    async fn page_snapshot(
        &self,
        scope: &OrgScope,
        known: Option<KnownPage>,
    ) -> Result<PageSnapshot>;
}

/// The org's audit log: a hash chain of privileged writes.
#[async_trait]
pub trait Audit: Send + Sync {
    /// Appends one entry to the org's audit log (hash-chained to the previous one)
    /// and moves the log's head, atomically.
    async fn append_audit(&self, scope: &OrgScope, event: &AuditEvent) -> Result<AuditEntry>;
    /// The whole audit log in order, with its recorded head.
    async fn audit_log(&self, scope: &OrgScope) -> Result<AuditLog>;
}

/// The org's two Merkle trees, read: its public transparency log and its audit
/// tree. Both are written only inside other areas' transactions (publishing a
/// revision, appending an audit entry); [`crate::log`] turns these reads into
/// roots and proofs.
#[async_trait]
pub trait Log: Send + Sync {
    /// One entry of the org's transparency log (entry i records revision i + 1).
    async fn log_entry(&self, scope: &OrgScope, index: u64) -> Result<Option<Vec<u8>>>;
    /// Entries `start..end` of the org's transparency log, in order (fewer if
    /// the log is shorter): an entry bundle of the C2SP tiles.
    async fn log_entries(&self, scope: &OrgScope, start: u64, end: u64) -> Result<Vec<Vec<u8>>>;
    /// The stored hashes at `level` with indexes `start..end`, in order (fewer
    /// if the tree does not have them yet): a hash tile of the C2SP tiles.
    async fn log_level(
        &self,
        scope: &OrgScope,
        level: u8,
        start: u64,
        end: u64,
    ) -> Result<Vec<[u8; 32]>>;
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

    /// The org's restore hold on publishing, current or ended (None: never held).
    async fn log_hold(&self, scope: &OrgScope) -> Result<Option<crate::log::LogHold>>;
    /// Holds publishing at the log's `restored_size` (after a restore), with
    /// `audit`, in one transaction; replaces an ended hold.
    async fn hold_log(
        &self,
        scope: &OrgScope,
        restored_size: u64,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<()>;
    /// Ends the current hold, with `audit`, in one transaction; false (and
    /// nothing recorded) if publishing was not held.
    async fn release_log_hold(
        &self,
        scope: &OrgScope,
        outcome: crate::log::HoldOutcome,
        size: u64,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool>;
}

/// People and sessions (global, not tenant data), and who may act on one org:
/// memberships, API tokens, invitations.
#[async_trait]
pub trait Accounts: Send + Sync {
    // People and sessions: global, not tenant data.

    /// Fails with `Conflict` if the (lowercased) email is taken.
    async fn insert_user(&self, email: &str, password_hash: &str) -> Result<User>;
    /// Counts one attempt against `bucket` (a hash, never an address) in the
    /// window that starts at `window_start` (Unix seconds) and returns the
    /// attempts counted in it, this one included, and in the window of
    /// `window_secs` before it. Every replica shares these counts; windows
    /// that ended more than an hour ago are forgotten.
    async fn count_attempt(
        &self,
        bucket: &str,
        window_start: i64,
        window_secs: i64,
    ) -> Result<(u32, u32)>;
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
        grant: NewGrant<'_>,
        audit: &AuditEvent,
    ) -> Result<ApiToken>;
    async fn token_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<ApiToken>>;
    /// Records that the token was presented at `at`.
    async fn touch_token(&self, scope: &OrgScope, id: Uuid, at: OffsetDateTime) -> Result<()>;
    async fn tokens(&self, scope: &OrgScope) -> Result<Vec<ApiToken>>;
    /// Marks a token revoked (false if no such live token) and records `audit`.
    async fn revoke_token(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool>;

    /// Stores invitation `id` (the hash of its secret) and records `audit`, which
    /// names the same id.
    async fn insert_invite(
        &self,
        scope: &OrgScope,
        email: &str,
        grant: NewGrant<'_>,
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
}

/// Subscribers, their objections, and the outbox of messages to them.
#[async_trait]
pub trait Outbox: Send + Sync {
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
}

/// Gated documents: encrypted files, the requests that unlock them, download
/// grants and the record of every download.
#[async_trait]
pub trait Documents: Send + Sync {
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
    /// Every upload of every document (each document's newest first), without content.
    async fn document_file_versions(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>>;
    async fn insert_document_request(
        &self,
        scope: &OrgScope,
        request: &DocumentRequest,
    ) -> Result<()>;
    /// Newest first.
    async fn document_requests(&self, scope: &OrgScope) -> Result<Vec<DocumentRequest>>;
    async fn document_request(&self, scope: &OrgScope, id: Uuid)
    -> Result<Option<DocumentRequest>>;
    /// Grants (until `expires_at`) or denies a pending request as an admin,
    /// records it in the reader's history and `audit` in the audit log; None
    /// if it was not pending.
    async fn decide_document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
        grant: Option<OffsetDateTime>,
        note: Option<&str>,
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
    /// Records a download, and in the reader's history when it was a reader's.
    async fn record_download(&self, scope: &OrgScope, record: &DownloadRecord) -> Result<()>;
    /// Newest first.
    async fn downloads(&self, scope: &OrgScope) -> Result<Vec<DownloadRecord>>;
}

/// Vulnerability reports, sealed with the org's data key.
#[async_trait]
pub trait Reports: Send + Sync {
    /// Stores a report and queues `notify` (to the security contact), in one transaction.
    async fn insert_report(
        &self,
        scope: &OrgScope,
        report: &StoredReport,
        notify: &[NewDelivery],
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
}

/// Customers' questionnaires under review (sealed; see [`crate::questionnaires`]).
#[async_trait]
pub trait Questionnaires: Send + Sync {
    /// Stores a questionnaire and records `audit`, in one transaction.
    async fn insert_questionnaire(
        &self,
        scope: &OrgScope,
        questionnaire: &NewQuestionnaire,
        audit: &AuditEvent,
    ) -> Result<()>;
    /// Every questionnaire of the org, newest first (without their files).
    async fn questionnaires(&self, scope: &OrgScope) -> Result<Vec<StoredQuestionnaire>>;
    async fn questionnaire(
        &self,
        scope: &OrgScope,
        id: Uuid,
    ) -> Result<Option<StoredQuestionnaire>>;
    /// The customer's file, as uploaded (sealed).
    async fn questionnaire_file(&self, scope: &OrgScope, id: Uuid) -> Result<Option<SealedRecord>>;
    /// Replaces the review state (and with `change.draft` the org's draft) and
    /// records `audit`, in one transaction, if the questionnaire is still at
    /// `change.version`; false (nothing written) if it moved on or is gone.
    async fn update_questionnaire(
        &self,
        scope: &OrgScope,
        id: Uuid,
        change: &ReviewChange<'_>,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Deletes a questionnaire and its file and records `audit`; false if absent.
    async fn delete_questionnaire(
        &self,
        scope: &OrgScope,
        id: Uuid,
        audit: &AuditEvent,
    ) -> Result<bool>;
}

/// Hosts an org claims (and proves it controls), and the latest result of each
/// check run on them.
#[async_trait]
pub trait Evidence: Send + Sync {
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
}

/// Values sealed with the master key: the org's secrets by purpose (signing
/// keys), its data keys, and all of its sealed values at once for re-sealing.
#[async_trait]
pub trait Secrets: Send + Sync {
    /// What the org's sealed secrets are for (their purposes, not the secrets).
    async fn org_secret_purposes(&self, scope: &OrgScope) -> Result<Vec<String>>;
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
    /// The same, with `audit` in the same transaction when it stored one;
    /// whether it did.
    async fn insert_org_secret_audited(
        &self,
        scope: &OrgScope,
        purpose: &str,
        sealed: &keys::SealedSecret,
        audit: &AuditEvent,
    ) -> Result<bool>;

    /// The org's sealed data keys with their versions.
    async fn data_keys(&self, scope: &OrgScope) -> Result<Vec<(u32, keys::SealedSecret)>>;
    /// Stores a sealed data key unless that version exists (first writer wins).
    async fn insert_data_key(
        &self,
        scope: &OrgScope,
        version: u32,
        sealed: &keys::SealedSecret,
    ) -> Result<()>;

    /// Every sealed value of the org (signing keys, data keys, webhook secrets).
    async fn sealed_items(&self, scope: &OrgScope) -> Result<Vec<SealedItem>>;
    /// Replaces sealed values (as returned by `sealed_items`), all or none.
    async fn replace_sealed_items(&self, scope: &OrgScope, items: &[SealedItem]) -> Result<()>;
}

/// Data-subject rights and the org's own deletion.
#[async_trait]
pub trait Privacy: Send + Sync {
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
}

/// Daily counts for the admin's analytics (see [`crate::analytics`]).
#[async_trait]
pub trait Analytics: Send + Sync {
    /// Adds each count to the stored one (a missing row starts at zero), in
    /// one transaction: several replicas each add what they counted.
    async fn add_counts(
        &self,
        scope: &OrgScope,
        counts: &[crate::analytics::DailyCount],
    ) -> Result<()>;
    /// Every count from `since` (a `YYYY-MM-DD` day) on, by day, metric, referrer.
    async fn daily_counts(
        &self,
        scope: &OrgScope,
        since: &str,
    ) -> Result<Vec<crate::analytics::DailyCount>>;
}

/// Reader access: requests for several documents at once, grants that expire
/// or are revoked, the org's domain lists, readers' sign-in links and sessions,
/// their history, and the org's endpoints for operator events.
#[async_trait]
pub trait Readers: Send + Sync {
    /// Stores a reader's requests (one per document, decided or pending), the
    /// lines of their history and the operator events they raise, in one transaction.
    async fn insert_reader_requests(
        &self,
        scope: &OrgScope,
        requests: &[DocumentRequest],
        events: &[ReaderEvent],
        notify: &[NewDelivery],
    ) -> Result<()>;
    /// Every request made with `email` (lowercase), newest first.
    async fn requests_by_email(
        &self,
        scope: &OrgScope,
        email: &str,
    ) -> Result<Vec<DocumentRequest>>;
    /// Ends a grant at `at`, records it in the reader's history and `audit`;
    /// None if `id` is not a grant that was still unrevoked.
    async fn revoke_grant(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Option<DocumentRequest>>;
    /// The org's rules (the defaults until an admin sets them).
    async fn reader_policy(&self, scope: &OrgScope) -> Result<ReaderPolicy>;
    async fn set_reader_policy(
        &self,
        scope: &OrgScope,
        policy: &ReaderPolicy,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<()>;
    async fn insert_reader_token(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        email: &str,
        kind: ReaderTokenKind,
        expires_at: OffsetDateTime,
    ) -> Result<()>;
    /// Uses a sign-in link once: marks it used, opens a session under
    /// `session_hash` until `session_expires_at` and records the sign-in, in one
    /// transaction. The reader's email, or None for a link that is unknown,
    /// used or expired.
    async fn sign_in_reader(
        &self,
        scope: &OrgScope,
        link_hash: &str,
        session_hash: &str,
        session_expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<String>>;
    /// The email of an unexpired session.
    async fn reader_session(
        &self,
        scope: &OrgScope,
        session_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<String>>;
    async fn end_reader_session(&self, scope: &OrgScope, session_hash: &str) -> Result<()>;
    /// How many sign-in links were made for `email` since `since` (to limit mails).
    async fn reader_links_since(
        &self,
        scope: &OrgScope,
        email: &str,
        since: OffsetDateTime,
    ) -> Result<u64>;
    async fn record_reader_event(&self, scope: &OrgScope, event: &ReaderEvent) -> Result<()>;
    /// Newest first, at most `limit`.
    async fn reader_events(
        &self,
        scope: &OrgScope,
        filter: &ReaderFilter,
        limit: u32,
    ) -> Result<Vec<ReaderEvent>>;
    /// Adds an endpoint for operator events with `audit`, in one transaction.
    async fn insert_event_hook(
        &self,
        scope: &OrgScope,
        hook: &EventHook,
        audit: &AuditEvent,
    ) -> Result<()>;
    /// Oldest first.
    async fn event_hooks(&self, scope: &OrgScope) -> Result<Vec<EventHook>>;
    /// Removes an endpoint with `audit`; false if there was none with this id.
    async fn remove_event_hook(
        &self,
        scope: &OrgScope,
        id: Uuid,
        audit: &AuditEvent,
    ) -> Result<bool>;
}

/// Certificates Candor obtains over ACME (RFC 8555), shared by every replica.
/// Not tenant content: certificates are found by host name during the TLS
/// handshake, before any org is known, and the hosts come from the directory.
#[async_trait]
pub trait Certificates: Send + Sync {
    /// Every org's own host (what `set_org_host` stored).
    async fn org_hosts(&self) -> Result<Vec<(OrgSlug, String)>>;
    /// The org's own host, if it has one.
    async fn org_host(&self, scope: &OrgScope) -> Result<Option<String>>;
    /// Every host Candor wants a certificate for, with what it has.
    async fn acme_certificates(&self) -> Result<Vec<acme::AcmeCertificate>>;
    async fn acme_certificate(&self, host: &str) -> Result<Option<acme::AcmeCertificate>>;
    /// Makes `wanted` the hosts to hold certificates for: new ones are due at
    /// `now`; hosts no longer wanted lose their row (and their key).
    async fn want_acme_hosts(&self, wanted: &[String], now: OffsetDateTime) -> Result<()>;
    /// Takes `host`'s next attempt until `until` if it is due and no other
    /// replica holds it; whether this caller got it.
    async fn claim_acme_attempt(
        &self,
        host: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool>;
    /// Stores a new certificate (clearing failures and the lease); false if
    /// the host is no longer wanted.
    async fn store_acme_certificate(
        &self,
        host: &str,
        issued: &acme::IssuedCertificate<'_>,
    ) -> Result<bool>;
    /// Records a failed attempt and when to try again (releasing the lease).
    async fn record_acme_failure(
        &self,
        host: &str,
        error: &str,
        retry_at: OffsetDateTime,
    ) -> Result<()>;
    /// The answer to an HTTP-01 challenge, for whichever replica the CA reaches.
    async fn put_acme_challenge(
        &self,
        token: &str,
        key_authorization: &str,
        at: OffsetDateTime,
    ) -> Result<()>;
    async fn acme_challenge(&self, token: &str) -> Result<Option<String>>;
    /// Removes answers no longer needed: `tokens`, and any stored before `older_than`.
    async fn delete_acme_challenges(
        &self,
        tokens: &[String],
        older_than: OffsetDateTime,
    ) -> Result<()>;
    /// The sealed account credentials for an ACME directory.
    async fn acme_account(&self, directory: &str) -> Result<Option<keys::SealedSecret>>;
    /// Stores an account unless one exists (first writer wins); the one stored.
    async fn insert_acme_account(
        &self,
        directory: &str,
        sealed: &keys::SealedSecret,
        at: OffsetDateTime,
    ) -> Result<keys::SealedSecret>;
    /// Every ACME secret sealed with the master key, by purpose
    /// (`acme::account_purpose`, `acme::key_purpose`), for re-sealing.
    async fn acme_sealed(&self) -> Result<Vec<(String, keys::SealedSecret)>>;
    /// Replaces a sealed ACME secret if it still is `old` (a renewal may have
    /// replaced it meanwhile); whether it did.
    async fn reseal_acme(
        &self,
        purpose: &str,
        old: &keys::SealedSecret,
        new: &keys::SealedSecret,
    ) -> Result<bool>;
}
