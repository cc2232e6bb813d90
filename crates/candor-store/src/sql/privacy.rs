//! Data-subject rights and the org's own deletion. Erasing one person's data is
//! one transaction with its audit entry.

use async_trait::async_trait;
use uuid::Uuid;

use crate::privacy::{ErasedCounts, PersonErasure};
use crate::sql::audit::append_in;
use crate::sql::reports::reseal_in;
use crate::sql::{Mode, SqlBackend, SqlTx};
use crate::{OrgScope, Privacy, Result, args};

#[async_trait]
impl<B: SqlBackend> Privacy for B {
    async fn erase_subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        // Objections and deliveries go with it (ON DELETE CASCADE).
        let deleted = tx
            .execute(
                "DELETE FROM subscribers WHERE org_id = $1 AND id = $2",
                args![scope.org_id(), id],
            )
            .await?;
        tx.commit().await?;
        Ok(deleted == 1)
    }

    /// Deletes the document requests made with `email`, with their links and
    /// download records (ON DELETE CASCADE); returns how many requests.
    async fn erase_document_requests(&self, scope: &OrgScope, email: &str) -> Result<u64> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        erase_reader_in(&mut tx, scope, email).await?;
        let erased = tx
            .execute(
                "DELETE FROM document_requests WHERE org_id = $1 AND email = $2",
                args![scope.org_id(), email],
            )
            .await?;
        tx.commit().await?;
        Ok(erased)
    }

    async fn erase_person(
        &self,
        scope: &OrgScope,
        erasure: &PersonErasure,
    ) -> Result<ErasedCounts> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        // Objections and queued messages go with each subscription, download links
        // and records with each request (ON DELETE CASCADE).
        let subscriptions = tx
            .execute(
                "DELETE FROM subscribers WHERE org_id = $1 AND address = $2",
                args![scope.org_id(), &erasure.email],
            )
            .await?;
        erase_reader_in(&mut tx, scope, &erasure.email).await?;
        let requests = tx
            .execute(
                "DELETE FROM document_requests WHERE org_id = $1 AND email = $2",
                args![scope.org_id(), &erasure.email],
            )
            .await?;
        let mut reports = 0;
        for report in &erasure.resealed_reports {
            reports += reseal_in(
                &mut tx,
                scope,
                report.id,
                report.key_version,
                &report.sealed,
            )
            .await?;
        }
        let counts = ErasedCounts {
            subscriptions,
            requests,
            reports,
        };
        let mut event = erasure.audit.clone();
        event.target = format!(
            "{} subscriptions:{subscriptions} requests:{requests} reports:{reports}",
            event.target
        );
        append_in(&mut tx, scope, event).await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn delete_org(&self, scope: OrgScope) -> Result<()> {
        self.erase_org(scope).await
    }
}

/// A reader's history, sign-in links and sessions (their requests go separately).
async fn erase_reader_in<T: SqlTx>(tx: &mut T, scope: &OrgScope, email: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM reader_events WHERE org_id = $1 AND email = $2",
        args![scope.org_id(), email],
    )
    .await?;
    tx.execute(
        "DELETE FROM reader_tokens WHERE org_id = $1 AND email = $2",
        args![scope.org_id(), email],
    )
    .await?;
    Ok(())
}
