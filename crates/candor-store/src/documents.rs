//! Gated documents: encrypted files, the requests that unlock them, expiring
//! download grants and the record of every download.
//!
//! Files are encrypted with a per-org data key (XChaCha20-Poly1305); the data key
//! is sealed with the master key (purpose `data-key:vN`). The associated data of a
//! file binds the org, the document key, the upload id and the data-key version, so
//! a blob moved to another org, document or upload does not open.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::keys::{MasterKey, SealedSecret, decrypt, encrypt};
use crate::{OrgScope, Result, Store, StoreError};

pub fn data_key_purpose(version: u32) -> String {
    format!("data-key:v{version}")
}

fn file_aad(scope: &OrgScope, doc_key: &str, file_id: Uuid, key_version: u32) -> Vec<u8> {
    format!(
        "candor/document/v1/{}/{doc_key}/{file_id}/k{key_version}",
        scope.org_id()
    )
    .into_bytes()
}

/// An uploaded file's record, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentFile {
    pub id: Uuid,
    pub doc_key: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 (hex) of the plaintext.
    pub sha256: String,
    pub key_version: u32,
    pub uploaded_at: OffsetDateTime,
}

/// A file as stored: its record and its ciphertext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    pub file: DocumentFile,
    pub sealed: SealedSecret,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// Click-through NDA: granted when made.
    Nda,
    /// Waits for an admin.
    Approval,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Nda => "nda",
            RequestKind::Approval => "approval",
        }
    }

    pub fn parse(s: &str) -> Result<RequestKind> {
        match s {
            "nda" => Ok(RequestKind::Nda),
            "approval" => Ok(RequestKind::Approval),
            other => Err(StoreError::Corrupt(format!("request kind {other:?}"))),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Granted,
    Denied,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Granted => "granted",
            RequestStatus::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Result<RequestStatus> {
        match s {
            "pending" => Ok(RequestStatus::Pending),
            "granted" => Ok(RequestStatus::Granted),
            "denied" => Ok(RequestStatus::Denied),
            other => Err(StoreError::Corrupt(format!("request status {other:?}"))),
        }
    }
}

/// A reader's request for a document: personal data (name, email, company).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRequest {
    pub id: Uuid,
    pub doc_key: String,
    pub kind: RequestKind,
    pub name: String,
    pub email: String,
    pub company: String,
    /// The NDA version accepted (NDA requests).
    pub nda_version: Option<String>,
    pub reason: String,
    pub status: RequestStatus,
    pub created_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    /// Granted requests: when the grant ends (None: granted before grants
    /// expired, which gave a link and no reader access).
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    /// The requests one form made for several documents share it.
    pub batch_id: Option<Uuid>,
    pub decided_by: Option<crate::readers::Decider>,
    /// What the admin told the reader with the decision.
    pub decision_note: Option<String>,
    /// The language the reader asked in: the decision's mail is written in it.
    pub locale: String,
}

/// A secret link's record: one document, until it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadGrant {
    pub doc_key: String,
    pub request_id: Option<Uuid>,
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadRecord {
    pub doc_key: String,
    pub file_id: Uuid,
    /// Who (through which request); None for a public document.
    pub request_id: Option<Uuid>,
    pub at: OffsetDateTime,
}

/// A sealed value anywhere in an org's data, for re-sealing under a new master key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedItem {
    /// Which row: (table, key) as the backend names it.
    pub table: &'static str,
    pub key: String,
    /// The purpose it was sealed for.
    pub purpose: String,
    pub sealed: SealedSecret,
}

/// The org's current data key (version, bytes), made and sealed on first use.
pub async fn current_data_key(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
) -> Result<(u32, [u8; 32])> {
    let keys = store.data_keys(scope).await?;
    if let Some((version, sealed)) = keys.into_iter().max_by_key(|(v, _)| *v) {
        return Ok((version, open_data_key(scope, master, version, &sealed)?));
    }
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh)
        .map_err(|_| StoreError::Crypto("the random number generator failed".into()))?;
    let sealed = master.seal(&data_key_purpose(1), scope.org_id(), &fresh)?;
    // Two replicas may race to make the first key: the first writer wins, and both
    // then use what was stored.
    store.insert_data_key(scope, 1, &sealed).await?;
    let stored = store
        .data_keys(scope)
        .await?
        .into_iter()
        .find(|(v, _)| *v == 1)
        .ok_or_else(|| StoreError::Backend("data key vanished".into()))?;
    Ok((1, open_data_key(scope, master, 1, &stored.1)?))
}

