//! Gated documents and sealed-value rotation on PostgreSQL (row-level security applies).

use candor_domain::audit::AuditEvent;
use candor_store::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    SealedItem, StoredFile, data_key_purpose,
};
use candor_store::keys::SealedSecret;
use candor_store::outbox::webhook_secret_purpose;
use candor_store::{OrgScope, Result, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{PgStore, append_in, backend};

fn get_u32(row: &PgRow, column: &str) -> Result<u32> {
    u32::try_from(row.try_get::<i32, _>(column).map_err(backend)?)
        .map_err(|_| StoreError::Corrupt(format!("{column} out of range")))
}

fn sealed_of(row: &PgRow, nonce: &str, ciphertext: &str) -> Result<SealedSecret> {
    Ok(SealedSecret {
        nonce: row.try_get(nonce).map_err(backend)?,
        ciphertext: row.try_get(ciphertext).map_err(backend)?,
    })
}

const FILE_COLUMNS: &str =
    "id, doc_key, filename, content_type, size, sha256, key_version, uploaded_at";

fn file_row(row: &PgRow) -> Result<DocumentFile> {
    Ok(DocumentFile {
        id: row.try_get("id").map_err(backend)?,
        doc_key: row.try_get("doc_key").map_err(backend)?,
        filename: row.try_get("filename").map_err(backend)?,
        content_type: row.try_get("content_type").map_err(backend)?,
        size: u64::try_from(row.try_get::<i64, _>("size").map_err(backend)?).unwrap_or(0),
        sha256: row.try_get("sha256").map_err(backend)?,
        key_version: get_u32(row, "key_version")?,
        uploaded_at: row.try_get("uploaded_at").map_err(backend)?,
    })
}

const REQUEST_COLUMNS: &str = "id, doc_key, kind, name, email, company, nda_version, reason, \
     status, created_at, decided_at";

fn request_row(row: &PgRow) -> Result<DocumentRequest> {
    Ok(DocumentRequest {
        id: row.try_get("id").map_err(backend)?,
        doc_key: row.try_get("doc_key").map_err(backend)?,
        kind: RequestKind::parse(&row.try_get::<String, _>("kind").map_err(backend)?)?,
        name: row.try_get("name").map_err(backend)?,
        email: row.try_get("email").map_err(backend)?,
        company: row.try_get("company").map_err(backend)?,
        nda_version: row.try_get("nda_version").map_err(backend)?,
        reason: row.try_get("reason").map_err(backend)?,
        status: RequestStatus::parse(&row.try_get::<String, _>("status").map_err(backend)?)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        decided_at: row.try_get("decided_at").map_err(backend)?,
    })
}

impl PgStore {
    pub(crate) async fn doc_data_keys(&self, scope: &OrgScope) -> Result<Vec<(u32, SealedSecret)>> {
        let mut tx = self.scoped(scope).await?;
        let rows =
            sqlx::query("SELECT version, nonce, ciphertext FROM data_keys WHERE org_id = $1")
                .bind(scope.org_id())
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter()
            .map(|r| Ok((get_u32(r, "version")?, sealed_of(r, "nonce", "ciphertext")?)))
            .collect()
    }

    pub(crate) async fn doc_insert_data_key(
        &self,
        scope: &OrgScope,
        version: u32,
        sealed: &SealedSecret,
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO data_keys (org_id, version, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, now())
             ON CONFLICT (org_id, version) DO NOTHING",
        )
        .bind(scope.org_id())
        .bind(i32::try_from(version).map_err(|_| StoreError::Backend("key version".into()))?)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn doc_insert_file(
        &self,
        scope: &OrgScope,
        file: &DocumentFile,
        sealed: &SealedSecret,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        // The audit append's advisory lock also orders concurrent uploads' seq.
        append_in(&mut tx, scope, audit.clone()).await?;
        sqlx::query(
            "INSERT INTO document_files (id, org_id, doc_key, filename, content_type, size, sha256,
                    key_version, nonce, ciphertext, uploaded_at, seq)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce(max(seq), 0) + 1
               FROM document_files WHERE org_id = $2",
        )
        .bind(file.id)
        .bind(scope.org_id())
        .bind(&file.doc_key)
        .bind(&file.filename)
        .bind(&file.content_type)
        .bind(i64::try_from(file.size).map_err(|_| StoreError::Backend("file too large".into()))?)
        .bind(&file.sha256)
        .bind(
            i32::try_from(file.key_version)
                .map_err(|_| StoreError::Backend("key version".into()))?,
        )
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(file.uploaded_at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn doc_file(
        &self,
        scope: &OrgScope,
        doc_key: &str,
    ) -> Result<Option<StoredFile>> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {FILE_COLUMNS}, nonce, ciphertext FROM document_files
              WHERE org_id = $1 AND doc_key = $2 ORDER BY seq DESC LIMIT 1"
        )))
        .bind(scope.org_id())
        .bind(doc_key)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.map(|r| {
            Ok(StoredFile {
                file: file_row(&r)?,
                sealed: sealed_of(&r, "nonce", "ciphertext")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn doc_files(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT DISTINCT ON (doc_key) {FILE_COLUMNS} FROM document_files
              WHERE org_id = $1 ORDER BY doc_key, seq DESC"
        )))
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter().map(file_row).collect()
    }

    pub(crate) async fn doc_insert_request(
        &self,
        scope: &OrgScope,
        r: &DocumentRequest,
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO document_requests (id, org_id, doc_key, kind, name, email, company,
                    nda_version, reason, status, created_at, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(r.id)
        .bind(scope.org_id())
        .bind(&r.doc_key)
        .bind(r.kind.as_str())
        .bind(&r.name)
        .bind(&r.email)
        .bind(&r.company)
        .bind(&r.nda_version)
        .bind(&r.reason)
        .bind(r.status.as_str())
        .bind(r.created_at)
        .bind(r.decided_at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn doc_requests(
        &self,
        scope: &OrgScope,
        id: Option<Uuid>,
    ) -> Result<Vec<DocumentRequest>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {REQUEST_COLUMNS} FROM document_requests
              WHERE org_id = $1 AND ($2::uuid IS NULL OR id = $2)
              ORDER BY created_at DESC, id"
        )))
        .bind(scope.org_id())
        .bind(id)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter().map(request_row).collect()
    }

    pub(crate) async fn doc_decide(
        &self,
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
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "UPDATE document_requests SET status = $3, decided_at = $4
              WHERE org_id = $1 AND id = $2 AND status = 'pending'
              RETURNING {REQUEST_COLUMNS}"
        )))
        .bind(scope.org_id())
        .bind(id)
        .bind(status.as_str())
        .bind(at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        request_row(&row).map(Some)
    }

    pub(crate) async fn doc_insert_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        grant: &DownloadGrant,
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO download_grants (token_hash, org_id, doc_key, request_id, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(scope.org_id())
        .bind(&grant.doc_key)
        .bind(grant.request_id)
        .bind(grant.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn doc_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
    ) -> Result<Option<DownloadGrant>> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(
            "SELECT doc_key, request_id, expires_at FROM download_grants WHERE org_id = $1 AND token_hash = $2",
        )
        .bind(scope.org_id())
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.map(|r| {
            Ok(DownloadGrant {
                doc_key: r.try_get("doc_key").map_err(backend)?,
                request_id: r.try_get("request_id").map_err(backend)?,
                expires_at: r.try_get("expires_at").map_err(backend)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn doc_record_download(
        &self,
        scope: &OrgScope,
        record: &DownloadRecord,
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO downloads (id, org_id, doc_key, file_id, request_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::new_v4())
        .bind(scope.org_id())
        .bind(&record.doc_key)
        .bind(record.file_id)
        .bind(record.request_id)
        .bind(record.at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn doc_downloads(&self, scope: &OrgScope) -> Result<Vec<DownloadRecord>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(
            "SELECT doc_key, file_id, request_id, at FROM downloads WHERE org_id = $1 ORDER BY at DESC, id",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(DownloadRecord {
                    doc_key: r.try_get("doc_key").map_err(backend)?,
                    file_id: r.try_get("file_id").map_err(backend)?,
                    request_id: r.try_get("request_id").map_err(backend)?,
                    at: r.try_get("at").map_err(backend)?,
                })
            })
            .collect()
    }

    pub(crate) async fn doc_sealed_items(&self, scope: &OrgScope) -> Result<Vec<SealedItem>> {
        let mut tx = self.scoped(scope).await?;
        let mut items = Vec::new();
        for r in sqlx::query("SELECT purpose, nonce, ciphertext FROM org_secrets WHERE org_id = $1")
            .bind(scope.org_id())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?
        {
            let purpose: String = r.try_get("purpose").map_err(backend)?;
            items.push(SealedItem {
                table: "org_secrets",
                key: purpose.clone(),
                purpose,
                sealed: sealed_of(&r, "nonce", "ciphertext")?,
            });
        }
        for r in sqlx::query("SELECT version, nonce, ciphertext FROM data_keys WHERE org_id = $1")
            .bind(scope.org_id())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?
        {
            let version = get_u32(&r, "version")?;
            items.push(SealedItem {
                table: "data_keys",
                key: version.to_string(),
                purpose: data_key_purpose(version),
                sealed: sealed_of(&r, "nonce", "ciphertext")?,
            });
        }
        for r in sqlx::query(
            "SELECT id, address, secret_nonce, secret_ciphertext FROM subscribers
              WHERE org_id = $1 AND secret_nonce IS NOT NULL",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?
        {
            let address: String = r.try_get("address").map_err(backend)?;
            let id: Uuid = r.try_get("id").map_err(backend)?;
            items.push(SealedItem {
                table: "subscribers",
                key: id.to_string(),
                purpose: webhook_secret_purpose(&address),
                sealed: sealed_of(&r, "secret_nonce", "secret_ciphertext")?,
            });
        }
        tx.commit().await.map_err(backend)?;
        Ok(items)
    }

    pub(crate) async fn doc_replace_sealed(
        &self,
        scope: &OrgScope,
        items: &[SealedItem],
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        for item in items {
            let sql = match item.table {
                "org_secrets" => {
                    "UPDATE org_secrets SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND purpose = $2"
                }
                "data_keys" => {
                    "UPDATE data_keys SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND version = $2::integer"
                }
                "subscribers" => {
                    "UPDATE subscribers SET secret_nonce = $3, secret_ciphertext = $4 WHERE org_id = $1 AND id = $2::uuid"
                }
                other => return Err(StoreError::Backend(format!("unknown sealed table {other}"))),
            };
            let done = sqlx::query(sql)
                .bind(scope.org_id())
                .bind(&item.key)
                .bind(&item.sealed.nonce)
                .bind(&item.sealed.ciphertext)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!("{} {}", item.table, item.key)));
            }
        }
        tx.commit().await.map_err(backend)
    }
}

impl PgStore {
    pub(crate) async fn report_insert(
        &self,
        scope: &OrgScope,
        report: &candor_store::documents::StoredReport,
        notify: Option<&candor_store::outbox::NewDelivery>,
    ) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO vuln_reports (id, org_id, received_at, ack_due_at, key_version, nonce, ciphertext)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(report.id)
        .bind(scope.org_id())
        .bind(report.received_at)
        .bind(report.ack_due_at)
        .bind(i32::try_from(report.key_version).map_err(|_| StoreError::Backend("key version".into()))?)
        .bind(&report.sealed.nonce)
        .bind(&report.sealed.ciphertext)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        crate::outbox::insert_deliveries(
            &mut tx,
            scope,
            notify.map(std::slice::from_ref).unwrap_or_default(),
            report.received_at,
        )
        .await?;
        tx.commit().await.map_err(backend)
    }

    pub(crate) async fn report_list(
        &self,
        scope: &OrgScope,
    ) -> Result<Vec<candor_store::documents::StoredReport>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(
            "SELECT id, received_at, ack_due_at, acknowledged_at, key_version, nonce, ciphertext
               FROM vuln_reports WHERE org_id = $1 ORDER BY received_at DESC, id",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(candor_store::documents::StoredReport {
                    id: r.try_get("id").map_err(backend)?,
                    received_at: r.try_get("received_at").map_err(backend)?,
                    ack_due_at: r.try_get("ack_due_at").map_err(backend)?,
                    acknowledged_at: r.try_get("acknowledged_at").map_err(backend)?,
                    key_version: get_u32(r, "key_version")?,
                    sealed: sealed_of(r, "nonce", "ciphertext")?,
                })
            })
            .collect()
    }

    pub(crate) async fn report_acknowledge(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.scoped(scope).await?;
        let done = sqlx::query(
            "UPDATE vuln_reports SET acknowledged_at = $3
              WHERE org_id = $1 AND id = $2 AND acknowledged_at IS NULL",
        )
        .bind(scope.org_id())
        .bind(id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }
}
