//! Gated documents and sealed-value rotation: data keys, encrypted files, the
//! requests that unlock them, download grants and the record of every download,
//! and the re-sealing of every sealed value of an org. (Vulnerability reports,
//! which share the data keys, are in [`super::reports`].)

use candor_domain::audit::AuditEvent;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    SealedItem, StoredFile, data_key_purpose,
};
use crate::keys::SealedSecret;
use crate::outbox::webhook_secret_purpose;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as, now_micros};
use crate::{OrgScope, Result, StoreError, args};

/// A sealed value kept in two columns of a row.
pub(super) fn sealed_of(row: &impl SqlRow, nonce: &str, ciphertext: &str) -> Result<SealedSecret> {
    Ok(SealedSecret {
        nonce: row.bytes(nonce)?,
        ciphertext: row.bytes(ciphertext)?,
    })
}

// Data keys.

/// The org's sealed data keys with their versions.
pub(crate) async fn data_keys<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
) -> Result<Vec<(u32, SealedSecret)>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let keys = data_keys_in(&mut tx, scope).await?;
    tx.commit().await?;
    Ok(keys)
}

async fn data_keys_in<T: SqlTx>(tx: &mut T, scope: &OrgScope) -> Result<Vec<(u32, SealedSecret)>> {
    let rows = tx
        .fetch_all(
            "SELECT version, nonce, ciphertext FROM data_keys WHERE org_id = $1",
            args![scope.org_id()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                int_as::<u32>(r, "version")?,
                sealed_of(r, "nonce", "ciphertext")?,
            ))
        })
        .collect()
}

/// Stores a sealed data key unless that version exists (first writer wins).
pub(crate) async fn insert_data_key<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    version: u32,
    sealed: &SealedSecret,
) -> Result<()> {
    // PostgreSQL used now() here: the time is taken in Rust for both backends.
    let now = now_micros()?;
    let mut tx = b.begin(scope, Mode::Write).await?;
    tx.execute(
        "INSERT INTO data_keys (org_id, version, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, version) DO NOTHING",
        args![scope.org_id(), i64::from(version), &sealed.nonce, &sealed.ciphertext, now],
    )
    .await?;
    tx.commit().await
}

// Document files.

fn file_row(row: &impl SqlRow) -> Result<DocumentFile> {
    Ok(DocumentFile {
        id: row.id("id")?,
        doc_key: row.text("doc_key")?,
        filename: row.text("filename")?,
        content_type: row.text("content_type")?,
        size: u64::try_from(row.int("size")?).unwrap_or(0),
        sha256: row.text("sha256")?,
        key_version: int_as(row, "key_version")?,
        uploaded_at: row.time("uploaded_at")?,
    })
}

/// Stores an encrypted upload (it becomes the document's current file) and
/// records `audit`, in one transaction.
pub(crate) async fn insert_document_file<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    file: &DocumentFile,
    sealed: &SealedSecret,
    audit: &AuditEvent,
) -> Result<()> {
    let size =
        i64::try_from(file.size).map_err(|_| StoreError::Backend("file too large".into()))?;
    let mut tx = b.begin(scope, Mode::Write).await?;
    // The audit append's lock (taken first thing) also orders concurrent
    // uploads' seq, so the entry is appended before seq is computed.
    crate::sql::audit::append_in(&mut tx, scope, audit.clone()).await?;
    tx.execute(
        "INSERT INTO document_files (id, org_id, doc_key, filename, content_type, size, sha256,
                key_version, nonce, ciphertext, uploaded_at, seq)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce(max(seq), 0) + 1
           FROM document_files WHERE org_id = $2",
        args![
            file.id,
            scope.org_id(),
            &file.doc_key,
            &file.filename,
            &file.content_type,
            size,
            &file.sha256,
            i64::from(file.key_version),
            &sealed.nonce,
            &sealed.ciphertext,
            file.uploaded_at,
        ],
    )
    .await?;
    tx.commit().await
}

/// The current (latest) file of a document, with its ciphertext.
pub(crate) async fn document_file<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    doc_key: &str,
) -> Result<Option<StoredFile>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let row = tx
        .fetch_optional(
            "SELECT id, doc_key, filename, content_type, size, sha256, key_version, uploaded_at,
                    nonce, ciphertext
               FROM document_files
              WHERE org_id = $1 AND doc_key = $2 ORDER BY seq DESC LIMIT 1",
            args![scope.org_id(), doc_key],
        )
        .await?;
    tx.commit().await?;
    row.map(|r| {
        Ok(StoredFile {
            file: file_row(&r)?,
            sealed: sealed_of(&r, "nonce", "ciphertext")?,
        })
    })
    .transpose()
}

/// The current file of every document that has one.
pub(crate) async fn document_files<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
) -> Result<Vec<DocumentFile>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    // One statement for both dialects (PostgreSQL used DISTINCT ON, which SQLite
    // lacks): seq is unique within an org, so each doc_key gives one row.
    let rows = tx
        .fetch_all(
            "SELECT id, doc_key, filename, content_type, size, sha256, key_version, uploaded_at
               FROM document_files f
              WHERE org_id = $1
                AND seq = (SELECT max(seq) FROM document_files g
                            WHERE g.org_id = f.org_id AND g.doc_key = f.doc_key)
              ORDER BY doc_key",
            args![scope.org_id()],
        )
        .await?;
    tx.commit().await?;
    rows.iter().map(file_row).collect()
}

