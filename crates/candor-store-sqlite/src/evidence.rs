//! Host claims and evidence on SQLite.

use candor_store::evidence::{EvidenceRecord, HostClaim, failing_since};
use candor_store::{OrgScope, Result};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use time::OffsetDateTime;

use crate::{backend, parse_ts, ts};

fn opt_ts(row: &SqliteRow, column: &str) -> Result<Option<OffsetDateTime>> {
    row.try_get::<Option<String>, _>(column)
        .map_err(backend)?
        .map(|s| parse_ts(&s))
        .transpose()
}

fn claim_row(row: &SqliteRow) -> Result<HostClaim> {
    Ok(HostClaim {
        host: row.try_get("host").map_err(backend)?,
        token: row.try_get("token").map_err(backend)?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at").map_err(backend)?)?,
        verified_at: opt_ts(row, "verified_at")?,
    })
}

fn evidence_row(row: &SqliteRow) -> Result<EvidenceRecord> {
    Ok(EvidenceRecord {
        host: row.try_get("host").map_err(backend)?,
        check: row.try_get("check_kind").map_err(backend)?,
        ran_at: parse_ts(&row.try_get::<String, _>("ran_at").map_err(backend)?)?,
        verdict: row.try_get("verdict").map_err(backend)?,
        summary: row.try_get("summary").map_err(backend)?,
        findings_json: row.try_get("findings").map_err(backend)?,
        failing_since: opt_ts(row, "failing_since")?,
    })
}

pub async fn claim_host(
    pool: &SqlitePool,
    scope: &OrgScope,
    host: &str,
    token: &str,
    at: OffsetDateTime,
) -> Result<HostClaim> {
    let org_id = scope.org_id().to_string();
    sqlx::query(
        "INSERT INTO host_claims (org_id, host, token, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, host) DO NOTHING",
    )
    .bind(&org_id)
    .bind(host)
    .bind(token)
    .bind(ts(at)?)
    .execute(pool)
    .await
    .map_err(backend)?;
    let row = sqlx::query(
        "SELECT host, token, created_at, verified_at FROM host_claims WHERE org_id = $1 AND host = $2",
    )
    .bind(&org_id)
    .bind(host)
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    claim_row(&row)
}

pub async fn host_claims(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<HostClaim>> {
    sqlx::query(
        "SELECT host, token, created_at, verified_at FROM host_claims WHERE org_id = $1 ORDER BY host",
    )
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(claim_row)
    .collect()
}

pub async fn mark_verified(
    pool: &SqlitePool,
    scope: &OrgScope,
    host: &str,
    at: Option<OffsetDateTime>,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE host_claims SET verified_at = $3 WHERE org_id = $1 AND host = $2")
            .bind(scope.org_id().to_string())
            .bind(host)
            .bind(at.map(ts).transpose()?)
            .execute(pool)
            .await
            .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

const EVIDENCE_COLUMNS: &str =
    "host, check_kind, ran_at, verdict, summary, findings, failing_since";

pub async fn record(
    pool: &SqlitePool,
    scope: &OrgScope,
    record: &EvidenceRecord,
) -> Result<EvidenceRecord> {
    let org_id = scope.org_id().to_string();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let previous = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE org_id = $1 AND host = $2 AND check_kind = $3"
    )))
    .bind(&org_id)
    .bind(&record.host)
    .bind(&record.check)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    .map(|r| evidence_row(&r))
    .transpose()?;
    let stored = EvidenceRecord {
        failing_since: failing_since(previous.as_ref(), &record.verdict, record.ran_at),
        ..record.clone()
    };
    sqlx::query(
        "INSERT INTO evidence (org_id, host, check_kind, ran_at, ran_ms, verdict, summary, findings, failing_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (org_id, host, check_kind) DO UPDATE SET
            ran_at = excluded.ran_at, ran_ms = excluded.ran_ms, verdict = excluded.verdict,
            summary = excluded.summary, findings = excluded.findings, failing_since = excluded.failing_since",
    )
    .bind(&org_id)
    .bind(&stored.host)
    .bind(&stored.check)
    .bind(ts(stored.ran_at)?)
    .bind(i64::try_from(stored.ran_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
    .bind(&stored.verdict)
    .bind(&stored.summary)
    .bind(&stored.findings_json)
    .bind(stored.failing_since.map(ts).transpose()?)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(stored)
}

pub async fn list(pool: &SqlitePool, scope: &OrgScope) -> Result<Vec<EvidenceRecord>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE org_id = $1 ORDER BY host, check_kind"
    )))
    .bind(scope.org_id().to_string())
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(evidence_row)
    .collect()
}
