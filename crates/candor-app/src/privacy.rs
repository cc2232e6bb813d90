//! Data-subject rights: erasing one person's data (GDPR Art. 17).

use candor_domain::audit::{AuditAction, AuditEvent};
use candor_store::documents::seal_record;
use candor_store::keys::MasterKey;
use candor_store::privacy::{ErasedCounts, PersonErasure, ResealedReport, subject_ref};
use candor_store::{OrgScope, Store, StoreError};
use time::OffsetDateTime;

use crate::reports::{RECORD_KIND, opened_reports};

/// Erases everything the org holds about the person with this (normalised)
/// address: subscriptions with their objections and deliveries, document requests
/// with their links and downloads, and the reporter's name and address in
/// vulnerability reports (a report is the org's security record: it stays, sealed
/// again without who sent it). The erasure and its audit entry are one store
/// transaction, so a crash leaves both or neither.
pub async fn erase_person(
    store: &dyn Store,
    scope: &OrgScope,
    master: Option<&MasterKey>,
    actor: &str,
    email: &str,
) -> Result<ErasedCounts, StoreError> {
    let resealed_reports = reports_without(store, scope, master, email).await?;
    let erasure = PersonErasure {
        audit: AuditEvent::new(
            actor,
            AuditAction::PrivacyErase,
            subject_ref(email),
            OffsetDateTime::now_utc(),
        ),
        email: email.to_owned(),
        resealed_reports,
    };
    store.erase_person(scope, &erasure).await
}

/// The person's reports, sealed again without their name and address.
async fn reports_without(
    store: &dyn Store,
    scope: &OrgScope,
    master: Option<&MasterKey>,
    email: &str,
) -> Result<Vec<ResealedReport>, StoreError> {
    let Some(master) = master else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (report, mut content) in opened_reports(store, scope, Some(master)).await? {
        if content.email != email {
            continue;
        }
        content.email.clear();
        content.name.clear();
        let bytes = serde_json::to_vec(&content)
            .map_err(|e| StoreError::Corrupt(format!("report {}: {e}", report.id)))?;
        let (key_version, sealed) =
            seal_record(store, scope, master, RECORD_KIND, report.id, &bytes).await?;
        out.push(ResealedReport {
            id: report.id,
            key_version,
            sealed,
        });
    }
    Ok(out)
}
