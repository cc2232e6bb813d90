//! Gated documents: encrypted files, the requests that unlock them, download
//! grants and the record of every download. (Their data keys are in
//! [`super::secrets`]; vulnerability reports, which share the data keys, are in
//! [`super::reports`].)

use async_trait::async_trait;
use candor_domain::audit::AuditEvent;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    StoredFile,
};
use crate::keys::SealedSecret;
use crate::readers::{Decider, ReaderEvent, ReaderEventKind};
use crate::sql::secrets::sealed_of;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as};
use crate::sql::{read_all, read_one};
use crate::{Documents, OrgScope, Result, StoreError, args};

/// `SELECT` every column [`request_row`] reads `FROM document_requests`, then `$tail`.
macro_rules! select_requests {
    ($tail:literal) => {
        concat!(
            "SELECT id, doc_key, kind, name, email, company, nda_version, reason, status,
                    created_at, decided_at, expires_at, revoked_at, batch_id, decided_by, decision_note,
                    locale
               FROM document_requests ",
            $tail
        )
    };
}
/// `$statement RETURNING` every column [`request_row`] reads.
macro_rules! returning_request {
    ($statement:literal) => {
        concat!(
            $statement,
            " RETURNING id, doc_key, kind, name, email, company, nda_version, reason, status,
                    created_at, decided_at, expires_at, revoked_at, batch_id, decided_by, decision_note,
                    locale"
        )
    };
}
pub(crate) use {returning_request, select_requests};

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

pub(crate) fn request_row(row: &impl SqlRow) -> Result<DocumentRequest> {
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
        expires_at: row.opt_time("expires_at")?,
        revoked_at: row.opt_time("revoked_at")?,
        batch_id: row.opt_id("batch_id")?,
        decided_by: row
            .opt_text("decided_by")?
            .map(|d| d.parse::<Decider>().map_err(StoreError::Corrupt))
            .transpose()?,
        decision_note: row.opt_text("decision_note")?,
        locale: row.text("locale")?,
    })
}

/// Inserts one request inside a transaction.
pub(crate) async fn insert_request_in<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    r: &DocumentRequest,
) -> Result<()> {
    tx.execute(
        "INSERT INTO document_requests (id, org_id, doc_key, kind, name, email, company,
            nda_version, reason, status, created_at, decided_at, expires_at, revoked_at,
            batch_id, decided_by, decision_note, locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18)",
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
            r.expires_at,
            r.revoked_at,
            r.batch_id,
            r.decided_by.map(Decider::as_str),
            &r.decision_note,
            &r.locale,
        ],
    )
    .await?;
    Ok(())
}

fn download_row(row: &impl SqlRow) -> Result<DownloadRecord> {
    Ok(DownloadRecord {
        doc_key: row.text("doc_key")?,
        file_id: row.id("file_id")?,
        request_id: row.opt_id("request_id")?,
        at: row.time("at")?,
    })
}

#[async_trait]
impl<B: SqlBackend> Documents for B {
    // Document files.

