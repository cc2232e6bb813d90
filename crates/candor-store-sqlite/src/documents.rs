//! Gated documents and sealed-value rotation on SQLite.

use candor_domain::audit::AuditEvent;
use candor_store::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    SealedItem, StoredFile, data_key_purpose,
};
use candor_store::keys::SealedSecret;
use candor_store::outbox::webhook_secret_purpose;
use candor_store::{OrgScope, Result, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{append_in, backend, parse_id, parse_ts, ts};

fn get_ts(row: &SqliteRow, column: &str) -> Result<OffsetDateTime> {
    parse_ts(&row.try_get::<String, _>(column).map_err(backend)?)
}

fn get_u32(row: &SqliteRow, column: &str) -> Result<u32> {
    u32::try_from(row.try_get::<i64, _>(column).map_err(backend)?)
        .map_err(|_| StoreError::Corrupt(format!("{column} out of range")))
}

pub async fn data_keys(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<(u32, SealedSecret)>> {
    let rows = sqlx::query("SELECT version, nonce, ciphertext FROM data_keys WHERE org_id = $1")
        .bind(scope.org_id().to_string())
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| {
            Ok((
                get_u32(r, "version")?,
                SealedSecret {
                    nonce: r.try_get("nonce").map_err(backend)?,
                    ciphertext: r.try_get("ciphertext").map_err(backend)?,
                },
            ))
        })
        .collect()
}

pub async fn insert_data_key(
    pool: &SqlitePool,
    scope: &OrgScope,
    version: u32,
    sealed: &SealedSecret,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO data_keys (org_id, version, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (org_id, version) DO NOTHING",
    )
    .bind(scope.org_id().to_string())
    .bind(i64::from(version))
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(ts(OffsetDateTime::now_utc())?)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub async fn insert_document_file(
    pool: &SqlitePool,
    scope: &OrgScope,
    file: &DocumentFile,
    sealed: &SealedSecret,
    audit: &AuditEvent,
) -> Result<()> {
    let org_id = scope.org_id().to_string();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    sqlx::query(
        "INSERT INTO document_files (id, org_id, doc_key, filename, content_type, size, sha256,
                key_version, nonce, ciphertext, uploaded_at, seq)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce(max(seq), 0) + 1
           FROM document_files WHERE org_id = $2",
    )
    .bind(file.id.to_string())
    .bind(&org_id)
    .bind(&file.doc_key)
    .bind(&file.filename)
    .bind(&file.content_type)
    .bind(i64::try_from(file.size).map_err(|_| StoreError::Backend("file too large".into()))?)
    .bind(&file.sha256)
    .bind(i64::from(file.key_version))
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(ts(file.uploaded_at)?)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    append_in(&mut tx, &org_id, audit.clone()).await?;
    tx.commit().await.map_err(backend)
}

const FILE_COLUMNS: &str =
    "id, doc_key, filename, content_type, size, sha256, key_version, uploaded_at";

fn file_row(row: &SqliteRow) -> Result<DocumentFile> {
    Ok(DocumentFile {
        id: parse_id(&row.try_get::<String, _>("id").map_err(backend)?)?,
        doc_key: row.try_get("doc_key").map_err(backend)?,
        filename: row.try_get("filename").map_err(backend)?,
        content_type: row.try_get("content_type").map_err(backend)?,
        size: u64::try_from(row.try_get::<i64, _>("size").map_err(backend)?).unwrap_or(0),
        sha256: row.try_get("sha256").map_err(backend)?,
        key_version: get_u32(row, "key_version")?,
        uploaded_at: get_ts(row, "uploaded_at")?,
    })
}

pub async fn document_file(
    pool: &SqlitePool,
    scope: &OrgScope,
    doc_key: &str,
) -> Result<Option<StoredFile>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {FILE_COLUMNS}, nonce, ciphertext FROM document_files
          WHERE org_id = $1 AND doc_key = $2 ORDER BY seq DESC LIMIT 1"
    )))
    .bind(scope.org_id().to_string())
    .bind(doc_key)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(|r| {
        Ok(StoredFile {
            file: file_row(&r)?,
            sealed: SealedSecret {
                nonce: r.try_get("nonce").map_err(backend)?,
                ciphertext: r.try_get("ciphertext").map_err(backend)?,
            },
        })
    })
    .transpose()
}

pub async fn document_files(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<DocumentFile>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {FILE_COLUMNS} FROM document_files f
          WHERE org_id = $1
            AND seq = (SELECT max(seq) FROM document_files g
                        WHERE g.org_id = f.org_id AND g.doc_key = f.doc_key)
          ORDER BY doc_key"
    )))
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter().map(file_row).collect()
}

const REQUEST_COLUMNS: &str = "id, doc_key, kind, name, email, company, nda_version, reason, \
     status, created_at, decided_at";

