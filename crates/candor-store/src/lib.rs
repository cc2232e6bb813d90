//! The storage boundary of Candor.
//!
//! The store's protocol is one trait per area ([`Directory`], [`Content`],
//! [`Audit`], [`Log`], [`Accounts`], [`Outbox`], [`Documents`], [`Reports`],
//! [`Evidence`], [`Secrets`], [`Privacy`]); [`Store`] is all of them, and the rest
//! of Candor sees only that. Backends (`candor-store-sqlite`, `candor-store-pg`)
//! implement [`sql::SqlBackend`] and get every area from [`sql`]. Every method that
//! touches tenant data takes an [`OrgScope`], and an `OrgScope` can only be made by
//! this crate from an org that exists ([`scope_for`], [`create_org`]): backends
//! read it, nobody else forges it.

use std::fmt;
use std::sync::Arc;

use candor_domain::audit::{AuditEntry, AuditEvent};
use candor_domain::policy::Role;
use candor_domain::{ContentHash, OrgSlug, Revision, TrustCenter};
use time::OffsetDateTime;
use uuid::Uuid;

pub mod acme;
pub mod analytics;
#[cfg(feature = "conformance")]
pub mod conformance;
mod ops;
mod traits;

pub mod documents;
pub mod evidence;
pub mod keys;
pub mod log;
pub mod outbox;
pub mod page;
pub mod privacy;
pub mod questionnaires;
pub mod readers;
pub mod sql;
pub mod tenancy;
pub use ops::{
    AccountDeletion, PublishOutcome, create_org, delete_account, hold_explanation, publish_draft,
    scope_for, verify_audit, verify_audit_against,
};
/// How far back readers of [`Directory::orgs_published_since`] look: rows are
/// stamped by the publishing process's clock before its transaction commits,
/// and replicas' clocks differ a little.
pub const PUBLISH_FEED_SLACK: time::Duration = time::Duration::seconds(5);

pub use traits::{
    Accounts, Analytics, Audit, Certificates, Content, Directory, Documents, Evidence, Log, Outbox,
    PoolStats, Privacy, Questionnaires, Readers, Reports, Secrets, Store,
};

/// The store's traits, for code that calls store methods on a concrete backend
/// (`SqliteStore`, `PgStore`): `use candor_store::prelude::*;`. A `dyn Store` or an
/// `S: Store` needs no import.
pub mod prelude {
    pub use crate::{
        Accounts, Analytics, Audit, Certificates, Content, Directory, Documents, Evidence, Log,
        Outbox, Privacy, Questionnaires, Readers, Reports, Secrets, Store,
    };
}

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
    /// When it was last presented, to the minute (none: never).
    pub last_used_at: Option<OffsetDateTime>,
}

impl ApiToken {
    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// What a new API token or invitation is stored with: its id (which its audit
/// entry names), the role it grants, the hash of its secret and its expiry.
#[derive(Clone, Copy, Debug)]
pub struct NewGrant<'a> {
    pub id: Uuid,
    pub role: Role,
    pub secret_hash: &'a str,
    pub expires_at: OffsetDateTime,
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
    /// A cryptographic step failed (randomness, sealing, signing): never the
    /// caller's input, and never shown to them.
    #[error("cryptography failed: {0}")]
    Crypto(String),
    /// A page or document could not be rendered from stored content.
    #[error("rendering failed: {0}")]
    Render(String),
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
