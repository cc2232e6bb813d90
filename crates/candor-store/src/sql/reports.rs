//! Vulnerability reports: sealed with the org's data key; only the times that
//! drive the acknowledgement deadline are in the clear.

use async_trait::async_trait;
use candor_domain::audit::AuditEvent;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::documents::StoredReport;
use crate::keys::SealedSecret;
use crate::outbox::NewDelivery;
use crate::sql::read_all;
use crate::sql::secrets::sealed_of;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as, outbox};
use crate::{OrgScope, Reports, Result, args};

fn report_row(row: &impl SqlRow) -> Result<StoredReport> {
    Ok(StoredReport {
        id: row.id("id")?,
        received_at: row.time("received_at")?,
        ack_due_at: row.time("ack_due_at")?,
        acknowledged_at: row.opt_time("acknowledged_at")?,
        key_version: int_as(row, "key_version")?,
        sealed: sealed_of(row, "nonce", "ciphertext")?,
    })
}

#[async_trait]
impl<B: SqlBackend> Reports for B {
    async fn insert_report(
        &self,
        scope: &OrgScope,
        report: &StoredReport,
        notify: &[NewDelivery],
    ) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        tx.execute(
            "INSERT INTO vuln_reports (id, org_id, received_at, ack_due_at, key_version, nonce, ciphertext)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![
                report.id,
                scope.org_id(),
                report.received_at,
                report.ack_due_at,
                i64::from(report.key_version),
                &report.sealed.nonce,
                &report.sealed.ciphertext,
            ],
        )
        .await?;
        outbox::insert_deliveries::<B>(&mut tx, scope, notify, report.received_at).await?;
        tx.commit().await
    }

    async fn reports(&self, scope: &OrgScope) -> Result<Vec<StoredReport>> {
        let rows = read_all(
            self,
            scope,
            "SELECT id, received_at, ack_due_at, acknowledged_at, key_version, nonce, ciphertext
               FROM vuln_reports WHERE org_id = $1 ORDER BY received_at DESC, id",
            args![scope.org_id()],
        )
        .await?;
        let mut out = rows.iter().map(report_row).collect::<Result<Vec<_>>>()?;
        // Sorted here: stored times are text whose fractional digits vary (SQLite),
        // so ORDER BY received_at is not time order there. The sort is stable: equal
        // times keep the statement's order, by id.
        out.sort_by_key(|r| std::cmp::Reverse(r.received_at));
        Ok(out)
    }

    async fn acknowledge_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        // Already acknowledged (or absent): nothing changes, nothing is recorded.
        crate::sql::audit::execute_audited(
            self,
            scope,
            "UPDATE vuln_reports SET acknowledged_at = $3
              WHERE org_id = $1 AND id = $2 AND acknowledged_at IS NULL",
            args![scope.org_id(), id, at],
            audit,
        )
        .await
    }

    async fn reseal_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        key_version: u32,
        sealed: &SealedSecret,
    ) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let done = reseal_in(&mut tx, scope, id, key_version, sealed).await?;
        tx.commit().await?;
        Ok(done == 1)
    }
}

/// Replaces a report's sealed content inside the caller's write transaction;
/// the number of reports changed (0 or 1).
pub(crate) async fn reseal_in<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    id: Uuid,
    key_version: u32,
    sealed: &SealedSecret,
) -> Result<u64> {
    tx.execute(
        "UPDATE vuln_reports SET key_version = $3, nonce = $4, ciphertext = $5
          WHERE org_id = $1 AND id = $2",
        args![
            scope.org_id(),
            id,
            i64::from(key_version),
            &sealed.nonce,
            &sealed.ciphertext
        ],
    )
    .await
}