fn request_row(row: &SqliteRow) -> Result<DocumentRequest> {
    Ok(DocumentRequest {
        id: parse_id(&row.try_get::<String, _>("id").map_err(backend)?)?,
        doc_key: row.try_get("doc_key").map_err(backend)?,
        kind: RequestKind::parse(&row.try_get::<String, _>("kind").map_err(backend)?)?,
        name: row.try_get("name").map_err(backend)?,
        email: row.try_get("email").map_err(backend)?,
        company: row.try_get("company").map_err(backend)?,
        nda_version: row.try_get("nda_version").map_err(backend)?,
        reason: row.try_get("reason").map_err(backend)?,
        status: RequestStatus::parse(&row.try_get::<String, _>("status").map_err(backend)?)?,
        created_at: get_ts(row, "created_at")?,
        decided_at: row
            .try_get::<Option<String>, _>("decided_at")
            .map_err(backend)?
            .map(|s| parse_ts(&s))
            .transpose()?,
    })
}

pub async fn insert_request(
    pool: &SqlitePool,
    scope: &OrgScope,
    r: &DocumentRequest,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO document_requests (id, org_id, doc_key, kind, name, email, company,
                nda_version, reason, status, created_at, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(r.id.to_string())
    .bind(scope.org_id().to_string())
    .bind(&r.doc_key)
    .bind(r.kind.as_str())
    .bind(&r.name)
    .bind(&r.email)
    .bind(&r.company)
    .bind(&r.nda_version)
    .bind(&r.reason)
    .bind(r.status.as_str())
    .bind(ts(r.created_at)?)
    .bind(r.decided_at.map(ts).transpose()?)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub async fn requests(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<DocumentRequest>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM document_requests WHERE org_id = $1
          ORDER BY created_at DESC, id"
    )))
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter().map(request_row).collect()
}

pub async fn request(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: Uuid,
) -> Result<Option<DocumentRequest>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM document_requests WHERE org_id = $1 AND id = $2"
    )))
    .bind(scope.org_id().to_string())
    .bind(id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(|r| request_row(&r)).transpose()
}

pub async fn decide(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: Uuid,
    grant: bool,
    at: OffsetDateTime,
    audit: &AuditEvent,
) -> Result<Option<DocumentRequest>> {
    let org_id = scope.org_id().to_string();
    let status = if grant {
        RequestStatus::Granted
    } else {
        RequestStatus::Denied
    };
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE document_requests SET status = $3, decided_at = $4
          WHERE org_id = $1 AND id = $2 AND status = 'pending'
          RETURNING {REQUEST_COLUMNS}"
    )))
    .bind(&org_id)
    .bind(id.to_string())
    .bind(status.as_str())
    .bind(ts(at)?)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?;
    let Some(row) = row else { return Ok(None) };
    append_in(&mut tx, &org_id, audit.clone()).await?;
    tx.commit().await.map_err(backend)?;
    request_row(&row).map(Some)
}