// Document requests.

fn request_row(row: &impl SqlRow) -> Result<DocumentRequest> {
    Ok(DocumentRequest {
        id: row.id("id")?,
        doc_key: row.text("doc_key")?,
        kind: RequestKind::parse(&row.text("kind")?)?,
        name: row.text("name")?,
        email: row.text("email")?,
        company: row.text("company")?,
        nda_version: row.opt_text("nda_version")?,
        reason: row.text("reason")?,
        status: RequestStatus::parse(&row.text("status")?)?,
        created_at: row.time("created_at")?,
        decided_at: row.opt_time("decided_at")?,
    })
}

pub(crate) async fn insert_document_request<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    request: &DocumentRequest,
) -> Result<()> {
    let r = request;
    let mut tx = b.begin(scope, Mode::Write).await?;
    tx.execute(
        "INSERT INTO document_requests (id, org_id, doc_key, kind, name, email, company,
                nda_version, reason, status, created_at, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![
            r.id,
            scope.org_id(),
            &r.doc_key,
            r.kind.as_str(),
            &r.name,
            &r.email,
            &r.company,
            &r.nda_version,
            &r.reason,
            r.status.as_str(),
            r.created_at,
            r.decided_at,
        ],
    )
    .await?;
    tx.commit().await
}

/// Newest first.
pub(crate) async fn document_requests<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
) -> Result<Vec<DocumentRequest>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let rows = tx
        .fetch_all(
            "SELECT id, doc_key, kind, name, email, company, nda_version, reason,
                    status, created_at, decided_at
               FROM document_requests WHERE org_id = $1
              ORDER BY created_at DESC, id",
            args![scope.org_id()],
        )
        .await?;
    tx.commit().await?;
    rows.iter().map(request_row).collect()
}

pub(crate) async fn document_request<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    id: Uuid,
) -> Result<Option<DocumentRequest>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let row = tx
        .fetch_optional(
            "SELECT id, doc_key, kind, name, email, company, nda_version, reason,
                    status, created_at, decided_at
               FROM document_requests WHERE org_id = $1 AND id = $2",
            args![scope.org_id(), id],
        )
        .await?;
    tx.commit().await?;
    row.map(|r| request_row(&r)).transpose()
}

/// Grants or denies a pending request and records `audit`; None if it was not pending.
pub(crate) async fn decide_document_request<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    id: Uuid,
    grant: bool,
    at: OffsetDateTime,
    audit: &AuditEvent,
) -> Result<Option<DocumentRequest>> {
    let status = if grant {
        RequestStatus::Granted
    } else {
        RequestStatus::Denied
    };
    let mut tx = b.begin(scope, Mode::Write).await?;
    let row = tx
        .fetch_optional(
            "UPDATE document_requests SET status = $3, decided_at = $4
              WHERE org_id = $1 AND id = $2 AND status = 'pending'
              RETURNING id, doc_key, kind, name, email, company, nda_version, reason,
                        status, created_at, decided_at",
            args![scope.org_id(), id, status.as_str(), at],
        )
        .await?;
    // Not pending (or absent): nothing changed, the transaction is dropped.
    let Some(row) = row else { return Ok(None) };
    let decided = request_row(&row)?;
    crate::sql::audit::append_in(&mut tx, scope, audit.clone()).await?;
    tx.commit().await?;
    Ok(Some(decided))
}

/// Deletes the document requests made with `email`, with their links and
/// download records (ON DELETE CASCADE); returns how many requests.
pub(crate) async fn erase_document_requests<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    email: &str,
) -> Result<u64> {
    let mut tx = b.begin(scope, Mode::Write).await?;
    let erased = tx
        .execute(
            "DELETE FROM document_requests WHERE org_id = $1 AND email = $2",
            args![scope.org_id(), email],
        )
        .await?;
    tx.commit().await?;
    Ok(erased)
}

// Download grants and downloads.

pub(crate) async fn insert_download_grant<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    token_hash: &str,
    grant: &DownloadGrant,
) -> Result<()> {
    let mut tx = b.begin(scope, Mode::Write).await?;
    tx.execute(
        "INSERT INTO download_grants (token_hash, org_id, doc_key, request_id, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
        args![
            token_hash,
            scope.org_id(),
            &grant.doc_key,
            grant.request_id,
            grant.expires_at
        ],
    )
    .await?;
    tx.commit().await
}

pub(crate) async fn download_grant<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    token_hash: &str,
) -> Result<Option<DownloadGrant>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let row = tx
        .fetch_optional(
            "SELECT doc_key, request_id, expires_at FROM download_grants
              WHERE org_id = $1 AND token_hash = $2",
            args![scope.org_id(), token_hash],
        )
        .await?;
    tx.commit().await?;
    row.map(|r| {
        Ok(DownloadGrant {
            doc_key: r.text("doc_key")?,
            request_id: r.opt_id("request_id")?,
            expires_at: r.time("expires_at")?,
        })
    })
    .transpose()
}

