//! Host claims and evidence: hosts an org claims (and proves it controls), and
//! the latest result of each check Candor runs on them.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::evidence::{EvidenceRecord, EvidenceSnapshot, HostClaim, failing_since};
use crate::sql::read_all;
use crate::sql::{Dialect, Mode, SqlBackend, SqlRow, SqlTx, dialect_sql};
use crate::{Evidence, OrgScope, Result, StoreError, args};

fn claim_row(row: &impl SqlRow) -> Result<HostClaim> {
    Ok(HostClaim {
        host: row.text("host")?,
        token: row.text("token")?,
        created_at: row.time("created_at")?,
        verified_at: row.opt_time("verified_at")?,
    })
}

fn evidence_row(row: &impl SqlRow) -> Result<EvidenceRecord> {
    Ok(EvidenceRecord {
        host: row.text("host")?,
        check: row.text("check_kind")?,
        ran_at: row.time("ran_at")?,
        verdict: row.text("verdict")?,
        summary: row.text("summary")?,
        findings_json: row.text("findings")?,
        failing_since: row.opt_time("failing_since")?,
    })
}

const HOST_CLAIMS: &str = "SELECT host, token, created_at, verified_at FROM host_claims
     WHERE org_id = $1 ORDER BY host";
const EVIDENCE: &str = "SELECT host, check_kind, ran_at, verdict, summary, findings, failing_since
     FROM evidence WHERE org_id = $1 ORDER BY host, check_kind";

/// The org's evidence results and host claims, read inside a transaction that
/// also reads what they are shown beside (the public page's snapshot).
pub(crate) async fn evidence_in<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
) -> Result<EvidenceSnapshot> {
    let records = tx.fetch_all(EVIDENCE, args![scope.org_id()]).await?;
    let claims = tx.fetch_all(HOST_CLAIMS, args![scope.org_id()]).await?;
    Ok(EvidenceSnapshot {
        records: records.iter().map(evidence_row).collect::<Result<_>>()?,
        claims: claims.iter().map(claim_row).collect::<Result<_>>()?,
    })
}

/// The previous result of a check, locked until the transaction ends:
/// PostgreSQL locks the row (FOR UPDATE, which SQLite lacks); SQLite's write
/// transaction already excludes other writers.
const PREVIOUS_SQLITE: &str =
    "SELECT host, check_kind, ran_at, verdict, summary, findings, failing_since
   FROM evidence WHERE org_id = $1 AND host = $2 AND check_kind = $3";
const PREVIOUS_POSTGRES: &str =
    "SELECT host, check_kind, ran_at, verdict, summary, findings, failing_since
   FROM evidence WHERE org_id = $1 AND host = $2 AND check_kind = $3 FOR UPDATE";

/// SQLite's table also has `ran_ms` (NOT NULL: the run's time in Unix
/// milliseconds); PostgreSQL's has not.
const UPSERT_SQLITE: &str = "INSERT INTO evidence (org_id, host, check_kind, ran_at, ran_ms, verdict, summary, findings, failing_since)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (org_id, host, check_kind) DO UPDATE SET
        ran_at = excluded.ran_at, ran_ms = excluded.ran_ms, verdict = excluded.verdict,
        summary = excluded.summary, findings = excluded.findings, failing_since = excluded.failing_since";
const UPSERT_POSTGRES: &str = "INSERT INTO evidence (org_id, host, check_kind, ran_at, verdict, summary, findings, failing_since)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (org_id, host, check_kind) DO UPDATE SET
        ran_at = excluded.ran_at, verdict = excluded.verdict, summary = excluded.summary,
        findings = excluded.findings, failing_since = excluded.failing_since";

#[async_trait]
impl<B: SqlBackend> Evidence for B {
    async fn claim_host(
        &self,
        scope: &OrgScope,
        host: &str,
        token: &str,
        at: OffsetDateTime,
    ) -> Result<HostClaim> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        tx.execute(
            "INSERT INTO host_claims (org_id, host, token, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, host) DO NOTHING",
            args![scope.org_id(), host, token, at],
        )
        .await?;
        let row = tx
            .fetch_optional(
                "SELECT host, token, created_at, verified_at FROM host_claims
              WHERE org_id = $1 AND host = $2",
                args![scope.org_id(), host],
            )
            .await?
            .ok_or_else(|| StoreError::Backend(format!("the claim on {host} vanished")))?;
        let claim = claim_row(&row)?;
        tx.commit().await?;
        Ok(claim)
    }

    async fn host_claims(&self, scope: &OrgScope) -> Result<Vec<HostClaim>> {
        let rows = read_all(self, scope, HOST_CLAIMS, args![scope.org_id()]).await?;
        rows.iter().map(claim_row).collect()
    }

    async fn mark_host_verified(
        &self,
        scope: &OrgScope,
        host: &str,
        at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let done = tx
            .execute(
                "UPDATE host_claims SET verified_at = $3 WHERE org_id = $1 AND host = $2",
                args![scope.org_id(), host, at],
            )
            .await?;
        tx.commit().await?;
        Ok(done == 1)
    }

    async fn record_evidence(
        &self,
        scope: &OrgScope,
        record: &EvidenceRecord,
    ) -> Result<EvidenceRecord> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let previous = tx
            .fetch_optional(
                dialect_sql::<B>(PREVIOUS_SQLITE, PREVIOUS_POSTGRES),
                args![scope.org_id(), &record.host, &record.check],
            )
            .await?
            .map(|r| evidence_row(&r))
            .transpose()?;
        let stored = EvidenceRecord {
            failing_since: failing_since(previous.as_ref(), &record.verdict, record.ran_at),
            ..record.clone()
        };
        let s = &stored;
        match B::DIALECT {
            Dialect::Sqlite => {
                let params = args![
                    scope.org_id(),
                    &s.host,
                    &s.check,
                    s.ran_at,
                    unix_millis(s.ran_at),
                    &s.verdict,
                    &s.summary,
                    &s.findings_json,
                    s.failing_since,
                ];
                tx.execute(UPSERT_SQLITE, params).await?;
            }
            Dialect::Postgres => {
                let params = args![
                    scope.org_id(),
                    &s.host,
                    &s.check,
                    s.ran_at,
                    &s.verdict,
                    &s.summary,
                    &s.findings_json,
                    s.failing_since,
                ];
                tx.execute(UPSERT_POSTGRES, params).await?;
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn evidence(&self, scope: &OrgScope) -> Result<Vec<EvidenceRecord>> {
        let rows = read_all(self, scope, EVIDENCE, args![scope.org_id()]).await?;
        rows.iter().map(evidence_row).collect()
    }
}

fn unix_millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
