//! Vulnerability reports as the org reads them: sealed at rest under the org's
//! data key, opened here for the admin pages, exports and erasure.

use candor_store::documents::{StoredReport, open_record};
use candor_store::keys::MasterKey;
use candor_store::{OrgScope, Store, StoreError};
use serde::{Deserialize, Serialize};

/// What a reporter sent; sealed as one JSON record per report.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ReportContent {
    pub title: String,
    pub details: String,
    #[serde(default)]
    pub asset: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// The kind under which report records are sealed (part of their associated data).
pub const RECORD_KIND: &str = "report";

/// Opens one stored report.
pub async fn open_report(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    report: &StoredReport,
) -> Result<ReportContent, StoreError> {
    let bytes = open_record(
        store,
        scope,
        master,
        RECORD_KIND,
        report.id,
        report.key_version,
        &report.sealed,
    )
    .await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| StoreError::Corrupt(format!("report {} does not parse: {e}", report.id)))
}

/// Every report of the org, opened. Without a master key nothing can be opened,
/// and nothing is returned.
pub async fn opened_reports(
    store: &dyn Store,
    scope: &OrgScope,
    master: Option<&MasterKey>,
) -> Result<Vec<(StoredReport, ReportContent)>, StoreError> {
    let Some(master) = master else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for report in store.reports(scope).await? {
        let content = open_report(store, scope, master, &report).await?;
        out.push((report, content));
    }
    Ok(out)
}