pub(crate) async fn record_download<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    record: &DownloadRecord,
) -> Result<()> {
    let mut tx = b.begin(scope, Mode::Write).await?;
    tx.execute(
        "INSERT INTO downloads (id, org_id, doc_key, file_id, request_id, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![
            Uuid::new_v4(),
            scope.org_id(),
            &record.doc_key,
            record.file_id,
            record.request_id,
            record.at,
        ],
    )
    .await?;
    tx.commit().await
}

fn download_row(row: &impl SqlRow) -> Result<DownloadRecord> {
    Ok(DownloadRecord {
        doc_key: row.text("doc_key")?,
        file_id: row.id("file_id")?,
        request_id: row.opt_id("request_id")?,
        at: row.time("at")?,
    })
}

/// Newest first.
pub(crate) async fn downloads<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
) -> Result<Vec<DownloadRecord>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let rows = tx
        .fetch_all(
            "SELECT doc_key, file_id, request_id, at FROM downloads
              WHERE org_id = $1 ORDER BY at DESC, id",
            args![scope.org_id()],
        )
        .await?;
    tx.commit().await?;
    rows.iter().map(download_row).collect()
}

// Sealed values, for re-sealing under a new master key.

/// Every sealed value of the org (signing keys, data keys, webhook secrets).
pub(crate) async fn sealed_items<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
) -> Result<Vec<SealedItem>> {
    // Three reads that must agree: they are re-sealed and written back together.
    let mut tx = b.begin(scope, Mode::Snapshot).await?;
    let mut items = Vec::new();
    let secrets = tx
        .fetch_all(
            "SELECT purpose, nonce, ciphertext FROM org_secrets WHERE org_id = $1",
            args![scope.org_id()],
        )
        .await?;
    for r in &secrets {
        let purpose = r.text("purpose")?;
        items.push(SealedItem {
            table: "org_secrets",
            key: purpose.clone(),
            purpose,
            sealed: sealed_of(r, "nonce", "ciphertext")?,
        });
    }
    for (version, sealed) in data_keys_in(&mut tx, scope).await? {
        items.push(SealedItem {
            table: "data_keys",
            key: version.to_string(),
            purpose: data_key_purpose(version),
            sealed,
        });
    }
    let subscribers = tx
        .fetch_all(
            "SELECT id, address, secret_nonce, secret_ciphertext FROM subscribers
              WHERE org_id = $1 AND secret_nonce IS NOT NULL",
            args![scope.org_id()],
        )
        .await?;
    for r in &subscribers {
        items.push(SealedItem {
            table: "subscribers",
            key: r.id("id")?.to_string(),
            purpose: webhook_secret_purpose(&r.text("address")?),
            sealed: sealed_of(r, "secret_nonce", "secret_ciphertext")?,
        });
    }
    tx.commit().await?;
    Ok(items)
}

/// Replaces sealed values (as returned by `sealed_items`), all or none.
pub(crate) async fn replace_sealed_items<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    items: &[SealedItem],
) -> Result<()> {
    let mut tx = b.begin(scope, Mode::Write).await?;
    for item in items {
        if replace_sealed_item(&mut tx, scope, item).await? != 1 {
            return Err(item_gone(item));
        }
    }
    tx.commit().await
}

/// Writes one re-sealed value back to its row; the number of rows changed.
async fn replace_sealed_item<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    item: &SealedItem,
) -> Result<u64> {
    let (nonce, ciphertext) = (&item.sealed.nonce, &item.sealed.ciphertext);
    match item.table {
        "org_secrets" => {
            tx.execute(
                "UPDATE org_secrets SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND purpose = $2",
                args![scope.org_id(), &item.key, nonce, ciphertext],
            )
            .await
        }
        "data_keys" => {
            let version: u32 = item_key(item)?;
            tx.execute(
                "UPDATE data_keys SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND version = $2",
                args![scope.org_id(), i64::from(version), nonce, ciphertext],
            )
            .await
        }
        "subscribers" => {
            let id: Uuid = item_key(item)?;
            tx.execute(
                "UPDATE subscribers SET secret_nonce = $3, secret_ciphertext = $4
                  WHERE org_id = $1 AND id = $2",
                args![scope.org_id(), id, nonce, ciphertext],
            )
            .await
        }
        other => Err(StoreError::Backend(format!("unknown sealed table {other}"))),
    }
}

/// The row an item's key names (a data key's version, a subscriber's id). A key
/// that does not parse names no row, and is reported like a row that is gone.
fn item_key<K: std::str::FromStr>(item: &SealedItem) -> Result<K> {
    item.key.parse().map_err(|_| item_gone(item))
}

fn item_gone(item: &SealedItem) -> StoreError {
    StoreError::Conflict(format!("{} {}", item.table, item.key))
}
