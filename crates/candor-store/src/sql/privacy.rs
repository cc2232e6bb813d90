//! Erasing one person's data is one transaction with its audit entry.

use crate::privacy::{ErasedCounts, PersonErasure};
use crate::sql::audit::append_in;
use crate::sql::reports::reseal_in;
use crate::sql::{Mode, SqlBackend, SqlTx};
use crate::{OrgScope, Result, args};

pub(crate) async fn erase_person<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    erasure: &PersonErasure,
) -> Result<ErasedCounts> {
    let mut tx = b.begin(scope, Mode::Write).await?;
    // Objections and queued messages go with each subscription, download links
    // and records with each request (ON DELETE CASCADE).
    let subscriptions = tx
        .execute(
            "DELETE FROM subscribers WHERE org_id = $1 AND address = $2",
            args![scope.org_id(), &erasure.email],
        )
        .await?;
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