pub async fn insert_grant(
    pool: &SqlitePool,
    scope: &OrgScope,
    token_hash: &str,
    grant: &DownloadGrant,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO download_grants (token_hash, org_id, doc_key, request_id, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(scope.org_id().to_string())
    .bind(&grant.doc_key)
    .bind(grant.request_id.map(|id| id.to_string()))
    .bind(ts(grant.expires_at)?)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub async fn grant(
    pool: &SqlitePool,
    scope: &OrgScope,
    token_hash: &str,
) -> Result<Option<DownloadGrant>> {
    let row = sqlx::query(
        "SELECT doc_key, request_id, expires_at FROM download_grants WHERE org_id = $1 AND token_hash = $2",
    )
    .bind(scope.org_id().to_string())
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(|r| {
        Ok(DownloadGrant {
            doc_key: r.try_get("doc_key").map_err(backend)?,
            request_id: r
                .try_get::<Option<String>, _>("request_id")
                .map_err(backend)?
                .map(|s| parse_id(&s))
                .transpose()?,
            expires_at: get_ts(&r, "expires_at")?,
        })
    })
    .transpose()
}

pub async fn record_download(
    pool: &SqlitePool,
    scope: &OrgScope,
    record: &DownloadRecord,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO downloads (id, org_id, doc_key, file_id, request_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(scope.org_id().to_string())
    .bind(&record.doc_key)
    .bind(record.file_id.to_string())
    .bind(record.request_id.map(|id| id.to_string()))
    .bind(ts(record.at)?)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub async fn downloads(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<DownloadRecord>> {
    let rows = sqlx::query(
        "SELECT doc_key, file_id, request_id, at FROM downloads WHERE org_id = $1 ORDER BY at DESC, id",
    )
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            Ok(DownloadRecord {
                doc_key: r.try_get("doc_key").map_err(backend)?,
                file_id: parse_id(&r.try_get::<String, _>("file_id").map_err(backend)?)?,
                request_id: r
                    .try_get::<Option<String>, _>("request_id")
                    .map_err(backend)?
                    .map(|s| parse_id(&s))
                    .transpose()?,
                at: get_ts(r, "at")?,
            })
        })
        .collect()
}

fn sealed_of(row: &SqliteRow, nonce: &str, ciphertext: &str) -> Result<SealedSecret> {
    Ok(SealedSecret {
        nonce: row.try_get(nonce).map_err(backend)?,
        ciphertext: row.try_get(ciphertext).map_err(backend)?,
    })
}

pub async fn sealed_items(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<SealedItem>> {
    let org_id = scope.org_id().to_string();
    let mut items = Vec::new();
    for r in sqlx::query("SELECT purpose, nonce, ciphertext FROM org_secrets WHERE org_id = $1")
        .bind(&org_id)
        .fetch_all(pool)
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
    for (version, sealed) in data_keys(pool, scope).await? {
        items.push(SealedItem {
            table: "data_keys",
            key: version.to_string(),
            purpose: data_key_purpose(version),
            sealed,
        });
    }
    for r in sqlx::query(
        "SELECT id, address, secret_nonce, secret_ciphertext FROM subscribers
          WHERE org_id = $1 AND secret_nonce IS NOT NULL",
    )
    .bind(&org_id)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    {
        let address: String = r.try_get("address").map_err(backend)?;
        items.push(SealedItem {
            table: "subscribers",
            key: r.try_get("id").map_err(backend)?,
            purpose: webhook_secret_purpose(&address),
            sealed: sealed_of(&r, "secret_nonce", "secret_ciphertext")?,
        });
    }
    Ok(items)
}

pub async fn replace_sealed_items(
    pool: &SqlitePool,
    scope: &OrgScope,
    items: &[SealedItem],
) -> Result<()> {
    let org_id = scope.org_id().to_string();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    for item in items {
        let sql = match item.table {
            "org_secrets" => {
                "UPDATE org_secrets SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND purpose = $2"
            }
            "data_keys" => {
                "UPDATE data_keys SET nonce = $3, ciphertext = $4 WHERE org_id = $1 AND version = CAST($2 AS INTEGER)"
            }
            "subscribers" => {
                "UPDATE subscribers SET secret_nonce = $3, secret_ciphertext = $4 WHERE org_id = $1 AND id = $2"
            }
            other => return Err(StoreError::Backend(format!("unknown sealed table {other}"))),
        };
        let done = sqlx::query(sql)
            .bind(&org_id)
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

pub async fn insert_report(
    pool: &SqlitePool,
    scope: &OrgScope,
    report: &candor_store::documents::StoredReport,
    notify: Option<&candor_store::outbox::NewDelivery>,
) -> Result<()> {
    let org_id = scope.org_id().to_string();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    sqlx::query(
        "INSERT INTO vuln_reports (id, org_id, received_at, ack_due_at, key_version, nonce, ciphertext)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(report.id.to_string())
    .bind(&org_id)
    .bind(ts(report.received_at)?)
    .bind(ts(report.ack_due_at)?)
    .bind(i64::from(report.key_version))
    .bind(&report.sealed.nonce)
    .bind(&report.sealed.ciphertext)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    crate::outbox::insert_deliveries(
        &mut tx,
        &org_id,
        notify.map(std::slice::from_ref).unwrap_or_default(),
        report.received_at,
    )
    .await?;
    tx.commit().await.map_err(backend)
}

pub async fn reports(
    pool: &SqlitePool,
    scope: &OrgScope,
) -> Result<Vec<candor_store::documents::StoredReport>> {
    let rows = sqlx::query(
        "SELECT id, received_at, ack_due_at, acknowledged_at, key_version, nonce, ciphertext
           FROM vuln_reports WHERE org_id = $1",
    )
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(candor_store::documents::StoredReport {
                id: parse_id(&r.try_get::<String, _>("id").map_err(backend)?)?,
                received_at: get_ts(r, "received_at")?,
                ack_due_at: get_ts(r, "ack_due_at")?,
                acknowledged_at: r
                    .try_get::<Option<String>, _>("acknowledged_at")
                    .map_err(backend)?
                    .map(|s| parse_ts(&s))
                    .transpose()?,
                key_version: get_u32(r, "key_version")?,
                sealed: sealed_of(r, "nonce", "ciphertext")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // Sorted here: stored times are text whose fractional digits vary.
    out.sort_by_key(|r| std::cmp::Reverse(r.received_at));
    Ok(out)
}

pub async fn acknowledge_report(
    pool: &SqlitePool,
    scope: &OrgScope,
    id: Uuid,
    at: OffsetDateTime,
    audit: &AuditEvent,
) -> Result<bool> {
    let org_id = scope.org_id().to_string();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let done = sqlx::query(
        "UPDATE vuln_reports SET acknowledged_at = $3
          WHERE org_id = $1 AND id = $2 AND acknowledged_at IS NULL",
    )
    .bind(&org_id)
    .bind(id.to_string())
    .bind(ts(at)?)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    append_in(&mut tx, &org_id, audit.clone()).await?;
    tx.commit().await.map_err(backend)?;
    Ok(true)
}
