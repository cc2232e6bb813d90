//! Host claims and evidence on PostgreSQL (row-level security applies).

use candor_store::evidence::{EvidenceRecord, HostClaim, failing_since};
use candor_store::{OrgScope, Result};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use crate::{PgStore, backend};

fn claim_row(row: &PgRow) -> Result<HostClaim> {
    Ok(HostClaim {
        host: row.try_get("host").map_err(backend)?,
        token: row.try_get("token").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        verified_at: row.try_get("verified_at").map_err(backend)?,
    })
}

fn evidence_row(row: &PgRow) -> Result<EvidenceRecord> {
    Ok(EvidenceRecord {
        host: row.try_get("host").map_err(backend)?,
        check: row.try_get("check_kind").map_err(backend)?,
        ran_at: row.try_get("ran_at").map_err(backend)?,
        verdict: row.try_get("verdict").map_err(backend)?,
        summary: row.try_get("summary").map_err(backend)?,
        findings_json: row.try_get("findings").map_err(backend)?,
        failing_since: row.try_get("failing_since").map_err(backend)?,
    })
}

const EVIDENCE_COLUMNS: &str =
    "host, check_kind, ran_at, verdict, summary, findings, failing_since";

impl PgStore {
    pub(crate) async fn ev_claim_host(
        &self,
        scope: &OrgScope,
        host: &str,
        token: &str,
        at: OffsetDateTime,
    ) -> Result<HostClaim> {
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO host_claims (org_id, host, token, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, host) DO NOTHING",
        )
        .bind(scope.org_id())
        .bind(host)
        .bind(token)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let row = sqlx::query(
            "SELECT host, token, created_at, verified_at FROM host_claims WHERE org_id = $1 AND host = $2",
        )
        .bind(scope.org_id())
        .bind(host)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        claim_row(&row)
    }

    pub(crate) async fn ev_host_claims(&self, scope: &OrgScope) -> Result<Vec<HostClaim>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(
            "SELECT host, token, created_at, verified_at FROM host_claims WHERE org_id = $1 ORDER BY host",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter().map(claim_row).collect()
    }

    pub(crate) async fn ev_mark_verified(
        &self,
        scope: &OrgScope,
        host: &str,
        at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let mut tx = self.scoped(scope).await?;
        let done =
            sqlx::query("UPDATE host_claims SET verified_at = $3 WHERE org_id = $1 AND host = $2")
                .bind(scope.org_id())
                .bind(host)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn ev_record(
        &self,
        scope: &OrgScope,
        record: &EvidenceRecord,
    ) -> Result<EvidenceRecord> {
        let mut tx = self.scoped(scope).await?;
        let previous = sqlx::query(AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence
              WHERE org_id = $1 AND host = $2 AND check_kind = $3 FOR UPDATE"
        )))
        .bind(scope.org_id())
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
            "INSERT INTO evidence (org_id, host, check_kind, ran_at, verdict, summary, findings, failing_since)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (org_id, host, check_kind) DO UPDATE SET
                ran_at = excluded.ran_at, verdict = excluded.verdict, summary = excluded.summary,
                findings = excluded.findings, failing_since = excluded.failing_since",
        )
        .bind(scope.org_id())
        .bind(&stored.host)
        .bind(&stored.check)
        .bind(stored.ran_at)
        .bind(&stored.verdict)
        .bind(&stored.summary)
        .bind(&stored.findings_json)
        .bind(stored.failing_since)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(stored)
    }

    pub(crate) async fn ev_list(&self, scope: &OrgScope) -> Result<Vec<EvidenceRecord>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE org_id = $1 ORDER BY host, check_kind"
        )))
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter().map(evidence_row).collect()
    }
}