    async fn insert_document_file(
        &self,
        scope: &OrgScope,
        file: &DocumentFile,
        sealed: &SealedSecret,
        audit: &AuditEvent,
    ) -> Result<()> {
        let size =
            i64::try_from(file.size).map_err(|_| StoreError::Backend("file too large".into()))?;
        let mut tx = self.begin(scope, Mode::Write).await?;
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

    async fn document_file(&self, scope: &OrgScope, doc_key: &str) -> Result<Option<StoredFile>> {
        let row = read_one(
            self,
            scope,
            "SELECT id, doc_key, filename, content_type, size, sha256, key_version, uploaded_at,
                    nonce, ciphertext
               FROM document_files
              WHERE org_id = $1 AND doc_key = $2 ORDER BY seq DESC LIMIT 1",
            args![scope.org_id(), doc_key],
        )
        .await?;
        row.map(|r| {
            Ok(StoredFile {
                file: file_row(&r)?,
                sealed: sealed_of(&r, "nonce", "ciphertext")?,
            })
        })
        .transpose()
    }

    async fn document_files(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>> {
        // One statement for both dialects (PostgreSQL used DISTINCT ON, which SQLite
        // lacks): seq is unique within an org, so each doc_key gives one row.
        let rows = read_all(
            self,
            scope,
            "SELECT id, doc_key, filename, content_type, size, sha256, key_version, uploaded_at
               FROM document_files f
              WHERE org_id = $1
                AND seq = (SELECT max(seq) FROM document_files g
                            WHERE g.org_id = f.org_id AND g.doc_key = f.doc_key)
              ORDER BY doc_key",
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(file_row).collect()
    }

    async fn document_file_versions(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>> {
        let rows = read_all(
            self,
            scope,
            "SELECT id, doc_key, filename, content_type, size, sha256, key_version, uploaded_at
               FROM document_files WHERE org_id = $1
              ORDER BY doc_key, seq DESC",
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(file_row).collect()
    }

    // Document requests.

    async fn insert_document_request(
        &self,
        scope: &OrgScope,
        request: &DocumentRequest,
    ) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        insert_request_in(&mut tx, scope, request).await?;
        tx.commit().await
    }

    async fn document_requests(&self, scope: &OrgScope) -> Result<Vec<DocumentRequest>> {
        let rows = read_all(
            self,
            scope,
            select_requests!("WHERE org_id = $1 ORDER BY created_at DESC, id"),
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(request_row).collect()
    }

    async fn document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
    ) -> Result<Option<DocumentRequest>> {
        let row = read_one(
            self,
            scope,
            select_requests!("WHERE org_id = $1 AND id = $2"),
            args![scope.org_id(), id],
        )
        .await?;
        row.map(|r| request_row(&r)).transpose()
    }

    async fn decide_document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
        grant: Option<OffsetDateTime>,
        note: Option<&str>,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Option<DocumentRequest>> {
        let status = match grant {
            Some(_) => RequestStatus::Granted,
            None => RequestStatus::Denied,
        };
        let mut tx = self.begin(scope, Mode::Write).await?;
        let row = tx
            .fetch_optional(
                returning_request!(
                    "UPDATE document_requests SET status = $3, decided_at = $4, expires_at = $5,
                            decided_by = 'admin', decision_note = $6
                      WHERE org_id = $1 AND id = $2 AND status = 'pending'"
                ),
                args![scope.org_id(), id, status.as_str(), at, grant, note],
            )
            .await?;
        // Not pending (or absent): nothing changed, the transaction is dropped.
        let Some(row) = row else { return Ok(None) };
        let decided = request_row(&row)?;
        let (kind, detail) = match grant {
            Some(until) => (
                ReaderEventKind::Approved,
                format!("by an admin, until {}", crate::readers::day_of(until)),
            ),
            None => (ReaderEventKind::Denied, "by an admin".to_owned()),
        };
        let event = ReaderEvent::new(
            at,
            &decided.email,
            &decided.doc_key,
            Some(decided.id),
            kind,
            detail,
        );
        crate::sql::readers::insert_event_in(&mut tx, scope, &event).await?;
        crate::sql::audit::append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await?;
        Ok(Some(decided))
    }

    // Download grants and downloads.

    async fn insert_download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        grant: &DownloadGrant,
    ) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
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

    async fn download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
    ) -> Result<Option<DownloadGrant>> {
        let row = read_one(
            self,
            scope,
            "SELECT doc_key, request_id, expires_at FROM download_grants
              WHERE org_id = $1 AND token_hash = $2",
            args![scope.org_id(), token_hash],
        )
        .await?;
        row.map(|r| {
            Ok(DownloadGrant {
                doc_key: r.text("doc_key")?,
                request_id: r.opt_id("request_id")?,
                expires_at: r.time("expires_at")?,
            })
        })
        .transpose()
    }

    async fn record_download(&self, scope: &OrgScope, record: &DownloadRecord) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
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
        // A reader's download is also a line of their history.
        tx.execute(
            "INSERT INTO reader_events (id, org_id, at, email, doc_key, request_id, event, detail)
             SELECT $1, org_id, $3, email, doc_key, id, 'downloaded', ''
               FROM document_requests WHERE org_id = $2 AND id = $4",
            args![Uuid::new_v4(), scope.org_id(), record.at, record.request_id],
        )
        .await?;
        tx.commit().await
    }

    async fn downloads(&self, scope: &OrgScope) -> Result<Vec<DownloadRecord>> {
        let rows = read_all(
            self,
            scope,
            "SELECT doc_key, file_id, request_id, at FROM downloads
              WHERE org_id = $1 ORDER BY at DESC, id",
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(download_row).collect()
    }
}