fn open_data_key(
    scope: &OrgScope,
    master: &MasterKey,
    version: u32,
    sealed: &SealedSecret,
) -> Result<[u8; 32]> {
    master
        .open(&data_key_purpose(version), scope.org_id(), sealed)?
        .try_into()
        .map_err(|_| StoreError::Corrupt("a data key has the wrong length".into()))
}

/// Encrypts `plaintext` for storage as upload `file_id` of document `doc_key`.
pub async fn seal_file(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    doc_key: &str,
    file_id: Uuid,
    plaintext: &[u8],
) -> Result<(u32, SealedSecret)> {
    let (version, key) = current_data_key(store, scope, master).await?;
    let sealed = encrypt(&key, &file_aad(scope, doc_key, file_id, version), plaintext)?;
    Ok((version, sealed))
}

/// Decrypts a stored file; any changed byte, or a blob moved elsewhere, fails.
pub async fn open_file(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    stored: &StoredFile,
) -> Result<Vec<u8>> {
    let version = stored.file.key_version;
    let sealed = store
        .data_keys(scope)
        .await?
        .into_iter()
        .find(|(v, _)| *v == version)
        .map(|(_, s)| s)
        .ok_or_else(|| StoreError::Corrupt(format!("data key v{version} is missing")))?;
    let key = open_data_key(scope, master, version, &sealed)?;
    decrypt(
        &key,
        &file_aad(scope, &stored.file.doc_key, stored.file.id, version),
        &stored.sealed,
    )
}

/// Re-seals every sealed value of the org under the master key's first key, in one
/// transaction; returns how many. Files are not touched: their data keys are.
pub async fn rewrap(store: &dyn Store, scope: &OrgScope, master: &MasterKey) -> Result<usize> {
    let items = store.sealed_items(scope).await?;
    let mut resealed = Vec::with_capacity(items.len());
    for item in items {
        let plain = master.open(&item.purpose, scope.org_id(), &item.sealed)?;
        let sealed = master.seal(&item.purpose, scope.org_id(), &plain)?;
        resealed.push(SealedItem { sealed, ..item });
    }
    let count = resealed.len();
    store.replace_sealed_items(scope, &resealed).await?;
    Ok(count)
}

fn record_aad(scope: &OrgScope, kind: &str, id: Uuid, key_version: u32) -> Vec<u8> {
    format!("candor/{kind}/v1/{}/{id}/k{key_version}", scope.org_id()).into_bytes()
}

/// Encrypts a small record (a vulnerability report) of `kind` under the org's
/// current data key; the associated data binds org, kind, id and key version.
pub async fn seal_record(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    kind: &str,
    id: Uuid,
    plaintext: &[u8],
) -> Result<(u32, SealedSecret)> {
    let (version, key) = current_data_key(store, scope, master).await?;
    let sealed = encrypt(&key, &record_aad(scope, kind, id, version), plaintext)?;
    Ok((version, sealed))
}

pub async fn open_record(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    kind: &str,
    id: Uuid,
    key_version: u32,
    sealed: &SealedSecret,
) -> Result<Vec<u8>> {
    let stored = store
        .data_keys(scope)
        .await?
        .into_iter()
        .find(|(v, _)| *v == key_version)
        .map(|(_, s)| s)
        .ok_or_else(|| StoreError::Corrupt(format!("data key v{key_version} is missing")))?;
    let key = open_data_key(scope, master, key_version, &stored)?;
    decrypt(&key, &record_aad(scope, kind, id, key_version), sealed)
}

/// A vulnerability report as stored: its content is sealed; only times are clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReport {
    pub id: Uuid,
    pub received_at: OffsetDateTime,
    /// When it must be acknowledged, from the org's disclosure commitment.
    pub ack_due_at: OffsetDateTime,
    pub acknowledged_at: Option<OffsetDateTime>,
    pub key_version: u32,
    pub sealed: SealedSecret,
}

impl StoredReport {
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.acknowledged_at.is_none() && self.ack_due_at < now
    }
}
